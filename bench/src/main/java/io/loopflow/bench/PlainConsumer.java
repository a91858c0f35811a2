package io.loopflow.bench;

import io.loopflow.core.Topics;
import io.loopflow.core.model.ReadingRecord;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream processor's baseline: a plain {@link KafkaConsumer} in a consumer group, reading
 * {@code loopflow.readings} and JSON-decoding each record as the processor must, and nothing else.
 */
final class PlainConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(PlainConsumer.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private PlainConsumer() {
    }

    /**
     * Reads and decodes {@code count} readings as group {@code groupId}, from its committed offsets (the earliest
     * when it has none); returns the seconds from creating the consumer (so the group join included) to the last.
     *
     * @throws IllegalStateException when fewer arrived within {@code deadline}
     */
    static double read(String bootstrap, String groupId, int count, Duration deadline) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long start = System.nanoTime();
        int read = 0;
        double checksum = 0;
        long until = start + deadline.toNanos();
        try (KafkaConsumer<String, ReadingRecord> consumer = new KafkaConsumer<>(p, Topics.READINGS.keySerde().deserializer(),
                Topics.READINGS.valueSerde().deserializer())) {
            consumer.subscribe(List.of(Topics.READINGS.name()));
            while (read < count) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("baseline consumer read " + read + " of " + count + " within " + deadline);
                }
                for (ConsumerRecord<String, ReadingRecord> r : consumer.poll(POLL)) {
                    // Use what was decoded, so the work cannot be optimised away.
                    checksum += r.value().value();
                    read++;
                }
            }
            consumer.commitSync();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info("baseline consumer {}: {} readings in {} s (checksum {})", groupId, read, String.format(Locale.ROOT, "%.2f", seconds), checksum);
        return seconds;
    }

    /** Makes group {@code groupId} (which must have no members) start reading at {@code offsets}. */
    static void startAt(Admin admin, String groupId, Map<TopicPartition, Long> offsets) throws Exception {
        admin.alterConsumerGroupOffsets(groupId, offsets.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue())))).all().get(30, TimeUnit.SECONDS);
    }
}
