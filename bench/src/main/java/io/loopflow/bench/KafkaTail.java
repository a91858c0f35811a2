package io.loopflow.bench;

import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.model.ReadingRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a topic of the catalogue from its current end, on its own thread, and hands each value to a callback:
 * the "landed in Kafka" side of the benchmarks ({@link #readings}: each {@code loopflow.readings} record's
 * (meter, seq) marked in {@link Arrivals}; the pipeline benchmark's {@code loopflow.flows} figures). No consumer
 * group (manual assignment), so it commits nothing; it asks for data as soon as there is any ({@code fetch.min.bytes}
 * 1), so the time it marks is when the record became readable; {@code read_committed}, so it sees what a
 * consumer of the exactly-once stream processor's output sees (on topics written without transactions, such as
 * {@code loopflow.readings}, that is every record as soon as it is written).
 */
final class KafkaTail<V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTail.class);

    private final KafkaConsumer<String, V> consumer;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** For each record read: ms from its timestamp (when its producer stamped it) to when this tail read it. */
    private final List<Long> readDelays = new ArrayList<>();

    /** Hands every value written to {@code topic} from now on to {@code onValue} (on the tail's thread). */
    KafkaTail(String bootstrap, Topic<String, V> topic, Consumer<V> onValue) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase(Locale.ROOT));
        consumer = new KafkaConsumer<>(p, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        List<PartitionInfo> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30));
        List<TopicPartition> tps = partitions.stream().map(pi -> new TopicPartition(topic.name(), pi.partition())).toList();
        consumer.assign(tps);
        Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Duration.ofSeconds(30));
        ends.forEach(consumer::seek);
        thread = new Thread(() -> run(onValue), "bench-kafka-tail-" + topic.name());
        thread.setDaemon(true);
        thread.start();
    }

    /** Marks the (meter, seq) of every reading written to {@code loopflow.readings} from now on in {@code arrivals}. */
    static KafkaTail<ReadingRecord> readings(String bootstrap, Workload workload, Arrivals arrivals) {
        return new KafkaTail<>(bootstrap, Topics.READINGS,
                v -> arrivals.arrived(v == null || v.seq() == null ? -1 : workload.index(v.meter(), v.seq())));
    }

    private void run(Consumer<V> onValue) {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(100))) {
                    long delay = System.currentTimeMillis() - r.timestamp();
                    synchronized (readDelays) {
                        readDelays.add(delay);
                    }
                    onValue.accept(r.value());
                }
            }
        } catch (RuntimeException e) {
            failure.set(e);
            LOG.error("Kafka tail failed", e);
        }
    }

    /**
     * The {@code percentile} of the ms from each record's timestamp to when this tail read it (for the stream processor's
     * output: from the punctuation or record that wrote it to its commit, plus this tail's fetch); NaN before any record.
     */
    double readDelayMillis(double percentile) {
        List<Long> sorted;
        synchronized (readDelays) {
            sorted = new ArrayList<>(readDelays);
        }
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        sorted.sort(null);
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(percentile / 100.0 * sorted.size()) - 1));
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
