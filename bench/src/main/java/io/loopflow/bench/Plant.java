package io.loopflow.bench;

import io.loopflow.ingest.TcpNoDelaySocketFactory;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plant's publisher as the benchmarks run it: one Paho v5 client, QoS 1, {@code TCP_NODELAY},
 * {@link MemoryPersistence}, at most {@value #WINDOW} messages awaiting their PUBACK (a semaphore released
 * in {@code deliveryComplete}). Publishes a {@link Workload}'s readings in order, as fast as the window
 * allows or paced at a given rate, stamping each send in {@link Arrivals}.
 */
final class Plant implements AutoCloseable {
    static final int WINDOW = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(Plant.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final MqttAsyncClient client;
    private final Semaphore window = new Semaphore(WINDOW);
    private final AtomicLong acked = new AtomicLong();

    Plant(String uri) throws MqttException {
        client = new MqttAsyncClient(uri, "bench-plant-" + UUID.randomUUID(), new MemoryPersistence());
        client.setCallback(new Callback());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setSessionExpiryInterval(0L);
        o.setSocketFactory(new TcpNoDelaySocketFactory());
        o.setConnectionTimeout(10);
        client.connect(o).waitForCompletion(TIMEOUT.toMillis());
    }

    /**
     * Publishes readings {@code from} (inclusive) to {@code to} (exclusive); {@code perSecond} 0 = as fast as
     * the window allows. Returns once the last one was handed to Paho (not acknowledged: see {@link #awaitAcks}).
     */
    void publish(Workload w, Arrivals arrivals, int from, int to, double perSecond) throws MqttException, InterruptedException {
        long start = System.nanoTime();
        for (int i = from; i < to; i++) {
            if (perSecond > 0) {
                long due = start + (long) ((i - from) * 1e9 / perSecond);
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            awaitWindow();
            // Stamped once the window lets it go: the latency measured is the path's, not the publisher's own queue.
            arrivals.sent(i);
            client.publish(w.topic(i), message(w.payload(i), false));
        }
    }

    /** Publishes one message (QoS 1), within the same window of messages awaiting their PUBACK. */
    void publish(String topic, byte[] payload, boolean retained) throws MqttException, InterruptedException {
        awaitWindow();
        client.publish(topic, message(payload, retained));
    }

    private void awaitWindow() throws InterruptedException {
        if (!window.tryAcquire(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("no PUBACK for " + TIMEOUT + ": the broker stopped acknowledging");
        }
    }

    private static MqttMessage message(byte[] payload, boolean retained) {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(retained);
        return m;
    }

    /** Waits until every message published so far has its PUBACK. */
    void awaitAcks() throws InterruptedException {
        if (!window.tryAcquire(WINDOW, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("PUBACKs missing after " + TIMEOUT);
        }
        window.release(WINDOW);
    }

    /** PUBACKs received so far. */
    long acked() {
        return acked.get();
    }

    @Override
    public void close() throws MqttException {
        try {
            client.disconnect().waitForCompletion(TIMEOUT.toMillis());
        } finally {
            client.close(true);
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void deliveryComplete(IMqttToken token) {
            acked.incrementAndGet();
            window.release();
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            LOG.warn("benchmark publisher disconnected: {}", response);
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
            LOG.warn("benchmark publisher: MQTT error", e);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            // The publisher subscribes to nothing.
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            LOG.debug("benchmark publisher connected to {}", serverUri);
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            LOG.debug("benchmark publisher: AUTH packet 0x{} ignored", Integer.toHexString(reasonCode));
        }
    }
}
