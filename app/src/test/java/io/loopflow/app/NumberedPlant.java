package io.loopflow.app;

import io.loopflow.core.Topics;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.ingest.TcpNoDelaySocketFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test helper: a plant that keeps trying to connect (every {@value #RETRY_MS} ms, from before the broker
 * exists) and, once connected, publishes numbered QoS 1 readings ({@code seq} 0, 1, 2, ...) of one meter
 * as fast as the broker acknowledges, with up to {@value #WINDOW} in flight; when the connection drops it
 * goes back to connecting and carries on with the next number. It records every seq whose PUBACK had a
 * reason code below 0x80 ({@link #acknowledged()}) and what every failed CONNECT was told.
 */
final class NumberedPlant implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NumberedPlant.class);
    static final int RETRY_MS = 20;
    private static final int WINDOW = 100;

    private final String uri;
    private final String clientId;
    private final String site;
    private final String meter;
    private final long limit;
    private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> refusals = new ConcurrentHashMap<>();
    private final AtomicLong refusedPublishes = new AtomicLong();
    private final AtomicLong nextSeq = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private volatile long firstConnectedAt;
    private volatile Throwable failure;

    /** Starts the plant's thread at once; it publishes {@code limit} readings at most. */
    NumberedPlant(String uri, String clientId, String site, String meter, long limit) {
        this.uri = uri;
        this.clientId = clientId;
        this.site = site;
        this.meter = meter;
        this.limit = limit;
        this.thread = new Thread(this::run, "plant-" + clientId);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stop.get() && nextSeq.get() < limit) {
                MqttAsyncClient client = connect();
                if (client != null) {
                    publishUntilDisconnected(client);
                    closeQuietly(client);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("plant {} failed", clientId, e);
        }
    }

    private MqttAsyncClient connect() throws InterruptedException {
        MqttAsyncClient client = null;
        try {
            client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            o.setConnectionTimeout(5);
            o.setSocketFactory(new TcpNoDelaySocketFactory());
            client.connect(o).waitForCompletion(10_000);
            if (firstConnectedAt == 0) {
                firstConnectedAt = System.nanoTime();
            }
            return client;
        } catch (MqttException e) {
            refusals.merge(e.getReasonCode() < 0x100 ? String.format("CONNACK 0x%02X", e.getReasonCode())
                    : "client error " + e.getReasonCode() + (e.getCause() == null ? "" : " " + e.getCause().getClass().getSimpleName()),
                    1L, Long::sum);
            closeQuietly(client);
            // A plant's retry interval (what its MQTT client would do), not a wait for readiness.
            TimeUnit.MILLISECONDS.sleep(RETRY_MS);
            return null;
        }
    }

    private void publishUntilDisconnected(MqttAsyncClient client) throws InterruptedException {
        Semaphore window = new Semaphore(WINDOW);
        while (!stop.get() && nextSeq.get() < limit && client.isConnected()) {
            if (!window.tryAcquire(1, TimeUnit.SECONDS)) {
                continue;
            }
            long seq = nextSeq.getAndIncrement();
            String payload = "{\"ts\":\"" + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "\",\"value\":" + seq + ",\"seq\":" + seq + "}";
            try {
                client.publish(InboundTopic.reading(site, meter), new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), 1, false, null),
                        null, new MqttActionListener() {
                            @Override
                            public void onSuccess(IMqttToken token) {
                                int[] codes = token.getReasonCodes();
                                if (codes == null || codes.length == 0 || codes[0] < 0x80) {
                                    acknowledged.add(seq);
                                } else {
                                    refusedPublishes.incrementAndGet();
                                }
                                window.release();
                            }

                            @Override
                            public void onFailure(IMqttToken token, Throwable e) {
                                window.release();
                            }
                        });
            } catch (MqttException e) {
                window.release();
                return;
            }
        }
        // Let the last PUBACKs come in before the connection is closed (they count only if they arrive).
        window.tryAcquire(WINDOW, 10, TimeUnit.SECONDS);
    }

    private static void closeQuietly(MqttAsyncClient client) {
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5_000);
            }
        } catch (MqttException e) {
            // gone already: nothing to close
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("closing the plant's client: {}", e.toString());
        }
    }

    /** Seqs whose PUBACK had a reason code below 0x80. */
    Set<Long> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    /** Seqs published so far (acknowledged or not). */
    long published() {
        return nextSeq.get();
    }

    /** PUBACKs with a failure reason code. */
    long refusedPublishes() {
        return refusedPublishes.get();
    }

    /** Failed CONNECT attempts by what they were told ("CONNACK 0x88", "client error 32103 ConnectException"). */
    Map<String, Long> refusals() {
        return new TreeMap<>(refusals);
    }

    /** {@link System#nanoTime()} of the first successful CONNECT, 0 before. */
    long firstConnectedAt() {
        return firstConnectedAt;
    }

    /** True once the plant has published all it was asked to, or was stopped, and its thread ended. */
    boolean done() {
        return !thread.isAlive();
    }

    /** Stops publishing, waits for the last PUBACKs and disconnects; rethrows what the plant's thread failed on. */
    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(30_000);
        if (failure != null) {
            throw new AssertionError("plant " + clientId + " failed", failure);
        }
    }

    /** The seqs of {@code site/meter} on {@code loopflow.readings}, read from the beginning. */
    static Set<Long> seqsOnKafka(String bootstrap, String site, String meter) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        Set<Long> seqs = ConcurrentHashMap.newKeySet();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.READINGS.name(), Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read loopflow.readings to " + end);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if ((site + "/" + meter).equals(r.key())) {
                        ReadingRecord reading = Topics.READINGS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                        seqs.add(reading.seq());
                    }
                }
            }
        }
        return seqs;
    }
}
