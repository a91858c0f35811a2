package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.loopflow.app.simulate.KalundborgScenario;
import io.loopflow.app.simulate.Publication;
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
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loopflow import} end to end, as README.md's "Importing history" has a facilitator do it: the built jar
 * runs {@code loopflow local} (free ports, calendar days of Europe/Copenhagen as with {@code --simulate}, a long
 * restate horizon so the README's dates stay importable); a plant publishes the simulated region's asnaes site,
 * its fly-ash material and the README's weighbridge meter over MQTT; the jar imports the README's ticket file and
 * prints the summary the README shows; the API serves the days' figures the README states (73.32 t and 51.2 t to
 * landfill, {@code landfillRate} 1). Then Ctrl-C (SIGTERM) in the middle of a larger import commits what it read
 * and says so, and the same command carries on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImportJarIT {
    private static final Duration START_WAIT = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** 23 and 24 November 2026 in Europe/Copenhagen (UTC+1). */
    private static final Instant DAY_23 = Instant.parse("2026-11-22T23:00:00Z");
    private static final Instant DAY_24 = Instant.parse("2026-11-23T23:00:00Z");

    private Path dir;
    private Process local;
    private Path localOut;
    private String kafka;
    private String apiUrl;

    @BeforeAll
    void startLoopflowLocalFromTheJar(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        assertThat(ImportJar.JAR).as("the shaded jar, built by `mvn package`").isRegularFile();
        localOut = dir.resolve("local.out");
        local = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-jar",
                ImportJar.JAR.toAbsolutePath().toString(), "local", "--mqtt-port", "0", "--kafka-port", "0", "--http-port", "0",
                "--data-dir", dir.resolve("data").toString(), "--time-zone", "Europe/Copenhagen", "--restate-horizon", "3650d",
                "--grace", "0s", "--idle-timeout", "5s")
                .redirectErrorStream(true).redirectOutput(localOut.toFile()).start();
        await().atMost(START_WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(local.isAlive()).as("loopflow local exited early:\n" + log()).isTrue();
            return log().contains("LoopFlow local started in");
        });
        String log = log();
        kafka = find(log, "Kafka bootstrap:\\s+(127\\.0\\.0\\.1:\\d+)");
        apiUrl = find(log, "HTTP API:\\s+(http://127\\.0\\.0\\.1:\\d+/api)");
        String mqtt = find(log, "MQTT broker:\\s+(tcp://127\\.0\\.0\\.1:\\d+)");

        // the simulated region's asnaes site and fly-ash material, and the README's weighbridge meter
        MqttClient plant = HandComputedScenario.connect(mqtt, "plant-import-jar-it");
        try {
            for (Publication p : new KalundborgScenario().descriptors()) {
                if (p.topic().equals("loopflow/v1/asnaes/site") || p.topic().equals("loopflow/v1/materials/fly-ash")) {
                    publishRetained(plant, p.topic(), p.payloadText());
                }
            }
            Matcher meter = Pattern.compile("mosquitto_pub .* -t '(loopflow/v1/asnaes/meters/fly-ash-landfill/meta)' -m '([^']*)'")
                    .matcher(Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8));
            assertThat(meter.find()).as("the weighbridge meter in README.md").isTrue();
            publishRetained(plant, meter.group(1), meter.group(2));
        } finally {
            plant.disconnect();
            plant.close();
        }
    }

    @AfterAll
    void stopLocal() throws InterruptedException {
        if (local != null && local.isAlive()) {
            local.destroy();
            if (!local.waitFor(60, TimeUnit.SECONDS)) {
                local.destroyForcibly();
            }
        }
    }

    @Test
    @Order(1)
    void importsTheReadmesTicketsAndTheApiServesTheDaysFigures() throws Exception {
        // given the README's ticket file
        Path tickets = Files.writeString(dir.resolve("fly-ash-tickets.csv"), ReadmeImportExamplesTest.csvExamples().get(0));

        // when it is imported as the README shows
        ImportJar.Run run = ImportJar.run(dir, "--kafka-bootstrap", kafka, tickets.toString());

        // then the summary is the README's, and the days' figures are served
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).containsPattern("fly-ash-tickets\\.csv: 5 rows imported in \\d+\\.\\d s \\(\\d+ rows/s\\): "
                + "5 readings accepted, 0 rejected");
        assertThat(Files.readString(Path.of("..", "README.md"))).containsPattern("fly-ash-tickets\\.csv: 5 rows imported in \\d+\\.\\d s \\(\\d+ rows/s\\): "
                + "5 readings accepted, 0 rejected");
        Map<Instant, KpiRecord> days = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(apiUrl + "/kpis?site=asnaes&material=fly-ash&window=P1D"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return Arrays.stream(Json.MAPPER.readValue(response.body(), KpiRecord[].class)).filter(KpiRecord::isFinal)
                    .collect(Collectors.toMap(KpiRecord::windowStart, k -> k, (a, b) -> a.revision() >= b.revision() ? a : b));
        }, d -> d.containsKey(DAY_23) && d.containsKey(DAY_24)
                && Math.abs(d.get(DAY_23).sums().outDisposal() - 73.32) < 1e-9 && Math.abs(d.get(DAY_24).sums().outDisposal() - 51.2) < 1e-9);
        for (KpiRecord day : List.of(days.get(DAY_23), days.get(DAY_24))) {
            assertThat(day.timeZone()).isEqualTo("Europe/Copenhagen");
            assertThat(day.landfillRate()).isCloseTo(1.0, within(1e-12));
            assertThat(day.recyclingRate()).isCloseTo(0.0, within(1e-12));
            assertThat(day.unit()).isEqualTo("t");
        }

        // and a second import of the same file writes nothing
        ImportJar.Run again = ImportJar.run(dir, "--kafka-bootstrap", kafka, tickets.toString());
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output()).contains("fly-ash-tickets.csv: already imported", "nothing written. 5 readings accepted, 0 rejected in all");
    }

    @Test
    @Order(2)
    void ctrlCCommitsWhatWasReadAndTheSameCommandCarriesOn() throws Exception {
        // given a year of hourly tickets, imported at 500 rows a second
        StringBuilder text = new StringBuilder("site,meter,ts,value\n");
        Instant start = Instant.parse("2025-01-01T00:30:00Z");
        for (int i = 0; i < 8760; i++) {
            text.append("asnaes,fly-ash-landfill,").append(start.plus(Duration.ofHours(i))).append(",1\n");
        }
        Path year = Files.writeString(dir.resolve("fly-ash-2025.csv"), text);
        Path out = dir.resolve("interrupted.out");
        Process p = ImportJar.start(out, "--kafka-bootstrap", kafka, "--max-rate", "500", year.toString());
        await().atMost(Duration.ofSeconds(90)).until(() -> Files.readString(out).contains("fly-ash-2025.csv: imported"));

        // when it gets SIGTERM, as from Ctrl-C
        p.destroy();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // then it has committed the rows it read and says how to carry on
        String said = Files.readString(out);
        Matcher stopped = Pattern.compile("fly-ash-2025\\.csv: stopped after row ([\\d,]+) of 8,760; rows 1 to \\1 are written").matcher(said);
        assertThat(stopped.find()).as(said).isTrue();
        assertThat(said).contains("Run the same command again to carry on");

        // and the same command carries on after them
        ImportJar.Run rest = ImportJar.run(dir, "--kafka-bootstrap", kafka, year.toString());
        assertThat(rest.exit()).as(rest.output()).isZero();
        assertThat(rest.output()).contains("fly-ash-2025.csv: carried on after row " + stopped.group(1) + " (written by an earlier run)",
                "in all: 8,760 readings accepted, 0 rejected");
    }

    private static void publishRetained(MqttClient client, String topic, String payload) throws Exception {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        m.setRetained(true);
        client.publish(topic, m);
    }

    private String log() throws IOException {
        return Files.readString(localOut, StandardCharsets.UTF_8);
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("output line matching " + regex + " in:\n" + text).isTrue();
        return m.group(1);
    }
}
