package io.loopflow.ingest;

import io.loopflow.core.RejectReason;
import io.loopflow.core.Topics;
import io.loopflow.core.inbound.InboundDecoder;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.kafka.SitePartitioner;
import io.loopflow.core.model.Rejection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: reads plant messages from MQTT and writes them to Kafka (CONTRACT.md sections 2, 3,
 * 6 and 7).
 *
 * <p>Reads, over one MQTT 5 persistent session (clean start off, session expiry and stable client id
 * from {@link GatewayConfig}), at QoS 1:
 * <ul>
 *   <li>readings through the shared subscription {@code $share/<shareGroup>/loopflow/v1/+/meters/+/reading},
 *       so the gateways of one group split them;</li>
 *   <li>descriptors through ordinary subscriptions to {@link InboundTopic#DESCRIPTOR_FILTERS}, on every
 *       gateway, because MQTT 5 sends no retained message to a shared subscription. Every gateway writes
 *       each descriptor, and again on every (re)connect: the compacted topics absorb the repeats.</li>
 * </ul>
 * Writes, decoded by {@link InboundDecoder}: accepted readings to {@code loopflow.readings} (key
 * {@code site/meter}), rejections to {@code loopflow.rejected} (key {@link Rejection#key()}), descriptor
 * changes to {@code loopflow.sites|meters|materials|demands} (an empty retained payload as a tombstone).
 * Every record's Kafka timestamp is the gateway's {@code receivedAt}.
 *
 * <p>Guarantee: a message's PUBACK leaves only after Kafka (idempotent producer, {@code acks=all})
 * acknowledged every record it produced, and PUBACKs leave in arrival order ({@link AckQueue}). A
 * failed write is never acknowledged: the gateway drops the MQTT connection and reconnects with the
 * same session, so the broker redelivers every unacknowledged message (duplicates on Kafka are then
 * possible and are removed downstream by {@code seq}/{@code ts}). A record that Kafka refuses for itself
 * (too large, invalid) is written as a {@code malformed} rejection instead, so one bad message cannot
 * stall the session forever.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private static final int QOS = 1;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** How long close() lets Paho flush the last PUBACKs before it disconnects. */
    private static final long QUIESCE_MS = 10_000;
    private static final long DISCONNECT_MS = 10_000;
    private static final Duration PRODUCER_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final long MIN_RECONNECT_DELAY_MS = 100;
    private static final long MAX_RECONNECT_DELAY_MS = 30_000;

    /** What is needed to acknowledge one message: its packet id and QoS. */
    record Delivery(int messageId, int qos) {
    }

    private final GatewayConfig config;
    private final Function<Properties, Producer<String, byte[]>> producers;
    private final InboundDecoder decoder;
    private final GatewayMetrics metrics;
    private final AckQueue<Delivery> acks;
    /** One thread for what must not run on Paho's or Kafka's threads: reconnects, re-sends, the log line. */
    private final ScheduledThreadPoolExecutor control;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> firstSubscription = new CompletableFuture<>();
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private final AtomicLong lastLoggedAccepted = new AtomicLong();
    private volatile MqttAsyncClient client;
    private volatile Producer<String, byte[]> producer;

    public Gateway(GatewayConfig config, MeterRegistry registry) {
        this(config, registry, p -> new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()));
    }

    /** With another Kafka producer for the given producer properties: tests inject failures through it. */
    Gateway(GatewayConfig config, MeterRegistry registry, Function<Properties, Producer<String, byte[]>> producers) {
        this.config = config;
        this.producers = producers;
        this.decoder = new InboundDecoder(config.maxFuture());
        this.metrics = new GatewayMetrics(registry);
        this.acks = new AckQueue<>(this::ack);
        this.control = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "loopflow-gateway-" + config.clientId());
            t.setDaemon(true);
            return t;
        });
        control.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        Gauge.builder("loopflow.gateway.acks.pending", acks, AckQueue::size)
                .description("MQTT messages received and not yet acknowledged (waiting for Kafka)")
                .tag("client", config.clientId()).register(registry);
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
            client = new MqttAsyncClient(config.mqttUri(), config.clientId(), new MemoryPersistence());
            client.setManualAcks(true);
            client.setCallback(new Callback());
            client.connect(connectionOptions()).waitForCompletion(START_TIMEOUT.toMillis());
            firstSubscription.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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
        LOG.info("gateway {} started: {} -> Kafka {}, readings through {}, receive maximum {}, session expiry {}",
                config.clientId(), config.mqttUri(), config.kafkaBootstrap(), config.readingsSubscription(),
                config.receiveMaximum(), config.sessionExpiry());
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
        MqttAsyncClient c = client;
        return c != null && c.isConnected();
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
        control.shutdown();
        try {
            if (!control.awaitTermination(DISCONNECT_MS, TimeUnit.MILLISECONDS)) {
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
        MqttAsyncClient c = client;
        if (c != null) {
            try {
                if (c.isConnected()) {
                    // Quiesce lets Paho send the queued PUBACKs first; a normal DISCONNECT keeps the session.
                    c.disconnect(QUIESCE_MS).waitForCompletion(QUIESCE_MS + DISCONNECT_MS);
                }
            } catch (MqttException e) {
                LOG.warn("gateway {}: clean MQTT disconnect failed ({}); unacknowledged messages will be redelivered",
                        config.clientId(), e.toString());
            }
            try {
                c.close(true);
            } catch (MqttException e) {
                LOG.warn("gateway {}: closing the MQTT client failed: {}", config.clientId(), e.toString());
            }
        }
        if (p != null) {
            p.close(PRODUCER_CLOSE_TIMEOUT);
        }
        LOG.info("gateway {} closed: {}; {} messages left unacknowledged for redelivery",
                config.clientId(), metrics.summary(), acks.size());
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

    private MqttConnectionOptions connectionOptions() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(config.sessionExpiry().getSeconds());
        o.setReceiveMaximum(config.receiveMaximum());
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 30);
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout(10);
        config.login().applyTo(o);
        if (config.mqttUri().startsWith("tcp://")) {
            // Only for plain TCP: an ssl:// URI needs Paho's SSLSocketFactory.
            o.setSocketFactory(new TcpNoDelaySocketFactory());
        }
        return o;
    }

    private void subscribe() {
        List<MqttSubscription> subs = new ArrayList<>();
        subs.add(new MqttSubscription(config.readingsSubscription(), QOS));
        for (String filter : InboundTopic.DESCRIPTOR_FILTERS) {
            subs.add(new MqttSubscription(filter, QOS));
        }
        MqttActionListener listener = new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                int[] codes = token.getReasonCodes();
                for (int i = 0; codes != null && i < codes.length; i++) {
                    if (codes[i] >= MqttReasons.FIRST_FAILURE) {
                        onFailure(token, new IllegalStateException("the broker refused the subscription to "
                                + subs.get(Math.min(i, subs.size() - 1)).getTopic() + config.login().asUser() + ": "
                                + MqttReasons.describe(codes[i])));
                        return;
                    }
                }
                LOG.info("gateway {} subscribed to {}", config.clientId(), subs);
                firstSubscription.complete(null);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                LOG.error("gateway {} could not subscribe to {}", config.clientId(), subs, e);
                firstSubscription.completeExceptionally(e);
            }
        };
        try {
            client.subscribe(subs.toArray(MqttSubscription[]::new), null, listener, new MqttProperties());
        } catch (MqttException | RuntimeException e) {
            listener.onFailure(null, e);
        }
    }

    /** Decodes one message and sends its records; never throws (Paho would drop the message unacknowledged). */
    private void onMessage(String topic, MqttMessage message) {
        if (closing.get()) {
            // Not acknowledged: it stays in the session and is redelivered when the gateway is back.
            return;
        }
        AckQueue<Delivery>.Entry entry = null;
        // Millisecond precision: receivedAt is also the record's Kafka timestamp, and the two must agree.
        Instant receivedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        byte[] payload = message.getPayload();
        try {
            List<KafkaRecords.Outbound> out;
            try {
                out = KafkaRecords.of(decoder.decode(topic, payload, receivedAt), receivedAt);
            } catch (RuntimeException e) {
                // A bug in decoding must cost one rejection, not a session stalled on one message.
                LOG.error("gateway {} could not decode a message on {}; writing it to {} as malformed",
                        config.clientId(), topic, Topics.REJECTED.name(), e);
                out = List.of(KafkaRecords.rejection(new Rejection(RejectReason.MALFORMED,
                        "the gateway could not decode this message: " + e, topic, Rejection.excerpt(payload),
                        receivedAt, null, null)));
            }
            if (message.getQos() > 0) {
                entry = acks.add(new Delivery(message.getId(), message.getQos()), out.size());
            }
            for (KafkaRecords.Outbound o : out) {
                send(o, entry, topic, payload);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("gateway {} failed on a message on {}; it stays unacknowledged and will be redelivered",
                    config.clientId(), topic, e);
            if (message.getQos() > 0) {
                // Keep its place in the order so that no later PUBACK overtakes it.
                AckQueue<Delivery>.Entry failed = entry != null ? entry : acks.add(new Delivery(message.getId(), message.getQos()), 1);
                if (failed.fail()) {
                    requestReconnect(failed.generation());
                }
            }
        }
    }

    private void send(KafkaRecords.Outbound out, AckQueue<Delivery>.Entry entry, String mqttTopic, byte[] payload) {
        try {
            producer.send(out.record(), (metadata, e) -> sent(out, entry, e, mqttTopic, payload));
        } catch (RuntimeException e) {
            // send() itself throws when the buffer stayed full past max.block.ms or the producer is closed.
            sent(out, entry, e, mqttTopic, payload);
        }
    }

    /** Runs on Kafka's I/O thread (or the caller's, when send() threw): quick, never blocking. */
    private void sent(KafkaRecords.Outbound out, AckQueue<Delivery>.Entry entry, Exception e, String mqttTopic, byte[] payload) {
        if (e == null) {
            metrics.written(out);
            if (entry != null) {
                entry.partDone();
            }
            return;
        }
        metrics.sendFailed();
        if (refusesThisRecord(e) && out.kind() != KafkaRecords.Kind.REJECTION && !control.isShutdown()) {
            // Redelivery would fail the same way for ever: say why on loopflow.rejected instead. The rejection
            // takes this record's place in the message's count; it is sent off Kafka's I/O thread.
            LOG.warn("gateway {}: Kafka refused a record for {} from {} ({}); writing a malformed rejection instead",
                    config.clientId(), out.record().topic(), mqttTopic, e.toString());
            Rejection r = new Rejection(RejectReason.MALFORMED, "Kafka refused the record for " + out.record().topic()
                    + ": " + e.getMessage(), mqttTopic, Rejection.excerpt(payload),
                    Instant.ofEpochMilli(out.record().timestamp()), null, null);
            try {
                control.execute(() -> send(KafkaRecords.rejection(r), entry, mqttTopic, payload));
                return;
            } catch (RejectedExecutionException closing) {
                // Closing: leave the message unacknowledged; it is redelivered (and refused again) next time.
                LOG.debug("gateway {}: closing, the rejection is written after the restart", config.clientId());
            }
        }
        if (entry == null) {
            // QoS 0: the plant asked for at most once, and there is nothing to redeliver.
            LOG.error("gateway {}: a QoS 0 message on {} is lost: Kafka write to {} failed",
                    config.clientId(), mqttTopic, out.record().topic(), e);
            return;
        }
        if (entry.fail()) {
            LOG.warn("gateway {}: Kafka write to {} failed for the message on {}; not acknowledging it, "
                    + "reconnecting so that the broker redelivers every unacknowledged message",
                    config.clientId(), out.record().topic(), mqttTopic, e);
            requestReconnect(entry.generation());
        } else {
            LOG.debug("gateway {}: another Kafka write failed ({}); a reconnect is already due", config.clientId(), e.toString());
        }
    }

    private static boolean refusesThisRecord(Exception e) {
        return e instanceof RecordTooLargeException || e instanceof InvalidRecordException;
    }

    /** Acker of the {@link AckQueue}: runs under its lock, in arrival order. */
    private void ack(Delivery d) {
        failuresInARow.set(0);
        try {
            client.messageArrivedComplete(d.messageId(), d.qos());
        } catch (MqttException | RuntimeException e) {
            LOG.warn("gateway {}: PUBACK for packet {} could not be queued ({}); the broker will redeliver it",
                    config.clientId(), d.messageId(), e.toString());
        }
    }

    private void requestReconnect(long generation) {
        long delay = Math.min(MAX_RECONNECT_DELAY_MS, MIN_RECONNECT_DELAY_MS << Math.min(failuresInARow.getAndIncrement(), 10));
        try {
            control.execute(() -> dropConnection(generation, delay));
        } catch (RuntimeException e) {
            // Rejected after close(): the session is ending anyway and keeps the unacknowledged messages.
            LOG.debug("gateway {}: no reconnect, closing ({})", config.clientId(), e.toString());
        }
    }

    /**
     * Drops the connection on which a write failed, so that the broker redelivers all its unacknowledged
     * messages on the next one, and reconnects after {@code delayMs}. Nothing to do when the connection
     * has changed since (Paho lost it and reconnected by itself).
     */
    private void dropConnection(long generation, long delayMs) {
        if (closing.get() || acks.generation() != generation) {
            return;
        }
        try {
            // No DISCONNECT packet: Paho would wait its whole timeout for it. A dropped TCP connection keeps the
            // session (expiry > 0) just the same.
            client.disconnectForcibly(0, DISCONNECT_MS, false);
        } catch (MqttException e) {
            LOG.warn("gateway {}: could not drop the MQTT connection ({}); Paho's reconnect takes over",
                    config.clientId(), e.toString());
            return;
        }
        // Paho has stopped delivering the old connection's messages: forget their entries before the new one.
        int forgotten = acks.reset();
        metrics.reconnected();
        LOG.warn("gateway {} dropped its MQTT connection: {} unacknowledged messages will be redelivered; reconnecting in {} ms",
                config.clientId(), forgotten, delayMs);
        control.schedule(this::reconnect, delayMs, TimeUnit.MILLISECONDS);
    }

    private void reconnect() {
        if (closing.get()) {
            return;
        }
        try {
            // Paho retries by itself, with back-off, when this attempt fails.
            client.reconnect();
        } catch (MqttException e) {
            LOG.info("gateway {}: reconnect not started ({}), Paho is already connecting", config.clientId(), e.toString());
        }
    }

    private void logCounts() {
        long accepted = metrics.accepted();
        long previous = lastLoggedAccepted.getAndSet(accepted);
        double perSecond = (accepted - previous) / (config.logInterval().toMillis() / 1000.0);
        LOG.info("gateway {}: {}; {} readings/s over the last {}; {} awaiting Kafka{}", config.clientId(), metrics.summary(),
                String.format("%.1f", perSecond), config.logInterval(), acks.size(), acks.blocked() ? " (blocked by a failed write)" : "");
    }

    /** Paho's callback; every method returns normally. */
    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            // Paho has stopped delivering this connection's messages; their packet ids mean nothing on the next one.
            int forgotten = acks.reset();
            LOG.warn("gateway {} lost its MQTT connection ({}); {} unacknowledged messages will be redelivered",
                    config.clientId(), response, forgotten);
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
            LOG.error("gateway {}: MQTT error", config.clientId(), e);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            onMessage(topic, message);
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // The gateway publishes nothing.
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            LOG.info("gateway {} {} to {}", config.clientId(), reconnect ? "reconnected" : "connected", serverUri);
            // The session normally keeps the subscriptions; subscribing again costs little and covers an expired one.
            subscribe();
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            LOG.debug("gateway {}: AUTH packet 0x{} ignored", config.clientId(), Integer.toHexString(reasonCode));
        }
    }
}
