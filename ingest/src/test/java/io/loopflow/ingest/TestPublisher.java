package io.loopflow.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * Test helper: a plant publishing over MQTT 5 with Paho, as a plant would: QoS 1, TCP_NODELAY,
 * in-memory persistence, at most {@value #WINDOW} messages awaiting their PUBACK.
 */
final class TestPublisher implements AutoCloseable {
    static final int WINDOW = 1_000;
    private static final long TIMEOUT_MS = 30_000;

    private final MqttAsyncClient client;
    private final Deque<IMqttToken> inFlight = new ArrayDeque<>();

    TestPublisher(String uri, String clientId) throws MqttException {
        this(uri, clientId, MqttTls.JVM_TRUST);
    }

    /** A plant on {@code uri}, over TLS trusting {@code tls} for an {@code ssl://} URI. */
    TestPublisher(String uri, String clientId, MqttTls tls) throws MqttException {
        client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        tls.applyTo(o, uri, "plant");
        client.connect(o).waitForCompletion(TIMEOUT_MS);
    }

    /** Publishes at QoS 1 without waiting for this PUBACK (only for the oldest past the window). */
    void publish(String topic, byte[] payload, boolean retained) throws MqttException {
        while (inFlight.size() >= WINDOW) {
            inFlight.removeFirst().waitForCompletion(TIMEOUT_MS);
        }
        MqttMessage m = new MqttMessage(payload, 1, retained, null);
        inFlight.addLast(client.publish(topic, m));
    }

    void publish(String topic, String payload) throws MqttException {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8), false);
    }

    void retain(String topic, String payload) throws MqttException {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8), true);
    }

    /** Publishes at QoS 1 and waits for the PUBACK: its reason codes (0x10 = no subscriber matched). */
    int[] publishAndAwait(String topic, String payload, boolean retained) throws MqttException {
        awaitAcknowledged();
        IMqttToken token = client.publish(topic, new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), 1, retained, null));
        token.waitForCompletion(TIMEOUT_MS);
        return token.getReasonCodes();
    }

    /** Waits until the broker acknowledged everything published so far. */
    void awaitAcknowledged() throws MqttException {
        while (!inFlight.isEmpty()) {
            inFlight.removeFirst().waitForCompletion(TIMEOUT_MS);
        }
    }

    @Override
    public void close() throws MqttException {
        awaitAcknowledged();
        client.disconnect().waitForCompletion(TIMEOUT_MS);
        client.close();
    }
}
