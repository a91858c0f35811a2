package io.loopflow.streams.site;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.streams.StoreNames;
import io.loopflow.streams.crediting.HeldReading;
import io.loopflow.streams.state.Bin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Held readings in chunks ({@link SiteStores#CHUNK} per entry) and seqs in 64-bit words, against a sorted map of the
 * same readings: random arrival orders (mostly in order, as meters send), pruning with rising floors, and after every
 * step every lookup the site processor makes (the reading at a ts, its neighbours, seen seqs, the highest seq) and the
 * chunks' shape (sorted, not overlapping, at most {@code CHUNK}, keyed by their first ts, the clock's chunk pointer
 * right). A unit test of {@link SiteStores} on in-memory stores.
 */
class HeldChunksTest {
    private static final int CASES = 40;
    private static final long FIRST_SEED = 20261201L;

    @TestFactory
    Stream<DynamicTest> chunksHoldWhatASortedMapHolds() {
        return LongStream.range(FIRST_SEED, FIRST_SEED + CASES).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> check(seed)));
    }

    @Test
    void aLongInOrderRunFillsChunksOfThirtyTwoAndAppendsWithoutLookingUp() {
        Fixture f = new Fixture();
        for (long ts = 0; ts < 100; ts++) {
            f.put(new HeldReading(ts * 1000, ts, ts));
        }
        assertThat(f.chunks()).extracting(kv -> SiteStores.readingsIn(kv.value)).containsExactly(32, 32, 32, 4);
        assertThat(f.chunks()).extracting(kv -> kv.key).containsExactly(0L, 32_000L, 64_000L, 96_000L);
        assertThat(f.chunk).isEqualTo(96_000L);
        assertThat(f.stores.maxSeq("s1", "m1")).isEqualTo(99);
        // seqs 0-63 and 64-99: two words
        assertThat(f.all(StoreNames.SEEN_SEQS)).hasSize(2);

        // one older reading in a full chunk splits it
        f.put(new HeldReading(40_500, -1, null));
        assertThat(f.chunks()).extracting(kv -> SiteStores.readingsIn(kv.value)).containsExactly(32, 16, 17, 32, 4);
        assertThat(f.stores.heldBefore("s1", "m1", 40_500)).isEqualTo(new HeldReading(40_000, 40, 40L));
        assertThat(f.stores.heldAfter("s1", "m1", 40_500)).isEqualTo(new HeldReading(41_000, 41, 41L));

        // pruning below 70 s keeps 69 s (the predecessor) and what follows
        f.prune(70_000);
        assertThat(f.stores.heldBefore("s1", "m1", 70_000)).isEqualTo(new HeldReading(69_000, 69, 69L));
        assertThat(f.stores.heldBefore("s1", "m1", 69_000)).isNull();
        assertThat(f.stores.seqSeen("s1", "m1", 68)).isFalse();
        assertThat(f.stores.seqSeen("s1", "m1", 69)).isTrue();
        assertThat(f.all(StoreNames.SEEN_SEQS)).as("the word of seqs 0-63 is gone").hasSize(1);

        f.stores.clearHeld("s1", "m1");
        assertThat(f.chunks()).isEmpty();
        assertThat(f.all(StoreNames.SEEN_SEQS)).isEmpty();
    }

    @Test
    void readingsUploadedNewestFirstFillWholeChunks() {
        Fixture f = new Fixture();
        for (long ts = 99; ts >= 0; ts--) {
            f.put(new HeldReading(ts * 1000, ts, ts));
        }
        assertThat(f.chunks()).extracting(kv -> SiteStores.readingsIn(kv.value)).containsExactly(4, 32, 32, 32);
        assertThat(f.chunks()).extracting(kv -> kv.key).containsExactly(0L, 4_000L, 36_000L, 68_000L);
        assertThat(f.chunk).as("the chunk that holds the clock's reading, re-keyed as older readings went in front").isEqualTo(68_000L);
        assertThat(f.stores.heldBefore("s1", "m1", 36_000)).isEqualTo(new HeldReading(35_000, 35, 35L));
        assertThat(f.stores.heldAfter("s1", "m1", 35_000)).isEqualTo(new HeldReading(36_000, 36, 36L));

        // a gap after a full chunk, filled newest first: in front of the chunk after the gap while it has room
        Fixture g = new Fixture();
        for (long ts = 0; ts < 32; ts++) {
            g.put(new HeldReading(ts * 1000, ts, null));
        }
        g.put(new HeldReading(100_000, 100, null));
        for (long ts = 99; ts >= 32; ts--) {
            g.put(new HeldReading(ts * 1000, ts, null));
        }
        assertThat(g.chunks()).extracting(kv -> SiteStores.readingsIn(kv.value)).containsExactly(32, 5, 32, 32);
        assertThat(g.chunk).isEqualTo(69_000L);
        g.put(new HeldReading(101_000, 101, null));
        assertThat(g.chunks()).extracting(kv -> SiteStores.readingsIn(kv.value)).containsExactly(32, 5, 32, 32, 1);
    }

    private static void check(long seed) {
        Random random = new Random(seed);
        Fixture f = new Fixture();
        TreeMap<Long, HeldReading> model = new TreeMap<>();
        int n = 1 + random.nextInt(300);
        long floor = Long.MIN_VALUE;
        long nextSeq = random.nextInt(200) - 100;
        long down = Long.MIN_VALUE; // a backlog uploaded newest first, below the clock
        for (int i = 0; i < n; i++) {
            long clock = model.isEmpty() ? 0 : model.lastKey();
            long lowest = floor == Long.MIN_VALUE ? 0 : floor;
            int mode = model.isEmpty() ? 0 : random.nextInt(20);
            long ts;
            if (mode < 12) {
                ts = clock + 1 + random.nextInt(3_000); // in order, like most meters
            } else if (mode < 15) {
                ts = Math.max(lowest, clock - random.nextInt(60_000)); // older than the clock, not below the pruning floor
            } else {
                down = down == Long.MIN_VALUE || down <= lowest ? clock : down;
                ts = Math.max(lowest, down - 1 - random.nextInt(2_000));
                down = ts;
            }
            if (model.containsKey(ts)) {
                continue; // the processor rejects a duplicate ts before holding it
            }
            Long seq = random.nextInt(5) == 0 ? null : Long.valueOf(nextSeq);
            nextSeq += 1 + (random.nextInt(10) == 0 ? random.nextInt(500) : 0);
            HeldReading h = new HeldReading(ts, random.nextDouble(), seq);
            f.put(h);
            model.put(ts, h);
            if (random.nextInt(40) == 0) {
                long newFloor = model.firstKey() + random.nextInt((int) Math.max(1, model.lastKey() - model.firstKey() + 1));
                if (newFloor > floor) {
                    floor = newFloor;
                    f.prune(floor);
                    Map.Entry<Long, HeldReading> predecessor = model.lowerEntry(floor);
                    if (predecessor != null) {
                        model.headMap(predecessor.getKey(), false).clear();
                    }
                }
            }
            f.verify(model, random);
        }
    }

    /** The stores of one site processor, one meter's readings held in them, and its clock as the processor keeps it. */
    private static final class Fixture {
        final MockProcessorContext<String, SiteOutput> context = new MockProcessorContext<>();
        final SiteStores stores;
        Long clock;
        Long chunk;

        Fixture() {
            for (String name : StoreNames.SITE_STORES) {
                KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.Bytes(),
                        Serdes.ByteArray()).withLoggingDisabled().build();
                store.init(context.getStateStoreContext(), store);
                context.addStateStore(store);
            }
            stores = new SiteStores(context);
        }

        void put(HeldReading h) {
            chunk = stores.putHeld("s1", "m1", h, clock, chunk);
            if (clock == null || h.ts() > clock) {
                clock = h.ts();
            }
        }

        /** As {@code SiteProcessor.prune}: the clock's chunk pointer follows a rewritten chunk. */
        void prune(long floor) {
            Long rewritten = stores.pruneHeld("s1", "m1", floor);
            if (rewritten != null && chunk != null && chunk < floor) {
                chunk = rewritten;
            }
        }

        List<KeyValue<Long, byte[]>> chunks() {
            List<KeyValue<Long, byte[]>> out = new ArrayList<>();
            for (KeyValue<Bytes, byte[]> kv : all(StoreNames.HELD_READINGS)) {
                byte[] k = kv.key.get();
                out.add(KeyValue.pair(Bin.Reader.key(k, k.length - 8).ordered(), kv.value));
            }
            return out;
        }

        List<KeyValue<Bytes, byte[]>> all(String store) {
            KeyValueStore<Bytes, byte[]> s = context.getStateStore(store);
            List<KeyValue<Bytes, byte[]>> out = new ArrayList<>();
            try (KeyValueIterator<Bytes, byte[]> it = s.all()) {
                it.forEachRemaining(out::add);
            }
            return out;
        }

        void verify(TreeMap<Long, HeldReading> model, Random random) {
            // shape: chunks in key order, each at most CHUNK readings, sorted, keyed by its first, below the next chunk's key
            List<KeyValue<Long, byte[]>> chunks = chunks();
            List<Long> held = new ArrayList<>();
            for (int c = 0; c < chunks.size(); c++) {
                byte[] v = chunks.get(c).value;
                int count = SiteStores.readingsIn(v);
                assertThat(count).isBetween(1, SiteStores.CHUNK);
                List<Long> ts = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    ts.add(Bin.Reader.key(v, 2 + i * 25).i64());
                }
                assertThat(ts).isSorted().first().isEqualTo(chunks.get(c).key);
                if (c + 1 < chunks.size()) {
                    assertThat(ts.get(ts.size() - 1)).isLessThan(chunks.get(c + 1).key);
                }
                held.addAll(ts);
            }
            assertThat(held).containsExactlyElementsOf(model.keySet());
            if (chunk != null && !model.isEmpty()) {
                assertThat(chunk).as("the clock's chunk holds the newest reading").isEqualTo(chunks.get(chunks.size() - 1).key);
            }
            // the lookups the processor makes
            long lo = model.isEmpty() ? 0 : model.firstKey() - 2;
            long hi = model.isEmpty() ? 10 : model.lastKey() + 2;
            for (int probe = 0; probe < 8; probe++) {
                long t = probe < 2 && !model.isEmpty() ? (probe == 0 ? model.firstKey() : model.lastKey()) : lo + (long) (random.nextDouble() * (hi - lo));
                assertThat(stores.held("s1", "m1", t)).isEqualTo(model.get(t));
                assertThat(stores.heldBefore("s1", "m1", t)).isEqualTo(value(model.lowerEntry(t)));
                assertThat(stores.heldAfter("s1", "m1", t)).isEqualTo(value(model.higherEntry(t)));
            }
            long maxSeq = Long.MIN_VALUE;
            for (HeldReading h : model.values()) {
                if (h.seq() != null) {
                    assertThat(stores.seqSeen("s1", "m1", h.seq())).isTrue();
                    assertThat(stores.seqSeen("s1", "m1", h.seq() + 1)).isEqualTo(model.values().stream().anyMatch(o -> o.seq() != null
                            && o.seq() == h.seq() + 1));
                    maxSeq = Math.max(maxSeq, h.seq());
                }
            }
            assertThat(stores.maxSeq("s1", "m1")).isEqualTo(maxSeq);
        }

        private static HeldReading value(Map.Entry<Long, HeldReading> e) {
            return e == null ? null : e.getValue();
        }
    }
}
