package io.loopflow.ingest;

import io.loopflow.core.RejectReason;
import io.loopflow.core.Topics;
import io.loopflow.core.inbound.InboundDecoder;
import io.loopflow.core.model.Rejection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka side of a gateway: decodes each message the {@link GatewaySession} delivers ({@link InboundDecoder},
 * with {@code ingest.max-future} and {@code ingest.min-ts}), sends its records ({@link KafkaRecords}: accepted
 * readings to {@code loopflow.readings}, rejections to {@code loopflow.rejected}, descriptor changes to their
 * compacted topics) and acknowledges it in arrival order once Kafka acknowledged all of them ({@link AckQueue}).
 * A copy that {@link GatewaySubscriptions} routes away, and an alert, is acknowledged in its place in the order
 * without any record.
 *
 * <p>A failed write is never acknowledged: the bridge has the session drop the connection and reconnect
 * (back-off from 100 ms to 30 s while writes keep failing), so the broker redelivers every unacknowledged
 * message. A record that Kafka refuses for itself (too large, invalid) becomes a {@code malformed} rejection
 * instead, so that one bad message cannot stall the session forever.
 */
final class GatewayBridge implements GatewaySession.Inbound {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayBridge.class);
    private static final long MIN_RECONNECT_DELAY_MS = 100;
    private static final long MAX_RECONNECT_DELAY_MS = 30_000;

    /** What is needed to acknowledge one message: its packet id and QoS. */
    record Delivery(int messageId, int qos) {
    }

    private final GatewayConfig config;
    private final GatewaySession session;
    private final GatewayMetrics metrics;
    /** Reconnects, re-sends: what must not run on Paho's or Kafka's threads. */
    private final ScheduledExecutorService control;
    private final InboundDecoder decoder;
    private final AckQueue<Delivery> acks;
    private final AtomicBoolean taking = new AtomicBoolean(true);
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private volatile Producer<String, byte[]> producer;

    GatewayBridge(GatewayConfig config, GatewaySession session, GatewayMetrics metrics, ScheduledExecutorService control,
                  MeterRegistry registry) {
        this.config = config;
        this.session = session;
        this.metrics = metrics;
        this.control = control;
        this.decoder = new InboundDecoder(config.maxFuture(), config.minTs());
        this.acks = new AckQueue<>(this::ack);
        Gauge.builder("loopflow.gateway.acks.pending", acks, AckQueue::size)
                .description("MQTT messages received and not yet acknowledged (waiting for Kafka)")
                .tag("client", config.clientId()).register(registry);
    }

    /** The producer to write with; set before the session connects. */
    void open(Producer<String, byte[]> kafka) {
        this.producer = kafka;
    }

    /** From now on messages stay unacknowledged in the session and are redelivered when the gateway is back. */
    void stopTaking() {
        taking.set(false);
    }

    /** Messages received and not yet acknowledged. */
    int pending() {
        return acks.size();
    }

    /** True when the oldest pending message failed and holds back every later acknowledgement. */
    boolean blocked() {
        return acks.blocked();
    }

    /** Decodes one message and sends its records; never throws (Paho would drop the message unacknowledged). */
    @Override
    public void messageArrived(String topic, MqttMessage message, GatewaySubscriptions.Route route) {
        if (!taking.get()) {
            return;
        }
        AckQueue<Delivery>.Entry entry = null;
        try {
            if (route != GatewaySubscriptions.Route.PROCESS) {
                metrics.ignored(route);
                if (message.getQos() > 0) {
                    acks.add(new Delivery(message.getId(), message.getQos()), 0);
                }
                return;
            }
            // Millisecond precision: receivedAt is also the record's Kafka timestamp, and the two must agree.
            Instant receivedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            byte[] payload = message.getPayload();
            List<KafkaRecords.Outbound> out = decode(topic, payload, receivedAt);
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

    @Override
    public void connectionLost(String why) {
        // Paho has stopped delivering this connection's messages; their packet ids mean nothing on the next one.
        int forgotten = acks.reset();
        metrics.connectionLost();
        LOG.warn("gateway {} lost its MQTT connection ({}); {} unacknowledged messages will be redelivered",
                config.clientId(), why, forgotten);
    }

    private List<KafkaRecords.Outbound> decode(String topic, byte[] payload, Instant receivedAt) {
        try {
            return KafkaRecords.of(decoder.decode(topic, payload, receivedAt), receivedAt);
        } catch (RuntimeException e) {
            // A bug in decoding must cost one rejection, not a session stalled on one message.
            LOG.error("gateway {} could not decode a message on {}; writing it to {} as malformed",
                    config.clientId(), topic, Topics.REJECTED.name(), e);
            return List.of(KafkaRecords.rejection(new Rejection(RejectReason.MALFORMED,
                    "the gateway could not decode this message: " + e, topic, Rejection.excerpt(payload), receivedAt, null, null)));
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
            session.ack(d.messageId(), d.qos());
        } catch (MqttException | RuntimeException e) {
            LOG.warn("gateway {}: PUBACK for packet {} could not be queued ({}); the broker will redeliver it",
                    config.clientId(), d.messageId(), e.toString());
        }
    }

    private void requestReconnect(long generation) {
        long delay = Math.min(MAX_RECONNECT_DELAY_MS, MIN_RECONNECT_DELAY_MS << Math.min(failuresInARow.getAndIncrement(), 10));
        try {
            control.execute(() -> dropConnection(generation, delay));
        } catch (RejectedExecutionException e) {
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
        if (!taking.get() || acks.generation() != generation || !session.dropConnection()) {
            return;
        }
        // Paho has stopped delivering the old connection's messages: forget their entries before the new one.
        int forgotten = acks.reset();
        metrics.reconnected();
        LOG.warn("gateway {} dropped its MQTT connection: {} unacknowledged messages will be redelivered; reconnecting in {} ms",
                config.clientId(), forgotten, delayMs);
        control.schedule(() -> {
            if (taking.get()) {
                session.reconnect();
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }
}
