package io.loopflow.streams.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.streams.http.JsonEndpoint.Answer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limits of {@link EmbeddedHttpServer}: a real Jetty on 127.0.0.1 and raw sockets playing slow clients. */
class EmbeddedHttpServerTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void closesAConnectionThatSendsHalfARequestAndWaits() throws IOException {
        // given: a 500 ms read timeout
        try (EmbeddedHttpServer server = EmbeddedHttpServer.start("test-http", "127.0.0.1", 0, hello(), Duration.ofMillis(500));
             Socket slow = halfRequest(server.port())) {
            slow.setSoTimeout(10_000);

            // when: the client sends nothing more
            long t0 = System.nanoTime();
            String answer = readAll(slow.getInputStream());
            long millis = (System.nanoTime() - t0) / 1_000_000;

            // then: the server gave up on it after about the timeout, without answering the half request with data
            assertThat(millis).isBetween(300L, 5_000L);
            assertThat(answer).doesNotContain("hello");
        }
    }

    @Test
    void answersWhileAHundredSlowConnectionsAreOpen() throws IOException, InterruptedException {
        try (EmbeddedHttpServer server = EmbeddedHttpServer.start("test-http", "127.0.0.1", 0, hello())) {
            // A first request outside the bound: class loading of client and server is not what is measured.
            assertThat(get(server, Duration.ofSeconds(10)).statusCode()).isEqualTo(200);
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    slow.add(halfRequest(server.port()));
                }
                HttpResponse<String> response = get(server, Duration.ofSeconds(1));
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).contains("hello");
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }

    @Test
    void reportsTheBoundAddress() {
        try (EmbeddedHttpServer server = EmbeddedHttpServer.start("test-http", "127.0.0.1", 0, hello())) {
            assertThat(server.port()).isPositive();
            assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
        }
    }

    private static HttpResponse<String> get(EmbeddedHttpServer server, Duration timeout) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(server.url() + "/")).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonEndpoint hello() {
        return JsonEndpoint.of(request -> Answer.ok(Map.of("hello", "world")));
    }

    private static Socket halfRequest(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** Everything the server sends until it closes the connection (a read timeout fails the test). */
    private static String readAll(InputStream in) throws IOException {
        try {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept a half request open for 10 s", e);
        }
    }
}
