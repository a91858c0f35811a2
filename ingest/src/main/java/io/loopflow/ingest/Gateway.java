package io.loopflow.ingest;

import io.loopflow.core.kafka.SitePartitioner;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: reads plant messages from MQTT and writes them to Kafka (CONTRACT.md sections 2, 3,
 * 6 and 7). Two parts, each with one job:
 * <ul>
 *   <li>{@link GatewaySession}, the MQTT session: connects with a persistent MQTT 5 session, subscribes
 *       ({@link GatewaySubscriptions}: readings and every other topic under {@code loopflow/v1/} through
 *       {@code $share/<shareGroup>/loopflow/v1/#}, descriptors through ordinary subscriptions so that retained
 *       ones arrive; each message processed once), reconnects;</li>
 *   <li>{@link GatewayBridge}, the bridge: decodes each message, writes its records to Kafka and acknowledges
 *       it once Kafka has them, in arrival order ({@link AckQueue}).</li>
 * </ul>
 * Writes accepted readings to {@code loopflow.readings} (key {@code site/meter}), rejections to
 * {@code loopflow.rejected} (a topic under {@code loopflow/v1/} that is none of the contract's is
 * {@code invalid_field} with the topic in its detail), descriptor changes to
 * {@code loopflow.sites|meters|materials|demands} (an empty retained payload as a tombstone). Every record's
 * Kafka timestamp is the gateway's {@code receivedAt}.
 *
 * <p>Guarantee: a message's PUBACK leaves only after Kafka (idempotent producer, {@code acks=all})
 * acknowledged every record it produced, and PUBACKs leave in arrival order. A failed write is never
 * acknowledged: the gateway drops the MQTT connection and reconnects with the same session, so the broker
 * redelivers every unacknowledged message (duplicates on Kafka are then possible and are removed downstream
 * by {@code seq}/{@code ts}). A reading published with the retain flag is counted once: the readings
 * subscription never asks for retained messages.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** How long close() lets Paho flush the last PUBACKs before it disconnects. */
    private static final Duration QUIESCE = Duration.ofSeconds(10);
    private static final long CONTROL_STOP_MS = 10_000;
    private static final Duration PRODUCER_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final GatewayConfig config;
    private final Function<Properties, Producer<String, byte[]>> producers;
    private final GatewayMetrics metrics;
    /** One thread for what must not run on Paho's or Kafka's threads: reconnects, re-sends, the log line. */
    private final ScheduledThreadPoolExecutor control;
    private final GatewaySession session;
    private final GatewayBridge bridge;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicLong lastLoggedAccepted = new AtomicLong();
    private volatile Producer<String, byte[]> producer;

    public Gateway(GatewayConfig config, MeterRegistry registry) {
        this(config, registry, p -> new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()));
    }

    /** With another Kafka producer for the given producer properties: tests inject failures through it. */
    Gateway(GatewayConfig config, MeterRegistry registry, Function<Properties, Producer<String, byte[]>> producers) {
        this.config = config;
        this.producers = producers;
        this.metrics = new GatewayMetrics(registry);
        this.control = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "loopflow-gateway-" + config.clientId());
            t.setDaemon(true);
            return t;
        });
        control.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.session = new GatewaySession(config);
        this.bridge = new GatewayBridge(config, session, metrics, control, registry);
    }

    /**
     * Creates the Kafka producer (which connects lazily), connects to the MQTT broker with the persistent
     * session and subscribes; returns once the broker granted the subscriptions. Messages the session
     * kept while the gateway was away start arriving at once.
     *
     * @throws IllegalStateException when the broker cannot be reached or refuses the session or a
     *     subscription within 30 s (the gateway is then closed)
     */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("gateway " + config.clientId() + " was already started");
        }
        try {
            producer = producers.apply(producerProperties(config));
            bridge.open(producer);
            session.connect(bridge, START_TIMEOUT);
        } catch (MqttException | TimeoutException e) {
            close();
            throw new IllegalStateException("gateway " + config.clientId() + " could not connect and subscribe to "
                    + config.mqttUri() + config.login().asUser() + ": " + e, e);
        } catch (ExecutionException e) {
            close();
            throw new IllegalStateException("gateway " + config.clientId() + " could not subscribe on "
                    + config.mqttUri() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting gateway " + config.clientId(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        long every = config.logInterval().toMillis();
        control.scheduleAtFixedRate(this::logCounts, every, every, TimeUnit.MILLISECONDS);
        LOG.info("gateway {} started: {} -> Kafka {}, reading {}, receive maximum {}, session expiry {}, min ts {}",
                config.clientId(), config.mqttUri(), config.kafkaBootstrap(), session.describe(),
                config.receiveMaximum(), config.sessionExpiry(), config.minTs());
    }

    /** Readings this gateway has written to {@code loopflow.readings} (acknowledged by Kafka). */
    public long accepted() {
        return metrics.accepted();
    }

    /** Rejections this gateway has written to {@code loopflow.rejected} (acknowledged by Kafka). */
    public long rejected() {
        return metrics.rejected();
    }

    /** True while the MQTT client is connected to the broker (false before start, while reconnecting and after close). */
    public boolean connected() {
        return session.connected();
    }

    /**
     * Stops taking messages (those that arrive from now on stay unacknowledged in the session), waits
     * for the Kafka writes in flight, acknowledges what Kafka acknowledged, disconnects without ending
     * the session, and closes the producer. Idempotent.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        bridge.stopTaking();
        control.shutdown();
        try {
            if (!control.awaitTermination(CONTROL_STOP_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("gateway {}: a reconnect or re-send was still running at close", config.clientId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Producer<String, byte[]> p = producer;
        if (p != null) {
            // Completes every send in flight; their callbacks queue the PUBACKs that Kafka earned.
            p.flush();
        }
        // Quiesce lets Paho send the queued PUBACKs first; a normal DISCONNECT keeps the session.
        session.close(QUIESCE);
        if (p != null) {
            p.close(PRODUCER_CLOSE_TIMEOUT);
        }
        LOG.info("gateway {} closed: {}; {} messages left unacknowledged for redelivery",
                config.clientId(), metrics.summary(), bridge.pending());
    }

    /** The Kafka producer settings of a gateway of {@code config} (public so that bench/ measures the same producer). */
    public static Properties producerProperties(GatewayConfig config) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, config.clientId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Little batching: HiveMQ CE sends a session at most 50 messages and sends more only once all are
        // acknowledged, so every ms of linger is added to each round of 50; readings batch anyway while a
        // request is in flight.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        // A site's readings and descriptors in one partition, so the stream processor needs no repartition topic.
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, SitePartitioner.class.getName());
        return p;
    }

    private void logCounts() {
        long accepted = metrics.accepted();
        long previous = lastLoggedAccepted.getAndSet(accepted);
        double perSecond = (accepted - previous) / (config.logInterval().toMillis() / 1000.0);
        LOG.info("gateway {}: {}; {} readings/s over the last {}; {} awaiting Kafka{}", config.clientId(), metrics.summary(),
                String.format("%.1f", perSecond), config.logInterval(), bridge.pending(),
                bridge.blocked() ? " (blocked by a failed write)" : "");
    }
}
