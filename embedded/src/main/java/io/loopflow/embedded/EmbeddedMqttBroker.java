package io.loopflow.embedded;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HiveMQ Community Edition running inside this JVM: the MQTT broker of {@code loopflow local} and
 * of integration tests.
 *
 * <p>It writes its {@code config.xml} to {@code dataDir/hivemq/conf} and keeps its data in
 * {@code dataDir/hivemq/data}. The one TCP listener binds to 127.0.0.1. Two HiveMQ defaults would
 * break the contract's guarantee that no QoS 1 message queued for a gateway is discarded, so they
 * are raised: the per-session queue ({@code max-queue-size}, default 1,000, now 10,000,000) and the
 * broker's receive window ({@code server-receive-maximum}, default 10, now 65,535). Persistence is
 * in memory unless asked otherwise: about 62k msg/s against 12k msg/s with file persistence on a
 * 2-core machine, at the price of losing queued messages if the whole process crashes.
 * Anything HiveMQ still drops is counted in {@link #droppedMessages()}.
 */
public final class EmbeddedMqttBroker implements AutoCloseable {
    /** HiveMQ's counter of messages it discarded (full queues, oversize, expired). */
    public static final String DROPPED_METRIC = "com.hivemq.messages.dropped.count";
    /** Queued messages per client session before HiveMQ discards; HiveMQ's default is 1,000. */
    public static final long MAX_QUEUE_SIZE = 10_000_000L;
    /** In-flight QoS 1 messages a publisher may have towards the broker; HiveMQ's default is 10. */
    public static final int SERVER_RECEIVE_MAXIMUM = 65_535;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMqttBroker.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final EmbeddedHiveMQ hivemq;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedMqttBroker(EmbeddedHiveMQ hivemq, int port) {
        this.hivemq = hivemq;
        this.port = port;
    }

    /**
     * Writes the configuration and starts HiveMQ, returning once it accepts connections.
     *
     * @param dataDir         directory for HiveMQ's configuration and data ({@code dataDir/hivemq}); created if missing
     * @param port            MQTT port on 127.0.0.1; 0 picks a free port
     * @param filePersistence true to persist sessions, queues and retained messages to disk
     */
    public static EmbeddedMqttBroker start(Path dataDir, int port, boolean filePersistence) {
        int mqttPort = FreePorts.resolve(port);
        Path home = dataDir.resolve("hivemq").toAbsolutePath().normalize();
        Path conf = home.resolve("conf");
        Path data = home.resolve("data");
        Path extensions = home.resolve("extensions");
        try {
            Files.createDirectories(conf);
            Files.createDirectories(data);
            Files.createDirectories(extensions);
            Files.writeString(conf.resolve("config.xml"), configXml(mqttPort, filePersistence), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare HiveMQ directory " + home, e);
        }
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                // HiveMQ ships its own logback.xml; LoopFlow's logging configuration stays in charge.
                .withoutLoggingBootstrap()
                .build();
        EmbeddedMqttBroker broker = new EmbeddedMqttBroker(hivemq, mqttPort);
        try {
            hivemq.start().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broker.close();
            throw new IllegalStateException("interrupted while starting HiveMQ", e);
        } catch (ExecutionException | TimeoutException e) {
            broker.close();
            throw new IllegalStateException("HiveMQ did not start on 127.0.0.1:" + mqttPort, e);
        }
        LOG.info("Embedded MQTT broker listening on {} ({} persistence)", broker.uri(),
                filePersistence ? "file" : "in-memory");
        return broker;
    }

    /** The HiveMQ configuration this class runs with; see the class comment for the reasons. */
    static String configXml(int port, boolean filePersistence) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <hivemq>
                  <listeners>
                    <tcp-listener>
                      <port>%d</port>
                      <bind-address>127.0.0.1</bind-address>
                    </tcp-listener>
                  </listeners>
                  <mqtt>
                    <queued-messages>
                      <max-queue-size>%d</max-queue-size>
                      <strategy>discard</strategy>
                    </queued-messages>
                    <receive-maximum>
                      <server-receive-maximum>%d</server-receive-maximum>
                    </receive-maximum>
                  </mqtt>
                  <persistence>
                    <mode>%s</mode>
                  </persistence>
                  <anonymous-usage-statistics>
                    <enabled>false</enabled>
                  </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, MAX_QUEUE_SIZE, SERVER_RECEIVE_MAXIMUM, filePersistence ? "file" : "in-memory");
    }

    /** The MQTT port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The broker's address for MQTT clients, {@code tcp://127.0.0.1:<port>}. */
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** HiveMQ's {@value #DROPPED_METRIC}: messages the broker discarded since it started. */
    public long droppedMessages() {
        Metric metric = hivemq.getMetricRegistry().getMetrics().get(DROPPED_METRIC);
        if (metric instanceof Counter counter) {
            return counter.getCount();
        }
        if (metric instanceof Gauge<?> gauge && gauge.getValue() instanceof Number number) {
            return number.longValue();
        }
        // HiveMQ registers the counter lazily on some versions: absent means nothing was dropped yet.
        return 0L;
    }

    /** Stops HiveMQ; later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            hivemq.close();
            LOG.info("Embedded MQTT broker on {} stopped", uri());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping HiveMQ", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("HiveMQ did not stop cleanly", e);
        }
    }
}
