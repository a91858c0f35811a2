package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.RejectReason;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.loopflow.ingest.Gateway;
import io.loopflow.ingest.GatewayConfig;
import io.loopflow.ingest.TcpNoDelaySocketFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's subscriptions on Debian's Mosquitto 2.0.11 (a plain broker started by the test: no ACL, the
 * compose broker's access rules are {@link MosquittoAccessIT}'s), which sends overlapping and shared
 * subscriptions' copies its own way: a misspelt topic is rejected once per share group, a descriptor written
 * once per gateway, alerts are ignored, and a reading published with the retain flag counts once across a
 * gateway restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MosquittoGatewayIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Process mosquitto;
    private Path log;
    private int port;
    private EmbeddedKafka kafka;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Optional<Path> binary = Stream.of(Path.of("/usr/sbin/mosquitto"), Path.of("/usr/bin/mosquitto")).filter(Files::isExecutable).findFirst();
        if (binary.isEmpty()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("mosquitto not found: the test command must install Debian's mosquitto package (apt-get install -y mosquitto)");
            }
            Assumptions.abort("mosquitto not found; apt-get install -y mosquitto to run this test");
        }
        port = freePort();
        Path conf = Files.writeString(dir.resolve("mosquitto.conf"), "listener " + port + " 127.0.0.1\nallow_anonymous true\n"
                + "persistence false\nmax_queued_messages 0\nset_tcp_nodelay true\nlog_dest stdout\n"
                // Started as root (CI), Mosquitto would switch to its own user, which cannot read this test's temp dir.
                + "user " + System.getProperty("user.name") + "\n");
        log = dir.resolve("mosquitto.log");
        mosquitto = new ProcessBuilder(binary.get().toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        await().atMost(WAIT).until(() -> listening(port));
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 2);
    }

    @AfterAll
    void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        if (mosquitto != null) {
            mosquitto.destroy();
            mosquitto.waitFor();
        }
    }

    @Test
    void aMisspeltTopicIsRejectedOncePerShareGroupADescriptorWrittenOncePerGatewayAndAlertsIgnored() throws Exception {
        // given two gateways of one share group
        int topics = 30;
        Instant ts = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        try (Gateway a = start(gateway("mosq-a", "g-mosq"));
             Gateway b = start(gateway("mosq-b", "g-mosq"))) {
            MqttAsyncClient plant = connect("plant-mosq");
            // when a plant publishes on misspelt topics, a site descriptor and an alert
            for (int i = 0; i < topics; i++) {
                assertThat(publish(plant, "loopflow/v1/mosq/meters/m" + i + "/readings", reading(ts, i), false)).containsOnly(0);
            }
            publish(plant, InboundTopic.siteMeta("mosq"), "{\"name\":\"Mosquitto site\",\"region\":\"r\"}", false);
            publish(plant, InboundTopic.alerts("mosq"), "{\"id\":\"x\"}", false);
            publish(plant, InboundTopic.reading("mosq", "m1"), reading(ts, 1), false);
            plant.disconnect().waitForCompletion();
            plant.close();

            // then
            await().atMost(WAIT).until(() -> a.rejected() + b.rejected() >= topics && a.accepted() + b.accepted() >= 1);
            List<ConsumerRecord<String, byte[]>> rejected = read(Topics.REJECTED, k -> k.startsWith("loopflow/v1/mosq/"));
            List<ConsumerRecord<String, byte[]>> sites = read(Topics.SITES, "mosq"::equals);
            assertThat(rejected).extracting(ConsumerRecord::key).hasSize(topics).doesNotHaveDuplicates();
            assertThat(rejected).extracting(r -> value(Topics.REJECTED, r)).allSatisfy(r -> {
                assertThat(r.reason()).isEqualTo(RejectReason.INVALID_FIELD);
                assertThat(r.detail()).startsWith("not a LoopFlow v1 inbound topic: " + r.mqttTopic());
            });
            assertThat(sites).as("the site descriptor, once from each gateway").hasSize(2);
            assertThat(a.accepted() + b.accepted()).as("the reading, by one gateway").isEqualTo(1);
            assertThat(a.rejected() + b.rejected()).as("no rejection of the alert").isEqualTo(topics);
        }
    }

    @Test
    void aRetainedReadingCountsOnceAcrossAGatewayRestart() throws Exception {
        Instant ts = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        GatewayConfig config = gateway("mosq-retain", GatewayConfig.NO_SHARE_GROUP);
        MqttAsyncClient plant = connect("plant-mosq-retain");
        try {
            try (Gateway first = start(config)) {
                publish(plant, InboundTopic.reading("mosqret", "m1"), reading(ts, 1), true);
                await().atMost(WAIT).until(() -> first.accepted() == 1);
            }
            try (Gateway second = start(config); Gateway fresh = start(config.withClientId("mosq-retain-fresh"))) {
                publish(plant, InboundTopic.reading("mosqret", "m1"), reading(ts.plusSeconds(1), 2), false);
                await().atMost(WAIT).until(() -> second.accepted() == 1 && fresh.accepted() == 1);
            }
            assertThat(read(Topics.READINGS, "mosqret/m1"::equals)).extracting(r -> value(Topics.READINGS, r).seq())
                    .as("seq 1 from the first gateway, seq 2 from each of the two others, seq 1 never again").containsExactlyInAnyOrder(1L, 2L, 2L);
        } finally {
            publish(plant, InboundTopic.reading("mosqret", "m1"), "", true);
            plant.disconnect().waitForCompletion();
            plant.close();
        }
    }

    private GatewayConfig gateway(String clientId, String shareGroup) {
        return GatewayConfig.defaults("tcp://127.0.0.1:" + port, kafka.bootstrapServers()).withClientId(clientId).withShareGroup(shareGroup);
    }

    private static Gateway start(GatewayConfig config) {
        Gateway g = new Gateway(config, new SimpleMeterRegistry());
        g.start();
        return g;
    }

    private MqttAsyncClient connect(String clientId) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(new TcpNoDelaySocketFactory());
        c.connect(o).waitForCompletion(WAIT.toMillis());
        return c;
    }

    private static int[] publish(MqttAsyncClient c, String topic, String payload, boolean retained) throws MqttException {
        IMqttToken token = c.publish(topic, new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), 1, retained, null));
        token.waitForCompletion(WAIT.toMillis());
        return token.getReasonCodes();
    }

    private static String reading(Instant ts, long seq) {
        return "{\"ts\":\"" + ts + "\",\"value\":" + seq + ",\"seq\":" + seq + "}";
    }

    private static <V> V value(Topic<String, V> topic, ConsumerRecord<String, byte[]> r) {
        return topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    }

    /** The records of {@code topic} whose key {@code keys} selects, from the beginning to the end offsets of now. */
    private List<ConsumerRecord<String, byte[]>> read(Topic<String, ?> topic, Predicate<String> keys) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), WAIT).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, WAIT);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && keys.test(r.key())) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return s.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
