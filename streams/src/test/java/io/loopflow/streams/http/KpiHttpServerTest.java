package io.loopflow.streams.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.core.json.Json;
import io.loopflow.streams.view.LiveView;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link KpiHttpServer} on a real Jetty (127.0.0.1, a free port) over a view that cannot reach Kafka: routing, bad
 * parameters, a view still loading, the page's files, slow clients.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KpiHttpServerTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private KpiHttpServer server;
    private LiveView view;

    @BeforeAll
    void start() {
        // A view whose Kafka is not there (nothing listens on port 1): it never becomes ready.
        view = new LiveView("127.0.0.1:1", List.of("loopflow-streams"), 50, new SimpleMeterRegistry(), Clock.systemUTC());
        view.start();
        server = KpiHttpServer.start("127.0.0.1", 0, new KpiHttpServer.Health() {
            @Override
            public String state() {
                return "RUNNING";
            }

            @Override
            public boolean up() {
                return true;
            }
        }, view, null, Clock.systemUTC());
    }

    @AfterAll
    void stop() {
        server.close();
        view.close();
    }

    @Test
    void healthAnswersWithinASecondWhileAHundredSlowConnectionsAreOpen() throws IOException, InterruptedException {
        // given: warm, then 100 connections that sent half a request and wait (the JDK's HttpServer stopped at two)
        assertThat(get("/api/health", Duration.ofSeconds(10)).statusCode()).isEqualTo(200);
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                Socket s = new Socket();
                slow.add(s);
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                OutputStream out = s.getOutputStream();
                out.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }

            // when
            HttpResponse<String> health = get("/api/health", Duration.ofSeconds(1));

            // then
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(health.body()).path("status").asText()).isEqualTo("UP");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void unknownPathsAre404AndOtherMethods405AsJson() throws IOException, InterruptedException {
        HttpResponse<String> missing = get("/api/nothing", Duration.ofSeconds(5));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(missing.body()).path("error").asText()).contains("/api/nothing");
        HttpResponse<String> post = CLIENT.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/kpis"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void badParametersAre400WithTheReason() throws IOException, InterruptedException {
        HttpResponse<String> kpis = get("/api/kpis?window=1h", Duration.ofSeconds(5));
        assertThat(kpis.statusCode()).isEqualTo(400);
        JsonNode body = Json.MAPPER.readTree(kpis.body());
        assertThat(body.path("error").asText()).contains("ISO-8601");
        assertThat(get("/api/alerts?active=maybe", Duration.ofSeconds(5)).statusCode()).isEqualTo(400);
        assertThat(get("/api/alerts?colour=red", Duration.ofSeconds(5)).statusCode()).isEqualTo(400);
        assertThat(get("/api/flows", Duration.ofSeconds(5)).statusCode()).isEqualTo(400);
        assertThat(get("/api/flows?last=1h", Duration.ofSeconds(5)).statusCode()).isEqualTo(400);
        assertThat(get("/api/figures?from=yesterday", Duration.ofSeconds(5)).statusCode()).isEqualTo(400);
        assertThat(get("/api/finals?count=0", Duration.ofSeconds(5)).statusCode()).isEqualTo(400);
        assertThat(get("/api/map?site=a", Duration.ofSeconds(5)).statusCode()).isEqualTo(400);
    }

    @Test
    void aViewStillReadingIs503WithTheReasonAndHealthSaysLoading() throws IOException, InterruptedException {
        HttpResponse<String> kpis = get("/api/kpis", Duration.ofSeconds(5));
        assertThat(kpis.statusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(kpis.body()).path("error").asText()).contains("still reading");
        assertThat(get("/api/alerts?active=true", Duration.ofSeconds(5)).statusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(get("/api/health", Duration.ofSeconds(5)).body()).path("view").asText()).isEqualTo("LOADING");
    }

    @Test
    void metricsWithoutAPrometheusRegistryIs404() throws IOException, InterruptedException {
        assertThat(get("/metrics", Duration.ofSeconds(5)).statusCode()).isEqualTo(404);
    }

    @Test
    void servesThePageAndEchartsFromTheJar() throws IOException, InterruptedException {
        HttpResponse<String> page = get("/", Duration.ofSeconds(5));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("/vendor/echarts/echarts.min.js");
        HttpResponse<String> echarts = get("/vendor/echarts/echarts.min.js", Duration.ofSeconds(5));
        assertThat(echarts.statusCode()).isEqualTo(200);
        assertThat(echarts.body()).contains("echarts");
        assertThat(get("/assets/app.js", Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
        assertThat(get("/assets/nothing.js", Duration.ofSeconds(5)).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
