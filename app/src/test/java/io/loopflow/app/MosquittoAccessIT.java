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
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
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
 * {@code docker/mosquitto/start.sh} with the repository's {@code mosquitto.conf}, {@code acl}, {@code acl-services},
 * {@code acl-internal}, the plants' users and secrets written by {@code docker/make-env.sh} and a certificate made by
 * {@code docker/tls/make-trial-ca.sh} (only paths and ports rewritten, listeners on 127.0.0.1). Proves that a site's
 * user publishes only under its own site and reads only its own alerts; that the gateway logs in as {@code gateway}
 * on the services' listener with {@code --mqtt-username/--mqtt-password} and reads everything into Kafka; that a
 * plant connecting with the gateway's client id cannot take its session; that its alert publisher may write every
 * site's alerts; that the simulator's user exists only while its profile's login service runs; that plants connect
 * over TLS with the trial CA and not without it; that wrong or missing logins, and logins on the wrong listener, are
 * refused with a clear error; and that the health-check listener serves {@code $SYS} and nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MosquittoAccessIT {
    private static final Path DOCKER_DIR = Path.of("..", "docker").toAbsolutePath().normalize();
    private static final Path MOSQUITTO_DIR = DOCKER_DIR.resolve("mosquitto");
    /** MQTT 5 reason code "Not authorized". */
    private static final int NOT_AUTHORIZED = 0x87;
    /** MQTT 5 reason code "Bad user name or password". */
    private static final int BAD_LOGIN = 0x86;
    /** Seconds a profile login counts after its file was touched, and how often start.sh looks (compose: 30 and 5). */
    private static final int LEASE = 3;
    private static final int POLL = 1;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(MosquittoAccessIT.class);

    private Path dir;

    private Process mosquitto;
    private Path log;
    private int plantPort;
    private int tlsPort;
    private int servicesPort;
    private int healthPort;
    /** The secrets make-env.sh wrote to .env, and the plants' passwords it wrote to credentials. */
    private Map<String, String> secrets;
    private Map<String, String> plants;
    private Path tls;
    private Path profileLogins;
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
        // The operator's one step: secrets and the plants' users (make-env.sh), and a trial certificate.
        run(DOCKER_DIR.resolve("make-env.sh").toString(), "--no-trial-tls", "--env-file", dir.resolve(".env").toString(),
                "--credentials", dir.resolve("credentials").toString());
        secrets = keyValues(dir.resolve(".env"), '=');
        plants = keyValues(dir.resolve("credentials"), ':');
        tls = dir.resolve("tls");
        run(DOCKER_DIR.resolve("tls").resolve("make-trial-ca.sh").toString(), "--out", tls.toString());
        profileLogins = Files.createDirectories(dir.resolve("profile-logins"));

        Path data = Files.createDirectories(dir.resolve("data"));
        log = dir.resolve("mosquitto.log");
        // On a machine shared with other builds a free port may be taken before Mosquitto binds it: then new ports.
        for (int attempt = 1; ; attempt++) {
            mosquitto = startMosquitto(binary.get(), data);
            boolean up = await().atMost(WAIT).until(() -> !mosquitto.isAlive()
                    || listening(plantPort) && listening(tlsPort) && listening(servicesPort) && listening(healthPort), done -> done)
                    && mosquitto.isAlive();
            String output = Files.readString(log);
            if (up && !output.contains("Address already in use")) {
                break;
            }
            if (attempt == 3 || !output.contains("Address already in use")) {
                fail("mosquitto did not start:\n" + output);
            }
            LOG.warn("mosquitto found a port taken (attempt {}); trying other ports", attempt);
        }

        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 2);
        // As in docker-compose.yml: a gateway of the share group, logged in as user gateway on the services' listener,
        // with the compose file's client id.
        gateway = new Gateway(GatewayConfig.defaults(servicesUri(), kafka.bootstrapServers()).withClientId(GatewayConfig.DEFAULT_CLIENT_ID)
                .withLogin(gatewayLogin()), new SimpleMeterRegistry());
        gateway.start();
        alerts = new AlertPublisher(AlertPublisherConfig.defaults(servicesUri(), kafka.bootstrapServers())
                .withClientId(GatewayConfig.DEFAULT_CLIENT_ID + "-alerts").withLogin(gatewayLogin()), new SimpleMeterRegistry());
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
        MqttAsyncClient asnaes = plant("asnaes");
        meter(asnaes, "asnaes", "steam-out");

        IMqttToken ack = reading(asnaes, "asnaes", "steam-out", 11.5);

        assertThat(ack.getReasonCodes()).containsOnly(0);
        ReadingRecord r = awaitReading("asnaes", "steam-out");
        assertThat(r.value()).isEqualTo(11.5);
        close(asnaes);
    }

    @Test
    void siteUserCannotPublishForAnotherSite() throws Exception {
        MqttAsyncClient asnaes = plant("asnaes");
        MqttAsyncClient gyproc = plant("gyproc");
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
    void simulatorUserExistsOnlyWhileItsProfileHandsOverItsLogin() throws Exception {
        MqttLogin simulatorLogin = new MqttLogin("simulator", secrets.get("LOOPFLOW_SIMULATOR_MQTT_PASSWORD"));
        assertThat(simulatorLogin.password()).as("make-env.sh writes the simulator's password too").hasSizeGreaterThanOrEqualTo(32);
        assertThatThrownBy(() -> client(servicesUri(), "loopflow-simulator", simulatorLogin)).as("no simulator without its profile")
                .isInstanceOf(MqttException.class).satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isIn(NOT_AUTHORIZED, BAD_LOGIN));

        // What the simulator profile's simulator-login service runs.
        Process handing = profileLogin("simulator", simulatorLogin.password());
        MqttAsyncClient simulator;
        try {
            simulator = await().atMost(WAIT).ignoreExceptions().until(() -> client(servicesUri(), "loopflow-simulator", simulatorLogin), c -> true);
            for (String site : List.of("novo-nordisk", "kemira")) {
                meter(simulator, site, "sim-meter");
                assertThat(reading(simulator, site, "sim-meter", 7).getReasonCodes()).containsOnly(0);
            }
            assertThat(awaitReading("novo-nordisk", "sim-meter").value()).isEqualTo(7);
            assertThat(awaitReading("kemira", "sim-meter").value()).isEqualTo(7);
        } finally {
            // Killed, as a crashed or `docker kill`ed container would be: its login file stays until the lease ends.
            handing.destroyForcibly().waitFor();
        }

        // The lease runs out: start.sh rewrites the password file and Mosquitto, reloading it, drops the connection.
        await().atMost(WAIT).until(() -> !simulator.isConnected());
        assertThatThrownBy(() -> client(servicesUri(), "loopflow-simulator", simulatorLogin)).isInstanceOf(MqttException.class)
                .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isIn(NOT_AUTHORIZED, BAD_LOGIN));
        simulator.close();
        assertThat(gateway.connected()).as("the gateway's login survives the reloads").isTrue();
        assertThat(Files.readString(log)).contains("profile login 'simulator'", "password file reloaded");
    }

    @Test
    void plantUserCannotTakeTheGatewaysSessionWhileItReceivesAStream() throws Exception {
        String meter = "takeover-" + UUID.randomUUID().toString().substring(0, 8);
        MqttAsyncClient gyproc = plant("gyproc");
        meter(gyproc, "gyproc", meter);
        List<String> impostorGot = new CopyOnWriteArrayList<>();
        List<Boolean> sessionPresent = new ArrayList<>();
        int readings = 300;

        for (int i = 0; i < readings; i++) {
            assertThat(reading(gyproc, "gyproc", meter, i).getReasonCodes()).containsOnly(0);
            if (i % 50 == 25) {
                // A site's user asks for the gateway's client id and its session (clean start off).
                MqttAsyncClient impostor = new MqttAsyncClient(plantUri(), GatewayConfig.DEFAULT_CLIENT_ID, new MemoryPersistence());
                impostor.setCallback(new Recording(impostorGot));
                MqttConnectionOptions o = new MqttConnectionOptions();
                o.setCleanStart(false);
                o.setConnectionTimeout(10);
                new MqttLogin("asnaes", plants.get("asnaes")).applyTo(o);
                IMqttToken connected = impostor.connect(o);
                connected.waitForCompletion(WAIT.toMillis());
                sessionPresent.add(connected.getSessionPresent());
                // A round trip through the broker: whatever the impostor's session would be sent is sent by now.
                reading(gyproc, "gyproc", meter, -1);
                close(impostor);
                assertThat(gateway.connected()).as("the gateway's connection after the impostor's").isTrue();
            }
        }

        List<Double> values = await().atMost(WAIT).until(() -> {
            read.addAll(readings());
            return read.stream().filter(r -> r.meter().equals(meter) && r.value() >= 0).map(ReadingRecord::value).distinct().toList();
        }, v -> v.size() == readings);
        assertThat(values).containsExactlyInAnyOrderElementsOf(IntStream.range(0, readings).mapToObj(i -> (double) i).toList());
        // Mosquitto replaced the client id by the user name: each impostor got an empty session of its own.
        assertThat(sessionPresent).hasSize(6).containsOnly(false);
        assertThat(impostorGot).isEmpty();
        close(gyproc);
    }

    @Test
    void plantConnectsOverTlsWithTheTrialCaAndAClientWithoutItIsRefused() throws Exception {
        MqttAsyncClient trusted = new MqttAsyncClient(tlsUri(), "it-tls-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setConnectionTimeout(10);
        o.setSocketFactory(trusting(tls.resolve("ca").resolve("ca.crt")).getSocketFactory());
        new MqttLogin("asnaes", plants.get("asnaes")).applyTo(o);
        trusted.connect(o).waitForCompletion(WAIT.toMillis());
        meter(trusted, "asnaes", "tls-meter");

        assertThat(reading(trusted, "asnaes", "tls-meter", 8.25).getReasonCodes()).containsOnly(0);
        assertThat(awaitReading("asnaes", "tls-meter").value()).isEqualTo(8.25);
        close(trusted);

        // The JVM's own trust store does not know the trial CA.
        MqttAsyncClient untrusting = new MqttAsyncClient(tlsUri(), "it-untrusting-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectionOptions plain = new MqttConnectionOptions();
        plain.setConnectionTimeout(10);
        new MqttLogin("asnaes", plants.get("asnaes")).applyTo(plain);
        assertThatThrownBy(() -> untrusting.connect(plain).waitForCompletion(WAIT.toMillis())).isInstanceOf(MqttException.class)
                .hasRootCauseInstanceOf(CertPathBuilderException.class);
        untrusting.close();
    }

    @Test
    void wrongOrMissingLoginsAndLoginsOnTheWrongListenerAreRefused() {
        assertThatThrownBy(() -> connect("asnaes", "wrong")).isInstanceOf(MqttException.class)
                .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(NOT_AUTHORIZED));
        assertThatThrownBy(() -> connect("", "")).as("anonymous on the plant listener").isInstanceOf(MqttException.class);
        assertThatThrownBy(() -> client(plantUri(), "it-gateway-on-plants", gatewayLogin())).as("gateway on the plants' listener")
                .isInstanceOf(MqttException.class).satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isIn(NOT_AUTHORIZED, BAD_LOGIN));
        assertThatThrownBy(() -> client(servicesUri(), "it-asnaes-on-services", new MqttLogin("asnaes", plants.get("asnaes"))))
                .as("a plant on the services' listener").isInstanceOf(MqttException.class)
                .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isIn(NOT_AUTHORIZED, BAD_LOGIN));

        Gateway refused = new Gateway(GatewayConfig.defaults(servicesUri(), kafka.bootstrapServers()).withClientId("loopflow-wrong-password")
                .withLogin(new MqttLogin("gateway", "wrong")), new SimpleMeterRegistry());
        assertThatThrownBy(refused::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("could not connect").hasMessageContaining("as user 'gateway'");
    }

    @Test
    void startScriptRefusesMissingOrWeakSecretsAndMissingCertificates() throws Exception {
        String good = Files.readString(dir.resolve("credentials"));
        Map<String, String> env = Map.of("LOOPFLOW_GATEWAY_MQTT_PASSWORD", secrets.get("LOOPFLOW_GATEWAY_MQTT_PASSWORD"));

        assertThat(refusedStart(good + "gyproc-2:\n", env, tls)).contains("the password of user 'gyproc-2' is shorter than 12 characters");
        assertThat(refusedStart(good + "loopflow-gateway-1:" + "x".repeat(32) + "\n", env, tls))
                .contains("user 'loopflow-gateway-1' begins with 'loopflow-'");
        assertThat(refusedStart(good + "Asnaes:" + "x".repeat(32) + "\n", env, tls)).contains("user 'Asnaes' is not a site id");
        assertThat(refusedStart(null, env, tls)).contains("no plant users", "run docker/make-env.sh");
        assertThat(refusedStart(good, Map.of(), tls)).contains("LOOPFLOW_GATEWAY_MQTT_PASSWORD", "must be set");
        assertThat(refusedStart(good, Map.of("LOOPFLOW_GATEWAY_MQTT_PASSWORD", "short"), tls)).contains("shorter than 12 characters");
        assertThat(refusedStart(good, env, dir.resolve("no-tls"))).contains("no certificate for the plants' TLS listener", "make-trial-ca.sh");
    }

    /** Runs start.sh with {@code credentials} (null: none), {@code env} and TLS folder; returns its output once it failed. */
    private String refusedStart(String credentials, Map<String, String> env, Path tlsFolder) throws Exception {
        Path attempt = Files.createTempDirectory(dir, "refused");
        Path data = Files.createDirectories(attempt.resolve("data"));
        if (credentials != null) {
            Files.writeString(attempt.resolve("credentials"), credentials);
        }
        ProcessBuilder pb = new ProcessBuilder("sh", MOSQUITTO_DIR.resolve("start.sh").toString()).redirectErrorStream(true);
        Map<String, String> e = pb.environment();
        e.remove("LOOPFLOW_GATEWAY_MQTT_PASSWORD");
        e.put("MOSQUITTO_CONFIG_DIR", MOSQUITTO_DIR.toString());
        e.put("MOSQUITTO_DATA_DIR", data.toString());
        e.put("MOSQUITTO_CONF", dir.resolve("mosquitto.conf").toString());
        e.put("MOSQUITTO_CREDENTIALS", attempt.resolve("credentials").toString());
        e.put("MOSQUITTO_TLS_DIR", tlsFolder.resolve("mosquitto").toString());
        e.put("MOSQUITTO_PROFILE_LOGINS", attempt.resolve("profile-logins").toString());
        e.put("PATH", binary("mosquitto_passwd").orElseThrow().getParent() + ":" + e.getOrDefault("PATH", "/usr/bin:/bin"));
        e.putAll(env);
        Process p = pb.start();
        if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("start.sh did not refuse to start");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(data.resolve("passwd-services")).as("stopped before the broker's files were written").doesNotExist();
        return out;
    }

    @Test
    void alertsReachTheSiteTheyConcernAndNoOtherSite() throws Exception {
        List<String> asnaesGot = new CopyOnWriteArrayList<>();
        List<String> gyprocGot = new CopyOnWriteArrayList<>();
        MqttAsyncClient asnaes = plant("asnaes");
        MqttAsyncClient gyproc = plant("gyproc");
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
                .withClientId("asnaes-as-alert-publisher").withGroupId(group).withLogin(new MqttLogin("asnaes", plants.get("asnaes"))),
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
        Simulator simulator = new Simulator(SimulatorConfig.realTime(plantUri()).withLogin(new MqttLogin("asnaes", plants.get("asnaes"))),
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
        MqttAsyncClient probe = client("tcp://127.0.0.1:" + healthPort, "health-probe", MqttLogin.NONE);
        List<String> got = new CopyOnWriteArrayList<>();
        subscribe(probe, "$SYS/broker/uptime", (t, m) -> got.add(t));
        subscribe(probe, "loopflow/v1/#", (t, m) -> got.add(t));
        MqttAsyncClient forger = client("tcp://127.0.0.1:" + healthPort, "health-forger", MqttLogin.NONE);

        IMqttToken forged = reading(forger, "asnaes", "condensate", 1);
        MqttAsyncClient asnaes = plant("asnaes");
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

    /** Runs compose's start.sh on four new free ports, as the mosquitto service runs it. */
    private Process startMosquitto(Path binary, Path data) throws IOException {
        int[] ports = freePorts(4);
        plantPort = ports[0];
        tlsPort = ports[1];
        servicesPort = ports[2];
        healthPort = ports[3];
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, composeConfig());
        ProcessBuilder pb = new ProcessBuilder("sh", MOSQUITTO_DIR.resolve("start.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("MOSQUITTO_CONFIG_DIR", MOSQUITTO_DIR.toString());
        env.put("MOSQUITTO_DATA_DIR", data.toString());
        env.put("MOSQUITTO_CONF", conf.toString());
        env.put("MOSQUITTO_CREDENTIALS", dir.resolve("credentials").toString());
        env.put("MOSQUITTO_TLS_DIR", tls.resolve("mosquitto").toString());
        env.put("MOSQUITTO_PROFILE_LOGINS", profileLogins.toString());
        env.put("LOOPFLOW_PROFILE_LOGIN_LEASE", Integer.toString(LEASE));
        env.put("LOOPFLOW_PROFILE_LOGIN_POLL", Integer.toString(POLL));
        // As in docker-compose.yml: the mosquitto service gets the gateway's password, not the simulator's.
        env.put("LOOPFLOW_GATEWAY_MQTT_PASSWORD", secrets.get("LOOPFLOW_GATEWAY_MQTT_PASSWORD"));
        env.put("PATH", binary.getParent() + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        return pb.start();
    }

    /** The compose broker's configuration with only paths and ports changed for this machine. */
    private String composeConfig() throws IOException {
        String conf = Files.readString(MOSQUITTO_DIR.resolve("mosquitto.conf"));
        assertThat(conf).contains("listener 8883\n", "listener 1883\n", "listener 1885\n", "listener 1884 127.0.0.1\n",
                "persistence_location /mosquitto/data/", "password_file /mosquitto/data/passwd\n", "password_file /mosquitto/data/passwd-services\n",
                "acl_file /mosquitto/config/acl\n", "acl_file /mosquitto/config/acl-services\n", "acl_file /mosquitto/config/acl-internal\n",
                "certfile /mosquitto/data/tls/server.crt\n");
        String local = conf.replace("listener 8883\n", "listener " + tlsPort + " 127.0.0.1\n")
                .replace("listener 1883\n", "listener " + plantPort + " 127.0.0.1\n")
                .replace("listener 1885\n", "listener " + servicesPort + " 127.0.0.1\n")
                .replace("listener 1884 127.0.0.1\n", "listener " + healthPort + " 127.0.0.1\n")
                .replace("/mosquitto/data/", dir.resolve("data") + "/")
                .replace("/mosquitto/config/", MOSQUITTO_DIR + "/");
        // Started as root (CI), Mosquitto would switch to its own user, which cannot read this test's temp dir.
        return local + "\nuser " + System.getProperty("user.name") + "\n";
    }

    private String plantUri() {
        return "tcp://127.0.0.1:" + plantPort;
    }

    private String tlsUri() {
        return "ssl://127.0.0.1:" + tlsPort;
    }

    private String servicesUri() {
        return "tcp://127.0.0.1:" + servicesPort;
    }

    private MqttLogin gatewayLogin() {
        return new MqttLogin("gateway", secrets.get("LOOPFLOW_GATEWAY_MQTT_PASSWORD"));
    }

    /** A site's user, with the password make-env.sh gave it, on the plants' plain listener. */
    private MqttAsyncClient plant(String site) throws MqttException {
        assertThat(plants).containsKey(site);
        return connect(site, plants.get(site));
    }

    private MqttAsyncClient connect(String user, String password) throws MqttException {
        return client(plantUri(), "it-" + user + "-" + UUID.randomUUID(), new MqttLogin(user, password));
    }

    private static MqttAsyncClient client(String uri, String id, MqttLogin login) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(uri, id, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setConnectionTimeout(10);
        login.applyTo(o);
        try {
            c.connect(o).waitForCompletion(WAIT.toMillis());
        } catch (MqttException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Runs docker/mosquitto/profile-login.sh as compose's simulator-login service does, refreshing every second. */
    private Process profileLogin(String user, String password) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sh", MOSQUITTO_DIR.resolve("profile-login.sh").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("profile-login.log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("LOOPFLOW_PROFILE_LOGIN_USER", user);
        env.put("LOOPFLOW_PROFILE_LOGIN_PASSWORD", password);
        env.put("MOSQUITTO_PROFILE_LOGINS", profileLogins.toString());
        env.put("LOOPFLOW_PROFILE_LOGIN_REFRESH", "1");
        env.put("PATH", binary("mosquitto_passwd").orElseThrow().getParent() + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        return pb.start();
    }

    /** An SSL context that trusts {@code caFile} (PEM) and nothing else. */
    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry("loopflow-trial-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** Runs a script of docker/ and fails with its output unless it succeeds. */
    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ":\n" + out).isZero();
    }

    /** "key=value" (or "key:value") lines of a file, comments skipped. */
    private static Map<String, String> keyValues(Path file, char separator) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int at = line.indexOf(separator);
            if (!line.startsWith("#") && at > 0) {
                out.put(line.substring(0, at), line.substring(at + 1));
            }
        }
        return out;
    }

    /** Keeps the topics of the messages a client is sent. */
    private record Recording(List<String> topics) implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            topics.add(topic);
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
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
            read.addAll(readings());
            return read.stream().filter(r -> r.site().equals(site) && r.meter().equals(meter)).reduce((a, b) -> b);
        }, Optional::isPresent).orElseThrow();
    }

    /** What one poll of loopflow.readings brings. */
    private List<ReadingRecord> readings() {
        List<ReadingRecord> out = new ArrayList<>();
        readings.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
        return out;
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

    /** {@code n} different free ports: all held open at once, so none is handed out twice. */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
