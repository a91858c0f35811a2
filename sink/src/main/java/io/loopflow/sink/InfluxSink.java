package io.loopflow.sink;

import com.influxdb.client.write.Point;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.DataQualityRecord;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.model.SurplusRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.KafkaException;
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
    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Duration LAG_INTERVAL = Duration.ofSeconds(10);
    /** Bound of each Admin call of the lag sampler. */
    private static final Duration LAG_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POSITION_TIMEOUT = Duration.ofMillis(500);
    private static final List<Topic<String, ?>> DATA_TOPICS =
            List.of(Topics.FLOWS, Topics.KPIS, Topics.SURPLUS, Topics.ALERTS, Topics.DATA_QUALITY, Topics.READINGS, Topics.REJECTED);
    private static final List<Topic<String, ?>> DESCRIPTOR_TOPICS = List.of(Topics.SITES, Topics.METERS);

    private final SinkConfig config;
    private final MeterRegistry registry;
    private final Duration lagInterval;
    private final PointWriter writer;
    private final PointMapper mapper;
    private final Descriptors descriptors = new Descriptors();
    private final Map<TopicPartition, IngestBuckets> ingest = new HashMap<>();
    private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
    /** Offsets this member committed or found committed, per assigned partition. */
    private final Map<TopicPartition, Long> committedOffsets = new HashMap<>();
    /** Assigned partitions whose position is known: records were read, or an offset was committed. */
    private final Set<TopicPartition> positioned = new HashSet<>();
    private final List<Point> pending = new ArrayList<>();
    private final Counter pointsWritten;
    private final Counter writeFailures;
    private final Counter pointsRejected;
    private final Counter recordsUndecodable;
    private final AtomicBoolean stalled = new AtomicBoolean();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** The latest lag sample not written yet: a gauge, so a newer sample replaces an older one. */
    private final AtomicReference<List<Point>> lagSample = new AtomicReference<>();

    private volatile boolean running;
    private volatile Throwable failure;
    private Thread thread;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaConsumer<String, byte[]> descriptorConsumer;
    private boolean writing;
    private Instant lastDescriptorCheck = Instant.EPOCH;
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
        Counter fieldsOmitted = Counter.builder("loopflow.sink.fields.omitted")
                .description("non-finite numbers left out of a point").register(registry);
        this.mapper = new PointMapper(fieldsOmitted::increment);
        this.pointsWritten = Counter.builder("loopflow.sink.points.written").description("points acknowledged by InfluxDB").register(registry);
        this.writeFailures = Counter.builder("loopflow.sink.write.failures").description("failed write attempts (retried)").register(registry);
        this.pointsRejected = Counter.builder("loopflow.sink.points.rejected").description("points refused by InfluxDB (logged)").register(registry);
        this.recordsUndecodable = Counter.builder("loopflow.sink.records.undecodable").description("Kafka records that are not valid JSON records (logged)").register(registry);
        Gauge.builder("loopflow.sink.stalled", stalled, s -> s.get() ? 1 : 0)
                .description("1 while InfluxDB has refused writes for longer than sink.max-retry-time").register(registry);
    }

    /** Connects, catches up on the descriptor topics and starts consuming; throws if that fails within 60 s. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("sink already started");
        }
        LOG.info("starting InfluxDB sink: {}", config);
        consumer = new KafkaConsumer<>(consumerProperties(true), new StringDeserializer(), new ByteArrayDeserializer());
        descriptorConsumer = new KafkaConsumer<>(consumerProperties(false), new StringDeserializer(), new ByteArrayDeserializer());
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
        return (long) pointsWritten.count();
    }

    /** True while writes have failed for longer than {@code sink.max-retry-time} and consumption is stopped. */
    public boolean stalled() {
        return stalled.get();
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
            catchUpDescriptors();
            consumer.subscribe(DATA_TOPICS.stream().map(Topic::name).toList(), new Rebalance());
            lagScheduler.scheduleWithFixedDelay(this::sampleLag, 0, lagInterval.toMillis(), TimeUnit.MILLISECONDS);
            started.countDown();
            Instant lastFlush = Instant.now();
            while (running) {
                try {
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(Math.min(200, config.flushInterval().toMillis())));
                    pollDescriptors();
                    handleAll(records);
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

    private void handleAll(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            handle(r);
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            nextOffsets.put(tp, r.offset() + 1);
            positioned.add(tp);
        }
    }

    private void handle(ConsumerRecord<String, byte[]> r) {
        String topic = r.topic();
        if (topic.equals(Topics.READINGS.name())) {
            ingest(r).add(r.timestamp(), IngestBuckets.ACCEPTED);
            return;
        }
        if (topic.equals(Topics.REJECTED.name())) {
            Rejection rejection = decode(Topics.REJECTED, r);
            String reason = rejection == null || rejection.reason() == null ? "undecodable" : rejection.reason().wire();
            ingest(r).add(r.timestamp(), IngestBuckets.REJECTED + "/" + reason);
            return;
        }
        if (r.value() == null) {
            return; // a tombstone carries no figure
        }
        if (topic.equals(Topics.FLOWS.name())) {
            FlowRecord f = decode(Topics.FLOWS, r);
            if (f != null) {
                String region = descriptors.region(f.site());
                add(mapper.flow(f, region), r);
                Point exchange = mapper.exchange(f, region, descriptors.receiver(f.site(), f.material()));
                if (exchange != null) {
                    add(exchange, r);
                }
            }
        } else if (topic.equals(Topics.KPIS.name())) {
            KpiRecord k = decode(Topics.KPIS, r);
            if (k != null) {
                add(mapper.kpi(k), r);
            }
        } else if (topic.equals(Topics.SURPLUS.name())) {
            SurplusRecord s = decode(Topics.SURPLUS, r);
            if (s != null) {
                add(mapper.surplus(s, descriptors.region(s.site())), r);
            }
        } else if (topic.equals(Topics.DATA_QUALITY.name())) {
            DataQualityRecord q = decode(Topics.DATA_QUALITY, r);
            if (q != null) {
                add(mapper.dataQuality(q), r);
            }
        } else if (topic.equals(Topics.ALERTS.name())) {
            AlertRecord a = decode(Topics.ALERTS, r);
            if (a != null) {
                add(mapper.alert(a, descriptors.region(a.site())), r);
            }
        }
    }

    private void add(Point point, ConsumerRecord<String, byte[]> r) {
        if (!point.hasFields()) {
            // The client would skip a point without fields without a word.
            pointsRejected.increment();
            LOG.error("record {}-{}@{} gives a point without fields; not written", r.topic(), r.partition(), r.offset());
            return;
        }
        pending.add(point);
    }

    private <V> V decode(Topic<String, V> topic, ConsumerRecord<String, byte[]> r) {
        try {
            return topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            recordsUndecodable.increment();
            LOG.error("record {}-{}@{} (key {}) is not a valid record, skipped: {}", r.topic(), r.partition(), r.offset(), r.key(),
                    e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            return null;
        }
    }

    private IngestBuckets ingest(ConsumerRecord<String, byte[]> r) {
        return ingest.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new IngestBuckets(tp.partition()));
    }

    /**
     * Writes everything read so far and then commits the offsets after it; returns false if the write did not
     * happen (nothing committed). {@code retry}: retry until written or stopping, else one attempt.
     */
    private boolean flush(boolean retry) {
        advancePastMarkers();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, Long> e : nextOffsets.entrySet()) {
            IngestBuckets buckets = ingest.get(e.getKey());
            offsets.put(e.getKey(), new OffsetAndMetadata(e.getValue(), buckets == null ? "" : buckets.metadata()));
        }
        nextOffsets.clear();
        List<Point> points = new ArrayList<>(pending);
        pending.clear();
        for (IngestBuckets buckets : ingest.values()) {
            points.addAll(buckets.drainPoints(mapper));
        }
        List<Point> lag = lagSample.getAndSet(null);
        if (lag != null) {
            points.addAll(lag);
        }
        boolean written;
        try {
            written = points.isEmpty() || (retry ? writeWithRetry(points) : writeOnce(points));
        } catch (RuntimeException e) {
            restore(points, offsets); // e.g. woken up by close() while retrying
            throw e;
        }
        if (!written) {
            // Keep them: a later flush writes them before it commits anything past them.
            restore(points, offsets);
            return false;
        }
        offsets.keySet().retainAll(consumer.assignment());
        if (!offsets.isEmpty()) {
            commit(offsets);
        }
        return true;
    }

    /** Puts an unwritten batch back in front of what was read since, so no later commit can pass over it. */
    private void restore(List<Point> points, Map<TopicPartition, OffsetAndMetadata> offsets) {
        pending.addAll(0, points);
        offsets.forEach((tp, offset) -> nextOffsets.putIfAbsent(tp, offset.offset()));
    }

    /**
     * Moves the offsets to commit up to the consumer's position where only transaction markers (or aborted records)
     * lie between the last record read and the position: committing the last record's offset + 1 would leave a
     * lag of 1 on every topic written in transactions (loopflow.flows, loopflow.kpis, ...) once it goes quiet.
     * Every record before the position has been handled, so nothing unwritten is committed.
     */
    private void advancePastMarkers() {
        for (TopicPartition tp : positioned) {
            long position;
            try {
                position = consumer.position(tp, POSITION_TIMEOUT);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                LOG.debug("position of {} not known yet; a later flush commits past its markers: {}", tp, e.getMessage());
                continue;
            }
            long handled = Math.max(nextOffsets.getOrDefault(tp, -1L), committedOffsets.getOrDefault(tp, -1L));
            if (handled >= 0 && position > handled) {
                nextOffsets.put(tp, position);
            }
        }
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets);
            offsets.forEach((tp, offset) -> committedOffsets.put(tp, offset.offset()));
        } catch (WakeupException | InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            // A rebalance took the partitions away: their new owner reads those records again (idempotent writes).
            LOG.warn("commit after a successful write failed; the records will be read again: {}", e.getMessage());
        }
    }

    /** On the lag thread: one sample of every group, handed to the sink thread for its next batch. */
    private void sampleLag() {
        try {
            Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            List<Point> points = new ArrayList<>();
            for (ConsumerLagSampler.Lag lag : lagSampler.sample()) {
                points.add(mapper.lag(lag.group(), lag.topic(), lag.partition(), lag.lag(), at));
            }
            if (!points.isEmpty()) {
                lagSample.set(points);
            }
        } catch (RuntimeException e) {
            // An exception would cancel the schedule: log it and sample again next time.
            LOG.warn("sampling the consumer lag failed", e);
        }
    }

    private boolean writeOnce(List<Point> points) {
        try {
            pointsWritten.increment(points.size() - writeBisecting(points));
            return true;
        } catch (PointWriter.WriteException e) {
            writeFailures.increment();
            LOG.warn("write failed; its records stay uncommitted and will be read again: {}", e.getMessage());
            return false;
        }
    }

    /** Writes until acknowledged; false only when the sink is stopping. Consumption is paused while retrying. */
    private boolean writeWithRetry(List<Point> points) {
        Instant first = Instant.now();
        Duration backoff = INITIAL_BACKOFF;
        Duration maxBackoff = MAX_BACKOFF.compareTo(config.maxRetryTime()) < 0 ? MAX_BACKOFF : config.maxRetryTime();
        writing = true;
        try {
            while (true) {
                try {
                    pointsWritten.increment(points.size() - writeBisecting(points));
                    if (!consumer.paused().isEmpty()) {
                        consumer.resume(consumer.paused());
                    }
                    if (stalled.compareAndSet(true, false)) {
                        LOG.info("InfluxDB at {} accepts writes again; consumption resumed", config.influxUrl());
                    }
                    return true;
                } catch (PointWriter.WriteException e) {
                    writeFailures.increment();
                    if (!running) {
                        LOG.warn("last write before stopping failed; its records stay uncommitted and will be read again: {}", e.getMessage());
                        return false;
                    }
                    Duration failingFor = Duration.between(first, Instant.now());
                    if (failingFor.compareTo(config.maxRetryTime()) >= 0) {
                        if (stalled.compareAndSet(false, true)) {
                            LOG.error("InfluxDB at {} has refused writes for {} (sink.max-retry-time {}); consumption stopped, retrying every {} until it is back: {}",
                                    config.influxUrl(), failingFor, config.maxRetryTime(), maxBackoff, e.getMessage());
                        }
                    } else {
                        LOG.warn("InfluxDB write failed, retrying in {}: {}", backoff, e.getMessage());
                    }
                    consumer.pause(consumer.assignment());
                    // Polling paused partitions returns nothing but keeps this member in its group while it waits.
                    handleAll(consumer.poll(backoff));
                    backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
                }
            }
        } finally {
            writing = false;
        }
    }

    /**
     * Writes {@code points}; a batch the server refuses is halved until the refused points are found and
     * skipped. Returns the number of points skipped.
     */
    private int writeBisecting(List<Point> points) throws PointWriter.WriteException {
        try {
            writer.write(points);
            return 0;
        } catch (PointWriter.WriteException e) {
            if (e.retryable()) {
                throw e;
            }
            if (points.size() == 1) {
                pointsRejected.increment();
                LOG.error("InfluxDB refused point, skipped: {} ({})", points.get(0).toLineProtocol(), e.getMessage());
                return 1;
            }
            int half = points.size() / 2;
            return writeBisecting(points.subList(0, half)) + writeBisecting(points.subList(half, points.size()));
        }
    }

    private void catchUpDescriptors() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        assignDescriptorPartitions();
        Map<TopicPartition, Long> end = descriptorConsumer.endOffsets(descriptorConsumer.assignment());
        while (running && Instant.now().isBefore(deadline) && !caughtUp(end)) {
            applyDescriptors(descriptorConsumer.poll(Duration.ofMillis(200)));
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (descriptorConsumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void pollDescriptors() {
        Instant now = Instant.now();
        if (descriptorConsumer.assignment().size() < DESCRIPTOR_TOPICS.size() && now.isAfter(lastDescriptorCheck.plusSeconds(10))) {
            lastDescriptorCheck = now;
            assignDescriptorPartitions(); // a topic created after the sink started
        }
        if (!descriptorConsumer.assignment().isEmpty()) {
            applyDescriptors(descriptorConsumer.poll(Duration.ZERO));
        }
    }

    private void assignDescriptorPartitions() {
        Set<TopicPartition> partitions = new HashSet<>();
        for (Topic<String, ?> topic : DESCRIPTOR_TOPICS) {
            List<PartitionInfo> infos = descriptorConsumer.partitionsFor(topic.name());
            if (infos != null) {
                infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            }
        }
        Set<TopicPartition> added = new HashSet<>(partitions);
        added.removeAll(descriptorConsumer.assignment());
        if (!added.isEmpty()) {
            descriptorConsumer.assign(partitions);
            descriptorConsumer.seekToBeginning(added);
        }
    }

    private void applyDescriptors(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.topic().equals(Topics.SITES.name())) {
                SiteDescriptor site = r.value() == null ? null : decode(Topics.SITES, r);
                descriptors.site(r.key(), site);
            } else if (r.topic().equals(Topics.METERS.name())) {
                MeterDescriptor meter = r.value() == null ? null : decode(Topics.METERS, r);
                descriptors.meter(r.key(), meter);
            }
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
            descriptorConsumer.close(Duration.ofSeconds(10));
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
            if (!writing && (!pending.isEmpty() || !nextOffsets.isEmpty())) {
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
                    committedOffsets.put(tp, c.offset());
                    positioned.add(tp); // the next poll starts there: a marker right after it is committed past
                }
                if (tp.topic().equals(Topics.READINGS.name()) || tp.topic().equals(Topics.REJECTED.name())) {
                    ingest.put(tp, IngestBuckets.restore(tp.partition(), c == null ? null : c.metadata()));
                }
            }
            if (writing || stalled.get()) {
                consumer.pause(partitions);
            }
        }

        private void forget(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                ingest.remove(tp);
                nextOffsets.remove(tp);
                committedOffsets.remove(tp);
                positioned.remove(tp);
            }
        }
    }
}
