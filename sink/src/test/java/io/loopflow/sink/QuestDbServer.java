package io.loopflow.sink;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.core.json.Json;
import io.questdb.ServerMain;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * QuestDB in the test JVM: its HTTP server on 127.0.0.1 speaks the InfluxDB v2 write API
 * ({@code /api/v2/write}) and SQL ({@code /exec}), which is how the tests read points back. Can be stopped and
 * started again on the same port and data directory to simulate an outage.
 */
public final class QuestDbServer implements AutoCloseable {
    private final Path root;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ServerMain server;

    private QuestDbServer(Path root, int port) {
        this.root = root;
        this.port = port;
    }

    public static QuestDbServer start(Path root) {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        QuestDbServer q = new QuestDbServer(root, freePort());
        q.startAgain();
        return q;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    synchronized void startAgain() {
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.put("QDB_HTTP_BIND_TO", "127.0.0.1:" + port);
        env.put("QDB_HTTP_MIN_ENABLED", "false");
        env.put("QDB_PG_ENABLED", "false");
        env.put("QDB_LINE_TCP_ENABLED", "false");
        env.put("QDB_LINE_UDP_ENABLED", "false");
        env.put("QDB_TELEMETRY_ENABLED", "false");
        env.put("QDB_SHARED_WORKER_COUNT", "2");
        server = ServerMain.create(root.toString(), env);
        server.start();
    }

    synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Runs {@code sql} and returns its rows as column name -> value maps. */
    public List<Map<String, JsonNode>> query(String sql) {
        JsonNode answer = exec(sql);
        List<String> names = new ArrayList<>();
        answer.path("columns").forEach(c -> names.add(c.path("name").asText()));
        List<Map<String, JsonNode>> rows = new ArrayList<>();
        for (JsonNode row : answer.path("dataset")) {
            Map<String, JsonNode> r = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                r.put(names.get(i), row.get(i));
            }
            rows.add(r);
        }
        return rows;
    }

    /** The column name -> QuestDB type of {@code table}. */
    Map<String, String> columnTypes(String table) {
        Map<String, String> types = new LinkedHashMap<>();
        for (Map<String, JsonNode> row : query("SELECT \"column\", type FROM table_columns('" + table + "')")) {
            types.put(row.get("column").asText(), row.get("type").asText());
        }
        return types;
    }

    /** Runs a statement and fails on a SQL error. */
    public JsonNode exec(String sql) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(30)).GET().build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode answer = Json.MAPPER.readTree(response.body());
            if (response.statusCode() != 200 || answer.has("error")) {
                throw new IllegalStateException("QuestDB refused " + sql + ": " + new String(response.body(), StandardCharsets.UTF_8));
            }
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
