package io.loopflow.sink;

import com.influxdb.client.write.Point;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The InfluxDB sink ({@code loopflow sink}): reads {@code loopflow.flows}, {@code loopflow.kpis},
 * {@code loopflow.surplus}, {@code loopflow.alerts}, {@code loopflow.dataquality}, {@code loopflow.readings} and
 * {@code loopflow.rejected}
 * (consumer group {@link SinkConfig#groupId()}, read_committed, no auto-commit), plus {@code loopflow.sites}
 * and {@code loopflow.meters} from the beginning without a group (regions and exchange receivers), and writes
 * the points of docs/influxdb-schema.md through the v2 write API. Every 10 s a thread of its own samples the lag of
 * the consumer groups {@link SinkConfig#sampledGroups()} through Kafka's Admin client ({@link ConsumerLagSampler}),
 * so a slow or absent broker never holds up a write; the samples go out with the next batch.
 *
 * <p>This class is the Kafka loop ({@link DescriptorReader} reads the descriptor topics); the rest is in plain
 * classes tested without Kafka: {@link RecordPoints} turns records into points, {@link PendingWrites} holds them and
 * decides what may be committed, {@link RetryingWriter} writes them through a {@link PointWriter}
 * ({@link InfluxPointWriter}).
 *
 * <p>At least once, idempotent: offsets are committed only after InfluxDB acknowledged every point of the
 * records before them; a replay writes the same series at the same timestamps, so it overwrites. The ingest
 * counts of the health measurement travel in the committed offsets' metadata ({@link IngestBuckets}) so a
 * replay does not double them. A failed write is retried with exponential backoff while consumption is
 * paused; after {@code maxRetryTime} the sink reports itself stalled ({@code loopflow.sink.stalled} = 1, an
 * error in the log) and keeps retrying until the server is back, then resumes where it stopped. Points the
 * server refuses (HTTP 400/413/422) are bisected down to the single refused points, which are counted in
 * {@code loopflow.sink.points.rejected} and logged; records that do not decode are counted in
 * {@code loopflow.sink.records.undecodable} and logged. Nothing is dropped silently.
 */
public final class InfluxSink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InfluxSink.class);
    private static final Duration LAG_INTERVAL = Duration.ofSeconds(10);
    /** Bound of each Admin call of the lag sampler. */
    private static final Duration LAG_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POSITION_TIMEOUT = Duration.ofMillis(500);
    private static final List<Topic<String, ?>> DATA_TOPICS =
            List.of(Topics.FLOWS, Topics.KPIS, Topics.SURPLUS, Topics.ALERTS, Topics.DATA_QUALITY, Topics.READINGS, Topics.REJECTED);

    private final SinkConfig config;
    private final MeterRegistry registry;
    private final Duration lagInterval;
    private final PointWriter writer;
    private final RetryingWriter retrying;
    private final RecordPoints records;
    private final PendingWrites pending = new PendingWrites();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** The latest lag sample not written yet: a gauge, so a newer sample replaces an older one. */
    private final AtomicReference<List<Point>> lagSample = new AtomicReference<>();

    private volatile boolean running;
    private volatile Throwable failure;
    private Thread thread;
    private KafkaConsumer<String, byte[]> consumer;
    private DescriptorReader descriptors;
    private boolean writing;
    private ConsumerLagSampler lagSampler;
    private ScheduledExecutorService lagScheduler;

    public InfluxSink(SinkConfig config, MeterRegistry registry) {
        this(config, registry, new InfluxPointWriter(config));
    }

    InfluxSink(SinkConfig config, MeterRegistry registry, PointWriter writer) {
        this(config, registry, writer, LAG_INTERVAL);
    }

    /** {@code lagInterval}: period of the lag samples (10 s; shorter in tests). */
    InfluxSink(SinkConfig config, MeterRegistry registry, PointWriter writer, Duration lagInterval) {
        this.config = config;
        this.registry = registry;
        this.lagInterval = lagInterval;
        this.writer = writer;
        this.records = new RecordPoints(registry);
        this.retrying = new RetryingWriter(writer, config.maxRetryTime(), config.influxUrl(), registry, InstantSource.system());
    }

    /** Connects, catches up on the descriptor topics and starts consuming; throws if that fails within 60 s. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("sink already started");
        }
        LOG.info("starting InfluxDB sink: {}", config);
        consumer = new KafkaConsumer<>(consumerProperties(true), new StringDeserializer(), new ByteArrayDeserializer());
        descriptors = new DescriptorReader(consumerProperties(false), records);
        lagSampler = new ConsumerLagSampler(config.kafkaBootstrap(), config.sampledGroups(), LAG_TIMEOUT, registry);
        lagScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loopflow-sink-lag");
            t.setDaemon(true);
            return t;
        });
        running = true;
        thread = new Thread(this::run, "loopflow-sink");
        thread.start();
        try {
            boolean ready = started.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (failure != null) {
                throw new IllegalStateException("sink failed to start: " + failure.getMessage(), failure);
            }
            if (!ready) {
                close();
                throw new IllegalStateException("sink did not start within " + START_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting the sink", e);
        }
    }

    /** Points InfluxDB has acknowledged so far. */
    public long pointsWritten() {
        return retrying.pointsWritten();
    }

    /** True while writes have failed for longer than {@code sink.max-retry-time} and consumption is stopped. */
    public boolean stalled() {
        return retrying.stalled();
    }

    /** The error that stopped the sink's thread, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Stops consuming, makes one last attempt to write and commit what was read, and closes the connections. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
            if (t == null || !running) {
                return;
            }
            running = false;
        }
        consumer.wakeup();
        try {
            if (!stopped.await(60, TimeUnit.SECONDS)) {
                LOG.error("sink thread did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while stopping the sink");
        }
    }

    private void run() {
        try {
            descriptors.catchUp(START_TIMEOUT, () -> running);
            consumer.subscribe(DATA_TOPICS.stream().map(Topic::name).toList(), new Rebalance());
            lagScheduler.scheduleWithFixedDelay(this::sampleLag, 0, lagInterval.toMillis(), TimeUnit.MILLISECONDS);
            started.countDown();
            Instant lastFlush = Instant.now();
            while (running) {
                try {
                    ConsumerRecords<String, byte[]> polled = consumer.poll(Duration.ofMillis(Math.min(200, config.flushInterval().toMillis())));
                    descriptors.poll();
                    handleAll(polled);
                    Instant now = Instant.now();
                    if (pending.size() >= config.batchSize() || !now.isBefore(lastFlush.plus(config.flushInterval()))) {
                        flush(true);
                        lastFlush = now;
                    }
                } catch (WakeupException e) {
                    // close() was called: leave the loop and flush what was read.
                    LOG.debug("sink woken up to stop");
                }
            }
            flush(false);
        } catch (WakeupException e) {
            LOG.info("sink stopped before its last flush; uncommitted records will be read again");
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("InfluxDB sink failed", e);
        } finally {
            started.countDown();
            closeQuietly();
            stopped.countDown();
        }
    }

    private void handleAll(ConsumerRecords<String, byte[]> polled) {
        for (ConsumerRecord<String, byte[]> r : polled) {
            records.handle(r, pending::add);
            pending.handled(new TopicPartition(r.topic(), r.partition()), r.offset());
        }
    }

    /**
     * Writes everything read so far and then commits the offsets after it; returns false if the write did not
     * happen (nothing committed). {@code retry}: retry until written or stopping (consumption paused meanwhile), else
     * one attempt.
     */
    private boolean flush(boolean retry) {
        pending.advancePastMarkers(this::position);
        PendingWrites.BatchWrite write = retry ? this::writeWithRetry : retrying::writeOnce;
        return pending.flush(records::metadata, this::pointsToAdd, write, new Committer());
    }

    /** Points that are not of one record: the ingest counts and the latest lag sample. */
    private List<Point> pointsToAdd() {
        List<Point> points = new ArrayList<>(records.drainIngest());
        List<Point> lag = lagSample.getAndSet(null);
        if (lag != null) {
            points.addAll(lag);
        }
        return points;
    }

    private boolean writeWithRetry(List<Point> points) {
        writing = true;
        try {
            boolean written = retrying.writeWithRetry(points, new PausedRetry());
            if (written && !consumer.paused().isEmpty()) {
                consumer.resume(consumer.paused());
            }
            return written;
        } finally {
            writing = false;
        }
    }

    private OptionalLong position(TopicPartition tp) {
        try {
            return OptionalLong.of(consumer.position(tp, POSITION_TIMEOUT));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.debug("position of {} not known yet; a later flush commits past its markers: {}", tp, e.getMessage());
            return OptionalLong.empty();
        }
    }

    /** Between write attempts: consumption paused, and polling (which returns nothing) keeps this member in its group. */
    private final class PausedRetry implements RetryingWriter.Host {
        @Override
        public boolean stopping() {
            return !running;
        }

        @Override
        public void waitBeforeRetry(Duration backoff) {
            consumer.pause(consumer.assignment());
            handleAll(consumer.poll(backoff));
        }
    }

    /** Commits through the group's consumer. */
    private final class Committer implements PendingWrites.OffsetCommitter {
        @Override
        public Set<TopicPartition> assignment() {
            return consumer.assignment();
        }

        @Override
        public boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
            try {
                consumer.commitSync(offsets);
                return true;
            } catch (WakeupException | InterruptException e) {
                throw e;
            } catch (KafkaException e) {
                // A rebalance took the partitions away: their new owner reads those records again (idempotent writes).
                LOG.warn("commit after a successful write failed; the records will be read again: {}", e.getMessage());
                return false;
            }
        }
    }

    /** On the lag thread: one sample of every group, handed to the sink thread for its next batch. */
    private void sampleLag() {
        try {
            List<Point> points = records.lag(lagSampler.sample(), Instant.now().truncatedTo(ChronoUnit.SECONDS));
            if (!points.isEmpty()) {
                lagSample.set(points);
            }
        } catch (RuntimeException e) {
            // An exception would cancel the schedule: log it and sample again next time.
            LOG.warn("sampling the consumer lag failed", e);
        }
    }

    private Properties consumerProperties(boolean group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(Math.min(config.batchSize(), 1000)));
        if (group) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId());
        } else {
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId() + "-descriptors");
        }
        return p;
    }

    private void closeQuietly() {
        lagScheduler.shutdownNow();
        try {
            if (!lagScheduler.awaitTermination(LAG_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
                LOG.warn("lag sampler did not stop within {}", LAG_TIMEOUT.multipliedBy(2));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while stopping the lag sampler");
        }
        try {
            lagSampler.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the lag sampler's Admin client failed", e);
        }
        try {
            consumer.close(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warn("closing the Kafka consumer failed", e);
        }
        try {
            descriptors.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the descriptor consumer failed", e);
        }
        try {
            writer.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the InfluxDB client failed", e);
        }
    }

    /** Flushes before giving partitions away; restores the ingest counts of partitions it receives. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!writing && !pending.isEmpty()) {
                try {
                    // One attempt: a rebalance callback must not poll, and the next owner replays if it fails.
                    flush(false);
                } catch (RuntimeException e) {
                    LOG.warn("flush before a rebalance failed; the next owner reads those records again", e);
                }
            }
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                if (c != null) {
                    pending.assigned(tp, c.offset());
                }
                records.assigned(tp, c == null ? null : c.metadata());
            }
            if (writing || retrying.stalled()) {
                consumer.pause(partitions);
            }
        }

        private void forget(Collection<TopicPartition> partitions) {
            records.forget(partitions);
            pending.forget(partitions);
        }
    }
}
