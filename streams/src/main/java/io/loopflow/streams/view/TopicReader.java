package io.loopflow.streams.view;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka consumer on its own thread that reads every partition of some topics (assigned, no consumer group,
 * no commits: every instance reads everything), read_committed, from their beginning or from
 * {@code lookback} ago (by record time), and hands each record to its topic's handler. A handler that throws
 * is counted against the record's topic and logged; the reader carries on. Writes nothing.
 *
 * <p>{@link #caughtUp()} turns true once it has read up to the end offsets that its topics had when it started,
 * so that a view never answers with half of its history.
 */
final class TopicReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration RETRY = Duration.ofSeconds(1);

    /** Where a topic is read from. */
    enum Start { BEGINNING, LOOKBACK }

    /** One topic, where to start and what to do with each record. */
    record Subscription(String topic, Start start, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
    }

    private final String name;
    private final Properties properties;
    private final List<Subscription> subscriptions;
    private final Duration lookback;
    private final Clock clock;
    private final BiConsumer<String, RuntimeException> onBadRecord;
    private final Thread thread;
    private volatile boolean caughtUp;
    private volatile boolean closed;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    /**
     * @param onBadRecord told the topic and the error of every record its handler refused
     */
    TopicReader(String name, String bootstrap, List<Subscription> subscriptions, Duration lookback, Clock clock,
                BiConsumer<String, RuntimeException> onBadRecord) {
        this.name = name;
        this.subscriptions = List.copyOf(subscriptions);
        this.lookback = lookback;
        this.clock = clock;
        this.onBadRecord = onBadRecord;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "loopflow-view-" + name);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        this.properties = p;
        this.thread = new Thread(this::run, "loopflow-view-" + name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** True once everything its topics held at start has been read. */
    boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        while (!closed) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer = c;
                if (closed) {
                    return;
                }
                Map<String, Consumer<ConsumerRecord<byte[], byte[]>>> handlers = new HashMap<>();
                subscriptions.forEach(s -> handlers.put(s.topic(), s.handler()));
                Map<TopicPartition, Long> target = assignAndSeek(c);
                while (!closed) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                        try {
                            handlers.get(r.topic()).accept(r);
                        } catch (RuntimeException e) {
                            onBadRecord.accept(r.topic(), e);
                        }
                    }
                    if (!caughtUp && target.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                        caughtUp = true;
                        LOG.info("view {} has read its topics up to their end at start", name);
                    }
                }
            } catch (WakeupException e) {
                if (!closed) {
                    LOG.warn("view {} woken up while open; starting again", name);
                }
            } catch (KafkaException e) {
                if (closed) {
                    return;
                }
                LOG.warn("view {} cannot read Kafka ({}); trying again in {}", name, e.getMessage(), RETRY);
                sleep();
            }
        }
    }

    /** Assigns every partition of the topics, seeks each to its start and returns the end offsets to read up to. */
    private Map<TopicPartition, Long> assignAndSeek(KafkaConsumer<byte[], byte[]> c) {
        List<TopicPartition> all = new ArrayList<>();
        Map<TopicPartition, Long> sinceTimestamp = new HashMap<>();
        List<TopicPartition> fromBeginning = new ArrayList<>();
        long since = clock.millis() - lookback.toMillis();
        for (Subscription s : subscriptions) {
            List<PartitionInfo> partitions = c.partitionsFor(s.topic());
            while (partitions == null || partitions.isEmpty()) {
                LOG.warn("view {}: topic {} does not exist yet; looking again in {}", name, s.topic(), RETRY);
                sleep();
                if (closed) {
                    throw new WakeupException();
                }
                partitions = c.partitionsFor(s.topic());
            }
            for (PartitionInfo p : partitions) {
                TopicPartition tp = new TopicPartition(p.topic(), p.partition());
                all.add(tp);
                if (s.start() == Start.BEGINNING) {
                    fromBeginning.add(tp);
                } else {
                    sinceTimestamp.put(tp, since);
                }
            }
        }
        c.assign(all);
        // seekToBeginning/seekToEnd of an empty collection would move every assigned partition.
        if (!fromBeginning.isEmpty()) {
            c.seekToBeginning(fromBeginning);
        }
        if (!sinceTimestamp.isEmpty()) {
            Map<TopicPartition, OffsetAndTimestamp> offsets = c.offsetsForTimes(sinceTimestamp);
            List<TopicPartition> nothingSince = new ArrayList<>();
            offsets.forEach((tp, o) -> {
                if (o == null) {
                    nothingSince.add(tp);
                } else {
                    c.seek(tp, o.offset());
                }
            });
            if (!nothingSince.isEmpty()) {
                c.seekToEnd(nothingSince);
            }
        }
        // read_committed: the end offset is the last stable offset, what this consumer can reach.
        return new HashMap<>(c.endOffsets(all));
    }

    /** Waits {@link #RETRY} before trying Kafka again, or less when {@link #close()} comes first. */
    private void sleep() {
        try {
            stopping.await(RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        stopping.countDown();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
