package io.loopflow.sink;

import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code loopflow.sites} and {@code loopflow.meters} from the beginning, without a consumer group, and hands
 * every record to {@link RecordPoints#descriptor} (regions and exchange receivers of the sink's points). A descriptor
 * topic created after the sink started is picked up within 10 s. Used by the sink's thread only.
 */
final class DescriptorReader implements AutoCloseable {
    private static final List<Topic<String, ?>> TOPICS = List.of(Topics.SITES, Topics.METERS);
    private static final Duration RECHECK = Duration.ofSeconds(10);

    private final KafkaConsumer<String, byte[]> consumer;
    private final RecordPoints records;
    private Instant lastCheck = Instant.EPOCH;

    /** {@code properties}: the sink's consumer settings without a group. */
    DescriptorReader(Properties properties, RecordPoints records) {
        this.consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
        this.records = records;
    }

    /** Reads up to the end offsets found now, for at most {@code timeout} or while {@code running}. */
    void catchUp(Duration timeout, BooleanSupplier running) {
        Instant deadline = Instant.now().plus(timeout);
        assignPartitions();
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        while (running.getAsBoolean() && Instant.now().isBefore(deadline) && !caughtUp(end)) {
            consumer.poll(Duration.ofMillis(200)).forEach(this::apply);
        }
    }

    /** Applies what arrived since the last call, without waiting. */
    void poll() {
        Instant now = Instant.now();
        if (consumer.assignment().size() < TOPICS.size() && now.isAfter(lastCheck.plus(RECHECK))) {
            lastCheck = now;
            assignPartitions(); // a topic created after the sink started
        }
        if (!consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ZERO).forEach(this::apply);
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(10));
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        records.descriptor(r);
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void assignPartitions() {
        Set<TopicPartition> partitions = new HashSet<>();
        for (Topic<String, ?> topic : TOPICS) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic.name());
            if (infos != null) {
                infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            }
        }
        Set<TopicPartition> added = new HashSet<>(partitions);
        added.removeAll(consumer.assignment());
        if (!added.isEmpty()) {
            consumer.assign(partitions);
            consumer.seekToBeginning(added);
        }
    }
}
