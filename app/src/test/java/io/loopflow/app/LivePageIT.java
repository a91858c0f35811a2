package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.app.simulate.KalundborgScenario;
import io.loopflow.core.Topics;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.AlertRecord;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' live page of {@code loopflow local --simulate} in a real headless chromium: one local stack
 * (embedded HiveMQ CE and Kafka, gateway, stream processor, the Kalundborg simulator with 10 minutes of backfill)
 * and one browser for the class. The page loads without a console error; its Sankey diagrams hold the flows of the
 * API between the named plants with the scenario's totals; a surplus alert caused during the test appears without
 * a reload; a rejected message's reason and detail appear in the health panel. Also, on the same stack: the HTTP
 * API answers within a second while 100 slow connections are open, and {@code /metrics} parses as Prometheus text
 * with counters that move as readings arrive. A screenshot is kept in {@code target/live-page.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LivePageIT {
    private static final Logger LOG = LoggerFactory.getLogger(LivePageIT.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Path SCREENSHOT = Path.of("target", "live-page.png");
    private static final Path SCREENSHOT_AFTER = Path.of("target", "live-page-after-tests.png");

    @TempDir
    static Path dir;
    private LocalMode local;
    private WebDriver browser;
    private final List<LogEntry> console = new ArrayList<>();

    @BeforeAll
    void start() throws IOException {
        Browser.require();
        LocalConfig config = new LocalConfig(0, 0, 0, dir.resolve("loopflow"), Duration.ofMinutes(1), List.of(Duration.ofHours(1)),
                Duration.ofSeconds(5), Duration.ofMinutes(15), MqttPersistence.MEMORY, 1, Duration.ofSeconds(30), true, 0,
                Duration.ofMinutes(10));
        local = LocalMode.start(config);
        browser = Browser.start(dir.resolve("chromium-profile"), 1400, 3000);
        // The page asks for data once the server's view has read its topics.
        await().atMost(Duration.ofSeconds(60)).until(() -> json("/api/health").path("view").asText().equals("READY"));
    }

    @AfterAll
    void stop() throws IOException {
        if (browser != null) {
            // The page as the tests left it (alerts and rejections included), for whoever reads the report.
            Files.createDirectories(SCREENSHOT_AFTER.getParent());
            Files.write(SCREENSHOT_AFTER, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
            browser.quit();
        }
        if (local != null) {
            local.close();
        }
    }

    @Test
    void thePageLoadsWithoutConsoleErrorsAndShowsTheScenariosFlowsWithTheApisTotals() throws Exception {
        // given: a 4-minute window of the backfill whose flow windows are all there, final, and no longer restated
        // (while the backfill runs, a meter that falls behind restates windows that others closed)
        Instant from = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(9));
        Instant to = from.plus(Duration.ofMinutes(4));
        String range = "from=" + from + "&to=" + to;
        AtomicReference<JsonNode> previous = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            JsonNode flows = json("/api/flows?" + range);
            boolean complete = !flows.path("provisional").asBoolean() && flows.path("diagrams").size() == 2
                    && flows.findValues("windows").stream().allMatch(w -> w.asInt() == 4);
            boolean stable = complete && flows.path("diagrams").equals(previous.get() == null ? null : previous.get().path("diagrams"));
            previous.set(flows);
            return stable;
        });

        // when
        long t0 = System.nanoTime();
        browser.get(local.pageUrl() + "?" + range);
        await().atMost(Duration.ofSeconds(30)).until(() -> "true".equals(js("return document.body.dataset.loaded || null")));
        long loadedMillis = (System.nanoTime() - t0) / 1_000_000;
        Object navigation = js("const n = performance.getEntriesByType('navigation')[0]; return Math.round(n.loadEventEnd);");
        LOG.info("live page: load event after {} ms, first figures drawn {} ms after the request", navigation, loadedMillis);

        // then: each diagram drawn holds exactly the API's links of that window
        JsonNode api = json("/api/flows?" + range);
        String drawn = (String) js("const out = {};"
                + "document.querySelectorAll('.sankey').forEach(div => { const s = echarts.getInstanceByDom(div).getOption().series[0];"
                + "  out[div.dataset.unit] = {nodes: s.data.map(n => n.name), links: s.links.map(l => ({source: l.source, target: l.target, value: l.value}))}; });"
                + "return JSON.stringify(out);");
        JsonNode chart = Json.MAPPER.readTree(drawn);
        assertThat(chart.size()).isEqualTo(api.path("diagrams").size());
        for (JsonNode d : api.path("diagrams")) {
            JsonNode c = chart.path(d.path("unit").asText());
            Map<String, Double> drawnLinks = links(c);
            Map<String, Double> apiLinks = links(d);
            assertThat(drawnLinks.keySet()).as("links drawn in %s", d.path("unit").asText()).isEqualTo(apiLinks.keySet());
            // equal up to the order in which the server added the windows up
            apiLinks.forEach((link, value) -> assertThat(drawnLinks.get(link)).as(link).isCloseTo(value, within(1e-9)));
            List<String> drawnNodes = new ArrayList<>();
            c.path("nodes").forEach(n -> drawnNodes.add(n.asText()));
            assertThat(drawnNodes).containsExactlyInAnyOrderElementsOf(d.path("nodes").findValuesAsText("id"));
        }
        // ... between the named plants, with the scenario's totals for 4 minutes
        Map<String, Double> t = links(diagram(api, "t"));
        Map<String, Double> mwh = links(diagram(api, "MWh"));
        assertThat(diagram(api, "t").path("nodes").findValuesAsText("label"))
                .contains("Asnaes Power Station", "Kalundborg refinery", "FGD gypsum", "Coal fly ash", "Sulphur", "Gyproc plasterboard plant");
        assertThat(diagram(api, "MWh").path("nodes").findValuesAsText("label"))
                .contains("Asnaes Power Station", "Process steam", "Kalundborg refinery", "Novo Nordisk Kalundborg");
        double hours = 4 / 60.0;
        assertThat(t.get("material:gypsum -> dest:gyproc")).isCloseTo(KalundborgScenario.GYPSUM_TO_GYPROC_T_PER_H * hours, within(0.01));
        assertThat(t.get("material:gypsum -> dest:storage")).isCloseTo(KalundborgScenario.GYPSUM_TO_YARD_T_PER_H * hours, within(0.01));
        assertThat(t.get("material:fly-ash -> dest:aalborg-portland")).isCloseTo(KalundborgScenario.FLY_ASH_T_PER_H * hours, within(0.25));
        assertThat(t.get("material:sulphur -> dest:kemira")).isCloseTo(KalundborgScenario.SULPHUR_T_PER_H * hours, within(0.002));
        assertThat(mwh.get("material:steam -> dest:refinery")).isCloseTo(KalundborgScenario.STEAM_TO_REFINERY_MW * hours, within(0.2));
        assertThat(mwh.get("material:steam -> dest:novo-nordisk")).isCloseTo(KalundborgScenario.STEAM_TO_NOVO_MW * hours, within(0.15));
        assertThat(t.get("site:asnaes -> material:gypsum")).isCloseTo(t.get("material:gypsum -> dest:gyproc")
                + t.get("material:gypsum -> dest:storage"), within(1e-9));

        // numbers as people read them, and the key figures drawn for the same window
        assertThat(js("return [LoopflowFormat.quantity(12.4, 't'), LoopflowFormat.quantity(3.14159, 'MWh'), LoopflowFormat.rate(0.46299999998882413),"
                + " LoopflowFormat.quantity(1250.2, 't'), LoopflowFormat.quantity(0.3449, 't'), LoopflowFormat.rate(null)].join('|')"))
                .isEqualTo("12.4 t|3.1 MWh|46 %|1,250 t|0.34 t|–");
        String figures = browser.findElement(By.id("figures")).getText();
        assertThat(figures).contains("Asnaes Power Station", "FGD gypsum", "%").doesNotContain("Mg").doesNotContainPattern("\\d\\.\\d{4,}");
        assertThat(browser.findElement(By.id("flows-range")).getText()).doesNotContain("provisional");

        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        assertConsoleClean();
    }

    @Test
    void aSurplusAlertWrittenDuringTheTestAppearsWithoutAReload() throws Exception {
        // given: the live page open, marked so that a reload would show
        openLivePage();
        js("window.__notReloaded = true; return null;");
        AtomicReference<AlertRecord> written = new AtomicReference<>();
        AtomicLong writtenAt = new AtomicLong();
        try (KafkaConsumer<byte[], byte[]> alerts = alertConsumer()) {
            // when: the refinery reports a sulphur stockpile over the material's 100 t threshold, once a second as a
            // logger does (a reading that overtakes its new meter's descriptor is not counted; the next one is)
            try (MqttClientHolder plant = new MqttClientHolder(local.mqttUri())) {
                plant.publish("loopflow/v1/refinery/meters/sulphur-stock/meta",
                        "{\"material\":\"sulphur\",\"role\":\"stock\",\"kind\":\"level\",\"unit\":\"t\"}", true);
                AtomicLong lastReading = new AtomicLong();
                // the alert as Kafka has it (read_committed), and when it was first readable
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
                    if (System.nanoTime() - lastReading.get() > 1_000_000_000L) {
                        lastReading.set(System.nanoTime());
                        plant.publish("loopflow/v1/refinery/meters/sulphur-stock/reading",
                                "{\"ts\":\"" + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "\",\"value\":150}", false);
                    }
                    for (ConsumerRecord<byte[], byte[]> r : alerts.poll(Duration.ofMillis(20))) {
                        AlertRecord a = Json.read(r.value(), AlertRecord.class);
                        if (a.type() == AlertRecord.Type.SURPLUS_AVAILABLE && "refinery".equals(a.site()) && "sulphur".equals(a.material())) {
                            writtenAt.set(System.currentTimeMillis());
                            written.set(a);
                            return true;
                        }
                    }
                    return false;
                });
            }
        }

        // then: the page shows it within two seconds, without a reload
        String id = written.get().id();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> js("return window.loopflow.alertSeenAt[arguments[0]] || null", id) != null);
        long seenAt = ((Number) js("return window.loopflow.alertSeenAt[arguments[0]]", id)).longValue();
        long latency = seenAt - writtenAt.get();
        LOG.info("surplus alert {} shown by the page {} ms after Kafka made it readable", id, latency);
        assertThat(latency).isLessThan(2000);
        WebElement item = browser.findElement(By.cssSelector("#alerts li[data-id='" + id + "']"));
        assertThat(item.getText()).contains("Surplus available").contains("Sulphur").contains("150 t");
        assertThat(js("return window.__notReloaded === true")).isEqualTo(true);
        assertConsoleClean();
    }

    @Test
    void aRejectedMessagesReasonAndDetailAppearInTheHealthPanel() throws Exception {
        openLivePage();
        try (MqttClientHolder plant = new MqttClientHolder(local.mqttUri())) {
            plant.publish("loopflow/v1/asnaes/meters/gypsum-to-gyproc/reading", "{\"ts\": \"yesterday\", \"value\": 1}", false);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> !browser.findElements(By.cssSelector("#rejections tr[data-reason='invalid_field']")).isEmpty());
        WebElement row = browser.findElement(By.cssSelector("#rejections tr[data-reason='invalid_field']"));
        assertThat(row.findElement(By.cssSelector(".detail")).getText()).isNotBlank().contains("ts");
        assertThat(row.getText()).contains("asnaes/gypsum-to-gyproc").contains("yesterday");
        assertThat(browser.findElement(By.id("pipeline-figures")).getText()).contains("readings/s accepted").contains("dropped by the MQTT broker");
        // local mode's broker counts its drops in the registry the view reads (LocalMode.DROPPED_GAUGE)
        assertThat(json("/api/pipeline").path("brokerDropped").isNumber()).isTrue();
        assertConsoleClean();
    }

    @Test
    void theApiAnswersWithinASecondWhileAHundredSlowConnectionsAreOpen() throws Exception {
        try (SlowClients slow = SlowClients.open(local.httpPort(), "/api/health", 100)) {
            assertThat(slow.count()).isEqualTo(100);
            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(local.apiUrl() + "/health"))
                    .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void metricsParseAsPrometheusTextAndTheReadingsCounterMoves() throws Exception {
        PrometheusText.Scrape first = PrometheusText.parse(metrics());
        String accepted = "loopflow_gateway_readings_accepted_total";
        assertThat(first.types()).containsEntry(accepted, "counter").containsEntry("loopflow_mqtt_broker_dropped", "gauge");
        assertThat(first.value("loopflow_mqtt_broker_dropped")).isEqualTo(0.0);
        assertThat(first.value("loopflow_gateway_readings_rejected_total{reason=\"invalid_field\"}")).isNotNull();
        await().atMost(Duration.ofSeconds(30)).until(() -> PrometheusText.parse(metrics()).samples().keySet().stream()
                .anyMatch(k -> k.startsWith("loopflow_consumer_lag{group=\"loopflow-streams\"")));
        // the simulator publishes every meter once a second
        await().atMost(Duration.ofSeconds(30)).until(() -> PrometheusText.parse(metrics()).value(accepted) > first.value(accepted));
    }

    private void openLivePage() {
        browser.get(local.pageUrl());
        await().atMost(Duration.ofSeconds(30)).until(() -> "true".equals(js("return document.body.dataset.loaded || null")));
    }

    /** No console message of level SEVERE (errors, failed requests, uncaught exceptions) since the last look. */
    private void assertConsoleClean() {
        console.addAll(Browser.console(browser));
        assertThat(console).filteredOn(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()).isEmpty();
        assertThat(js("return JSON.stringify(window.loopflow.errors)")).isEqualTo("[]");
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private String metrics() throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(local.pageUrl() + "metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private JsonNode json(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(local.pageUrl() + path.substring(1))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s: %s", path, r.body()).isIn(200, 503);
        return Json.MAPPER.readTree(r.body());
    }

    private static JsonNode diagram(JsonNode flows, String unit) {
        for (JsonNode d : flows.path("diagrams")) {
            if (d.path("unit").asText().equals(unit)) {
                return d;
            }
        }
        throw new AssertionError("no diagram in " + unit + ": " + flows);
    }

    /** The links of a diagram as {@code source -> target} to value. */
    private static Map<String, Double> links(JsonNode diagram) {
        Map<String, Double> out = new HashMap<>();
        diagram.path("links").forEach(l -> out.put(l.path("source").asText() + " -> " + l.path("target").asText(), l.path("value").asDouble()));
        return out;
    }

    private KafkaConsumer<byte[], byte[]> alertConsumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, local.kafkaBootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = c.partitionsFor(Topics.ALERTS.name()).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        c.assign(partitions);
        c.seekToEnd(partitions);
        partitions.forEach(c::position);
        return c;
    }

    /** A plant's MQTT client on the embedded broker, QoS 1. */
    private static final class MqttClientHolder implements AutoCloseable {
        private final MqttClient client;

        MqttClientHolder(String uri) throws MqttException {
            client = HandComputedScenario.connect(uri, "live-page-test-" + System.nanoTime());
        }

        void publish(String topic, String payload, boolean retained) throws MqttException {
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            m.setRetained(retained);
            client.publish(topic, m);
        }

        @Override
        public void close() throws MqttException {
            client.disconnect();
            client.close();
        }
    }
}
