package io.loopflow.ingest;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * The MQTT side of a gateway: one MQTT 5 persistent session (clean start off, the session expiry and
 * stable client id of {@link GatewayConfig}, manual acknowledgements) on a {@code tcp://} or {@code ssl://}
 * connection with TCP_NODELAY ({@link MqttTls}). It connects, subscribes at every connect
 * ({@link GatewaySubscriptions}; the session normally keeps the subscriptions, and subscribing again costs
 * little and covers an expired one), reconnects (Paho's automatic reconnect with back-off, and
 * {@link #dropConnection()} on request), and sends the PUBACKs it is told to. Each message goes to the
 * {@link Inbound} with its {@link GatewaySubscriptions.Route}; nothing here decodes or acknowledges by itself.
 */
final class GatewaySession {
    private static final Logger LOG = LoggerFactory.getLogger(GatewaySession.class);
    private static final int KEEP_ALIVE_S = 30;
    private static final int CONNECT_TIMEOUT_S = 10;
    private static final long DISCONNECT_MS = 10_000;

    /** Where the session delivers; called on Paho's callback thread, must return quickly and never throw. */
    interface Inbound {
        /** One message, to be acknowledged (QoS 1) through {@link #ack} once handled. */
        void messageArrived(String topic, MqttMessage message, GatewaySubscriptions.Route route);

        /** The connection is gone: packet ids of its unacknowledged messages mean nothing on the next one. */
        void connectionLost(String why);
    }

    private final GatewayConfig config;
    private final GatewaySubscriptions subscriptions;
    private final CompletableFuture<Void> firstSubscription = new CompletableFuture<>();
    private volatile MqttAsyncClient client;

    GatewaySession(GatewayConfig config) {
        this.config = config;
        this.subscriptions = new GatewaySubscriptions(config);
    }

    /**
     * Connects with the persistent session and subscribes; returns once the broker granted every
     * subscription. Messages the session kept meanwhile start arriving at once.
     *
     * @throws IllegalStateException when the broker refuses a subscription or lacks subscription identifiers
     */
    void connect(Inbound inbound, Duration timeout) throws MqttException, TimeoutException, ExecutionException, InterruptedException {
        client = new MqttAsyncClient(config.mqttUri(), config.clientId(), new MemoryPersistence());
        client.setManualAcks(true);
        client.setCallback(new Callback(inbound));
        IMqttToken connected = client.connect(options());
        connected.waitForCompletion(timeout.toMillis());
        MqttProperties connack = connected.getResponseProperties();
        if (connack != null && !connack.isSubscriptionIdentifiersAvailable()) {
            throw new IllegalStateException("the broker " + config.mqttUri() + " does not offer MQTT 5 subscription identifiers, "
                    + "which the gateway needs to process a message matching two of its subscriptions once");
        }
        firstSubscription.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True while the MQTT client is connected to the broker. */
    boolean connected() {
        MqttAsyncClient c = client;
        return c != null && c.isConnected();
    }

    /** Queues the PUBACK of one message of the current connection. */
    void ack(int messageId, int qos) throws MqttException {
        client.messageArrivedComplete(messageId, qos);
    }

    /**
     * Drops the connection without a DISCONNECT packet (Paho would wait its whole timeout for it), so that
     * the broker keeps the session (expiry above 0) and redelivers every unacknowledged message on the
     * next connection. Paho stops delivering the old connection's messages.
     *
     * @return false when the connection could not be dropped (Paho's reconnect then takes over)
     */
    boolean dropConnection() {
        try {
            client.disconnectForcibly(0, DISCONNECT_MS, false);
            return true;
        } catch (MqttException e) {
            LOG.warn("gateway {}: could not drop the MQTT connection ({}); Paho's reconnect takes over",
                    config.clientId(), e.toString());
            return false;
        }
    }

    /** Starts a reconnect; Paho retries by itself, with back-off, when this attempt fails. */
    void reconnect() {
        try {
            client.reconnect();
        } catch (MqttException e) {
            LOG.info("gateway {}: reconnect not started ({}), Paho is already connecting", config.clientId(), e.toString());
        }
    }

    /**
     * Disconnects normally, keeping the session, after letting Paho send the queued PUBACKs for up to
     * {@code quiesce}; then releases the client. Idempotent.
     */
    void close(Duration quiesce) {
        MqttAsyncClient c = client;
        if (c == null) {
            return;
        }
        try {
            if (c.isConnected()) {
                c.disconnect(quiesce.toMillis()).waitForCompletion(quiesce.toMillis() + DISCONNECT_MS);
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

    /** The filters this session reads, for log lines. */
    String describe() {
        return config.inboundSubscription() + " (retain handling 2) and the descriptor topics";
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(config.sessionExpiry().getSeconds());
        o.setReceiveMaximum(config.receiveMaximum());
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 30);
        o.setKeepAliveInterval(KEEP_ALIVE_S);
        o.setConnectionTimeout(CONNECT_TIMEOUT_S);
        config.login().applyTo(o);
        config.tls().applyTo(o, config.mqttUri(), "gateway");
        return o;
    }

    /** Subscribes both subscriptions, each in its own SUBSCRIBE with its identifier, then drops the legacy one. */
    private void subscribe() {
        CompletableFuture<Void> descriptors = subscribe(subscriptions.descriptors(), GatewaySubscriptions.DESCRIPTORS_ID);
        CompletableFuture<Void> inbound = subscribe(subscriptions.inbound(), GatewaySubscriptions.INBOUND_ID);
        CompletableFuture.allOf(descriptors, inbound).whenComplete((ok, e) -> {
            if (e != null) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                LOG.error("gateway {} could not subscribe", config.clientId(), cause);
                firstSubscription.completeExceptionally(cause);
                return;
            }
            LOG.info("gateway {} subscribed to {}", config.clientId(), describe());
            firstSubscription.complete(null);
            unsubscribeLegacy();
        });
    }

    private CompletableFuture<Void> subscribe(MqttSubscription[] subs, int id) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        MqttActionListener listener = new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                int[] codes = token.getReasonCodes();
                for (int i = 0; codes != null && i < codes.length; i++) {
                    if (codes[i] >= MqttReasons.FIRST_FAILURE) {
                        onFailure(token, new IllegalStateException("the broker refused the subscription to "
                                + subs[Math.min(i, subs.length - 1)].getTopic() + config.login().asUser() + ": "
                                + MqttReasons.describe(codes[i])));
                        return;
                    }
                }
                done.complete(null);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                done.completeExceptionally(e);
            }
        };
        try {
            client.subscribe(subs, null, listener, GatewaySubscriptions.withIdentifier(id));
        } catch (MqttException | RuntimeException e) {
            listener.onFailure(null, e);
        }
        return done;
    }

    private void unsubscribeLegacy() {
        String legacy = subscriptions.legacyFilter();
        try {
            client.unsubscribe(new String[] {legacy}, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    // 0x11 "no subscription existed" is the normal answer once the session has been upgraded.
                    LOG.debug("gateway {}: unsubscribed the earlier readings filter {}: {}", config.clientId(), legacy,
                            token.getReasonCodes() == null ? "" : MqttReasons.describe(token.getReasonCodes()[0]));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    LOG.warn("gateway {}: could not unsubscribe the earlier readings filter {} ({}); readings it delivers "
                            + "are processed, possibly twice", config.clientId(), legacy, e.toString());
                }
            }, new MqttProperties());
        } catch (MqttException | RuntimeException e) {
            LOG.warn("gateway {}: could not unsubscribe the earlier readings filter {} ({})", config.clientId(), legacy, e.toString());
        }
    }

    /** Paho's callback; every method returns normally. */
    private final class Callback implements MqttCallback {
        private final Inbound inbound;

        Callback(Inbound inbound) {
            this.inbound = inbound;
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            inbound.connectionLost(String.valueOf(response));
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
            LOG.error("gateway {}: MQTT error", config.clientId(), e);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            List<Integer> ids = message.getProperties() == null ? List.of() : message.getProperties().getSubscriptionIdentifiers();
            inbound.messageArrived(topic, message, GatewaySubscriptions.route(topic, ids));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // The gateway publishes nothing.
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            LOG.info("gateway {} {} to {}", config.clientId(), reconnect ? "reconnected" : "connected", serverUri);
            subscribe();
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            LOG.debug("gateway {}: AUTH packet 0x{} ignored", config.clientId(), Integer.toHexString(reasonCode));
        }
    }
}
