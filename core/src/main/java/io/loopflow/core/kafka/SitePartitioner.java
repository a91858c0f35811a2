package io.loopflow.core.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.utils.Utils;

/**
 * Puts every record of one site in the same partition of any topic: the partition is the murmur2
 * hash of the key's site part (up to the first {@code /}), modulo the partition count, which is
 * what Kafka's default partitioner gives the key {@code site} alone. So {@code loopflow.readings}
 * and {@code loopflow.meters} (key {@code site/meter}) and {@code loopflow.sites} (key
 * {@code site}, default partitioner or this one) agree, and the stream processor reads a site's
 * readings and descriptors in one task without a repartition topic (streams/README.md).
 *
 * <p>The key stays {@code site/meter} as CONTRACT.md section 6 says; only the partition choice
 * changes. Every producer of LoopFlow's input topics (gateway, import) must use it.
 */
public final class SitePartitioner implements Partitioner {

    /** The partition of {@code key} among {@code partitions}. */
    public static int partitionOf(String key, int partitions) {
        int slash = key.indexOf('/');
        String site = slash < 0 ? key : key.substring(0, slash);
        return Utils.toPositive(Utils.murmur2(site.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        if (!(key instanceof String k)) {
            throw new IllegalArgumentException("LoopFlow records are keyed by a String (site/...), got " + key + " on " + topic);
        }
        return partitionOf(k, cluster.partitionCountForTopic(topic));
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // Nothing to configure.
    }

    @Override
    public void close() {
        // Nothing to release.
    }
}
