package io.loopflow.streams.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embedded Jetty 12 server (core handlers, no servlet container) with the limits every LoopFlow HTTP
 * endpoint gets, so that slow or idle clients cannot silence a health check:
 * <ul>
 *   <li>requests are read by Jetty's selector without holding a thread, so a connection that sends half a
 *       request and waits costs a socket, not a worker;</li>
 *   <li>a connection that sends nothing for {@link #IDLE_TIMEOUT} (while reading a request or between
 *       requests) is closed; at the connection limit that drops to {@link #IDLE_TIMEOUT_AT_LIMIT};</li>
 *   <li>at most {@link #MAX_CONNECTIONS} connections are open: past that, Jetty stops accepting until one
 *       closes, rather than running out of file descriptors or memory;</li>
 *   <li>at most {@link #MAX_THREADS} threads run handlers.</li>
 * </ul>
 * Serves what {@code handler} answers; writes nothing else.
 */
public final class EmbeddedHttpServer implements AutoCloseable {
    /** How long a connection may send nothing, while a request is being read or between requests. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(15);
    /** The idle timeout of every connection while {@link #MAX_CONNECTIONS} are open. */
    public static final Duration IDLE_TIMEOUT_AT_LIMIT = Duration.ofSeconds(2);
    /** Open connections at most (server-sent event streams included). */
    public static final int MAX_CONNECTIONS = 512;
    /** Threads running handlers at most. */
    public static final int MAX_THREADS = 24;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedHttpServer.class);

    private final Server server;
    private final ServerConnector connector;
    private final String name;

    private EmbeddedHttpServer(Server server, ServerConnector connector, String name) {
        this.server = server;
        this.connector = connector;
        this.name = name;
    }

    /**
     * Starts {@code handler} on {@code host}:{@code port} (port 0: a free port) and logs the bound address.
     *
     * @param name what the server is, for its threads and log lines (e.g. {@code loopflow-http})
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static EmbeddedHttpServer start(String name, String host, int port, Handler handler) {
        return start(name, host, port, handler, IDLE_TIMEOUT);
    }

    /** {@link #start(String, String, int, Handler)} with another idle timeout (tests of the timeout itself). */
    static EmbeddedHttpServer start(String name, String host, int port, Handler handler, Duration idleTimeout) {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
        threads.setName(name);
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(idleTimeout.toMillis());
        server.addConnector(connector);
        NetworkConnectionLimit limit = new NetworkConnectionLimit(MAX_CONNECTIONS, server);
        limit.setEndPointIdleTimeout(IDLE_TIMEOUT_AT_LIMIT.toMillis());
        server.addBean(limit);
        server.setHandler(handler);
        // Stopping does not wait for open requests: the answers are reads of in-memory state, the same again on restart.
        server.setStopTimeout(0);
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server, name);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + io.getMessage(), io);
            }
            throw new IllegalStateException("cannot start the HTTP server on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        EmbeddedHttpServer started = new EmbeddedHttpServer(server, connector, name);
        LOG.info("{} listening on {}", name, started.url());
        return started;
    }

    /** The bound port. */
    public int port() {
        return connector.getLocalPort();
    }

    /** The bound interface, as given ({@code 0.0.0.0}: all interfaces). */
    public String host() {
        return connector.getHost();
    }

    /** {@code http://<bound host>:<bound port>}. */
    public String url() {
        return "http://" + host() + ":" + port();
    }

    @Override
    public void close() {
        stopQuietly(server, name);
    }

    private static void stopQuietly(Server server, String name) {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("{} did not stop cleanly", name, e);
        }
    }
}
