package io.loopflow.bench;

import io.loopflow.core.Topics;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.units.Dimension;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.loopflow.streams.LoopflowTopology;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StreamProcessor;
import io.loopflow.streams.StreamsCounters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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
    private static final String MATERIAL = "gypsum";
    private static final Duration POLL = Duration.ofMillis(100);
    /** Two looks at the offsets this far apart (more than the 1 s commit interval) must agree that nothing is left. */
    private static final Duration SETTLE = Duration.ofMillis(1500);

    private final int readings;
    private final Duration deadline;
    private final Path out;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    private StreamsBench(int readings, Duration deadline, Path out) {
        this.readings = readings;
        this.deadline = deadline;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Options.parse(args, Map.of("readings", "100000", "deadline", "300",
                "out", "bench/target/streams-results.md"));
        new StreamsBench(Integer.parseInt(opts.get("readings")), Duration.ofSeconds(Long.parseLong(opts.get("deadline"))),
                Path.of(opts.get("out"))).run();
    }

    private void run() throws Exception {
        String loadBefore = Options.loadavg();
        Path dir = Files.createTempDirectory("loopflow-streams-bench");
        StringBuilder report = new StringBuilder("## Stream processor: loopflow.readings -> flows and key figures\n\n");
        report.append(Options.environment());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
            TopicSetup.ensureTopics(kafka.bootstrapServers(), 1);
            Workload w = new Workload(readings);
            double loadRate = preload(kafka.bootstrapServers(), w);

            Measure base = baseline(kafka.bootstrapServers(), w);
            Measure streams = processor(kafka.bootstrapServers(), dir);
            // The processor's output, before the topology-alone runs below add their own to the same topics.
            long flows = endOffset(kafka.bootstrapServers(), Topics.FLOWS.name());
            long kpis = endOffset(kafka.bootstrapServers(), Topics.KPIS.name());
            long rejected = endOffset(kafka.bootstrapServers(), Topics.REJECTED.name());
            Measure eos = topologyAlone(kafka.bootstrapServers(), dir, StreamsConfig.EXACTLY_ONCE_V2);
            Measure alo = topologyAlone(kafka.bootstrapServers(), dir, StreamsConfig.AT_LEAST_ONCE);

            report.append("- readings: ").append(readings).append(" (100 meters, 10 sites, 1 s apart per meter: ")
                    .append(readings / Workload.METERS).append(" s of event time), pre-loaded at ")
                    .append(IngestBench.fmt0(loadRate)).append(" records/s; 1 partition per topic\n");
            report.append("- loadavg before: ").append(loadBefore).append("; after: ").append(Options.loadavg()).append('\n');
            report.append("- processor output: loopflow.flows end offset ").append(flows).append(", loopflow.kpis ").append(kpis)
                    .append(", loopflow.rejected ").append(rejected)
                    .append(" (end offsets, transaction markers included)\n\n");
            report.append("| what | readings/s | ratio to baseline | seconds | heap before MiB | heap after MiB | RSS before MiB | RSS after MiB |\n");
            report.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
            report.append(base.row("plain KafkaConsumer + JSON decode (baseline)", base.rate()));
            report.append(streams.row("StreamProcessor, from RUNNING to lag 0", base.rate()));
            report.append(String.format(Locale.ROOT, "| StreamProcessor, from start() to lag 0 (incl. %.1f s start-up) | %s | %s | %.1f | | | | |%n",
                    streams.startup(), IngestBench.fmt0(readings / (streams.seconds() + streams.startup())),
                    String.format(Locale.ROOT, "%.3f", readings / (streams.seconds() + streams.startup()) / base.rate()),
                    streams.seconds() + streams.startup()));
            report.append(eos.row("flow topology alone (no surplus application), exactly_once_v2, from RUNNING", base.rate()));
            report.append(alo.row("flow topology alone, at_least_once, from RUNNING", base.rate()));
            report.append("""

                    - heap: used heap after System.gc(), whole JVM (the embedded Kafka broker included), before the reader \
                    starts and once it has caught up (the processor still running); RSS: the process's resident set \
                    (/proc/self/status VmRSS), which includes RocksDB's off-heap state.
                    - lag 0: the group's committed offsets equal the end offsets of loopflow.readings and (within one \
                    transaction marker) of its repartition topic, seen twice 1.5 s apart; the time is the first sighting.
                    - the two "flow topology alone" rows run LoopflowTopology with StreamProcessor's properties (commit \
                    interval 1 s) under another application id, after the processor, to show where its time goes: the \
                    surplus application beside it, and exactly-once against at-least-once. The processor runs exactly-once. \
                    They write to the same output topics (after the processor's figures were counted).
                    - the baseline's time includes its consumer-group join; the processor rows start at RUNNING (group joined).
                    """);
        }
        Options.deleteRecursively(dir);
        Report.publish(out, report.toString());
    }

    /** What one reader took: seconds from its start until it had every reading, heap and RSS around it. */
    private record Measure(double seconds, double startup, long heapBefore, long heapAfter, long rssBefore, long rssAfter, int readings) {
        double rate() {
            return readings / seconds;
        }

        String row(String what, double baseRate) {
            return String.format(Locale.ROOT, "| %s | %s | %.3f | %.1f | %d | %d | %d | %d |%n", what, IngestBench.fmt0(rate()),
                    rate() / baseRate, seconds, heapBefore >> 20, heapAfter >> 20, rssBefore >> 20, rssAfter >> 20);
        }
    }

    /** Writes the descriptors, then the readings as the gateway would (key site/meter, timestamp receivedAt). */
    private double preload(String bootstrap, Workload w) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        long t0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            describe(producer);
            producer.flush();
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

    /**
     * The descriptors of the workload's meters: one material, {@value Workload#SITES} sites of one region, 100 meters of
     * every flow role and the counter, quantity and rate kinds. Also used by {@link ImportBench}.
     */
    static void describe(KafkaProducer<String, byte[]> producer) throws Exception {
        producer.send(new ProducerRecord<>(Topics.MATERIALS.name(), MATERIAL,
                Json.write(new MaterialDescriptor("FGD gypsum", Dimension.MASS, "10 01 05", 50.0)))).get(30, TimeUnit.SECONDS);
        for (int s = 0; s < Workload.SITES; s++) {
            String site = Workload.site(s);
            producer.send(new ProducerRecord<>(Topics.SITES.name(), site,
                    Json.write(new SiteDescriptor("Bench site " + s, "bench-region", 55.6 + s * 0.01, 11.1 + s * 0.01))));
        }
        List<Role> flowRoles = Arrays.stream(Role.values()).filter(Role::isFlow).toList();
        MeterKind[] kinds = {MeterKind.COUNTER, MeterKind.QUANTITY, MeterKind.RATE};
        for (int m = 0; m < Workload.METERS; m++) {
            MeterKind kind = kinds[m % kinds.length];
            MeterDescriptor d = new MeterDescriptor(MATERIAL, flowRoles.get((m / Workload.SITES) % flowRoles.size()), kind,
                    kind == MeterKind.RATE ? "t/h" : "t", null);
            producer.send(new ProducerRecord<>(Topics.METERS.name(), Workload.site(m) + "/" + Workload.meter(m), Json.write(d)));
        }
    }

    /** The baseline: a plain consumer group reading and decoding every reading. */
    private Measure baseline(String bootstrap, Workload w) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-baseline");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long heapBefore = heapAfterGc();
        long rssBefore = rss();
        long start = System.nanoTime();
        int read = 0;
        double checksum = 0;
        long until = start + deadline.toNanos();
        try (KafkaConsumer<String, ReadingRecord> consumer = new KafkaConsumer<>(p, Topics.READINGS.keySerde().deserializer(),
                Topics.READINGS.valueSerde().deserializer())) {
            consumer.subscribe(List.of(Topics.READINGS.name()));
            while (read < w.size()) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("baseline consumer read " + read + " of " + w.size() + " within " + deadline);
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
        LOG.info("baseline consumer: {} readings in {} s (checksum {})", read, String.format(Locale.ROOT, "%.2f", seconds), checksum);
        return new Measure(seconds, 0, heapBefore, heapAfterGc(), rssBefore, rss(), read);
    }

    private Measure processor(String bootstrap, Path dir) throws Exception {
        ProcessorConfig config = ProcessorConfig.defaults(bootstrap, dir.resolve("streams"))
                .withApplicationId(APPLICATION_ID)
                .withHttpPort(-1);
        long heapBefore = heapAfterGc();
        long rssBefore = rss();
        try (StreamProcessor processor = new StreamProcessor(config, new SimpleMeterRegistry(), "127.0.0.1");
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long t0 = System.nanoTime();
            processor.start();
            long running = System.nanoTime();
            LOG.info("StreamProcessor RUNNING after {} ms; waiting for lag 0", (running - t0) / 1_000_000);
            long caughtUp = awaitCaughtUp(admin, APPLICATION_ID, running);
            long heapAfter = heapAfterGc();
            long rssAfter = rss();
            return new Measure((caughtUp - running) / 1e9, (running - t0) / 1e9, heapBefore, heapAfter, rssBefore, rssAfter, readings);
        }
    }

    /**
     * Where the processor's time goes: the flow/key-figure topology alone ({@link LoopflowTopology}, without the
     * surplus application), with the processor's own properties and {@code guarantee} as the processing guarantee.
     */
    private Measure topologyAlone(String bootstrap, Path dir, String guarantee) throws Exception {
        String applicationId = "bench-topology-" + guarantee.replace('_', '-');
        ProcessorConfig config = ProcessorConfig.defaults(bootstrap, dir.resolve(applicationId))
                .withApplicationId(applicationId)
                .withHttpPort(-1);
        StreamsCounters counters = new StreamsCounters(new SimpleMeterRegistry());
        Properties props = LoopflowTopology.streamsProperties(config, counters);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        long heapBefore = heapAfterGc();
        long rssBefore = rss();
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
            long caughtUp = awaitCaughtUp(admin, applicationId, started);
            long heapAfter = heapAfterGc();
            long rssAfter = rss();
            return new Measure((caughtUp - started) / 1e9, (started - t0) / 1e9, heapBefore, heapAfter, rssBefore, rssAfter, readings);
        }
    }

    /** Polls the group's offsets until nothing is left to read; returns the time it first saw that. */
    private long awaitCaughtUp(Admin admin, String groupId, long since) throws Exception {
        long until = since + deadline.toNanos();
        long firstSeen = 0;
        while (System.nanoTime() < until) {
            Map<TopicPartition, Long> lag = lag(admin, groupId);
            boolean done = !lag.isEmpty() && lag.entrySet().stream().anyMatch(e -> e.getKey().topic().equals(Topics.READINGS.name()))
                    && lag.entrySet().stream().allMatch(e -> e.getKey().topic().equals(Topics.READINGS.name())
                            ? e.getValue() == 0 : e.getValue() <= 1);
            long now = System.nanoTime();
            if (!done) {
                firstSeen = 0;
            } else if (firstSeen == 0) {
                firstSeen = now;
            } else if (now - firstSeen >= SETTLE.toNanos()) {
                LOG.info("caught up: lag {}", lag);
                return firstSeen;
            }
            LOG.debug("lag {}", lag);
            // A benchmark driver polling offsets with a deadline: 200 ms between looks.
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException("the stream processor did not catch up within " + deadline + ": lag " + lag(admin, groupId));
    }

    /** End offset minus committed offset for every partition the processor's group has committed. */
    static Map<TopicPartition, Long> lag(Admin admin, String groupId) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> lag = new HashMap<>();
        committed.forEach((tp, o) -> lag.put(tp, ends.get(tp).offset() - (o == null ? 0 : o.offset())));
        return lag;
    }

    private static long endOffset(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
        }
    }

    private long heapAfterGc() {
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static long rss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(-1L);
        } catch (IOException e) {
            LOG.warn("cannot read /proc/self/status: {}", e.toString());
            return -1;
        }
    }
}
