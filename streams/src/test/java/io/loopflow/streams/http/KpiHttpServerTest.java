package io.loopflow.streams.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.SurplusRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@link KpiHttpServer} on a real Jetty (127.0.0.1, a free port) over a fixed source: routing, errors, slow clients. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KpiHttpServerTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private KpiHttpServer server;

    /** A source with nothing in it and a fixed state. */
    private static final class EmptySource implements KpiHttpServer.Source {
        @Override
        public String state() {
            return "RUNNING";
        }

        @Override
        public boolean up() {
            return true;
        }

        @Override
        public List<KpiRecord> kpis() {
            return List.of();
        }

        @Override
        public List<SurplusRecord> surplus() {
            return List.of();
        }

        @Override
        public List<AlertRecord> alerts() {
            return List.of();
        }
    }

    @BeforeAll
    void start() {
        server = KpiHttpServer.start("127.0.0.1", 0, new EmptySource());
    }

    @AfterAll
    void stop() {
        server.close();
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
        assertThat(get("/api/alerts?active=true", Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
