package io.loopflow.ingest;

import io.loopflow.core.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Test helper: reads a whole topic from the beginning, without a consumer group, and keeps what it
 * read; {@link #readToEnd()} adds what was written since the previous call.
 */
final class TopicReader<V> implements AutoCloseable {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    /** One record as written: key, decoded value (null for a tombstone) and Kafka timestamp. */
    record Entry<V>(String key, V value, Instant timestamp) {
    }

    private final Topic<String, V> topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final List<Entry<V>> entries = new ArrayList<>();

    TopicReader(String bootstrap, Topic<String, V> topic) {
        this.topic = topic;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.partitions = consumer.partitionsFor(topic.name(), READ_TIMEOUT).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Everything written to the topic up to its end offsets at the time of the call. */
    List<Entry<V>> readToEnd() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
        Instant deadline = Instant.now().plus(READ_TIMEOUT);
        while (partitions.stream().anyMatch(tp -> consumer.position(tp, READ_TIMEOUT) < end.get(tp))) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("could not read " + topic.name() + " to its end offsets " + end + " within " + READ_TIMEOUT);
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                V value = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
                entries.add(new Entry<>(r.key(), value, Instant.ofEpochMilli(r.timestamp())));
            }
        }
        return List.copyOf(entries);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
