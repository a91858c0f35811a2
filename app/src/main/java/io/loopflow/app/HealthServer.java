package io.loopflow.app;

import io.loopflow.streams.http.EmbeddedHttpServer;
import io.loopflow.streams.http.JsonEndpoint;
import io.loopflow.streams.http.JsonEndpoint.Answer;
import io.loopflow.streams.http.NotFoundException;
import io.loopflow.streams.http.PrometheusEndpoint;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.http.pathmap.ServletPathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health endpoint of {@code loopflow gateway} and {@code loopflow sink}, for container health checks, on an
 * {@link EmbeddedHttpServer} (Jetty, with its read timeouts and connection limit). {@code GET /health} reads the
 * component's up supplier and detail supplier at each request and answers {@code {"status":"UP"|"DOWN", <detail>...}}
 * as JSON, with HTTP 200 when up and 503 when down (also when a supplier throws); with a Prometheus registry,
 * {@code GET /metrics} answers its meters in the Prometheus text format. Other methods get 405, other paths 404.
 * It writes nothing else and changes nothing.
 */
final class HealthServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);
    /** Default of {@code --health-host}: this machine only. */
    static final String DEFAULT_HOST = "127.0.0.1";
    /** Default of {@code --health-port}. */
    static final int DEFAULT_PORT = 8081;
    /** {@code --health-port} value that turns the endpoint off. */
    static final int OFF = -1;
    static final String PATH = "/health";
    static final String METRICS_PATH = "/metrics";

    private final EmbeddedHttpServer server;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HealthServer(EmbeddedHttpServer server) {
        this.server = server;
    }

    /**
     * Checks a {@code --health-port} value before anything starts.
     *
     * @throws IllegalArgumentException naming the flag unless the port is -1 (off), 0 (a free port) or 1..65535
     */
    static void checkPort(int port) {
        if (port < OFF || port > 65535) {
            throw new IllegalArgumentException("--health-port must be -1 (off), 0 (a free port) or 1..65535, got " + port);
        }
    }

    /** {@link #start(String, int, BooleanSupplier, Supplier, PrometheusMeterRegistry)} without {@code /metrics}. */
    static HealthServer start(String host, int port, BooleanSupplier up, Supplier<Map<String, ?>> detail) {
        return start(host, port, up, detail, null);
    }

    /**
     * Starts the endpoint on {@code host}:{@code port}; port 0 picks a free port, port -1 starts nothing
     * (then {@link #port()} is -1 and {@link #close()} does nothing).
     *
     * @param up whether the component is healthy now
     * @param detail more fields of the answer, read at each request ({@code status} among them is ignored)
     * @param metrics the registry {@code GET /metrics} shows; null: no {@code /metrics}
     * @throws UncheckedIOException naming the flag when the address cannot be bound
     */
    static HealthServer start(String host, int port, BooleanSupplier up, Supplier<Map<String, ?>> detail, PrometheusMeterRegistry metrics) {
        checkPort(port);
        if (port == OFF) {
            return new HealthServer(null);
        }
        PathMappingsHandler routes = new PathMappingsHandler();
        routes.addMapping(new ServletPathSpec(PATH), JsonEndpoint.of(request -> health(up, detail)));
        if (metrics != null) {
            routes.addMapping(new ServletPathSpec(METRICS_PATH), new PrometheusEndpoint(metrics));
        }
        Handler all = new Handler.Sequence(routes, JsonEndpoint.of(request -> {
            throw new NotFoundException("not found; the health endpoint is GET " + PATH + (metrics == null ? "" : ", metrics GET " + METRICS_PATH));
        }));
        try {
            return new HealthServer(EmbeddedHttpServer.start("loopflow-health", host, port, all));
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("health endpoint (--health-host/--health-port) cannot listen on " + host + ":" + port + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The bound port, or -1 when off. */
    int port() {
        return server == null ? OFF : server.port();
    }

    /** {@code http://<bound host>:<bound port>}, or null when off. */
    String url() {
        return server == null ? null : server.url();
    }

    /** Stops answering; idempotent. */
    @Override
    public void close() {
        if (server != null && closed.compareAndSet(false, true)) {
            server.close();
        }
    }

    /** The answer: a supplier that throws means DOWN, with the error. */
    private static Answer health(BooleanSupplier up, Supplier<Map<String, ?>> detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        try {
            boolean healthy = up.getAsBoolean();
            body.put("status", healthy ? "UP" : "DOWN");
            detail.get().forEach(body::putIfAbsent);
            return new Answer(healthy ? 200 : 503, body);
        } catch (RuntimeException e) {
            LOG.warn("health check failed", e);
            body.clear();
            body.put("status", "DOWN");
            body.put("error", String.valueOf(e));
            return new Answer(503, body);
        }
    }
}
