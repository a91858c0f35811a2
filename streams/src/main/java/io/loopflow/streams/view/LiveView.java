package io.loopflow.streams.view;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.SurplusRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole region as the live page and the HTTP API show it, on every instance of the stream processor alike:
 * LoopFlow's output topics read by consumers of this view alone, assigned every partition (no consumer group),
 * read_committed. Reads {@code loopflow.flows} and {@code loopflow.kpis} (one reader) and {@code loopflow.alerts},
 * {@code loopflow.surplus}, {@code loopflow.rejected} and the descriptor topics (another, so that a backlog of
 * figures never delays an alert); samples {@code loopflow.readings}' end offsets and the consumer groups' lag
 * through the Admin client every {@link #SAMPLE_EVERY}. Writes nothing to Kafka; registers the gauges
 * {@code loopflow.consumer.lag{group}} and the counter {@code loopflow.view.undecodable{topic}}.
 *
 * <p>Flows, key figures and rejections are kept for {@link #LOOKBACK} after they were written (and read from that
 * far back at start); surplus, alerts and descriptors are read from the beginning and kept whole (one record per
 * site and material, per alert, per descriptor). Of the several publications of one window the view keeps the one
 * of highest {@code revision}, final over provisional ({@link Revisions}), found by the record's fields, never by
 * its key. Until both readers have read what their topics held at start, every query throws
 * {@link ViewNotReadyException} rather than answer with half the history.
 */
public final class LiveView implements AutoCloseable {
    /** How long after it was written a flow window, key figure or rejection is kept. */
    public static final Duration LOOKBACK = Duration.ofHours(48);
    /** Period of the pipeline sample and of change notices. */
    public static final Duration SAMPLE_EVERY = Duration.ofSeconds(2);
    /** The gauge of the embedded MQTT broker's dropped messages, registered by {@code loopflow local}. */
    public static final String BROKER_DROPPED_GAUGE = "loopflow.mqtt.broker.dropped";
    private static final Duration EVICT_EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);

    /** Told what changes; called on the view's threads, so it must not block. */
    public interface Listener {
        /** The view has read its history: from now on every alert read is new. */
        void ready();

        /** An alert just read from {@code loopflow.alerts}, once the view has read the topics' history. */
        void alert(AlertRecord alert);

        /** Flow windows, key figures or surplus changed since the last notice (at most every {@link #SAMPLE_EVERY}). */
        void figuresChanged();

        /** The pipeline's health, every {@link #SAMPLE_EVERY}. */
        void pipeline(PipelineReport report);
    }

    private final FlowStore flows = new FlowStore();
    private final KpiStore kpis = new KpiStore();
    private final Descriptors descriptors = new Descriptors();
    private final SurplusBoard board = new SurplusBoard();
    private final RejectionLog rejections = new RejectionLog();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean figuresChanged = new AtomicBoolean();
    private final AtomicBoolean announcedReady = new AtomicBoolean();
    private final AtomicLong undecodable = new AtomicLong();
    private final Map<String, Long> lastBadRecordLog = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Clock clock;
    private final double defaultThreshold;
    private final TopicReader figureReader;
    private final TopicReader liveReader;
    private final PipelineSampler sampler;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loopflow-view-timer");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param lagGroups        consumer groups whose lag the pipeline report shows (groups that never committed are left out)
     * @param defaultThreshold {@code surplus.default-threshold}, for materials without {@code surplusThreshold}
     */
    public LiveView(String bootstrap, List<String> lagGroups, double defaultThreshold, MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        this.defaultThreshold = defaultThreshold;
        this.figureReader = new TopicReader("figures", bootstrap, List.of(
                new TopicReader.Subscription(Topics.FLOWS.name(), TopicReader.Start.LOOKBACK, r -> changed(flows.accept(tree(r), r.timestamp()))),
                new TopicReader.Subscription(Topics.KPIS.name(), TopicReader.Start.LOOKBACK, r -> changed(kpis.accept(tree(r), r.timestamp())))),
                LOOKBACK, clock, this::badRecord);
        this.liveReader = new TopicReader("live", bootstrap, List.of(
                new TopicReader.Subscription(Topics.ALERTS.name(), TopicReader.Start.BEGINNING, this::alert),
                new TopicReader.Subscription(Topics.SURPLUS.name(), TopicReader.Start.BEGINNING, r -> {
                    board.surplus(value(Topics.SURPLUS, r));
                    changed(true);
                }),
                new TopicReader.Subscription(Topics.REJECTED.name(), TopicReader.Start.LOOKBACK,
                        r -> rejections.accept(value(Topics.REJECTED, r), r.timestamp())),
                new TopicReader.Subscription(Topics.SITES.name(), TopicReader.Start.BEGINNING,
                        r -> descriptors.site(key(r), nullableValue(Topics.SITES, r))),
                new TopicReader.Subscription(Topics.METERS.name(), TopicReader.Start.BEGINNING,
                        r -> descriptors.meter(key(r), nullableValue(Topics.METERS, r))),
                new TopicReader.Subscription(Topics.MATERIALS.name(), TopicReader.Start.BEGINNING,
                        r -> descriptors.material(key(r), nullableValue(Topics.MATERIALS, r))),
                new TopicReader.Subscription(Topics.DEMANDS.name(), TopicReader.Start.BEGINNING,
                        r -> descriptors.demand(key(r), nullableValue(Topics.DEMANDS, r)))),
                LOOKBACK, clock, this::badRecord);
        this.sampler = new PipelineSampler(bootstrap, lagGroups, registry, clock);
        Gauge.builder("loopflow.view.flow.windows", flows, FlowStore::size)
                .description("flow windows the live view keeps (written within its look-back)").register(registry);
    }

    /** Starts reading; returns at once (see {@link #ready()}). */
    public void start() {
        figureReader.start();
        liveReader.start();
        timer.scheduleWithFixedDelay(this::tick, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::evict, EVICT_EVERY.toMillis(), EVICT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True once the view has read what its topics held when it started. */
    public boolean ready() {
        return figureReader.caughtUp() && liveReader.caughtUp();
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** Records written before this instant are no longer kept (flows, key figures, rejections). */
    public Instant keptSince() {
        return clock.instant().minus(LOOKBACK);
    }

    /**
     * The kept key-figure records (one per window, highest revision) that match every non-null filter, as published,
     * by scope, id, material, window and start. {@code region} matches a site record of that region too;
     * {@code window} is compared as a length ({@code PT24H} = {@code P1D}).
     */
    public List<JsonNode> kpis(String scope, String site, String region, String material, String window) {
        requireReady();
        return kpis.select(kpiFilter(scope, site, region, material).and(f -> window == null
                || WindowLength.canonical(window).equals(WindowLength.canonical(f.window()))));
    }

    /** Per scope, id and material matching the filters: the last {@code count} final records of {@code window}, oldest first. */
    public List<KpiSeries> finals(String window, int count, String scope, String site, String region, String material) {
        requireReady();
        return kpis.finals(window, count, kpiFilter(scope, site, region, material));
    }

    private static Predicate<KpiStore.Fields> kpiFilter(String scope, String site, String region, String material) {
        return f -> (scope == null || scope.equals(f.scope())) && (site == null || site.equals(f.site()))
                && (region == null || region.equals(f.region())) && (material == null || material.equals(f.material()));
    }

    /** The latest surplus of every site and material. */
    public List<SurplusRecord> surplus() {
        requireReady();
        return board.surplus();
    }

    /** Every alert read, oldest first. */
    public List<AlertRecord> alerts() {
        requireReady();
        return board.alerts();
    }

    /** The residue flows of the flow windows that start in [{@code from}, {@code to}), as Sankey diagrams. */
    public SankeyReport.Sankey flows(Instant from, Instant to) {
        requireReady();
        return SankeyReport.build(from, to, keptSince(), flows.totals(from, to), descriptors.meters(), descriptors::siteName,
                descriptors::materialName);
    }

    /** The key figures of every site and region over [{@code from}, {@code to}), from the flow windows that start in it. */
    public FigureReport.Figures figures(Instant from, Instant to) {
        requireReady();
        return FigureReport.build(from, to, keptSince(), flows.totals(from, to), descriptors.sites(), descriptors::materialName);
    }

    /** The sites with their positions and surplus, and the open matches. */
    public MapReport.SiteMap map() {
        requireReady();
        return MapReport.build(descriptors.sites(), descriptors.materials(), defaultThreshold, board.surplus(), board.alerts(),
                descriptors::materialName);
    }

    /** The pipeline's health now (answers also while the view is not ready: that is part of it). */
    public PipelineReport pipeline() {
        PipelineSampler.Sample s = sampler.last();
        Gauge dropped = registry.find(BROKER_DROPPED_GAUGE).gauge();
        Instant now = clock.instant();
        return new PipelineReport(now, s.readings(), s.readingsPerSecond(),
                rejections.counts(now).stream().map(c -> new PipelineReport.ReasonCount(c.reason(), c.lastHour(), c.total())).toList(),
                rejections.latest(),
                s.lag().stream().map(l -> new PipelineReport.Lag(l.group(), l.lag(), l.byTopic())).toList(),
                dropped == null ? null : (long) dropped.value(),
                s.takenAt() == 0 ? null : Instant.ofEpochMilli(s.takenAt()), s.error(),
                new PipelineReport.ViewState(ready(), flows.size(), kpis.size(), keptSince(), undecodable.get()));
    }

    private void requireReady() {
        if (!ready()) {
            throw new ViewNotReadyException("the live view is still reading LoopFlow's topics (flows " + (figureReader.caughtUp() ? "read" : "reading")
                    + ", alerts/surplus/descriptors " + (liveReader.caughtUp() ? "read" : "reading") + ")");
        }
    }

    private void alert(ConsumerRecord<byte[], byte[]> r) {
        AlertRecord a = value(Topics.ALERTS, r);
        if (board.alert(a)) {
            changed(true);
            // Once the history is read, every alert is news; the ready notice may follow within a tick (it repeats them all).
            if (ready()) {
                listeners.forEach(l -> l.alert(a));
            }
        }
    }

    private void changed(boolean changed) {
        if (changed) {
            figuresChanged.set(true);
        }
    }

    private void tick() {
        try {
            if (ready() && announcedReady.compareAndSet(false, true)) {
                LOG.info("live view ready: {} flow windows, {} key-figure records, {} alerts", flows.size(), kpis.size(), board.alerts().size());
                listeners.forEach(Listener::ready);
            }
            sampler.sample();
            PipelineReport report = pipeline();
            listeners.forEach(l -> l.pipeline(report));
            if (announcedReady.get() && figuresChanged.getAndSet(false)) {
                listeners.forEach(Listener::figuresChanged);
            }
        } catch (RuntimeException e) {
            LOG.warn("live view update failed", e);
        }
    }

    private void evict() {
        try {
            long cutoff = keptSince().toEpochMilli();
            int gone = flows.evictWrittenBefore(cutoff) + kpis.evictWrittenBefore(cutoff);
            rejections.evictBefore(cutoff);
            if (gone > 0) {
                LOG.debug("live view dropped {} windows written before {}", gone, keptSince());
            }
        } catch (RuntimeException e) {
            LOG.warn("live view eviction failed", e);
        }
    }

    private void badRecord(String topic, RuntimeException e) {
        undecodable.incrementAndGet();
        Counter.builder("loopflow.view.undecodable").tag("topic", topic)
                .description("records of LoopFlow's topics the live view could not read (logged)").register(registry).increment();
        long now = clock.millis();
        Long last = lastBadRecordLog.get(topic);
        if (last == null || now - last > 60_000) {
            lastBadRecordLog.put(topic, now);
            LOG.warn("live view cannot read a record of {} (logged at most once a minute per topic): {}", topic, e.getMessage());
        }
    }

    private static JsonNode tree(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            throw new IllegalArgumentException("null value");
        }
        try {
            return Json.MAPPER.readTree(r.value());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + e.getMessage(), e);
        }
    }

    private static <V> V value(Topic<String, V> topic, ConsumerRecord<byte[], byte[]> r) {
        V v = nullableValue(topic, r);
        if (v == null) {
            throw new IllegalArgumentException("null value");
        }
        return v;
    }

    private static <V> V nullableValue(Topic<String, V> topic, ConsumerRecord<byte[], byte[]> r) {
        return topic.valueSerde().deserializer().deserialize(topic.name(), r.value());
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null) {
            throw new IllegalArgumentException("descriptor without key");
        }
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        figureReader.close();
        liveReader.close();
        sampler.close();
    }
}
