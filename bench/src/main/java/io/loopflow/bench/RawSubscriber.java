package io.loopflow.bench;

import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.ingest.GatewayConfig;
import io.loopflow.ingest.TcpNoDelaySocketFactory;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.paho.mqttv5.client.IMqttToken;
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
 * The raw-broker baseline's reader: a Paho v5 subscriber with the gateway's connection settings (QoS 1,
 * {@code TCP_NODELAY}, Receive Maximum 1000) and the gateway's readings filter, ordinary or shared, but none
 * of its work: Paho acknowledges each message as soon as {@code messageArrived} has marked it in
 * {@link Arrivals}. Closing it disconnects normally, which keeps a persistent session.
 */
final class RawSubscriber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RawSubscriber.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final MqttAsyncClient client;

    /** A subscriber with a fresh client id and a session that ends with the connection. */
    RawSubscriber(String uri, String filter, int receiveMaximum, Workload workload, Arrivals arrivals) throws MqttException {
        this(uri, filter, receiveMaximum, "bench-raw-sub-" + UUID.randomUUID(), false, workload, arrivals);
    }

    /**
     * @param persistent true: clean start off and a one-hour session expiry, like the gateway, so the broker queues
     *                   for {@code clientId} while it is disconnected
     */
    RawSubscriber(String uri, String filter, int receiveMaximum, String clientId, boolean persistent, Workload workload,
                  Arrivals arrivals) throws MqttException {
        client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                arrivals.arrived(workload.index(topic, message.getPayload()));
            }

            @Override
            public void disconnected(MqttDisconnectResponse response) {
                LOG.warn("baseline subscriber disconnected: {}", response);
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
                LOG.warn("baseline subscriber: MQTT error", e);
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
                // Publishes nothing.
            }

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
                LOG.debug("baseline subscriber connected to {}", serverUri);
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
                LOG.debug("baseline subscriber: AUTH packet 0x{} ignored", Integer.toHexString(reasonCode));
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(!persistent);
        o.setSessionExpiryInterval(persistent ? 3600L : 0L);
        o.setReceiveMaximum(receiveMaximum);
        o.setSocketFactory(new TcpNoDelaySocketFactory());
        o.setConnectionTimeout(10);
        client.connect(o).waitForCompletion(TIMEOUT.toMillis());
        IMqttToken sub = client.subscribe(new MqttSubscription(filter, 1));
        sub.waitForCompletion(TIMEOUT.toMillis());
        for (int code : sub.getReasonCodes()) {
            if (code >= 0x80) {
                throw new IllegalStateException("broker refused subscription " + filter + ": reason 0x" + Integer.toHexString(code));
            }
        }
    }

    /**
     * Publishes all of {@code w} through a fresh {@link Plant} (at {@code perSecond}, 0 = full speed) to a fresh
     * subscriber of the readings filter on {@code uri}, marking both ends in {@code a}; true when every reading
     * arrived within {@code deadline} of the last PUBACK.
     */
    static boolean pubSub(String uri, Workload w, Arrivals a, double perSecond, Duration deadline) throws Exception {
        try (RawSubscriber sub = new RawSubscriber(uri, InboundTopic.READINGS_FILTER, GatewayConfig.DEFAULT_RECEIVE_MAXIMUM, w, a);
             Plant plant = new Plant(uri)) {
            plant.publish(w, a, 0, w.size(), perSecond);
            plant.awaitAcks();
            return a.awaitAll(deadline);
        }
    }

    @Override
    public void close() throws MqttException {
        try {
            client.disconnect().waitForCompletion(TIMEOUT.toMillis());
        } finally {
            client.close(true);
        }
    }
}
