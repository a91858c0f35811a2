package io.loopflow.streams.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.SurplusRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream processor's HTTP API, on the JDK's {@code com.sun.net.httpserver}:
 * <ul>
 *   <li>{@code GET /api/health}: {@code {"status":"UP"|"DOWN","state":"<KafkaStreams state>"}},
 *       HTTP 200 when up, 503 when down;</li>
 *   <li>{@code GET /api/kpis?scope=&site=&region=&material=&window=PT1H}: a JSON array of the
 *       latest {@link KpiRecord} per key (provisional or final) that match (see {@link KpiQuery});
 *       400 on a bad parameter, 503 while the store is not queryable (e.g. rebalancing).</li>
 *   <li>{@code GET /api/surplus}: the latest {@link SurplusRecord} of every site and material;</li>
 *   <li>{@code GET /api/matches}: the open matches, as their {@code match} alerts;</li>
 *   <li>{@code GET /api/alerts?active=true}: the alerts not yet cleared or closed ({@code active=false}
 *       or no parameter: every alert).</li>
 * </ul>
 * Answers come from this instance's stores only: with several instances, each answers for its
 * own partitions.
 */
public final class KpiHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KpiHttpServer.class);

    /** Where the server reads from. */
    public interface Source {
        /** The Kafka Streams state name, e.g. {@code RUNNING}. */
        String state();

        /** True when the processor counts as up. */
        boolean up();

        /** Every latest key-figure record; throws {@link IllegalStateException} when not queryable now. */
        List<KpiRecord> kpis();

        /** The latest surplus of every site and material; throws {@link IllegalStateException} when not queryable now. */
        List<SurplusRecord> surplus();

        /** Every alert published so far, by id; throws {@link IllegalStateException} when not queryable now. */
        List<AlertRecord> alerts();
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private KpiHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts the server on {@code host}:{@code port} (port 0: a free port). */
    public static KpiHttpServer start(String host, int port, Source source) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "loopflow-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/api/health", exchange -> handle(exchange, () -> health(source)));
        server.createContext("/api/kpis", exchange -> handle(exchange, () -> kpis(exchange, source)));
        server.createContext("/api/surplus", exchange -> handle(exchange, () -> queryable("surplus", () -> source.surplus())));
        server.createContext("/api/matches", exchange -> handle(exchange,
                () -> queryable("matches", () -> ActiveAlerts.of(source.alerts()).stream().filter(a -> a.type() == AlertRecord.Type.MATCH).toList())));
        server.createContext("/api/alerts", exchange -> handle(exchange, () -> alerts(exchange, source)));
        server.start();
        LOG.info("HTTP API on {}", server.getAddress());
        return new KpiHttpServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private record Answer(int status, Object body) {
    }

    private static Answer health(Source source) {
        Map<String, String> body = new LinkedHashMap<>();
        boolean up = source.up();
        body.put("status", up ? "UP" : "DOWN");
        body.put("state", source.state());
        return new Answer(up ? 200 : 503, body);
    }

    private static Answer kpis(HttpExchange exchange, Source source) {
        KpiQuery query;
        try {
            query = KpiQuery.parse(exchange.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            return new Answer(400, Map.of("error", e.getMessage()));
        }
        try {
            return new Answer(200, query.select(source.kpis()));
        } catch (IllegalStateException e) {
            return new Answer(503, Map.of("error", "key figures are not queryable now: " + e.getMessage()));
        }
    }

    private static Answer queryable(String what, Supplier<Object> body) {
        try {
            return new Answer(200, body.get());
        } catch (IllegalStateException e) {
            return new Answer(503, Map.of("error", what + " not queryable now: " + e.getMessage()));
        }
    }

    /** {@code /api/alerts}: every alert, or with {@code active=true} only those not yet cleared or closed. */
    private static Answer alerts(HttpExchange exchange, Source source) {
        String query = exchange.getRequestURI().getRawQuery();
        boolean active;
        if (query == null || query.isEmpty()) {
            active = false;
        } else if (query.equals("active=true") || query.equals("active=false")) {
            active = query.equals("active=true");
        } else {
            return new Answer(400, Map.of("error", "unknown parameters '" + query + "': /api/alerts takes only active=true|false"));
        }
        return queryable("alerts", () -> active ? ActiveAlerts.of(source.alerts()) : source.alerts());
    }

    private static void handle(HttpExchange exchange, Supplier<Answer> answer) throws IOException {
        try (exchange) {
            Answer a;
            if (!"GET".equals(exchange.getRequestMethod())) {
                a = new Answer(405, Map.of("error", "only GET"));
            } else {
                try {
                    a = answer.get();
                } catch (RuntimeException e) {
                    LOG.warn("HTTP {} failed", exchange.getRequestURI(), e);
                    a = new Answer(500, Map.of("error", String.valueOf(e.getMessage())));
                }
            }
            byte[] body = Json.write(a.body());
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(a.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
