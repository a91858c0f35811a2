package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.Topics;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.SurplusRecord;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.EmbeddedMqttBroker;
import io.loopflow.embedded.TopicSetup;
import io.loopflow.ingest.Gateway;
import io.loopflow.ingest.GatewayConfig;
import io.loopflow.ingest.TcpNoDelaySocketFactory;
import io.loopflow.ingest.alerts.AlertPublisher;
import io.loopflow.ingest.alerts.AlertPublisherConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Surplus alerts and matches end to end, with real parts: HiveMQ CE and a KRaft Kafka node in this
 * JVM, the gateway and the alert publisher in this JVM, and the stream processor as a separate
 * process ({@code java -jar target/loopflow.jar streams}) so that it can be killed with SIGKILL
 * between the raise and the clear. A plant publishes with Paho; the alerts are received as an MQTT
 * subscriber of {@code loopflow/v1/{site}/alerts} and read from {@code loopflow.alerts}.
 *
 * <p>Scenario (Kalundborg, shared/REGIONS.md): Asnaes has a gypsum stockpile (stock meter, t);
 * gypsum's threshold is 100 t; Gyproc, 4.4 km away, wants 40 t within 60 km. Levels 120 (raise +
 * match), 110 and 95 (nothing: hysteresis), SIGKILL, restart on a NEW state directory (state comes
 * back from the changelogs, not from memory or local files), 101 (nothing: still raised), 60
 * (60 < 0.8 x 100: the surplus clears, and with it the match closes, though 60 t still covers 40 t).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SurplusAlertsIT {
    private static final Logger LOG = LoggerFactory.getLogger(SurplusAlertsIT.class);
    private static final Path JAR = Path.of("target", "loopflow.jar");
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Path dir;
    private EmbeddedKafka kafka;
    private EmbeddedMqttBroker mqtt;
    private Gateway gateway;
    private AlertPublisher publisher;
    private Process streams;
    private int httpPort;
    private MqttClient plant;
    private MqttClient listener;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private record Received(String topic, AlertRecord alert, long nanos) {
    }

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        assertThat(JAR).as("the shaded jar, built by `mvn package`").isRegularFile();
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        mqtt = EmbeddedMqttBroker.start(dir.resolve("mqtt"), 0, false);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 2);
        gateway = new Gateway(GatewayConfig.defaults(mqtt.uri(), kafka.bootstrapServers()), new SimpleMeterRegistry());
        gateway.start();
        publisher = new AlertPublisher(AlertPublisherConfig.defaults(mqtt.uri(), kafka.bootstrapServers()), new SimpleMeterRegistry());
        publisher.start();

        listener = client("asnaes-and-gyproc-control-room");
        IMqttMessageListener collect = (topic, message) ->
                received.add(new Received(topic, Json.read(message.getPayload(), AlertRecord.class), System.nanoTime()));
        listener.subscribe(new MqttSubscription[] {new MqttSubscription("loopflow/v1/+/alerts", 1)}, new IMqttMessageListener[] {collect});
        plant = client("kalundborg-plants");
    }

    @AfterAll
    void stop() throws Exception {
        if (streams != null && streams.isAlive()) {
            streams.destroyForcibly().waitFor();
        }
        for (MqttClient c : new MqttClient[] {plant, listener}) {
            if (c != null && c.isConnected()) {
                c.disconnect();
                c.close();
            }
        }
        if (publisher != null) {
            publisher.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (mqtt != null) {
            mqtt.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldRaiseAndClearExactlyOnceAcrossASigkillOfTheStreamProcessor() throws Exception {
        // given the region's descriptors, retained as plants publish them
        retain(InboundTopic.siteMeta("asnaes"), "{\"name\":\"Asnaes\",\"region\":\"kalundborg\",\"lat\":55.66,\"lon\":11.09}");
        retain(InboundTopic.siteMeta("gyproc"), "{\"name\":\"Gyproc\",\"region\":\"kalundborg\",\"lat\":55.68,\"lon\":11.15}");
        retain(InboundTopic.material("gypsum"), "{\"name\":\"FGD gypsum\",\"dimension\":\"mass\",\"surplusThreshold\":100}");
        retain(InboundTopic.meterMeta("asnaes", "gypsum-pile"), "{\"material\":\"gypsum\",\"role\":\"stock\",\"kind\":\"level\",\"unit\":\"t\"}");
        retain(InboundTopic.demand("gyproc", "gypsum"), "{\"quantity\":40,\"maxDistanceKm\":60}");
        startStreams(dir.resolve("state-1"));
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);

        // when the stockpile crosses the threshold
        long crossed = System.nanoTime();
        level(t, 120);

        // then the surplus alert reaches Asnaes and the match reaches both sites over MQTT
        await().atMost(WAIT).until(() -> ids("loopflow/v1/asnaes/alerts").containsAll(
                List.of("surplus.available/asnaes/gypsum/1", "match/asnaes/gypsum/gyproc/1"))
                && ids("loopflow/v1/gyproc/alerts").contains("match/asnaes/gypsum/gyproc/1"));
        long arrived = received.stream().filter(r -> r.alert().id().equals("surplus.available/asnaes/gypsum/1"))
                .mapToLong(Received::nanos).min().orElseThrow();
        LOG.info("threshold crossing -> surplus alert over MQTT: {} ms", (arrived - crossed) / 1_000_000);
        level(t.plusSeconds(10), 110);
        level(t.plusSeconds(20), 95);
        awaitSurplus(95);

        // when the stream processor is killed and comes back on an empty state directory
        streams.destroyForcibly().waitFor();
        startStreams(dir.resolve("state-2"));
        // The killed instance still holds its partitions until its session times out (45 s): wait until queryable.
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> get("/alerts?active=true").statusCode() == 200);
        assertThat(activeAlertIds()).containsExactlyInAnyOrder("surplus.available/asnaes/gypsum/1", "match/asnaes/gypsum/gyproc/1");
        level(t.plusSeconds(30), 101);
        awaitSurplus(101);
        level(t.plusSeconds(40), 60);

        // then the clear and the closed match arrive, and loopflow.alerts holds each transition exactly once
        await().atMost(WAIT).until(() -> ids("loopflow/v1/asnaes/alerts").containsAll(
                List.of("surplus.cleared/asnaes/gypsum/1", "match.closed/asnaes/gypsum/gyproc/1"))
                && ids("loopflow/v1/gyproc/alerts").contains("match.closed/asnaes/gypsum/gyproc/1"));
        List<AlertRecord> onKafka = readAlerts(4);
        assertThat(onKafka).extracting(AlertRecord::id).containsExactly(
                "surplus.available/asnaes/gypsum/1", "match/asnaes/gypsum/gyproc/1",
                "surplus.cleared/asnaes/gypsum/1", "match.closed/asnaes/gypsum/gyproc/1");
        assertThat(onKafka.get(1).message()).isEqualTo("Asnaes has 120 t of FGD gypsum available, 4.4 km from Gyproc, which wants 40 t");
        assertThat(ids("loopflow/v1/gyproc/alerts")).as("Gyproc hears of the match, not of Asnaes' stock")
                .doesNotContain("surplus.available/asnaes/gypsum/1");
        assertThat(activeAlertIds()).isEmpty();
    }

    private void startStreams(Path stateDir) throws IOException {
        httpPort = freePort();
        Path log = dir.resolve(stateDir.getFileName() + ".out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        streams = new ProcessBuilder(java, "-Xmx768m", "-jar", JAR.toAbsolutePath().toString(), "streams",
                "--kafka-bootstrap", kafka.bootstrapServers(), "--http-port", String.valueOf(httpPort),
                "--state-dir", stateDir.toString(), "--kpi-windows", "1h")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // Connection refused until the HTTP API is up: ignored while waiting, a dead process is not.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptionsInstanceOf(java.net.ConnectException.class).until(() -> {
            assertThat(streams.isAlive()).as("loopflow streams exited:\n" + Files.readString(log)).isTrue();
            return get("/health").statusCode() == 200;
        });
    }

    private void awaitSurplus(double available) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            HttpResponse<String> r = get("/surplus");
            return r.statusCode() == 200 && Arrays.stream(Json.MAPPER.readValue(r.body(), SurplusRecord[].class))
                    .anyMatch(s -> s.site().equals("asnaes") && s.available() == available);
        });
    }

    private List<String> activeAlertIds() throws Exception {
        HttpResponse<String> r = get("/alerts?active=true");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Arrays.stream(Json.MAPPER.readValue(r.body(), AlertRecord[].class)).map(AlertRecord::id).toList();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api" + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private List<String> ids(String topic) {
        return received.stream().filter(r -> r.topic().equals(topic)).map(r -> r.alert().id()).collect(Collectors.toList());
    }

    /** Reads loopflow.alerts from the start, committed records only, until {@code expected} are there and 5 s pass without more. */
    private List<AlertRecord> readAlerts(int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<AlertRecord> all = new ArrayList<>();
        try (KafkaConsumer<String, AlertRecord> consumer = new KafkaConsumer<>(p, Topics.ALERTS.keySerde().deserializer(),
                Topics.ALERTS.valueSerde().deserializer())) {
            consumer.subscribe(List.of(Topics.ALERTS.name()));
            long quietSince = System.nanoTime();
            while (all.size() < expected || System.nanoTime() - quietSince < Duration.ofSeconds(5).toNanos()) {
                var batch = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, AlertRecord> r : batch) {
                    all.add(r.value());
                    quietSince = System.nanoTime();
                }
                assertThat(System.nanoTime() - quietSince).as("alerts on loopflow.alerts: " + all).isLessThan(WAIT.toNanos());
            }
        }
        // One partition per alert id; order across partitions is by event time, then raise before clear.
        all.sort(java.util.Comparator.comparing(AlertRecord::ts).thenComparing(a -> a.type().ordinal()));
        return all;
    }

    private void level(Instant ts, double value) throws Exception {
        plant.publish(InboundTopic.reading("asnaes", "gypsum-pile"),
                new MqttMessage(("{\"ts\":\"" + ts + "\",\"value\":" + value + "}").getBytes(StandardCharsets.UTF_8), 1, false, null));
    }

    private void retain(String topic, String payload) throws Exception {
        plant.publish(topic, new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), 1, true, null));
    }

    private MqttClient client(String id) throws Exception {
        MqttClient c = new MqttClient(mqtt.uri(), id, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(new TcpNoDelaySocketFactory());
        c.connect(o);
        return c;
    }
}
