package io.loopflow.streams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store of the process together, as Kafka Streams'
 * documentation ("Bounded memory usage") shows: one LRU block cache of {@link #TOTAL_BYTES} for
 * all stores, whose memtables are charged to it through one write-buffer manager. Without it each
 * store (a dozen per task, per application) gets its own 50 MiB cache and 3 x 16 MiB memtables,
 * and the process grows by hundreds of MiB under load. The cache and manager are process-wide by
 * design (Kafka Streams instantiates this class once per store); they are never closed, as they
 * live as long as the process.
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {
    /** Block cache plus memtables of all stores. */
    static final long TOTAL_BYTES = 96L * 1024 * 1024;
    /** Of which memtables. */
    static final long MEMTABLE_BYTES = 32L * 1024 * 1024;
    private static final long WRITE_BUFFER_BYTES = 4L * 1024 * 1024;

    private static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, 0.1);
    private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(WRITE_BUFFERS);
        options.setWriteBufferSize(WRITE_BUFFER_BYTES);
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The shared cache and write-buffer manager outlive every store: nothing to close per store.
    }
}
