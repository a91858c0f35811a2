package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.Topics;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.app.simulate.KalundborgScenario;
import io.loopflow.app.simulate.Simulator;
import io.loopflow.app.simulate.SimulatorConfig;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.loopflow.ingest.Gateway;
import io.loopflow.ingest.GatewayConfig;
import io.loopflow.ingest.MqttLogin;
import io.loopflow.ingest.alerts.AlertPublisher;
import io.loopflow.ingest.alerts.AlertPublisherConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * docker-compose's Mosquitto set-up, run for real: Debian's {@code mosquitto} started by the compose service's own
 * {@code docker/mosquitto/start.sh} with the repository's {@code mosquitto.conf}, {@code acl}, {@code acl-internal}
 * and {@code credentials} (only paths and ports rewritten, listeners on 127.0.0.1). Proves that a site's user
 * publishes only under its own site and reads only its own alerts, that the gateway logs in as {@code gateway}
 * with {@code --mqtt-username/--mqtt-password} and reads everything into Kafka, that its alert publisher may
 * write every site's alerts, that the simulator's user publishes for all sites, that wrong or missing logins are
 * refused with a clear error, and that the health-check listener serves {@code $SYS} and nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MosquittoAccessIT {
    private static final Path MOSQUITTO_DIR = Path.of("..", "docker", "mosquitto").toAbsolutePath().normalize();
    private static final String GATEWAY_PASSWORD = "gw-" + UUID.randomUUID();
    private static final String SIMULATOR_PASSWORD = "sim-" + UUID.randomUUID();
    /** MQTT 5 reason code "Not authorized". */
    private static final int NOT_AUTHORIZED = 0x87;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(MosquittoAccessIT.class);

    private Path dir;

    private Process mosquitto;
    private Path log;
    private int plantPort;
    private int healthPort;
    private EmbeddedKafka kafka;
    private Gateway gateway;
    private AlertPublisher alerts;
    private KafkaConsumer<String, ReadingRecord> readings;
    private final List<ReadingRecord> read = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        Optional<Path> binary = binary("mosquitto");
        if (binary.isEmpty() || binary("mosquitto_passwd").isEmpty()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("mosquitto not found: the test command must install Debian's mosquitto package (apt-get install -y mosquitto)");
            }
            Assumptions.abort("mosquitto not found; apt-get install -y mosquitto to run the compose broker's access test");
        }
        plantPort = freePort();
        healthPort = freePort();
        Path data = Files.createDirectories(dir.resolve("data"));
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, composeConfig());
        log = dir.resolve("mosquitto.log");
        ProcessBuilder pb = new ProcessBuilder("sh", MOSQUITTO_DIR.resolve("start.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("MOSQUITTO_CONFIG_DIR", MOSQUITTO_DIR.toString());
        env.put("MOSQUITTO_DATA_DIR", data.toString());
        env.put("MOSQUITTO_CONF", conf.toString());
        env.put("LOOPFLOW_GATEWAY_MQTT_PASSWORD", GATEWAY_PASSWORD);
        env.put("LOOPFLOW_SIMULATOR_MQTT_PASSWORD", SIMULATOR_PASSWORD);
        env.put("PATH", binary.get().getParent() + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        mosquitto = pb.start();
        await().atMost(WAIT).until(() -> listening(plantPort) && listening(healthPort));

        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 2);
        // As in docker-compose.yml: a gateway of the share group, logged in as user gateway.
        gateway = new Gateway(GatewayConfig.defaults(plantUri(), kafka.bootstrapServers()).withClientId("compose-gateway")
                .withLogin(new MqttLogin("gateway", GATEWAY_PASSWORD)), new SimpleMeterRegistry());
        gateway.start();
        alerts = new AlertPublisher(AlertPublisherConfig.defaults(plantUri(), kafka.bootstrapServers()).withClientId("compose-gateway-alerts")
                .withLogin(new MqttLogin("gateway", GATEWAY_PASSWORD)), new SimpleMeterRegistry());
        alerts.start();

        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        readings = new KafkaConsumer<>(p, Topics.READINGS.keySerde().deserializer(), Topics.READINGS.valueSerde().deserializer());
        readings.subscribe(List.of(Topics.READINGS.name()));
    }

    @AfterAll
    void stop() throws Exception {
        if (readings != null) {
            readings.close();
        }
        if (alerts != null) {
            alerts.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (mosquitto != null) {
            mosquitto.destroy();
            mosquitto.waitFor();
            LOG.info("mosquitto's log:\n{}", Files.readString(log));
        }
    }

    @Test
    void siteUserPublishesUnderItsOwnSiteAndTheGatewayCarriesItToKafka() throws Exception {
        MqttAsyncClient asnaes = connect("asnaes", "change-me-asnaes");
        meter(asnaes, "asnaes", "steam-out");

        IMqttToken ack = reading(asnaes, "asnaes", "steam-out", 11.5);

        assertThat(ack.getReasonCodes()).containsOnly(0);
        ReadingRecord r = awaitReading("asnaes", "steam-out");
        assertThat(r.value()).isEqualTo(11.5);
        close(asnaes);
    }

    @Test
    void siteUserCannotPublishForAnotherSite() throws Exception {
        MqttAsyncClient asnaes = connect("asnaes", "change-me-asnaes");
        MqttAsyncClient gyproc = connect("gyproc", "change-me-gyproc");
        meter(gyproc, "gyproc", "gypsum-in");

        IMqttToken forged = reading(asnaes, "gyproc", "gypsum-in", 666);
        IMqttToken own = reading(gyproc, "gyproc", "gypsum-in", 40);

        assertThat(forged.getReasonCodes()).as("PUBACK of a reading published for another site").containsOnly(NOT_AUTHORIZED);
        assertThat(own.getReasonCodes()).containsOnly(0);
        // The gateway has the site's own reading, published after the forged one, and never the forged one.
        assertThat(awaitReading("gyproc", "gypsum-in").value()).isEqualTo(40);
        assertThat(read).filteredOn(r -> r.value() == 666).isEmpty();
        // Observed: the connection does not outlive a refused PUBLISH (Mosquitto logs the socket closing).
        close(asnaes);
        close(gyproc);
    }

    @Test
    void simulatorUserPublishesForEverySimulatedSite() throws Exception {
        MqttAsyncClient simulator = connect("simulator", SIMULATOR_PASSWORD);
        for (String site : List.of("novo-nordisk", "kemira")) {
            meter(simulator, site, "sim-meter");
            assertThat(reading(simulator, site, "sim-meter", 7).getReasonCodes()).containsOnly(0);
        }
        assertThat(awaitReading("novo-nordisk", "sim-meter").value()).isEqualTo(7);
        assertThat(awaitReading("kemira", "sim-meter").value()).isEqualTo(7);
        close(simulator);
    }

    @Test
    void wrongOrMissingLoginsAreRefused() {
        assertThatThrownBy(() -> connect("asnaes", "wrong")).isInstanceOf(MqttException.class)
                .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(NOT_AUTHORIZED));
        assertThatThrownBy(() -> connect("", "")).as("anonymous on the plant listener").isInstanceOf(MqttException.class);

        Gateway refused = new Gateway(GatewayConfig.defaults(plantUri(), kafka.bootstrapServers()).withClientId("wrong-password")
                .withLogin(new MqttLogin("gateway", "wrong")), new SimpleMeterRegistry());
        assertThatThrownBy(refused::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("could not connect").hasMessageContaining("as user 'gateway'");
    }

    @Test
    void alertsReachTheSiteTheyConcernAndNoOtherSite() throws Exception {
        List<String> asnaesGot = new CopyOnWriteArrayList<>();
        List<String> gyprocGot = new CopyOnWriteArrayList<>();
        MqttAsyncClient asnaes = connect("asnaes", "change-me-asnaes");
        MqttAsyncClient gyproc = connect("gyproc", "change-me-gyproc");
        IMqttToken own = subscribe(asnaes, InboundTopic.alerts("asnaes"), (t, m) -> asnaesGot.add(t));
        IMqttToken foreign = subscribe(gyproc, InboundTopic.alerts("asnaes"), (t, m) -> gyprocGot.add(t));
        subscribe(gyproc, InboundTopic.alerts("gyproc"), (t, m) -> gyprocGot.add(t));

        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        produceAlert(new AlertRecord("surplus/asnaes/gypsum/1", AlertRecord.Type.SURPLUS_AVAILABLE, "asnaes", "gypsum", null,
                120.0, 100.0, null, now, "120 t of gypsum available at asnaes"));
        produceAlert(new AlertRecord("surplus/gyproc/paper/1", AlertRecord.Type.SURPLUS_AVAILABLE, "gyproc", "paper", null,
                5.0, 1.0, null, now, "5 t of paper available at gyproc"));

        assertThat(own.getGrantedQos()).containsOnly(1);
        // Mosquitto 2.0.11 grants a subscription the ACL does not allow to read (SUBACK QoS 1, not 0x87) and
        // checks the ACL on each delivery instead: gyproc's subscription to asnaes' alerts stays empty.
        assertThat(foreign.getGrantedQos()).containsOnly(1);
        await().atMost(WAIT).until(() -> !asnaesGot.isEmpty() && !gyprocGot.isEmpty());
        // The broker sends one PUBLISH to all matching subscriptions at once: once asnaes has its alert, a copy
        // for gyproc would have been sent too.
        assertThat(asnaesGot).containsOnly(InboundTopic.alerts("asnaes"));
        assertThat(gyprocGot).containsOnly(InboundTopic.alerts("gyproc"));
        close(asnaes);
        close(gyproc);
    }

    @Test
    void anAlertTheBrokerRefusesIsPublishedAgainAndNeverCommitted() throws Exception {
        // A publisher whose user may not write gyproc's alerts topic (asnaes may write only under its own site).
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        String group = "refused-alerts-" + UUID.randomUUID();
        AlertPublisher refused = new AlertPublisher(AlertPublisherConfig.defaults(plantUri(), kafka.bootstrapServers())
                .withClientId("asnaes-as-alert-publisher").withGroupId(group).withLogin(new MqttLogin("asnaes", "change-me-asnaes")),
                registry);
        refused.start();
        try {
            produceAlert(new AlertRecord("surplus/gyproc/paper/2", AlertRecord.Type.SURPLUS_AVAILABLE, "gyproc", "paper", null,
                    6.0, 1.0, null, Instant.now().truncatedTo(ChronoUnit.SECONDS), "6 t of paper available at gyproc"));

            await().atMost(WAIT).until(() -> registry.counter("loopflow.alerts.mqtt.retries").count() >= 2);
            assertThat(registry.counter("loopflow.alerts.mqtt.published").count()).isZero();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values())
                        .as("offsets committed by a publisher whose alerts the broker refused").allMatch(o -> o == null);
            }
        } finally {
            refused.close();
        }
    }

    @Test
    void simulatorLoggedInAsOneSiteStopsAtStartNamingTheRefusal() {
        Simulator simulator = new Simulator(SimulatorConfig.realTime(plantUri()).withLogin(new MqttLogin("asnaes", "change-me-asnaes")),
                new KalundborgScenario(), Clock.systemUTC());
        try {
            assertThatThrownBy(simulator::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("refused the descriptor").hasMessageContaining("as user 'asnaes'")
                    .hasMessageContaining("0x87 not authorized");
        } finally {
            simulator.close();
        }
    }

    @Test
    void healthCheckListenerServesSysTopicsAndNothingElse() throws Exception {
        MqttAsyncClient probe = client("tcp://127.0.0.1:" + healthPort, "health-probe", "", "");
        List<String> got = new CopyOnWriteArrayList<>();
        subscribe(probe, "$SYS/broker/uptime", (t, m) -> got.add(t));
        subscribe(probe, "loopflow/v1/#", (t, m) -> got.add(t));
        MqttAsyncClient forger = client("tcp://127.0.0.1:" + healthPort, "health-forger", "", "");

        IMqttToken forged = reading(forger, "asnaes", "condensate", 1);
        MqttAsyncClient asnaes = connect("asnaes", "change-me-asnaes");
        meter(asnaes, "asnaes", "condensate");
        reading(asnaes, "asnaes", "condensate", 2);

        assertThat(forged.getReasonCodes()).containsOnly(NOT_AUTHORIZED);
        // Published after the forged reading and the subscription: when the gateway has it, the probe would have too.
        assertThat(awaitReading("asnaes", "condensate").value()).isEqualTo(2);
        await().atMost(WAIT).until(() -> got.contains("$SYS/broker/uptime"));
        assertThat(got).as("an anonymous client of the health listener reads $SYS only").containsOnly("$SYS/broker/uptime");
        close(probe);
        close(forger);
        close(asnaes);
    }

    /** The compose broker's configuration with only paths and ports changed for this machine. */
    private String composeConfig() throws IOException {
        String conf = Files.readString(MOSQUITTO_DIR.resolve("mosquitto.conf"));
        assertThat(conf).contains("listener 1883\n", "listener 1884 127.0.0.1\n", "persistence_location /mosquitto/data/",
                "password_file /mosquitto/data/passwd", "acl_file /mosquitto/config/acl\n", "acl_file /mosquitto/config/acl-internal\n");
        String local = conf.replace("listener 1883\n", "listener " + plantPort + " 127.0.0.1\n")
                .replace("listener 1884 127.0.0.1\n", "listener " + healthPort + " 127.0.0.1\n")
                .replace("/mosquitto/data/", dir.resolve("data") + "/")
                .replace("/mosquitto/config/", MOSQUITTO_DIR + "/");
        // Started as root (CI), Mosquitto would switch to its own user, which cannot read this test's temp dir.
        return local + "\nuser " + System.getProperty("user.name") + "\n";
    }

    private String plantUri() {
        return "tcp://127.0.0.1:" + plantPort;
    }

    private MqttAsyncClient connect(String user, String password) throws MqttException {
        return client(plantUri(), "it-" + user + "-" + UUID.randomUUID(), user, password);
    }

    private static MqttAsyncClient client(String uri, String id, String user, String password) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(uri, id, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setConnectionTimeout(10);
        new MqttLogin(user, password).applyTo(o);
        c.connect(o).waitForCompletion(WAIT.toMillis());
        return c;
    }

    private static void close(MqttAsyncClient c) throws MqttException {
        if (c.isConnected()) {
            c.disconnect().waitForCompletion(WAIT.toMillis());
        }
        c.close();
    }

    private static void meter(MqttAsyncClient c, String site, String meter) throws MqttException {
        c.publish(InboundTopic.meterMeta(site, meter), new MqttMessage(
                "{\"material\":\"steam\",\"role\":\"out.reuse\",\"kind\":\"counter\",\"unit\":\"MWh\"}".getBytes(StandardCharsets.UTF_8), 1, true, null))
                .waitForCompletion(WAIT.toMillis());
    }

    private static IMqttToken reading(MqttAsyncClient c, String site, String meter, double value) throws MqttException {
        MqttMessage m = new MqttMessage(("{\"ts\":\"" + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "\",\"value\":" + value + "}")
                .getBytes(StandardCharsets.UTF_8), 1, false, null);
        IMqttToken token = c.publish(InboundTopic.reading(site, meter), m);
        token.waitForCompletion(WAIT.toMillis());
        return token;
    }

    private static IMqttToken subscribe(MqttAsyncClient c, String filter, IMqttMessageListener listener) throws MqttException {
        IMqttToken token = c.subscribe(new MqttSubscription[] {new MqttSubscription(filter, 1)}, null, null,
                new IMqttMessageListener[] {listener}, null);
        token.waitForCompletion(WAIT.toMillis());
        return token;
    }

    private void produceAlert(AlertRecord alert) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, AlertRecord> producer = new KafkaProducer<>(p, Topics.ALERTS.keySerde().serializer(),
                Topics.ALERTS.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(Topics.ALERTS.name(), alert.id(), alert));
        }
    }

    private ReadingRecord awaitReading(String site, String meter) {
        return await().atMost(WAIT).until(() -> {
            readings.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
            return read.stream().filter(r -> r.site().equals(site) && r.meter().equals(meter)).reduce((a, b) -> b);
        }, Optional::isPresent).orElseThrow();
    }

    private static Optional<Path> binary(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(":")).filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)),
                Stream.of(Path.of("/usr/sbin", name), Path.of("/usr/bin", name))).filter(Files::isExecutable).findFirst();
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return s.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
