package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.core.json.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code GET /health} of a real {@link HealthServer} on 127.0.0.1 (a free port), driven by a switchable up supplier. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthServerTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicBoolean up = new AtomicBoolean();
    private HealthServer server;

    @BeforeAll
    void startServer() {
        server = HealthServer.start("127.0.0.1", 0, up::get, () -> {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("mqtt", up.get() ? "connected" : "disconnected");
            detail.put("status", "ignored: the up supplier decides");
            return detail;
        });
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    @Test
    void answers200AndUpWithTheDetailWhileUp() throws IOException, InterruptedException {
        // given
        up.set(true);

        // when
        HttpResponse<String> response = get("/health", "GET");

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        // docker-compose.yml's health checks grep for this text
        assertThat(response.body()).startsWith("{\"status\":\"UP\"");
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("UP");
        assertThat(body.path("mqtt").asText()).isEqualTo("connected");
    }

    @Test
    void answers503AndDownWhileDown() throws IOException, InterruptedException {
        // given
        up.set(false);

        // when
        HttpResponse<String> response = get("/health", "GET");

        // then
        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("DOWN");
        assertThat(body.path("mqtt").asText()).isEqualTo("disconnected");
    }

    @Test
    void answersOnlyGetOnTheHealthPath() throws IOException, InterruptedException {
        assertThat(get("/health", "POST").statusCode()).isEqualTo(405);
        assertThat(get("/healthz", "GET").statusCode()).isEqualTo(404);
    }

    @Test
    void answersWithinASecondWhileAHundredSlowConnectionsAreOpen() throws IOException, InterruptedException {
        // given: 100 connections that sent half a request and wait (the JDK's HttpServer stopped at one)
        up.set(true);
        try (SlowClients slow = SlowClients.open(server.port(), "/health", 100)) {
            assertThat(slow.count()).isEqualTo(100);
            // when
            long t0 = System.nanoTime();
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                    .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
            long millis = (System.nanoTime() - t0) / 1_000_000;

            // then
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(millis).isLessThan(1000);
        }
    }

    @Test
    void metricsAreThePrometheusTextOfTheRegistryAndItsCountersMove() throws IOException, InterruptedException {
        // given: a counter as the gateway registers it
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter accepted = Counter.builder("loopflow.gateway.readings.accepted").register(registry);
        accepted.increment(3);
        try (HealthServer withMetrics = HealthServer.start("127.0.0.1", 0, () -> true, Map::of, registry)) {
            // when
            HttpResponse<String> first = CLIENT.send(HttpRequest.newBuilder(URI.create(withMetrics.url() + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            accepted.increment();
            HttpResponse<String> second = CLIENT.send(HttpRequest.newBuilder(URI.create(withMetrics.url() + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());

            // then
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
            PrometheusText.Scrape before = PrometheusText.parse(first.body());
            assertThat(before.types()).containsEntry("loopflow_gateway_readings_accepted_total", "counter");
            assertThat(before.value("loopflow_gateway_readings_accepted_total")).isEqualTo(3.0);
            assertThat(PrometheusText.parse(second.body()).value("loopflow_gateway_readings_accepted_total")).isEqualTo(4.0);
        }
        // without a registry there is no /metrics
        assertThat(get("/metrics", "GET").statusCode()).isEqualTo(404);
    }

    @Test
    void aSupplierThatThrowsMeansDown() throws IOException, InterruptedException {
        // given
        try (HealthServer failing = HealthServer.start("127.0.0.1", 0, () -> {
            throw new IllegalStateException("no client");
        }, Map::of)) {
            // when
            HttpResponse<String> response = CLIENT.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + failing.port() + "/health")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());

            // then
            assertThat(response.statusCode()).isEqualTo(503);
            JsonNode body = Json.MAPPER.readTree(response.body());
            assertThat(body.path("status").asText()).isEqualTo("DOWN");
            assertThat(body.path("error").asText()).contains("no client");
        }
    }

    @Test
    void portMinusOneStartsNothingAndOtherBadPortsAreRejectedByFlag() {
        try (HealthServer off = HealthServer.start("127.0.0.1", HealthServer.OFF, () -> true, Map::of)) {
            assertThat(off.port()).isEqualTo(-1);
        }
        assertThatThrownBy(() -> HealthServer.checkPort(-2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--health-port");
        assertThatThrownBy(() -> HealthServer.checkPort(65536)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--health-port");
    }

    private HttpResponse<String> get(String path, String method) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(5)).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
