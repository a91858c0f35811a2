package io.loopflow.bench;

import io.loopflow.core.Topics;
import io.loopflow.core.kafka.SitePartitioner;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.loopflow.streams.LoopflowTopology;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StreamProcessor;
import io.loopflow.streams.StreamsCounters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stream-processor benchmark: pre-loads an embedded Kafka's {@code loopflow.readings} with N readings of 100
 * described meters (10 sites of one region, one material, every flow role, counter/quantity/rate kinds, 1 s apart
 * per meter, so 1-minute flow windows fill and close), plus their site, material and meter descriptors; then
 * runs, in the same JVM:
 * <ol>
 *   <li>the baseline: a plain {@link KafkaConsumer} reading and JSON-decoding the same N readings;</li>
 *   <li>the real {@link StreamProcessor} (the topology and settings of {@code loopflow streams}, HTTP off),
 *       timed from {@code RUNNING} until its consumer group has caught up with every input partition it reads
 *       (Admin {@code listConsumerGroupOffsets} against end offsets, loopflow.readings and its site-events
 *       repartition topic).</li>
 *   <li>to show where the time goes, {@link LoopflowTopology} alone (no surplus application) with the processor's
 *       properties, exactly-once and at-least-once.</li>
 * </ol>
 * Heap used after a full GC is read before and after each, and the process's resident size (RocksDB keeps
 * Kafka Streams' state off the heap). Writes a Markdown report to stdout and to {@code --out}
 * (default {@code bench/target/streams-results.md}). Options: {@code --readings N} (default 100000),
 * {@code --deadline S} (default 300).
 */
public final class StreamsBench {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsBench.class);
    private static final String APPLICATION_ID = "bench-streams";

    private final int readings;
    private final Duration deadline;
    private final Path out;
    /** What each processor run's CPU time went to, by application id. */
    private final Map<String, String> cpuUse = new LinkedHashMap<>();
    /** How each topology-alone run's stream thread divided its time (Kafka Streams' thread metrics), by application id. */
    private final Map<String, String> threadTime = new LinkedHashMap<>();
    /** How each processor and topology-alone run got through its records over time ({@link Progress}), by application id. */
    private final Map<String, String> progressOf = new LinkedHashMap<>();

    private final int partitions;
    private final int streamThreads;
    private final int warmups;
    private final int variantRounds;
    /** The warm-up rounds after the first (cold) one: baseline and processor rates, in order. */
    private final List<String> warmupRates = new ArrayList<>();

    private StreamsBench(int readings, Duration deadline, Path out, int partitions, int streamThreads, int warmups, int variantRounds) {
        this.warmups = warmups;
        this.variantRounds = variantRounds;
        this.readings = readings;
        this.deadline = deadline;
        this.out = out;
        this.partitions = partitions;
        this.streamThreads = streamThreads;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Options.parse(args, Map.of("readings", "100000", "deadline", "300",
                "out", "bench/target/streams-results.md", "partitions", "1", "stream-threads", "1", "warmups", "3", "variant-rounds", "2"));
        new StreamsBench(Integer.parseInt(opts.get("readings")), Duration.ofSeconds(Long.parseLong(opts.get("deadline"))),
                Path.of(opts.get("out")), Integer.parseInt(opts.get("partitions")), Integer.parseInt(opts.get("stream-threads")),
                Integer.parseInt(opts.get("warmups")), Integer.parseInt(opts.get("variant-rounds"))).run();
    }

    private void run() throws Exception {
        String loadBefore = Options.loadavg();
        Path dir = Files.createTempDirectory("loopflow-streams-bench");
        StringBuilder report = new StringBuilder("## Stream processor: loopflow.readings -> flows and key figures\n\n");
        report.append(Options.environment());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
            TopicSetup.ensureTopics(kafka.bootstrapServers(), partitions);
            Workload w = new Workload(readings);
            double loadRate = preload(kafka.bootstrapServers(), w);

            // First in a cold JVM (both reported): the JIT compiles Kafka Streams' and LoopFlow's paths during the first run,
            // a large part of a 100,000-reading run on 2 cores. Then more rounds (--warmups, reported in one line): a new
            // processor's first records (descriptors, first readings) take branches the compiled code of the round before
            // had never seen, and the JIT throws that code away and compiles it again (PrintCompilation: the cold round's
            // C2 code of SiteProcessor made not entrant within 40 ms of the second round's start). The measured rows follow.
            Measure coldBase = baseline(kafka.bootstrapServers(), w, "bench-baseline-cold");
            Measure cold = processor(kafka.bootstrapServers(), dir, APPLICATION_ID + "-cold");
            for (int i = 2; i <= warmups; i++) {
                Measure b = baseline(kafka.bootstrapServers(), w, "bench-baseline-warmup-" + i);
                Measure p = processor(kafka.bootstrapServers(), dir, APPLICATION_ID + "-warmup-" + i);
                warmupRates.add(String.format(Locale.ROOT, "round %d: baseline %s/s, processor %s/s (%.3f)", i, IngestBench.fmt0(b.rate()),
                        IngestBench.fmt0(p.rate()), p.rate() / b.rate()));
            }
            Measure base = baseline(kafka.bootstrapServers(), w, "bench-baseline");
            Measure streams = processor(kafka.bootstrapServers(), dir, APPLICATION_ID);
            // The processor's output, before the topology-alone runs below add their own to the same topics.
            long flows;
            long kpis;
            long rejected;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                flows = Offsets.end(admin, Topics.FLOWS.name());
                kpis = Offsets.end(admin, Topics.KPIS.name());
                rejected = Offsets.end(admin, Topics.REJECTED.name());
            }
            Measure eos = topologyAlone(kafka.bootstrapServers(), dir, StreamsConfig.EXACTLY_ONCE_V2);
            Measure alo = topologyAlone(kafka.bootstrapServers(), dir, StreamsConfig.AT_LEAST_ONCE);
            long stateBytes = Options.directorySize(dir.resolve(APPLICATION_ID));
            Restating late = restating(kafka.bootstrapServers(), dir, w);
            String variantSpec = System.getenv("BENCH_STREAMS_VARIANTS");
            String variants = variantSpec == null || variantSpec.isBlank() ? ""
                    : variants(kafka.bootstrapServers(), dir, variantSpec, variantRounds);

            report.append("- readings: ").append(readings).append(" (100 meters, 10 sites, 1 s apart per meter: ")
                    .append(readings / Workload.METERS).append(" s of event time), pre-loaded at ")
                    .append(IngestBench.fmt0(loadRate)).append(" records/s; ").append(partitions)
                    .append(" partition(s) per topic (readings by site, as the gateway writes them); processor ").append(streamThreads)
                    .append(" stream thread(s) per application\n");
            report.append("- loadavg before: ").append(loadBefore).append("; after: ").append(Options.loadavg()).append('\n');
            report.append("- processor output: loopflow.flows end offset ").append(flows).append(", loopflow.kpis ").append(kpis)
                    .append(", loopflow.rejected ").append(rejected)
                    .append(" (end offsets, transaction markers included)\n\n");
            report.append("| what | readings/s | ratio to baseline | seconds | heap before MiB | heap after MiB | heap committed MiB | RSS before MiB | RSS after MiB |\n");
            report.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            report.append(coldBase.row("cold JVM: plain KafkaConsumer + JSON decode", coldBase.rate()));
            report.append(cold.row("cold JVM: StreamProcessor, from RUNNING to lag 0 (ratio to the cold baseline)", coldBase.rate()));
            report.append(base.row("plain KafkaConsumer + JSON decode (baseline)", base.rate()));
            report.append(streams.row("StreamProcessor, from RUNNING to lag 0", base.rate()));
            report.append(String.format(Locale.ROOT, "| StreamProcessor, from start() to lag 0 (incl. %.1f s start-up) | %s | %s | %.1f | | | | | |%n",
                    streams.startup(), IngestBench.fmt0(readings / (streams.seconds() + streams.startup())),
                    String.format(Locale.ROOT, "%.3f", readings / (streams.seconds() + streams.startup()) / base.rate()),
                    streams.seconds() + streams.startup()));
            report.append(eos.row("flow topology alone (no surplus application), exactly_once_v2, from RUNNING", base.rate()));
            report.append(alo.row("flow topology alone, at_least_once, from RUNNING", base.rate()));
            report.append(late.measure().row("StreamProcessor (restarted, caught up) on late quantity tickets that restate closed windows, "
                    + "from the first ticket sent to lag 0", base.rate()));
            if (!warmupRates.isEmpty()) {
                report.append("\n- warm-up rounds between the cold rows and the measured ones (own group and application id each): ")
                        .append(String.join("; ", warmupRates));
            }
            report.append(variants);
            threadTime.forEach((app, use) -> report.append("\n- stream thread of ").append(app).append(" (Kafka Streams' thread metrics): ")
                    .append(use));
            progressOf.forEach((app, p) -> report.append("\n- progress of ").append(app).append(": ").append(p));
            cpuUse.forEach((app, use) -> report.append("\n- CPU of ").append(app).append(" from RUNNING to lag 0 (until the 1.5 s check): ")
                    .append(use));
            report.append(String.format(Locale.ROOT, """

                    - late tickets: %d `quantity` readings, new `seq`, event times 0.5 s after each reading of the %d \
                    quantity meters in the first 90 %% of the workload's event time (closed windows); they made the processor publish %d more records on loopflow.flows and %d on \
                    loopflow.kpis (restated windows with a higher revision, transaction markers included). Per reading, \
                    restating costs %.1f times an on-time reading of the processor row above.
                    - the processor's state directory after its run (RocksDB files, checkpoint; closed cleanly, default \
                    restate-horizon 35 days, so every closed window of the run is still kept): %.1f MiB for %d meters, \
                    %.0f bytes per reading processed.
                    """, late.tickets(), Workload.METERS / 3, late.flows(), late.kpis(), streams.rate() / late.measure().rate(),
                    stateBytes / 1048576.0, Workload.METERS, (double) stateBytes / readings));
            report.append("""

                    - heap: used heap after System.gc(), whole JVM (the embedded Kafka broker included), before the reader \
                    starts and once it has caught up (the processor still running); heap committed: what the JVM has \
                    reserved for its heap at the same moments (G1 grows it with the allocation rate, and it is resident \
                    however little of it is in use); RSS: the process's resident set (/proc/self/status VmRSS), which \
                    includes the committed heap and RocksDB's off-heap state.
                    - lag 0: the group's committed offsets equal the end offsets of loopflow.readings and (within one \
                    transaction marker) of its repartition topic, seen twice 1.5 s apart; the time is the first sighting.
                    - the two "flow topology alone" rows run LoopflowTopology with StreamProcessor's properties (commit \
                    interval 1 s) under another application id, after the processor, to show where its time goes: the \
                    surplus application beside it, and exactly-once against at-least-once. The processor runs exactly-once. \
                    They write to the same output topics (after the processor's figures were counted).
                    - the baseline's time includes its consumer-group join; the processor rows start at RUNNING (group joined).
                    - "cold JVM" rows: the same baseline and processor (another consumer group and application id, the same \
                    readings) run first, while the JIT compiles their code; then the warm-up rounds (`--warmups`, \
                    counting the cold one); every other row runs after them.
                    - CPU ms per step: the CPU time of the application's stream thread(s) in each 250 ms step \
                    (ThreadMXBean): about 250 is a stream thread busy all the step, much less is one waiting.
                    """);
        }
        Options.deleteRecursively(dir);
        Report.publish(out, report.toString());
    }

    /** What one reader took: seconds from its start until it had every reading, heap and RSS around it. */
    private record Measure(double seconds, double startup, long heapBefore, long heapAfter, long rssBefore, long rssAfter, int readings,
                           long committedBefore, long committedAfter) {

        double rate() {
            return readings / seconds;
        }

        String row(String what, double baseRate) {
            return String.format(Locale.ROOT, "| %s | %s | %.3f | %.1f | %d | %d | %d -> %d | %d | %d |%n", what, IngestBench.fmt0(rate()),
                    rate() / baseRate, seconds, heapBefore >> 20, heapAfter >> 20, committedBefore >> 20, committedAfter >> 20,
                    rssBefore >> 20, rssAfter >> 20);
        }
    }

    /** Writes the descriptors, then the readings as the gateway would (key site/meter, timestamp receivedAt). */
    private double preload(String bootstrap, Workload w) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // As the gateway writes: a site's readings and descriptors in the same partition of their topics.
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, SitePartitioner.class.getName());
        long t0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            w.describe(producer);
            // Readings after their descriptors, in record time as well, so the processor knows every meter.
            Instant receivedAt = Instant.now().plusMillis(1);
            t0 = System.nanoTime();
            for (int i = 0; i < w.size(); i++) {
                ReadingRecord r = w.record(i, receivedAt);
                producer.send(new ProducerRecord<>(Topics.READINGS.name(), null, receivedAt.toEpochMilli(), r.key(), Json.write(r)));
            }
            producer.flush();
        }
        return w.size() * 1e9 / (System.nanoTime() - t0);
    }

    /** The baseline: a plain consumer group reading and decoding every reading. */
    private Measure baseline(String bootstrap, Workload w, String group) {
        long heapBefore = Memory.heapAfterGc();
        long rssBefore = Memory.rss();
        long committedBefore = Memory.heapCommitted();
        double seconds = PlainConsumer.read(bootstrap, group, w.size(), deadline);
        long heapAfter = Memory.heapAfterGc();
        return new Measure(seconds, 0, heapBefore, heapAfter, rssBefore, Memory.rss(), w.size(), committedBefore, Memory.heapCommitted());
    }

    private Measure processor(String bootstrap, Path dir, String applicationId) throws Exception {
        ProcessorConfig config = ProcessorConfig.defaults(bootstrap, dir.resolve(applicationId))
                .withApplicationId(applicationId)
                .withHttpPort(-1)
                .withStreamThreads(streamThreads);
        long heapBefore = Memory.heapAfterGc();
        long rssBefore = Memory.rss();
        long committedBefore = Memory.heapCommitted();
        try (StreamProcessor processor = new StreamProcessor(config, new SimpleMeterRegistry(), "127.0.0.1");
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long t0 = System.nanoTime();
            processor.start();
            long running = System.nanoTime();
            CpuUse cpu = CpuUse.start();
            Progress progress = Progress.start(processor::flowMetrics, applicationId);
            LOG.info("StreamProcessor RUNNING after {} ms; waiting for lag 0", (running - t0) / 1_000_000);
            long caughtUp = awaitCaughtUp(admin, applicationId, running);
            cpuUse.put(applicationId, cpu.summary());
            progressOf.put(applicationId, progress.stop().describe((caughtUp - running) / 1e9, readings));
            long heapAfter = Memory.heapAfterGc();
            long rssAfter = Memory.rss();
            long committedAfter = Memory.heapCommitted();
            return new Measure((caughtUp - running) / 1e9, (running - t0) / 1e9, heapBefore, heapAfter, rssBefore, rssAfter, readings,
                    committedBefore, committedAfter);
        }
    }

    /**
     * Where the processor's time goes: the flow/key-figure topology alone ({@link LoopflowTopology}, without the
     * surplus application), with the processor's own properties and {@code guarantee} as the processing guarantee.
     */
    private Measure topologyAlone(String bootstrap, Path dir, String guarantee) throws Exception {
        // Experiment hook: extra Kafka Streams properties for the topology-alone runs, e.g. BENCH_STREAMS_PROPS="a=1,b=2".
        String extra = System.getenv("BENCH_STREAMS_PROPS");
        if (extra != null && !extra.isBlank()) {
            LOG.info("topology-alone runs with extra properties {}", extra);
        }
        return topologyAlone(bootstrap, dir, "bench-topology-" + guarantee.replace('_', '-'), guarantee, properties(extra));
    }

    /** {@code "a=1,b=2"} as properties; none for null or blank. */
    private static Properties properties(String list) {
        Properties props = new Properties();
        if (list != null && !list.isBlank()) {
            for (String kv : list.split(",")) {
                String[] p = kv.split("=", 2);
                if (p.length != 2) {
                    throw new IllegalArgumentException("not key=value: '" + kv + "' in '" + list + "'");
                }
                props.put(p[0].trim(), p[1].trim());
            }
        }
        return props;
    }

    /**
     * The flow topology alone, exactly-once, once per variant of {@code BENCH_STREAMS_VARIANTS}
     * ({@code name:key=value,...;name:...}, an empty list for the product's properties), the variants interleaved and
     * repeated {@code rounds} times so that the drift of a run falls on every variant alike.
     */
    private String variants(String bootstrap, Path dir, String spec, int rounds) throws Exception {
        Map<String, Properties> variants = new LinkedHashMap<>();
        for (String v : spec.split(";")) {
            String[] nameAndProps = v.split(":", 2);
            variants.put(nameAndProps[0].trim(), properties(nameAndProps.length > 1 ? nameAndProps[1] : ""));
        }
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, Properties> v : variants.entrySet()) {
                String applicationId = "bench-variant-" + v.getKey() + "-" + round;
                Measure m = topologyAlone(bootstrap, dir, applicationId, StreamsConfig.EXACTLY_ONCE_V2, v.getValue());
                rates.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(m.rate());
            }
        }
        StringBuilder sb = new StringBuilder("\n\n| variant (flow topology alone, exactly_once_v2) | properties | readings/s per round | mean |\n|---|---|---|---:|\n");
        rates.forEach((name, r) -> sb.append("| ").append(name).append(" | ").append(variants.get(name).isEmpty() ? "(the product's)" : variants.get(name))
                .append(" | ").append(String.join(", ", r.stream().map(IngestBench::fmt0).toList())).append(" | ")
                .append(IngestBench.fmt0(r.stream().mapToDouble(Double::doubleValue).average().orElseThrow())).append(" |\n"));
        return sb.toString();
    }

    private Measure topologyAlone(String bootstrap, Path dir, String applicationId, String guarantee, Properties extra) throws Exception {
        ProcessorConfig config = ProcessorConfig.defaults(bootstrap, dir.resolve(applicationId))
                .withApplicationId(applicationId)
                .withHttpPort(-1)
                .withStreamThreads(streamThreads);
        StreamsCounters counters = new StreamsCounters(new SimpleMeterRegistry());
        Properties props = LoopflowTopology.streamsProperties(config, counters);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.putAll(extra);
        long heapBefore = Memory.heapAfterGc();
        long rssBefore = Memory.rss();
        long committedBefore = Memory.heapCommitted();
        CountDownLatch running = new CountDownLatch(1);
        try (KafkaStreams streams = new KafkaStreams(LoopflowTopology.build(config, counters), props);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            streams.setStateListener((next, previous) -> {
                if (next == KafkaStreams.State.RUNNING) {
                    running.countDown();
                }
            });
            long t0 = System.nanoTime();
            streams.start();
            if (!running.await(StreamProcessor.START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(applicationId + " not RUNNING within " + StreamProcessor.START_TIMEOUT + ": " + streams.state());
            }
            long started = System.nanoTime();
            Progress progress = Progress.start(streams::metrics, applicationId);
            long caughtUp = awaitCaughtUp(admin, applicationId, started);
            progressOf.put(applicationId, progress.stop().describe((caughtUp - started) / 1e9, readings));
            threadTime.put(applicationId, threadTime(streams));
            long heapAfter = Memory.heapAfterGc();
            long rssAfter = Memory.rss();
            long committedAfter = Memory.heapCommitted();
            return new Measure((caughtUp - started) / 1e9, (started - t0) / 1e9, heapBefore, heapAfter, rssBefore, rssAfter, readings,
                    committedBefore, committedAfter);
        }
    }

    /** What the late tickets cost: the processor's time for them, and what they made it publish again. */
    private record Restating(Measure measure, int tickets, long flows, long kpis) {
    }

    /**
     * Restarts the processor of the measured run ({@link #APPLICATION_ID}, its state directory kept), waits until it
     * has caught up, then sends one late {@code quantity} ticket for each reading of the workload's quantity meters in
     * its first 90 % of event time (0.5 s after that reading, so in a window the run has closed; {@code seq} beyond the
     * workload's)
     * and times the processor until it has caught up with them.
     */
    private Restating restating(String bootstrap, Path dir, Workload w) throws Exception {
        ProcessorConfig config = ProcessorConfig.defaults(bootstrap, dir.resolve(APPLICATION_ID))
                .withApplicationId(APPLICATION_ID)
                .withHttpPort(-1)
                .withStreamThreads(streamThreads);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, SitePartitioner.class.getName());
        try (StreamProcessor processor = new StreamProcessor(config, new SimpleMeterRegistry(), "127.0.0.1");
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            processor.start();
            awaitCaughtUp(admin, APPLICATION_ID, System.nanoTime());
            long flowsBefore = Offsets.end(admin, Topics.FLOWS.name());
            long kpisBefore = Offsets.end(admin, Topics.KPIS.name());
            long heapBefore = Memory.heapAfterGc();
            long rssBefore = Memory.rss();
            long committedBefore = Memory.heapCommitted();
            Instant receivedAt = Instant.now();
            int tickets = 0;
            long t0 = System.nanoTime();
            // Not the last 10 % of event time: those windows may still be open (within grace of the meters' clocks).
            for (int i = 0; i < w.size() * 9 / 10; i++) {
                int m = Workload.meterIndex(i);
                if (Workload.meterDescriptor(m).kind() != MeterKind.QUANTITY) {
                    continue;
                }
                ReadingRecord r = new ReadingRecord(w.site(m), Workload.meter(m), w.ts(i).plusMillis(500), 0.25,
                        10_000_000L + i, null, receivedAt);
                producer.send(new ProducerRecord<>(Topics.READINGS.name(), null, receivedAt.toEpochMilli(), r.key(), Json.write(r)));
                tickets++;
            }
            producer.flush();
            long caughtUp = awaitCaughtUp(admin, APPLICATION_ID, t0);
            long heapAfter = Memory.heapAfterGc();
            Measure m = new Measure((caughtUp - t0) / 1e9, 0, heapBefore, heapAfter, rssBefore, Memory.rss(), tickets, committedBefore,
                    Memory.heapCommitted());
            return new Restating(m, tickets, Offsets.end(admin, Topics.FLOWS.name()) - flowsBefore,
                    Offsets.end(admin, Topics.KPIS.name()) - kpisBefore);
        }
    }

    /**
     * Kafka Streams' own account of its stream thread's time (KIP-444 thread metrics, averaged over the metrics' sample
     * window): the shares of poll, process, punctuate and commit, and the mean latency of each.
     */
    private static String threadTime(KafkaStreams streams) {
        Map<String, Double> m = new TreeMap<>();
        Map<String, Double> fetch = new TreeMap<>();
        streams.metrics().forEach((name, metric) -> {
            if (!(metric.metricValue() instanceof Double d)) {
                return;
            }
            String client = name.tags().getOrDefault("client-id", "");
            if (name.group().equals("stream-thread-metrics") && (name.name().endsWith("-ratio") || name.name().endsWith("-latency-avg")
                    || name.name().endsWith("-latency-max") || name.name().equals("poll-records-avg"))) {
                m.put(name.name(), d);
            } else if (name.group().equals("consumer-fetch-manager-metrics") && client.endsWith("-consumer")
                    && !client.endsWith("restore-consumer") && !client.endsWith("global-consumer") && !name.tags().containsKey("topic")) {
                fetch.put(name.name(), d);
            }
        });
        return String.format(Locale.ROOT, "poll %.0f %% (%.1f ms each, %.0f records), process %.0f %% (%.2f ms), "
                        + "punctuate %.0f %% (%.2f ms each, at most %.0f), commit %.0f %% (%.1f ms); main consumer: fetch latency "
                        + "%.0f ms mean, %.0f ms at most, %.0f records per fetch",
                100 * m.getOrDefault("poll-ratio", Double.NaN), m.getOrDefault("poll-latency-avg", Double.NaN),
                m.getOrDefault("poll-records-avg", Double.NaN),
                100 * m.getOrDefault("process-ratio", Double.NaN), m.getOrDefault("process-latency-avg", Double.NaN),
                100 * m.getOrDefault("punctuate-ratio", Double.NaN), m.getOrDefault("punctuate-latency-avg", Double.NaN),
                m.getOrDefault("punctuate-latency-max", Double.NaN),
                100 * m.getOrDefault("commit-ratio", Double.NaN), m.getOrDefault("commit-latency-avg", Double.NaN),
                fetch.getOrDefault("fetch-latency-avg", Double.NaN), fetch.getOrDefault("fetch-latency-max", Double.NaN),
                fetch.getOrDefault("records-per-request-avg", Double.NaN));
    }

    private long awaitCaughtUp(Admin admin, String groupId, long since) throws Exception {
        return Offsets.awaitCaughtUp(admin, groupId, Topics.READINGS.name(), since, deadline);
    }
}
