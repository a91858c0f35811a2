package io.loopflow.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A real InfluxDB 1.x query engine ({@code influxd} of Debian's {@code influxdb} package) started by the test
 * on free 127.0.0.1 ports with its own config and data in a temporary directory; written to with line
 * protocol ({@code /write}) and queried with InfluxQL ({@code /query}).
 */
final class Influxd implements AutoCloseable {
    private final Process process;
    private final int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Influxd(Process process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
    }

    /** The {@code influxd} binary: on the PATH or /usr/bin/influxd. */
    static Optional<Path> binary() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(":")).filter(d -> !d.isEmpty()).map(d -> Path.of(d, "influxd")), Stream.of(Path.of("/usr/bin/influxd")))
                .filter(Files::isExecutable).findFirst();
    }

    static Influxd start(Path binary, Path dir) throws IOException {
        int httpPort = freePort();
        int rpcPort = freePort();
        Path config = dir.resolve("influxdb.conf");
        Files.writeString(config, String.join("\n",
                "reporting-disabled = true",
                "bind-address = \"127.0.0.1:" + rpcPort + "\"",
                "[meta]",
                "  dir = \"" + dir.resolve("meta") + "\"",
                "[data]",
                "  dir = \"" + dir.resolve("data") + "\"",
                "  wal-dir = \"" + dir.resolve("wal") + "\"",
                "  query-log-enabled = false",
                "[http]",
                "  enabled = true",
                "  bind-address = \"127.0.0.1:" + httpPort + "\"",
                "  auth-enabled = false",
                "  log-enabled = false",
                "[monitor]",
                "  store-enabled = false",
                "[continuous_queries]",
                "  enabled = false",
                ""));
        Process p = new ProcessBuilder(binary.toString(), "-config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("influxd.log").toFile()).start();
        Influxd influxd = new Influxd(p, httpPort);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(influxd::pings);
        return influxd;
    }

    void createDatabase(String db) {
        query(null, "CREATE DATABASE \"" + db + "\"");
    }

    /** Writes line protocol with millisecond timestamps. */
    void write(String db, List<String> lines) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/write?precision=ms&db=" + enc(db)))
                .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", lines))).build());
        if (r.statusCode() != 204) {
            throw new IllegalStateException("write refused (" + r.statusCode() + "): " + r.body());
        }
    }

    /** Runs InfluxQL and returns the first statement's result ({@code series}, or {@code error}). */
    JsonNode query(String db, String influxql) {
        String form = "q=" + enc(influxql) + "&epoch=ms" + (db == null ? "" : "&db=" + enc(db));
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/query"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        try {
            JsonNode answer = Provisioning.JSON.readTree(r.body());
            if (answer.has("error")) {
                throw new IllegalStateException("influxd refused " + influxql + ": " + answer.get("error").asText());
            }
            return answer.path("results").get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private boolean pings() {
        try {
            return http.send(HttpRequest.newBuilder(uri("/ping")).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 204;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + httpPort + pathAndQuery);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
