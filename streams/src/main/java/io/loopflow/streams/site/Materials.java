package io.loopflow.streams.site;

import io.loopflow.core.model.MaterialDescriptor;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The material descriptors ({@code loopflow.materials}, global store {@code loopflow-materials}) as
 * the site processors read them for every reading, without decoding the store's JSON each time.
 * The global store is written only by {@link Updater}, which counts every change; a site
 * processor's {@link View} keeps the descriptors it decoded and forgets them all when the count has
 * moved. So a view is never staler than the global store itself. One instance per topology,
 * shared by its global updater and its site processors (the count is the only shared state).
 */
public final class Materials {
    private final AtomicLong changes = new AtomicLong();

    /** The global store's processor: writes each descriptor (null deletes) and counts the change. */
    public Processor<String, MaterialDescriptor, Void, Void> updater(String storeName) {
        return new Updater(storeName);
    }

    /** A view for one site processor (not thread-safe: one stream thread). */
    View view(KeyValueStore<String, ValueAndTimestamp<MaterialDescriptor>> store) {
        return new View(store);
    }

    private final class Updater implements Processor<String, MaterialDescriptor, Void, Void> {
        private final String storeName;
        private TimestampedKeyValueStore<String, MaterialDescriptor> store;

        Updater(String storeName) {
            this.storeName = storeName;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, MaterialDescriptor> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), ValueAndTimestamp.make(record.value(), record.timestamp()));
            }
            changes.incrementAndGet();
        }
    }

    /** Decoded descriptors of one stream thread, dropped whenever the global store changed. */
    final class View {
        private final KeyValueStore<String, ValueAndTimestamp<MaterialDescriptor>> store;
        private final Map<String, MaterialDescriptor> decoded = new HashMap<>();
        private long seen = -1;

        private View(KeyValueStore<String, ValueAndTimestamp<MaterialDescriptor>> store) {
            this.store = store;
        }

        /** The descriptor of {@code material}, or null when it has none. */
        MaterialDescriptor get(String material) {
            long now = changes.get();
            if (now != seen) {
                decoded.clear();
                seen = now;
            }
            if (decoded.containsKey(material)) {
                return decoded.get(material);
            }
            ValueAndTimestamp<MaterialDescriptor> v = store.get(material);
            MaterialDescriptor d = v == null ? null : v.value();
            decoded.put(material, d);
            return d;
        }
    }
}
