package io.loopflow.bench;

import io.loopflow.core.Topics;
import io.loopflow.core.model.ReadingRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code loopflow.readings} (or another topic of {@link ReadingRecord} JSON) from its current end, on
 * its own thread, and marks each record's (meter, seq) in {@link Arrivals}: the "landed in Kafka" side of
 * the ingest benchmark. No consumer group (manual assignment), so it commits nothing; it asks for data as
 * soon as there is any ({@code fetch.min.bytes} 1), so the time it marks is when the record became readable.
 */
final class KafkaTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTail.class);

    private final KafkaConsumer<String, ReadingRecord> consumer;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    KafkaTail(String bootstrap, String topic, Workload workload, Arrivals arrivals) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        consumer = new KafkaConsumer<>(p, Topics.READINGS.keySerde().deserializer(), Topics.READINGS.valueSerde().deserializer());
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        List<TopicPartition> tps = partitions.stream().map(pi -> new TopicPartition(topic, pi.partition())).toList();
        consumer.assign(tps);
        Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Duration.ofSeconds(30));
        ends.forEach(consumer::seek);
        thread = new Thread(() -> run(workload, arrivals), "bench-kafka-tail");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(Workload workload, Arrivals arrivals) {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, ReadingRecord> r : consumer.poll(Duration.ofMillis(100))) {
                    ReadingRecord v = r.value();
                    arrivals.arrived(v == null || v.seq() == null ? -1 : workload.index(v.meter(), v.seq()));
                }
            }
        } catch (RuntimeException e) {
            failure.set(e);
            LOG.error("Kafka tail failed", e);
        }
    }

    /** Throws when the reading thread failed (the figures would otherwise read as "nothing arrived"). */
    void check() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("the Kafka tail failed: " + t, t);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        check();
    }
}
