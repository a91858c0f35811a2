package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up window of {@code loopflow local}, against the built jar run as a user runs it (in-memory MQTT
 * persistence, the default): a plant starts trying to connect before the process exists and publishes
 * numbered QoS 1 readings from its first successful CONNECT; every reading the broker acknowledged
 * (PUBACK reason code below 0x80) must be on {@code loopflow.readings}. Then the process is killed with
 * SIGKILL and started again on the same data directory and ports, with a new plant trying from before the
 * restart, and the same must hold. Readings are counted one by one, not sampled. Failsafe runs after
 * {@code package}, so the jar exists; if it does not, the test fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalStartupJarIT {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStartupJarIT.class);
    private static final Path JAR = Path.of("target", "loopflow.jar");
    private static final Duration START_WAIT = Duration.ofMinutes(3);
    private static final int READINGS = 3_000;
    private static final Pattern OPEN = Pattern.compile("MQTT broker open to plants on \\S+: the gateway is subscribed \\((\\d+) ms after the start\\)");

    @TempDir
    Path work;
    private Process process;
    private Path output;
    private int mqttPort;
    private int kafkaPort;

    @AfterEach
    void killIfStillRunning() throws InterruptedException {
        if (process != null && process.isAlive()) {
            // Waited for, so that the temporary directory is not deleted under a process still writing to it: after
            // each test, since JUnit deletes the test's @TempDir before any @AfterAll method runs.
            process.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyReadingAcknowledgedFromTheFirstInstantIsOnKafkaAlsoAfterASigkillAndARestart() throws Exception {
        assertThat(JAR).as("the shaded jar, built by `mvn package`").isRegularFile();
        mqttPort = freePort();
        kafkaPort = freePort();

        // given a plant already trying when the process starts; then the process killed and started again
        Phase first = startWithAPlantTrying("first start", "startup1");
        process.destroyForcibly();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("killed").isTrue();
        assertThat(process.exitValue()).as("137 = 128 + SIGKILL").isEqualTo(137);
        Phase second = startWithAPlantTrying("restart after SIGKILL", "startup2");

        // then both plants were refused before the gateway was subscribed, never acknowledged and dropped
        for (Phase p : new Phase[] {first, second}) {
            assertThat(p.refusals()).as(p.name() + ": the plant was refused (CONNACK 0x88) while the gateway was not subscribed")
                    .containsKey("CONNACK 0x88");
            assertThat(p.acknowledged()).as(p.name() + ": readings acknowledged").hasSize(READINGS);
            assertThat(p.missing()).as(p.name() + ": acknowledged readings missing on loopflow.readings").isEmpty();
        }
    }

    private record Phase(String name, Map<String, Long> refusals, Set<Long> acknowledged, Set<Long> missing) {
    }

    private Phase startWithAPlantTrying(String name, String site) throws Exception {
        try (NumberedPlant plant = new NumberedPlant("tcp://127.0.0.1:" + mqttPort, "plant-" + site, site, "m1", READINGS)) {
            long t0 = System.nanoTime();
            startTheJar(name);
            await().atMost(START_WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
                assertThat(process.isAlive()).as("loopflow local exited early:\n" + log()).isTrue();
                return plant.done();
            });
            Set<Long> acknowledged = plant.acknowledged();
            Set<Long> missing = new HashSet<>(acknowledged);
            String bootstrap = "127.0.0.1:" + kafkaPort;
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                missing.removeAll(NumberedPlant.seqsOnKafka(bootstrap, site, "m1"));
                return missing.isEmpty();
            });
            Matcher open = OPEN.matcher(log());
            LOG.info("{}: plant's first CONNECT accepted {} ms after the process was started (LocalMode admitted plants {} ms after "
                            + "its start); refused before: {}; {} readings published, {} acknowledged, {} of them missing on Kafka",
                    name, TimeUnit.NANOSECONDS.toMillis(plant.firstConnectedAt() - t0), open.find() ? open.group(1) : "?",
                    plant.refusals(), plant.published(), acknowledged.size(), missing.size());
            return new Phase(name, plant.refusals(), acknowledged, Set.copyOf(missing));
        }
    }

    private void startTheJar(String name) throws IOException {
        output = work.resolve(name.replace(' ', '-') + ".out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-Xmx1g", "-jar", JAR.toAbsolutePath().toString(), "local",
                "--mqtt-port", String.valueOf(mqttPort), "--kafka-port", String.valueOf(kafkaPort), "--http-port", "0",
                "--data-dir", work.resolve("data").toString(), "--mqtt-persistence", "memory")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
    }

    private String log() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
