package io.loopflow.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, broker and controller in one node) running inside this JVM, for
 * {@code loopflow local} and integration tests.
 *
 * <p>Both listeners bind to 127.0.0.1 only: the broker on the requested port, the controller on a
 * free port. Log data lives under {@code dataDir/kafka}; it is formatted on first start and reused
 * afterwards, so topics and offsets survive a restart with the same data directory. Replication
 * factors and min ISR of the offsets and transaction topics are 1 (one node), without which
 * consumer groups and exactly-once Streams stall. Topics are not created automatically: call
 * {@link TopicSetup#ensureTopics(String, int)} so every topic gets the configuration the contract
 * asks for (compacted descriptor topics).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Formats (first time only) and starts a broker+controller node, returning once the broker
     * answers an AdminClient {@code describeCluster}.
     *
     * @param dataDir directory for Kafka's logs and metadata ({@code dataDir/kafka}); created if missing
     * @param port    broker port on 127.0.0.1; 0 picks a free port
     */
    public static EmbeddedKafka start(Path dataDir, int port) {
        int brokerPort = FreePorts.resolve(port);
        int controllerPort = FreePorts.pick();
        Path logDir = dataDir.resolve("kafka").toAbsolutePath().normalize();
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data directory " + logDir, e);
        }
        Properties props = brokerProperties(logDir, brokerPort, controllerPort);
        KafkaConfig config = KafkaConfig.fromProps(props, false);
        format(logDir);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        EmbeddedKafka kafka = new EmbeddedKafka(server, brokerPort);
        try {
            server.startup();
            kafka.awaitReady();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        LOG.info("Embedded Kafka listening on {} (data in {})", kafka.bootstrapServers(), logDir);
        return kafka;
    }

    private static Properties brokerProperties(Path logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // One node: every internal topic must be satisfiable with a single replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Topics are provisioned by TopicSetup with the contract's configuration, never by accident.
        p.put("auto.create.topics.enable", "false");
        // Two-core machines: keep the thread count modest.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        return p;
    }

    private static void format(Path logDir) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            // Formatted by an earlier run: keep its cluster id, topics and offsets.
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(print)
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(logDir.toString())
                    .addDirectory(logDir.toString())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + logDir, e);
        }
        LOG.debug("Kafka storage format: {}", output.toString(StandardCharsets.UTF_8).trim());
    }

    private void awaitReady() {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("embedded Kafka did not answer on " + bootstrapServers()
                    + " within " + READY_TIMEOUT, e);
        }
    }

    /** The broker's bootstrap address, {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Shuts the node down cleanly (controlled shutdown, logs flushed); later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Embedded Kafka on {} stopped", bootstrapServers());
    }
}
