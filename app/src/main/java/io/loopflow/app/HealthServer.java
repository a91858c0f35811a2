package io.loopflow.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.loopflow.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health endpoint of {@code loopflow gateway} and {@code loopflow sink}, for container health checks.
 * {@code GET /health} reads the component's up supplier and detail supplier at each request and answers
 * {@code {"status":"UP"|"DOWN", <detail>...}} as JSON, with HTTP 200 when up and 503 when down (also when a
 * supplier throws); other methods get 405, other paths 404. It writes nothing else and changes nothing.
 */
final class HealthServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);
    /** Default of {@code --health-port}. */
    static final int DEFAULT_PORT = 8081;
    /** {@code --health-port} value that turns the endpoint off. */
    static final int OFF = -1;
    static final String PATH = "/health";

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HealthServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
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

    /**
     * Starts the endpoint on {@code host}:{@code port}; port 0 picks a free port, port -1 starts nothing
     * (then {@link #port()} is -1 and {@link #close()} does nothing).
     *
     * @param up whether the component is healthy now
     * @param detail more fields of the answer, read at each request ({@code status} among them is ignored)
     * @throws UncheckedIOException naming the flag when the port cannot be bound
     */
    static HealthServer start(String host, int port, BooleanSupplier up, Supplier<Map<String, ?>> detail) {
        checkPort(port);
        if (port == OFF) {
            return new HealthServer(null, null);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("health endpoint (--health-port) cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "loopflow-health");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(PATH, exchange -> handle(exchange, up, detail));
        server.start();
        LOG.info("health endpoint on http://{}:{}{}", host, server.getAddress().getPort(), PATH);
        return new HealthServer(server, executor);
    }

    /** The bound port, or -1 when off. */
    int port() {
        return server == null ? OFF : server.getAddress().getPort();
    }

    /** Stops answering; idempotent. */
    @Override
    public void close() {
        if (server != null && closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static void handle(HttpExchange exchange, BooleanSupplier up, Supplier<Map<String, ?>> detail) throws IOException {
        try (exchange) {
            int status;
            Map<String, Object> body = new LinkedHashMap<>();
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                status = 404;
                body.put("error", "not found; the health endpoint is GET " + PATH);
            } else if (!"GET".equals(exchange.getRequestMethod())) {
                status = 405;
                body.put("error", "only GET");
            } else {
                status = health(up, detail, body);
            }
            byte[] bytes = Json.write(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Fills {@code body} and returns the HTTP status: a supplier that throws means DOWN, with the error. */
    private static int health(BooleanSupplier up, Supplier<Map<String, ?>> detail, Map<String, Object> body) {
        try {
            boolean healthy = up.getAsBoolean();
            body.put("status", healthy ? "UP" : "DOWN");
            detail.get().forEach(body::putIfAbsent);
            return healthy ? 200 : 503;
        } catch (RuntimeException e) {
            LOG.warn("health check failed", e);
            body.clear();
            body.put("status", "DOWN");
            body.put("error", String.valueOf(e));
            return 503;
        }
    }
}
