package io.loopflow.bench;

import io.loopflow.core.Topics;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.loopflow.ingest.Gateway;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StreamProcessor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End-to-end benchmark of the whole pipeline: a plant ({@link Plant}: Paho v5, QoS 1, {@code TCP_NODELAY}) publishes
 * to Debian's {@code mosquitto} ({@link MosquittoProcess}, the ingest benchmark's configuration), the real
 * {@link Gateway} (defaults, ordinary subscription) writes to an embedded Kafka (KRaft, in this JVM, 1 partition per
 * topic), and the real {@link StreamProcessor} (the settings of {@code loopflow streams}: {@link ProcessorConfig}
 * defaults, 1 s commit interval, exactly-once; HTTP off) turns the readings into flow figures on
 * {@code loopflow.flows}, read {@code read_committed} by a {@link KafkaTail}.
 *
 * <p>Each phase has its own {@link Workload} (100 meters of 10 sites of its own region: counter, quantity and rate
 * meters in every flow role, readings 1 s apart per meter in event time, so 1-minute flow windows fill and close).
 * Its site and meter descriptors are published first (retained, through the same broker and gateway) and the phase
 * starts once the processor's group has consumed them. Then its readings, then one <em>closing reading</em> per meter,
 * stamped at the end of the last window plus grace (the readings end early enough that this is not in the future for
 * the gateway): it moves every meter's clock far enough that every window of the phase closes, and it is not
 * counted. A phase is done when the final flow records of its windows sum to all its readings ({@link FlowFigures}).
 * <ol>
 *   <li><b>raw MQTT</b> baseline, before the gateway subscribes: the same publisher to a bare Paho subscriber
 *       ({@link RawSubscriber}) through the same Mosquitto, full speed (after an unreported warm-up);</li>
 *   <li>an unreported <b>warm-up</b> of the whole pipeline ({@code --warmup} readings);</li>
 *   <li><b>full speed</b>: readings/s from the first publish to the last reading reflected in a final flow figure,
 *       as a ratio to the raw rate;</li>
 *   <li><b>paced</b> at half the raw rate: latency from each reading's publish to the first flow record, provisional
 *       or final, that includes it (see {@link FlowFigures} for how a record shows which readings it includes);</li>
 *   <li><b>backlog</b>: {@code --backlog-seconds} of readings (an hour: 360,000) published while the processor is
 *       stopped (its descriptors were consumed before it stopped; the gateway runs, so the readings are in Kafka);
 *       then a plain consumer reads and decodes the same records (baseline, {@link PlainConsumer}); then the processor
 *       starts again and is timed from {@code start()} until every reading is in a final figure.</li>
 * </ol>
 * Every phase reports heap after GC and RSS before and after, and the load average; a phase that misses its
 * deadline reports what it had (its missing readings count as lost). At the end, {@code loopflow.rejected} is read
 * from the beginning: every published reading and descriptor must have been accepted.
 *
 * <p>Writes a Markdown report to stdout and to {@code --out} (default {@code bench/target/pipeline-results.md}).
 * Options: {@code --readings N} (full-speed phase, and at most that many paced; default 100000), {@code --warmup N}
 * (default 10000, 0 = none), {@code --paced-seconds S} (default 10), {@code --deadline S} (per live phase, from its
 * first publish; default 300), {@code --backlog-seconds S} (default 3600), {@code --backlog-deadline S} (from the
 * processor's start; default 900).
 */
public final class PipelineBench {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineBench.class);
    private static final String APPLICATION_ID = "bench-pipeline";
    private static final String BASELINE_GROUP = "bench-pipeline-baseline";
    /** Waits that are not measured: descriptors through the gateway and into the processor, topics catching up. */
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);

    private final int readings;
    private final int warmup;
    private final int pacedSeconds;
    private final Duration deadline;
    private final int backlogSeconds;
    private final Duration backlogDeadline;
    private final Path out;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private String bootstrap;
    private String uri;
    private Admin admin;
    private ProcessorConfig processorConfig;
    private StreamProcessor processor;

    /** The load average, heap after GC and resident set at one moment. */
    private record Snapshot(String load, long heap, long rss) {
        static Snapshot take() {
            return new Snapshot(Options.loadavg().split(" ")[0], Memory.heapAfterGc(), Memory.rss());
        }
    }

    /**
     * One line of the report. {@code rate} and {@code published} in readings/s, {@code baseline} the rate it is
     * compared with (NaN: none); latencies in ms (NaN: not measured; infinite: beyond the deadline).
     */
    private record Row(String phase, String path, int readings, double rate, double baseline, double published,
                       double p50, double p99, double seconds, Snapshot before, Snapshot after, int lost, int duplicates) {
    }

    private PipelineBench(Map<String, String> opts) {
        this.readings = Integer.parseInt(opts.get("readings"));
        this.warmup = Integer.parseInt(opts.get("warmup"));
        this.pacedSeconds = Integer.parseInt(opts.get("paced-seconds"));
        this.deadline = Duration.ofSeconds(Long.parseLong(opts.get("deadline")));
        this.backlogSeconds = Integer.parseInt(opts.get("backlog-seconds"));
        this.backlogDeadline = Duration.ofSeconds(Long.parseLong(opts.get("backlog-deadline")));
        this.out = Path.of(opts.get("out"));
    }

    public static void main(String[] args) throws Exception {
        new PipelineBench(Options.parse(args, Map.of("readings", "100000", "warmup", "10000", "paced-seconds", "10",
                "deadline", "300", "backlog-seconds", "3600", "backlog-deadline", "900",
                "out", "bench/target/pipeline-results.md"))).run();
    }

    private void run() throws Exception {
        Path binary = MosquittoProcess.binary().orElseThrow(() -> new IllegalStateException(
                "the pipeline benchmark needs Debian's mosquitto (apt-get install mosquitto): none on PATH or in /usr/sbin"));
        String loadBefore = Options.loadavg();
        long started = System.nanoTime();
        Path dir = Files.createTempDirectory("loopflow-pipeline-bench");
        LOG.info("pipeline benchmark: {} readings, data in {}", readings, dir);
        Map<String, Long> rejected;
        long gatewayRejected;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
             MosquittoProcess mosquitto = MosquittoProcess.start(binary, dir.resolve("mosquitto"));
             Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            bootstrap = kafka.bootstrapServers();
            uri = mosquitto.uri();
            admin = a;
            TopicSetup.ensureTopics(bootstrap, 1);
            processorConfig = ProcessorConfig.defaults(bootstrap, dir.resolve("streams"))
                    .withApplicationId(APPLICATION_ID)
                    .withHttpPort(-1);
            String version = IngestBench.mosquittoVersion(binary);
            notes.add("Mosquitto: Debian's " + binary + " " + version + " as a separate process, the ingest benchmark's configuration "
                    + "(persistence false, max_queued_messages 0, max_inflight_messages 1000, set_tcp_nodelay true); its memory is not "
                    + "in the RSS figures (this JVM: Kafka, gateway, processor, publisher, subscribers)");

            // Before the gateway subscribes: it would take the raw baseline's readings too.
            IngestBench.warmUp("Mosquitto " + version, uri, readings, deadline);
            Row raw = raw();

            try (Gateway gateway = new Gateway(IngestBench.gatewayConfig(uri, bootstrap, false), new SimpleMeterRegistry())) {
                gateway.start();
                publishMaterial();
                try {
                    startProcessor();
                    if (warmup > 0) {
                        live("warm-up", "warmup-", warmup, 0, false);
                    }
                    live("full speed", "full-", readings, 0, true);
                    double pacedRate = raw.rate() / 2;
                    live(String.format(Locale.ROOT, "paced at 50 %% of raw MQTT (%,.0f/s)", pacedRate), "paced-",
                            Workload.pacedCount(pacedRate, pacedSeconds, readings), pacedRate, true);
                    backlog();
                } finally {
                    if (processor != null) {
                        processor.close();
                    }
                }
                gatewayRejected = gateway.rejected();
                notes.add("gateway: " + gateway.accepted() + " readings accepted (every phase, closing readings included), "
                        + gatewayRejected + " rejected");
            }
            rejected = rejections();
        }
        Options.deleteRecursively(dir);
        Report.publish(out, report(loadBefore, Options.loadavg(), (System.nanoTime() - started) / 1e9, rejected));
        if (!rejected.isEmpty() || gatewayRejected > 0) {
            throw new IllegalStateException("readings or descriptors were rejected: " + rejected + " (see the report)");
        }
    }

    // ---------------------------------------------------------------- phases

    /** The raw broker baseline: the plant to a bare subscriber through the same Mosquitto, full speed. */
    private Row raw() throws Exception {
        Workload w = new Workload(readings, "full-", eventTimeEnd());
        Arrivals a = new Arrivals(readings);
        Snapshot before = Snapshot.take();
        boolean all = RawSubscriber.pubSub(uri, w, a, 0, deadline);
        Row row = new Row("full speed", "raw MQTT pub -> sub (baseline)", readings, a.rate(), Double.NaN, Double.NaN,
                a.latencyMillis(50), a.latencyMillis(99), a.seconds(), before, Snapshot.take(), a.missing(), a.duplicates());
        rows.add(row);
        LOG.info("raw MQTT pub -> sub: {} readings/s{}", Math.round(row.rate()), all ? "" : ", INCOMPLETE: " + a.missing() + " missing");
        if (!all) {
            throw new IllegalStateException("the raw baseline lost " + a.missing() + " readings: nothing to compare with");
        }
        return row;
    }

    /**
     * A live phase: {@code count} readings of fresh sites ({@code prefix}) at {@code perSecond} (0: full speed),
     * then the closing readings; done when every reading is in a final figure or {@code deadline} after the first
     * publish.
     */
    private void live(String phase, String prefix, int count, double perSecond, boolean reported) throws Exception {
        Workload w = new Workload(count, prefix, eventTimeEnd());
        describe(w);
        Arrivals included = new Arrivals(count);
        Arrivals finals = new Arrivals(included);
        FlowFigures figures = new FlowFigures(w, processorConfig.flowWindow(), included, finals);
        Snapshot before = Snapshot.take();
        double published;
        boolean all;
        // Paced: where the latency goes, at two more points: the reading in Kafka (the gateway's part), and a flow record
        // from its timestamp (the processor's punctuation or reading that wrote it) to readable (its commit).
        Arrivals landed = new Arrivals(included);
        try (KafkaTail<FlowRecord> tail = new KafkaTail<>(bootstrap, Topics.FLOWS, figures);
             KafkaTail<ReadingRecord> readingsTail = reported && perSecond > 0 ? KafkaTail.readings(bootstrap, w, landed) : null;
             Plant plant = new Plant(uri)) {
            long t0 = System.nanoTime();
            plant.publish(w, included, 0, count, perSecond);
            publishClosingReadings(plant, w);
            plant.awaitAcks();
            published = count * 1e9 / (System.nanoTime() - t0);
            all = finals.awaitAll(deadline.minusNanos(System.nanoTime() - t0));
            if (readingsTail != null) {
                readingsTail.check();
                notes.add(String.format(Locale.ROOT, "%s, where the latency goes: publish -> reading in Kafka (Mosquitto, gateway, "
                                + "producer) p50 %s ms, p99 %s ms; a flow record's timestamp (the punctuation or reading that wrote "
                                + "it) -> readable by a read_committed consumer (the commit after it) p50 %s ms, p99 %s ms; the rest "
                                + "of publish -> first figure is the processor: fetching, processing, and waiting for the next "
                                + "punctuation (every %d ms)", phase, fmt(landed.latencyMillisOfAll(50)), fmt(landed.latencyMillisOfAll(99)),
                        fmt(tail.readDelayMillis(50)), fmt(tail.readDelayMillis(99)), processorConfig.publishInterval().toMillis()));
            }
        }
        Snapshot after = Snapshot.take();
        LOG.info("{}: {} readings/s publish -> final figure, publish -> first figure p50 {} ms, p99 {} ms ({} flow windows){}", phase,
                Math.round(finals.rate()), fmt(included.latencyMillisOfAll(50)), fmt(included.latencyMillisOfAll(99)), figures.windows(),
                all ? "" : ", DEADLINE: " + finals.missing() + " readings not in a final figure after " + deadline.toSeconds() + " s");
        if (!reported) {
            return;
        }
        double baseline = perSecond > 0 ? Double.NaN : rawRate();
        rows.add(new Row(phase, "plant -> Mosquitto -> gateway -> Kafka -> StreamProcessor", count, finals.rate(), baseline, published,
                included.latencyMillisOfAll(50), included.latencyMillisOfAll(99), finals.seconds(), before, after,
                finals.missing(), finals.duplicates()));
        checkFigures(phase, figures, finals, all, deadline);
    }

    /**
     * The backlog: the processor stops once it has the phase's descriptors; the readings go through the gateway into
     * Kafka; a plain consumer reads them (baseline); then the processor starts and drains them.
     */
    private void backlog() throws Exception {
        int count = backlogSeconds * Workload.METERS;
        String phase = String.format(Locale.ROOT, "backlog (%d s x %d meters)", backlogSeconds, Workload.METERS);
        Workload w = new Workload(count, "backlog-", eventTimeEnd());
        describe(w);
        processor.close();
        processor = null;
        LOG.info("{}: processor stopped; publishing {} readings", phase, count);

        Map<TopicPartition, Long> from = Offsets.ends(admin, Topics.READINGS.name());
        long fromTotal = from.values().stream().mapToLong(Long::longValue).sum();
        Arrivals inKafka = new Arrivals(count);
        Snapshot before = Snapshot.take();
        double published;
        try (KafkaTail<?> tail = KafkaTail.readings(bootstrap, w, inKafka); Plant plant = new Plant(uri)) {
            long t0 = System.nanoTime();
            plant.publish(w, inKafka, 0, count, 0);
            publishClosingReadings(plant, w);
            plant.awaitAcks();
            published = count * 1e9 / (System.nanoTime() - t0);
            if (!inKafka.awaitAll(deadline)) {
                throw new IllegalStateException(phase + ": " + inKafka.missing() + " readings not in Kafka after " + deadline);
            }
        }
        int records = count + Workload.METERS;
        Offsets.awaitEnd(admin, Topics.READINGS.name(), fromTotal + records, SETUP_TIMEOUT);
        rows.add(new Row(phase, "plant -> Mosquitto -> gateway -> Kafka (processor stopped)", count, inKafka.rate(), Double.NaN, published,
                Double.NaN, Double.NaN, inKafka.seconds(), before, Snapshot.take(), inKafka.missing(), inKafka.duplicates()));

        PlainConsumer.startAt(admin, BASELINE_GROUP, from);
        Snapshot baseBefore = Snapshot.take();
        double baseSeconds = PlainConsumer.read(bootstrap, BASELINE_GROUP, records, backlogDeadline);
        double baseRate = records / baseSeconds;
        rows.add(new Row(phase, "plain KafkaConsumer + JSON decode of the same records (baseline)", records, baseRate, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, baseSeconds, baseBefore, Snapshot.take(), 0, 0));

        Arrivals included = new Arrivals(inKafka);
        Arrivals finals = new Arrivals(inKafka);
        FlowFigures figures = new FlowFigures(w, processorConfig.flowWindow(), included, finals);
        Snapshot drainBefore = Snapshot.take();
        boolean all;
        long t0;
        long running;
        try (KafkaTail<FlowRecord> tail = new KafkaTail<>(bootstrap, Topics.FLOWS, figures)) {
            t0 = System.nanoTime();
            startProcessor();
            running = System.nanoTime();
            all = finals.awaitAll(backlogDeadline.minusNanos(running - t0));
        }
        Snapshot after = Snapshot.take();
        double seconds = (finals.lastArrivalNanos() - t0) / 1e9;
        double fromRunning = (finals.lastArrivalNanos() - running) / 1e9;
        rows.add(new Row(phase, String.format(Locale.ROOT, "StreamProcessor drain, start() -> last final figure (start-up %.1f s)",
                (running - t0) / 1e9), count, finals.distinct() / seconds, baseRate, Double.NaN, Double.NaN, Double.NaN, seconds,
                drainBefore, after, finals.missing(), finals.duplicates()));
        rows.add(new Row(phase, "StreamProcessor drain, from RUNNING", count, finals.distinct() / fromRunning, baseRate, Double.NaN,
                Double.NaN, Double.NaN, fromRunning, drainBefore, after, finals.missing(), finals.duplicates()));
        LOG.info("{}: drained at {} readings/s (plain consumer {}/s){}", phase, Math.round(finals.distinct() / seconds),
                Math.round(baseRate), all ? "" : ", DEADLINE: " + finals.missing() + " readings not in a final figure");
        checkFigures(phase, figures, finals, all, backlogDeadline);
    }

    private void checkFigures(String phase, FlowFigures figures, Arrivals finals, boolean all, Duration within) {
        if (!all) {
            notes.add(String.format(Locale.ROOT, "%s: DEADLINE CUT after %d s: %,d of %,d readings were not yet in a final figure "
                    + "(counted as lost; readings/s is over those that were, latency percentiles that fall on the missing ones show "
                    + "as `> deadline`)", phase, within.toSeconds(), finals.missing(), finals.missing() + finals.distinct()));
        }
        if (figures.excess() > 0) {
            notes.add(phase + ": " + figures.excess() + " flow records showed more readings than were published into their window");
        }
        notes.add(String.format(Locale.ROOT, "%s: %,d flow windows; %,d records of other windows (earlier phases, the closing "
                + "readings' windows) ignored", phase, figures.windows(), figures.other()));
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * Event time of the last reading of a workload starting now: early enough that its closing readings (end of the
     * last window plus grace) are not in the future, which the gateway would reject.
     */
    private Instant eventTimeEnd() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(processorConfig.grace())
                .minus(processorConfig.flowWindow().multipliedBy(2));
    }

    /**
     * One reading per meter at the end of the workload's last flow window plus grace: every meter's clock then
     * passes every window of the workload, so all of them close. Not the workload's, so not counted.
     */
    private void publishClosingReadings(Plant plant, Workload w) throws Exception {
        long size = processorConfig.flowWindow().toMillis();
        long lastEnd = Math.floorDiv(w.end().toEpochMilli(), size) * size + size;
        Instant closing = Instant.ofEpochMilli(lastEnd).plus(processorConfig.grace());
        for (int m = 0; m < Workload.METERS; m++) {
            plant.publish(w.topic(m), w.nextPayload(m, closing), false);
        }
    }

    /** The material descriptor, retained, through broker and gateway, in Kafka before the processor starts. */
    private void publishMaterial() throws Exception {
        long before = Offsets.end(admin, Topics.MATERIALS.name());
        try (Plant plant = new Plant(uri)) {
            plant.publish(InboundTopic.material(Workload.MATERIAL), Json.write(Workload.material()), true);
            plant.awaitAcks();
        }
        Offsets.awaitEnd(admin, Topics.MATERIALS.name(), before + 1, SETUP_TIMEOUT);
    }

    /**
     * Publishes a workload's site and meter descriptors (retained) and waits until the gateway has written them and
     * the processor's group has consumed them, so that no reading of the phase meets an unknown meter.
     */
    private void describe(Workload w) throws Exception {
        long sites = Offsets.end(admin, Topics.SITES.name());
        long meters = Offsets.end(admin, Topics.METERS.name());
        try (Plant plant = new Plant(uri)) {
            for (int s = 0; s < Workload.SITES; s++) {
                plant.publish(InboundTopic.siteMeta(w.site(s)), Json.write(w.siteDescriptor(s)), true);
            }
            for (int m = 0; m < Workload.METERS; m++) {
                plant.publish(InboundTopic.meterMeta(w.site(m), Workload.meter(m)), Json.write(Workload.meterDescriptor(m)), true);
            }
            plant.awaitAcks();
        }
        Offsets.awaitEnd(admin, Topics.SITES.name(), sites + Workload.SITES, SETUP_TIMEOUT);
        Offsets.awaitEnd(admin, Topics.METERS.name(), meters + Workload.METERS, SETUP_TIMEOUT);
        Offsets.awaitCaughtUp(admin, APPLICATION_ID, Topics.METERS.name(), System.nanoTime(), SETUP_TIMEOUT);
    }

    private void startProcessor() {
        processor = new StreamProcessor(processorConfig, new SimpleMeterRegistry(), "127.0.0.1");
        long t0 = System.nanoTime();
        processor.start();
        LOG.info("StreamProcessor RUNNING after {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    private double rawRate() {
        return rows.stream().filter(r -> r.path().startsWith("raw MQTT")).mapToDouble(Row::rate).findFirst().orElse(Double.NaN);
    }

    /** Every record of {@code loopflow.rejected} (read_committed, from the beginning), counted by reason. */
    private Map<String, Long> rejections() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase(Locale.ROOT));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-rejections-" + UUID.randomUUID());
        Map<String, Long> byReason = new TreeMap<>();
        try (KafkaConsumer<String, Rejection> consumer = new KafkaConsumer<>(p, Topics.REJECTED.keySerde().deserializer(),
                Topics.REJECTED.valueSerde().deserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(Topics.REJECTED.name(), Duration.ofSeconds(30)).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Duration.ofSeconds(30));
            long until = System.nanoTime() + SETUP_TIMEOUT.toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("could not read loopflow.rejected to its end within " + SETUP_TIMEOUT);
                }
                for (ConsumerRecord<String, Rejection> r : consumer.poll(Duration.ofMillis(200))) {
                    byReason.merge(r.value().reason().wire(), 1L, Long::sum);
                    if (byReason.values().stream().mapToLong(Long::longValue).sum() <= 5) {
                        LOG.warn("rejected: {}", r.value());
                    }
                }
            }
        }
        return byReason;
    }

    // ---------------------------------------------------------------- report

    private String report(String loadBefore, String loadAfter, double seconds, Map<String, Long> rejected) {
        StringBuilder b = new StringBuilder("## Pipeline: plant -> Mosquitto -> gateway -> Kafka -> stream processor\n\n");
        b.append(Options.environment()).append('\n');
        b.append(String.format(Locale.ROOT, "- workload per phase: 100 meters (counter, quantity, rate; every flow role) of 10 sites, "
                + "readings 1 s apart per meter in event time, ~60-byte JSON, QoS 1, publisher window %d; flow window %s, grace %s, "
                + "commit interval %s; 1 partition per topic; warm-up %,d readings (not reported); deadline %d s per live phase, "
                + "%d s for the drain%n", Plant.WINDOW, processorConfig.flowWindow(), processorConfig.grace(),
                processorConfig.commitInterval(), warmup, deadline.toSeconds(), backlogDeadline.toSeconds()));
        b.append("- loadavg before: ").append(loadBefore).append("; after: ").append(loadAfter)
                .append(String.format(Locale.ROOT, "; run took %.0f s%n", seconds));
        b.append("- loopflow.rejected (read_committed, whole run): ")
                .append(rejected.isEmpty() ? "0 records: every published reading and descriptor was accepted" : rejected.toString())
                .append('\n');
        for (String n : notes) {
            b.append("- ").append(n).append('\n');
        }
        b.append("\n| phase | path | readings | readings/s | vs baseline | published/s | p50 ms | p99 ms | seconds "
                + "| heap MiB before -> after | RSS MiB before -> after | loadavg before -> after | lost | dup |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %.1f | %d -> %d | %d -> %d | %s -> %s | %d | %d |%n",
                    r.phase(), r.path(), r.readings(), IngestBench.fmt0(r.rate()),
                    Double.isNaN(r.baseline()) ? (r.path().contains("baseline") ? "1.000" : "")
                            : String.format(Locale.ROOT, "%.3f", r.rate() / r.baseline()),
                    IngestBench.fmt0(r.published()), fmt(r.p50()), fmt(r.p99()), r.seconds(),
                    r.before().heap() >> 20, r.after().heap() >> 20, r.before().rss() >> 20, r.after().rss() >> 20,
                    r.before().load(), r.after().load(), r.lost(), r.duplicates()));
        }
        b.append("""

                - readings/s: live phases, from the first publish to the last reading reflected in a final flow record \
                (`final: true` on `loopflow.flows`, read_committed); backlog rows, from the start of their reader (the \
                processor's `start()`, or its `RUNNING`) to its last reading. vs baseline: ratio to the raw MQTT pub -> sub \
                rate of this run (full speed) or to the plain consumer of the same records (backlog). published/s: PUBACKs \
                the plant received per second (Mosquitto acknowledges on receipt, not after the gateway).
                - p50/p99: from a reading's publish to the first flow record, provisional or final, that includes it: the \
                k-th reading published into a flow window is included once a record of that window shows `readings >= k` \
                (readings of one site reach the processor in publish order and are credited in order). Over every reading \
                published; one not included by the deadline counts as slower than all (`> deadline`). At full speed this is \
                queueing (the broker acknowledges faster than the pipeline delivers); compare the paced row.
                - lost: readings not in a final flow record by the deadline (backlog ingest row: not in Kafka); dup: readings \
                in a second final record of the same window. The closing reading per meter (one more reading stamped at the \
                end of the last window plus grace, so that every window of the phase closes) is published and processed but \
                not counted; the backlog baseline reads those 100 records too.
                - heap: used heap after System.gc(), whole JVM (Kafka, gateway, processor); RSS: VmRSS of this JVM, \
                RocksDB's off-heap state included; both taken before the phase's first publish (backlog drain: before \
                `start()`) and once it is done (the processor still running). loadavg: 1-minute load average at the same moments.
                """);
        return b.toString();
    }

    /** Milliseconds as IngestBench prints them; beyond the deadline for an infinite percentile. */
    private static String fmt(double millis) {
        return Double.isInfinite(millis) ? "> deadline" : IngestBench.fmt(millis);
    }
}
