package io.loopflow.app;

import static io.loopflow.app.HandComputedScenario.KPI_WINDOW;
import static io.loopflow.app.HandComputedScenario.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.json.Json;
import io.loopflow.core.model.KpiRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built jar as a user runs it: {@code java -jar target/loopflow.jar local} on free ports with
 * short windows; a plain Paho client publishes {@link HandComputedScenario}; the key figures are
 * read back over {@code GET /api/kpis}; then the process gets SIGTERM and must stop cleanly.
 * Failsafe runs after {@code package}, so the jar exists; if it does not, the test fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoopflowJarIT {
    private static final Logger LOG = LoggerFactory.getLogger(LoopflowJarIT.class);
    private static final Path JAR = Path.of("target", "loopflow.jar");
    private static final Duration START_WAIT = Duration.ofMinutes(3);

    private Process process;
    private Path output;
    private String mqttUri;
    private String apiUrl;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void startTheJar(@TempDir Path workDir) throws IOException {
        assertThat(JAR).as("the shaded jar, built by `mvn package`").isRegularFile();
        output = workDir.resolve("loopflow.out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-Xmx1g", "-jar", JAR.toAbsolutePath().toString(), "local",
                "--mqtt-port", "0", "--kafka-port", "0", "--http-port", "0",
                "--data-dir", workDir.resolve("data").toString(),
                "--flow-window", "1m", "--kpi-windows", "2m", "--grace", "0s", "--idle-timeout", "5s")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();

        await().atMost(START_WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(process.isAlive()).as("loopflow local exited early:\n" + log()).isTrue();
            return log().contains("LoopFlow local started in");
        });
        String log = log();
        mqttUri = find(log, "MQTT broker:\\s+(tcp://127\\.0\\.0\\.1:\\d+)");
        apiUrl = find(log, "HTTP API:\\s+(http://127\\.0\\.0\\.1:\\d+/api)");
        LOG.info("loopflow.jar: {}", find(log, "(LoopFlow local started in \\d+ ms)"));
    }

    @AfterAll
    void killIfStillRunning() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    @Order(1)
    void reportsHealthUp() throws Exception {
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
    }

    @Test
    @Order(1)
    void printsTheLivePageUrlAndServesThePageChartsAndMetricsFromTheJar() throws Exception {
        String page = find(log(), "Live page:\\s+(http://127\\.0\\.0\\.1:\\d+/)");
        HttpResponse<String> html = HTTP.send(HttpRequest.newBuilder(URI.create(page)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.body()).contains("<title>LoopFlow live</title>");
        for (String file : new String[] {"vendor/echarts/echarts.min.js", "assets/app.js", "assets/format.js", "assets/app.css"}) {
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(page + file)).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).as(file).isEqualTo(200);
        }
        HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create(page + "metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(PrometheusText.parse(metrics.body()).types()).containsEntry("loopflow_gateway_readings_accepted_total", "counter");
    }

    @Test
    @Order(2)
    void servesTheHandComputedKeyFiguresOverHttp() throws Exception {
        // given descriptors and readings published by a plain MQTT client
        MqttClient plant = HandComputedScenario.connect(mqttUri, "plant-jar-it");
        try {
            HandComputedScenario.publishDescriptors(plant);
            HandComputedScenario.publishReadings(plant);
        } finally {
            plant.disconnect();
            plant.close();
        }

        // when the windows have closed (grace 0, idle timeout 5 s)
        KpiRecord s1 = awaitFinal("?site=s1&material=gypsum&window=" + KPI_WINDOW, "site");
        KpiRecord r1 = awaitFinal("?region=r1&scope=region&material=gypsum&window=" + KPI_WINDOW, "region");

        // then the API serves the figures worked out by hand
        assertThat(s1.windowStart()).isEqualTo(T0);
        assertThat(s1.sums().outReuse()).isCloseTo(12, within(1e-9));
        assertThat(s1.sums().outDisposal()).isCloseTo(1.35, within(1e-9));
        assertThat(s1.recyclingRate()).isCloseTo(HandComputedScenario.S1_RECYCLING, within(1e-9));
        assertThat(s1.circularInputRate()).isNull();
        assertThat(r1.region()).isEqualTo("r1");
        assertThat(r1.sums().inSecondary()).isCloseTo(9, within(1e-9));
        assertThat(r1.sums().inVirgin()).isCloseTo(5, within(1e-9));
        assertThat(r1.circularInputRate()).isCloseTo(HandComputedScenario.S2_CIRCULAR, within(1e-9));
        assertThat(r1.landfillRate()).isCloseTo(HandComputedScenario.S1_LANDFILL, within(1e-9));
    }

    @Test
    @Order(3)
    void stopsCleanlyOnSigterm() throws Exception {
        // when the process is asked to stop the way Ctrl-C or a service manager does (SIGTERM)
        process.destroy();

        // then it stops within a minute, having closed every component through its shutdown hook
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
        String log = log();
        // 143 = 128 + SIGTERM: the JVM's exit status after a signal, once its shutdown hooks have run.
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(log).contains("Stopping LoopFlow local", "LoopFlow local stopped");
        assertThat(log.lines().filter(l -> l.contains(" ERROR ")).toList()).as("no ERROR line").isEmpty();
    }

    private KpiRecord awaitFinal(String query, String scope) {
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> response = get("/kpis" + query);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            List<KpiRecord> records = Arrays.asList(Json.MAPPER.readValue(response.body(), KpiRecord[].class));
            return records.stream().filter(k -> scope.equals(k.scope()) && k.isFinal() && T0.equals(k.windowStart())).findFirst();
        }, Optional::isPresent).orElseThrow();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + path)).timeout(Duration.ofSeconds(10)).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private String log() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("output line matching " + regex + " in:\n" + text).isTrue();
        return m.group(1);
    }
}
