package io.loopflow.embedded;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.embedded.EmbeddedHiveMQBuilder;
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
 *
 * <p>Two options, through {@link #builder(Path)}: a {@link ServiceAccess} in front of every CONNECT
 * (local mode: plants are admitted only once the gateway is subscribed, and no one but LoopFlow's services
 * can use a service's client id); and a second, TLS listener on 127.0.0.1 from a key store (tests of
 * {@code ssl://} clients). Without a {@link ServiceAccess}, HiveMQ admits every client.
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
    private final int tlsPort;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedMqttBroker(EmbeddedHiveMQ hivemq, int port, int tlsPort) {
        this.hivemq = hivemq;
        this.port = port;
        this.tlsPort = tlsPort;
    }

    /**
     * Writes the configuration and starts HiveMQ, returning once it accepts connections; every client is admitted.
     *
     * @param dataDir         directory for HiveMQ's configuration and data ({@code dataDir/hivemq}); created if missing
     * @param port            MQTT port on 127.0.0.1; 0 picks a free port
     * @param filePersistence true to persist sessions, queues and retained messages to disk
     */
    public static EmbeddedMqttBroker start(Path dataDir, int port, boolean filePersistence) {
        return builder(dataDir).port(port).filePersistence(filePersistence).start();
    }

    /** A broker keeping its configuration and data in {@code dataDir/hivemq}; see {@link Builder}. */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** Options of an embedded broker; {@link #start()} starts it. */
    public static final class Builder {
        private final Path dataDir;
        private int port;
        private boolean filePersistence;
        private ServiceAccess access;
        private Path tlsKeyStore;
        private String tlsKeyStorePassword;

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        /** MQTT port on 127.0.0.1; 0 (the default) picks a free port. */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /** True to persist sessions, queues and retained messages to disk (default: in memory). */
        public Builder filePersistence(boolean value) {
            this.filePersistence = value;
            return this;
        }

        /** Decides every CONNECT (see {@link ServiceAccess}); none: every client is admitted. */
        public Builder access(ServiceAccess value) {
            this.access = value;
            return this;
        }

        /**
         * Also listens for MQTT over TLS on a free port of 127.0.0.1 ({@link #tlsUri()}), with the key and
         * certificate chain of {@code keyStore} (PKCS12 or JKS, one key entry whose password is the store's).
         */
        public Builder tls(Path keyStore, String password) {
            this.tlsKeyStore = keyStore.toAbsolutePath().normalize();
            this.tlsKeyStorePassword = password;
            return this;
        }

        /** Writes the configuration and starts HiveMQ, returning once it accepts connections. */
        public EmbeddedMqttBroker start() {
            return EmbeddedMqttBroker.start(this);
        }
    }

    private static EmbeddedMqttBroker start(Builder options) {
        int mqttPort = FreePorts.resolve(options.port);
        int tlsPort = options.tlsKeyStore == null ? -1 : FreePorts.pick();
        Path home = options.dataDir.resolve("hivemq").toAbsolutePath().normalize();
        Path conf = home.resolve("conf");
        Path data = home.resolve("data");
        Path extensions = home.resolve("extensions");
        try {
            Files.createDirectories(conf);
            Files.createDirectories(data);
            Files.createDirectories(extensions);
            String tls = tlsPort < 0 ? "" : tlsListenerXml(tlsPort, options.tlsKeyStore, options.tlsKeyStorePassword);
            Files.writeString(conf.resolve("config.xml"), configXml(mqttPort, tls, options.filePersistence), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare HiveMQ directory " + home, e);
        }
        EmbeddedHiveMQBuilder builder = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                // HiveMQ ships its own logback.xml; LoopFlow's logging configuration stays in charge.
                .withoutLoggingBootstrap();
        if (options.access != null) {
            // HiveMQ starts embedded extensions before it opens its listeners: no CONNECT passes unchecked.
            builder.withEmbeddedExtension(options.access.extension());
        }
        EmbeddedHiveMQ hivemq = builder.build();
        boolean filePersistence = options.filePersistence;
        EmbeddedMqttBroker broker = new EmbeddedMqttBroker(hivemq, mqttPort, tlsPort);
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
        LOG.info("Embedded MQTT broker listening on {}{} ({} persistence{})", broker.uri(),
                tlsPort < 0 ? "" : " and " + broker.tlsUri(), filePersistence ? "file" : "in-memory",
                options.access == null ? "" : ", service access checked");
        return broker;
    }

    private static String tlsListenerXml(int port, Path keyStore, String password) {
        return """
                    <tls-tcp-listener>
                      <port>%d</port>
                      <bind-address>127.0.0.1</bind-address>
                      <tls>
                        <keystore>
                          <path>%s</path>
                          <password>%s</password>
                          <private-key-password>%s</private-key-password>
                        </keystore>
                      </tls>
                    </tls-tcp-listener>
                """.formatted(port, xml(keyStore.toString()), xml(password), xml(password));
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** The HiveMQ configuration this class runs with; see the class comment for the reasons. */
    static String configXml(int port, boolean filePersistence) {
        return configXml(port, "", filePersistence);
    }

    private static String configXml(int port, String extraListeners, boolean filePersistence) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <hivemq>
                  <listeners>
                    <tcp-listener>
                      <port>%d</port>
                      <bind-address>127.0.0.1</bind-address>
                    </tcp-listener>
                %s  </listeners>
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
                """.formatted(port, extraListeners, MAX_QUEUE_SIZE, SERVER_RECEIVE_MAXIMUM, filePersistence ? "file" : "in-memory");
    }

    /** The MQTT port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The broker's address for MQTT clients, {@code tcp://127.0.0.1:<port>}. */
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The TLS listener's address, {@code ssl://127.0.0.1:<port>}; only with {@link Builder#tls}. */
    public String tlsUri() {
        if (tlsPort < 0) {
            throw new IllegalStateException("this broker has no TLS listener");
        }
        return "ssl://127.0.0.1:" + tlsPort;
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
