package io.loopflow.bench;

import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.json.Json;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.EmbeddedMqttBroker;
import io.loopflow.embedded.TopicSetup;
import io.loopflow.ingest.Gateway;
import io.loopflow.ingest.GatewayConfig;
import io.loopflow.ingest.TcpNoDelaySocketFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End-to-end ingest benchmark: readings published by a plant ({@link Plant}: Paho v5, QoS 1) through an MQTT
 * broker and the real {@link Gateway} into an embedded Kafka's {@code loopflow.readings}, against two
 * baselines measured in the same run: (a) the same publisher to a bare Paho subscriber through the same
 * broker ({@link RawSubscriber}), (b) a bare Kafka producer of the same records (pre-serialised, the
 * gateway's producer settings) to the same Kafka.
 *
 * <p>Per broker (embedded HiveMQ CE as {@code loopflow local} configures it; Debian's {@code mosquitto} when
 * installed) and per subscription shape (ordinary; shared), it measures: the full-speed rate (readings/s from
 * the first publish until the last of them is readable in Kafka, or at the subscriber), the latency of a run
 * paced at 50 % of that rate (publish to readable, p50/p99), and the drain of a backlog published while the
 * gateway was stopped (its persistent session queues it). Every reading is checked off by (meter, seq):
 * {@code lost} counts those missing at the deadline, {@code dup} those seen twice. HiveMQ's
 * {@code com.hivemq.messages.dropped.count} is read before and after each scenario.
 *
 * <p>Writes a Markdown report to stdout and to {@code --out} (default {@code bench/target/ingest-results.md}).
 * Options: {@code --readings N} (default 100000, a multiple of 100), {@code --paced-seconds S} (default 10),
 * {@code --deadline S} (per phase, default 120), {@code --brokers hivemq,mosquitto}.
 */
// "try": readers and observers are opened for their side effects and closed by try-with-resources, never referenced.
@SuppressWarnings("try")
public final class IngestBench {
    private static final Logger LOG = LoggerFactory.getLogger(IngestBench.class);
    private static final String KAFKA_BASELINE_TOPIC = "bench.kafka-baseline";
    /** HiveMQ CE's per-session in-flight cap (InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES). */
    private static final int HIVEMQ_INFLIGHT = 50;

    private final int readings;
    private final int pacedSeconds;
    private final Duration deadline;
    private final List<String> brokers;
    private final Path out;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private EmbeddedKafka kafka;

    /** One line of the report. {@code rate} in readings/s; latencies in ms (NaN: not measured). */
    record Row(String broker, String path, String shape, String phase, int readings, double rate, double publishRate,
               double p50, double p99, long dropped, int lost, int duplicates) {
    }

    private IngestBench(int readings, int pacedSeconds, Duration deadline, List<String> brokers, Path out) {
        this.readings = readings;
        this.pacedSeconds = pacedSeconds;
        this.deadline = deadline;
        this.brokers = brokers;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Options.parse(args, Map.of("readings", "100000", "paced-seconds", "10", "deadline", "120",
                "brokers", "hivemq,mosquitto", "out", "bench/target/ingest-results.md"));
        new IngestBench(Integer.parseInt(opts.get("readings")), Integer.parseInt(opts.get("paced-seconds")),
                Duration.ofSeconds(Long.parseLong(opts.get("deadline"))), List.of(opts.get("brokers").split(",")),
                Path.of(opts.get("out"))).run();
    }

    private void run() throws Exception {
        String loadBefore = Options.loadavg();
        long started = System.nanoTime();
        Path dir = Files.createTempDirectory("loopflow-ingest-bench");
        LOG.info("ingest benchmark: {} readings per phase, data in {}", readings, dir);
        try (EmbeddedKafka k = EmbeddedKafka.start(dir, 0)) {
            kafka = k;
            TopicSetup.ensureTopics(k.bootstrapServers(), 1);
            createTopic(KAFKA_BASELINE_TOPIC);
            kafkaBaselines();
            for (String broker : brokers) {
                switch (broker.trim()) {
                    case "hivemq" -> hivemq(dir);
                    case "mosquitto" -> mosquitto(dir);
                    default -> throw new IllegalArgumentException("unknown broker '" + broker + "' (hivemq, mosquitto)");
                }
            }
        }
        Options.deleteRecursively(dir);
        String report = report(loadBefore, Options.loadavg(), (System.nanoTime() - started) / 1e9);
        Report.publish(out, report);
    }

    // ---------------------------------------------------------------- Kafka baseline

    /**
     * Baseline (b): the records the gateway would write, pre-serialised, sent by a bare producer with the
     * gateway's settings, unbounded (as fast as the producer batches) and with at most 1,000 and 50 records
     * in flight: the windows the gateway's MQTT session allows on Mosquitto (Receive Maximum 1000) and on
     * HiveMQ CE (50).
     */
    private void kafkaBaselines() throws InterruptedException {
        Workload w = new Workload(readings);
        Instant receivedAt = Instant.now();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(readings);
        for (int i = 0; i < readings; i++) {
            records.add(new ProducerRecord<>(KAFKA_BASELINE_TOPIC, w.record(i, receivedAt).key(), Json.write(w.record(i, receivedAt))));
        }
        // The first pass (window -1: unbounded) only warms up the JIT and the broker's log segment; it is not reported.
        for (int window : new int[] {-1, 0, 1000, HIVEMQ_INFLIGHT}) {
            Arrivals a = new Arrivals(readings);
            Semaphore inFlight = new Semaphore(window <= 0 ? Integer.MAX_VALUE : window);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(gatewayProducerProperties(), new StringSerializer(),
                    new ByteArraySerializer())) {
                // Connect and fetch metadata before the clock starts, as the gateway's producer has by then.
                producer.partitionsFor(KAFKA_BASELINE_TOPIC);
                for (int i = 0; i < readings; i++) {
                    if (!inFlight.tryAcquire(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("Kafka stopped acknowledging");
                    }
                    int index = i;
                    a.sent(i);
                    producer.send(records.get(i), (md, e) -> {
                        if (e == null) {
                            a.arrived(index);
                        } else {
                            LOG.error("baseline send failed", e);
                        }
                        inFlight.release();
                    });
                }
                producer.flush();
            }
            if (window < 0) {
                LOG.info("Kafka warm-up: {} records/s (not reported)", Math.round(a.rate()));
                continue;
            }
            String shape = window == 0 ? "unbounded" : "≤ " + window + " in flight";
            rows.add(new Row("-", "raw Kafka producer", shape, "full speed", readings, a.rate(), Double.NaN,
                    a.latencyMillis(50), a.latencyMillis(99), -1, a.missing(), a.duplicates()));
            LOG.info("Kafka baseline ({}): {} records/s", shape, Math.round(a.rate()));
        }
    }

    private Properties gatewayProducerProperties() {
        // Exactly the gateway's producer: idempotent, acks=all, linger 2 ms, 64 KiB batches.
        return Gateway.producerProperties(GatewayConfig.defaults("tcp://127.0.0.1:1883", kafka.bootstrapServers())
                .withClientId("bench-kafka-baseline"));
    }

    // ---------------------------------------------------------------- brokers

    private void hivemq(Path dir) throws Exception {
        try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dir.resolve("hivemq-" + UUID.randomUUID()), 0, false)) {
            notes.add("HiveMQ CE: hivemq-community-edition-embedded 2025.5 in this JVM, configured by EmbeddedMqttBroker as `loopflow local` "
                    + "runs it (in-memory persistence, max-queue-size 10,000,000, server-receive-maximum 65,535)");
            brokerScenarios("HiveMQ CE", broker.uri(), broker::droppedMessages);
        }
    }

    private void mosquitto(Path dir) throws Exception {
        Optional<Path> binary = MosquittoProcess.binary();
        if (binary.isEmpty()) {
            String line = "Mosquitto: SKIPPED, no mosquitto binary on PATH or in /usr/sbin (apt-get install mosquitto)";
            notes.add(line);
            LOG.warn(line);
            return;
        }
        try (MosquittoProcess m = MosquittoProcess.start(binary.get(), dir.resolve("mosquitto"))) {
            String version = mosquittoVersion(binary.get());
            notes.add("Mosquitto: Debian's " + binary.get() + " " + version + " as a separate process, generated config: persistence false, "
                    + "max_queued_messages 0, max_inflight_messages 1000 (as docker-compose), set_tcp_nodelay true, listener on 127.0.0.1");
            brokerScenarios("Mosquitto " + version, m.uri(), () -> -1L);
        }
    }

    private void brokerScenarios(String broker, String uri, LongSupplier dropped) throws Exception {
        warmUp(broker, uri, readings, deadline);
        for (boolean shared : new boolean[] {false, true}) {
            String shape = shared ? "shared" : "ordinary";
            String group = shared ? "$share/bench-raw-" + UUID.randomUUID() + "/" : "";
            String filter = group + InboundTopic.READINGS_FILTER;
            liveRaw(broker, uri, filter, shape, dropped);
            liveGateway(broker, uri, shared, dropped);

            String rawId = "bench-raw-drain-" + UUID.randomUUID();
            String drainFilter = (shared ? "$share/bench-raw-" + UUID.randomUUID() + "/" : "") + InboundTopic.READINGS_FILTER;
            drain(broker, "raw MQTT pub -> sub", shape, uri, dropped, rawId, (w, a) -> () -> { },
                    (w, a) -> new RawSubscriber(uri, drainFilter, GatewayConfig.DEFAULT_RECEIVE_MAXIMUM, rawId, true, w, a));
            GatewayConfig config = gatewayConfig(uri, shared);
            drain(broker, "gateway -> Kafka", shape, uri, dropped, config.clientId(),
                    (w, a) -> KafkaTail.readings(kafka.bootstrapServers(), w, a),
                    (w, a) -> {
                        Gateway g = new Gateway(config, new SimpleMeterRegistry());
                        g.start();
                        return g;
                    });
        }
    }

    /** JIT, connection pools and the broker's first sessions warm up on an unreported raw run of up to 50,000 readings. */
    static void warmUp(String broker, String uri, int readings, Duration deadline) throws Exception {
        int count = Math.min(readings, 50_000) / Workload.METERS * Workload.METERS;
        Workload w = new Workload(count);
        Arrivals a = new Arrivals(count);
        RawSubscriber.pubSub(uri, w, a, 0, deadline);
        LOG.info("{}: warm-up of {} readings at {}/s (not reported)", broker, count, Math.round(a.rate()));
    }

    /** Baseline (a): plant -> broker -> bare Paho subscriber, full speed then paced. */
    private void liveRaw(String broker, String uri, String filter, String shape, LongSupplier dropped) throws Exception {
        Row full = phase(broker, "raw MQTT pub -> sub", shape, "full speed", readings, 0, uri, dropped,
                (w, a) -> new RawSubscriber(uri, filter, GatewayConfig.DEFAULT_RECEIVE_MAXIMUM, w, a));
        if (full.lost() == 0) {
            double rate = full.rate() / 2;
            phase(broker, "raw MQTT pub -> sub", shape, "paced 50 %", pacedCount(rate), rate, uri, dropped,
                    (w, a) -> new RawSubscriber(uri, filter, GatewayConfig.DEFAULT_RECEIVE_MAXIMUM, w, a));
        }
    }

    /** The gateway, subscribed before the plant publishes: full speed then paced. */
    private void liveGateway(String broker, String uri, boolean shared, LongSupplier dropped) throws Exception {
        GatewayConfig config = gatewayConfig(uri, shared);
        String shape = shared ? "shared" : "ordinary";
        try (Gateway gateway = new Gateway(config, new SimpleMeterRegistry())) {
            gateway.start();
            Row full = phase(broker, "gateway -> Kafka", shape, "full speed", readings, 0, uri, dropped,
                    (w, a) -> KafkaTail.readings(kafka.bootstrapServers(), w, a));
            if (full.lost() == 0) {
                double rate = full.rate() / 2;
                phase(broker, "gateway -> Kafka", shape, "paced 50 %", pacedCount(rate), rate, uri, dropped,
                        (w, a) -> KafkaTail.readings(kafka.bootstrapServers(), w, a));
            }
        } finally {
            endSession(uri, config.clientId());
        }
    }

    /**
     * A backlog: the reader's persistent session ({@code clientId}) exists but the reader is stopped while the
     * plant publishes, so the broker queues everything; then the reader starts and the drain is timed from its
     * start. {@code observer} (the Kafka tail, for the gateway) is attached before publishing.
     */
    private void drain(String broker, String path, String shape, String uri, LongSupplier dropped, String clientId,
                       Reader observer, Reader reader) throws Exception {
        Workload w = new Workload(readings);
        Arrivals a = new Arrivals(readings);
        try {
            try (AutoCloseable first = reader.open(w, a)) {
                LOG.debug("session {} created", clientId);
            }
            long droppedBefore = dropped.getAsLong();
            double publishRate;
            boolean all;
            long start;
            try (AutoCloseable obs = observer.open(w, a)) {
                try (Plant plant = new Plant(uri)) {
                    long t0 = System.nanoTime();
                    plant.publish(w, a, 0, readings, 0);
                    plant.awaitAcks();
                    publishRate = readings * 1e9 / (System.nanoTime() - t0);
                }
                LOG.info("{} | {} | {}: {} readings queued for the stopped reader ({}/s acknowledged by the broker); starting it",
                        broker, path, shape, readings, Math.round(publishRate));
                start = System.nanoTime();
                try (AutoCloseable second = reader.open(w, a)) {
                    all = a.awaitAll(deadline);
                }
            }
            double rate = a.rateSince(start);
            rows.add(new Row(broker, path, shape, "backlog drain", readings, rate, publishRate, Double.NaN, Double.NaN,
                    droppedDelta(dropped, droppedBefore), a.missing(), a.duplicates()));
            LOG.info("{} | {} | {} | backlog drain: {} readings/s{}", broker, path, shape, Math.round(rate),
                    all ? "" : ", INCOMPLETE: " + a.missing() + " missing after " + deadline);
        } finally {
            endSession(uri, clientId);
        }
    }

    /** Something that delivers a workload's readings somewhere and marks them in arrivals. */
    @FunctionalInterface
    private interface Reader {
        AutoCloseable open(Workload w, Arrivals a) throws Exception;
    }

    /** Publishes {@code count} readings (at {@code perSecond}, 0 = full speed) with a fresh reader attached. */
    private Row phase(String broker, String path, String shape, String phase, int count, double perSecond, String uri,
                      LongSupplier dropped, Reader reader) throws Exception {
        Workload w = new Workload(count);
        Arrivals a = new Arrivals(count);
        long droppedBefore = dropped.getAsLong();
        double publishRate;
        boolean all;
        try (AutoCloseable r = reader.open(w, a); Plant plant = new Plant(uri)) {
            long t0 = System.nanoTime();
            plant.publish(w, a, 0, count, perSecond);
            plant.awaitAcks();
            publishRate = count * 1e9 / (System.nanoTime() - t0);
            all = a.awaitAll(deadline);
        }
        Row row = new Row(broker, path, shape, phase, count, a.rate(), publishRate,
                a.latencyMillis(50), a.latencyMillis(99), droppedDelta(dropped, droppedBefore), a.missing(), a.duplicates());
        rows.add(row);
        LOG.info("{} | {} | {} | {}: {} readings/s (broker acknowledged {}/s), p50 {} ms, p99 {} ms{}", broker, path, shape, phase,
                Math.round(row.rate()), Math.round(publishRate), fmt(row.p50()), fmt(row.p99()),
                all ? "" : ", INCOMPLETE: " + a.missing() + " missing after " + deadline);
        return row;
    }

    private int pacedCount(double perSecond) {
        return Workload.pacedCount(perSecond, pacedSeconds, readings);
    }

    private GatewayConfig gatewayConfig(String uri, boolean shared) {
        return gatewayConfig(uri, kafka.bootstrapServers(), shared);
    }

    /** The gateway of these benchmarks: the defaults, a fresh client id, an ordinary or a (fresh) shared subscription. */
    static GatewayConfig gatewayConfig(String uri, String kafkaBootstrap, boolean shared) {
        return GatewayConfig.defaults(uri, kafkaBootstrap)
                .withClientId("bench-gateway-" + UUID.randomUUID())
                .withShareGroup(shared ? "bench-" + UUID.randomUUID() : GatewayConfig.NO_SHARE_GROUP)
                // The benchmark counts for itself; the gateway's periodic count line would only add noise.
                .withLogInterval(Duration.ofHours(1));
    }

    /** Ends a gateway's persistent session so that later scenarios' readings are not queued for it. */
    private static void endSession(String uri, String clientId) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        try {
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            o.setSessionExpiryInterval(0L);
            o.setSocketFactory(new TcpNoDelaySocketFactory());
            c.connect(o).waitForCompletion(30_000);
            c.disconnect().waitForCompletion(30_000);
        } finally {
            c.close(true);
        }
    }

    private static long droppedDelta(LongSupplier dropped, long before) {
        long after = dropped.getAsLong();
        return before < 0 || after < 0 ? -1 : after - before;
    }

    private void createTopic(String name) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    static String mosquittoVersion(Path binary) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary.toString(), "-h").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        String first = text.lines().findFirst().orElse("");
        // "mosquitto version 2.0.11"
        return first.replaceFirst("(?i)^mosquitto version\\s*", "").trim();
    }

    // ---------------------------------------------------------------- report

    private String report(String loadBefore, String loadAfter, double seconds) {
        StringBuilder b = new StringBuilder();
        b.append("## Ingest: plant -> MQTT broker -> gateway -> Kafka\n\n");
        b.append(Options.environment()).append('\n');
        b.append("- readings per full-speed phase: ").append(readings).append(" (100 meters, 10 sites, ~60-byte JSON, QoS 1, publisher window ")
                .append(Plant.WINDOW).append("); paced phases: 50 % of the same path's full-speed rate for about ").append(pacedSeconds)
                .append(" s; deadline per phase ").append(deadline.toSeconds()).append(" s\n");
        b.append("- loadavg before: ").append(loadBefore).append("; after: ").append(loadAfter)
                .append(String.format(Locale.ROOT, "; run took %.0f s%n", seconds));
        for (String n : notes) {
            b.append("- ").append(n).append('\n');
        }
        double kafkaRate = rows.stream().filter(r -> r.path().equals("raw Kafka producer") && r.shape().equals("unbounded"))
                .mapToDouble(Row::rate).findFirst().orElse(Double.NaN);
        b.append("\n| broker | path | subscription | phase | readings | readings/s | vs raw MQTT | vs raw Kafka | broker acked/s | p50 ms | p99 ms | dropped | lost | dup |\n");
        b.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            // A drain compares with the raw subscriber's drain, a full-speed run with the raw full-speed run.
            String basePhase = r.phase().equals("backlog drain") ? "backlog drain" : "full speed";
            double mqttRate = rows.stream().filter(o -> o.broker().equals(r.broker()) && o.path().startsWith("raw MQTT")
                    && o.shape().equals(r.shape()) && o.phase().equals(basePhase)).mapToDouble(Row::rate).findFirst().orElse(Double.NaN);
            boolean gateway = r.path().startsWith("gateway");
            boolean fullOrDrain = !r.phase().startsWith("paced");
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %d | %d |%n",
                    r.broker(), r.path(), r.shape(), r.phase(), r.readings(), fmt0(r.rate()),
                    gateway && fullOrDrain ? ratio(r.rate(), mqttRate) : "",
                    gateway && fullOrDrain ? ratio(r.rate(), kafkaRate) : r.path().equals("raw Kafka producer") ? ratio(r.rate(), kafkaRate) : "",
                    fmt0(r.publishRate()), fmt(r.p50()), fmt(r.p99()), r.dropped() < 0 ? "n/a" : String.valueOf(r.dropped()),
                    r.lost(), r.duplicates()));
        }
        b.append("""

                - readings/s: from the first publish to the last reading readable at the far end (Kafka: a consumer \
                reading `loopflow.readings`; raw MQTT: the subscriber); backlog drain: from the start of the stopped reader \
                (gateway or raw subscriber with a persistent session) to its last reading. vs raw MQTT: ratio to the raw \
                pub -> sub rate through the same broker, subscription shape and phase (full speed, or backlog drain); \
                vs raw Kafka: ratio to the unbounded raw producer. broker acked/s: PUBACKs the publisher received per second.
                - p50/p99: publish -> readable latency; for Kafka-producer rows send -> acknowledged. Full-speed latency \
                is queueing (the broker acknowledges faster than it delivers); compare the paced rows.
                - dropped: HiveMQ's com.hivemq.messages.dropped.count during the phase (n/a: Mosquitto has no such counter here); \
                lost: readings not seen by the deadline (0 = every (meter, seq) arrived); dup: seen more than once.
                """);
        rows.stream().filter(r -> r.path().equals("raw Kafka producer") && r.shape().contains(HIVEMQ_INFLIGHT + " in flight"))
                .findFirst().ifPresent(r -> b.append(String.format(Locale.ROOT,
                        "- Kafka round trip with %d records in flight (gateway's producer settings): p50 %s ms, so a gateway that "
                                + "HiveMQ CE feeds %d messages at a time tops out near %s readings/s (measured raw at that window: %s/s).%n",
                        HIVEMQ_INFLIGHT, fmt(r.p50()), HIVEMQ_INFLIGHT, fmt0(HIVEMQ_INFLIGHT * 1000 / r.p50()), fmt0(r.rate()))));
        return b.toString();
    }

    private static String ratio(double value, double base) {
        return Double.isNaN(value) || Double.isNaN(base) || base == 0 ? "" : String.format(Locale.ROOT, "%.3f", value / base);
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.0f", v);
    }

    static String fmt0(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%,.0f", v);
    }
}
