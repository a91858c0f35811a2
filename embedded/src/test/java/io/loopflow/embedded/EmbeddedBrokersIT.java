package io.loopflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Starts the embedded Kafka node and HiveMQ once and checks each carries a message end to end. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedBrokersIT {
    private EmbeddedKafka kafka;
    private EmbeddedMqttBroker mqtt;

    @BeforeAll
    void startBrokers(@TempDir Path dataDir) {
        kafka = EmbeddedKafka.start(dataDir, 0);
        mqtt = EmbeddedMqttBroker.start(dataDir, 0, false);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 2);
    }

    @AfterAll
    void stopBrokers() {
        if (mqtt != null) {
            mqtt.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void listensOnLoopbackAddresses() {
        assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(mqtt.uri()).isEqualTo("tcp://127.0.0.1:" + mqtt.port());
    }

    @Test
    void createsEveryContractTopicWithCompactedDescriptorTopics() throws Exception {
        // given the topics created in @BeforeAll, when ensureTopics runs a second time
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 2);

        // then every topic exists once, descriptor topics compacted, the others not
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertThat(names).containsAll(Topics.ALL.stream().map(Topic::name).toList());
            List<ConfigResource> resources = new ArrayList<>();
            Topics.ALL.forEach(t -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t.name())));
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            for (Topic<String, ?> topic : Topics.ALL) {
                String policy = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()))
                        .get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
                assertThat(policy).as(topic.name())
                        .isEqualTo(Topics.COMPACTED.contains(topic) ? "compact" : "delete");
            }
            assertThat(admin.describeTopics(List.of(Topics.READINGS.name())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(Topics.READINGS.name()).partitions()).hasSize(2);
        }
    }

    @Test
    void kafkaDeliversAProducedRecordToAConsumer() throws Exception {
        // given a record produced with acks=all
        String topic = Topics.READINGS.name();
        Map<String, Object> producerConfig = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "asnaes/gypsum-out", "{\"probe\":1}")).get(30, TimeUnit.SECONDS);
        }

        // when a consumer group reads the topic from the beginning
        Map<String, Object> consumerConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "embedded-it",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return !received.isEmpty();
            });
        }

        // then exactly that record arrives
        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("asnaes/gypsum-out");
            assertThat(r.value()).isEqualTo("{\"probe\":1}");
        });
    }

    @Test
    void mqttBrokerDeliversAQos1MessageAndDropsNothing() throws Exception {
        // given a subscriber with a QoS 1 subscription
        List<String> received = new CopyOnWriteArrayList<>();
        MqttClient subscriber = new MqttClient(mqtt.uri(), "embedded-it-sub", new MemoryPersistence());
        MqttClient publisher = new MqttClient(mqtt.uri(), "embedded-it-pub", new MemoryPersistence());
        try {
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            subscriber.connect(options);
            IMqttToken subscribed = subscriber.subscribe(
                    new MqttSubscription[] {new MqttSubscription("loopflow/v1/+/meters/+/reading", 1)},
                    new IMqttMessageListener[] {
                        (topic, message) -> received.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8))
                    });
            assertThat(subscribed.getGrantedQos()).containsExactly(1);

            // when a publisher sends one QoS 1 reading and gets its PUBACK
            publisher.connect(options);
            MqttMessage message = new MqttMessage("{\"ts\":0,\"value\":1.5}".getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            publisher.publish("loopflow/v1/asnaes/meters/m1/reading", message);

            // then the subscriber receives it and the broker counts no drop
            await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
            assertThat(received).containsExactly("loopflow/v1/asnaes/meters/m1/reading {\"ts\":0,\"value\":1.5}");
            assertThat(mqtt.droppedMessages()).isZero();
        } finally {
            disconnect(publisher);
            disconnect(subscriber);
        }
    }

    @Test
    void countsAMessageTheBrokerDiscards() throws Exception {
        // given a subscriber that accepts no packet over 64 bytes
        long droppedBefore = mqtt.droppedMessages();
        List<String> received = new CopyOnWriteArrayList<>();
        MqttClient subscriber = new MqttClient(mqtt.uri(), "embedded-it-small", new MemoryPersistence());
        MqttClient publisher = new MqttClient(mqtt.uri(), "embedded-it-big", new MemoryPersistence());
        try {
            MqttConnectionOptions small = new MqttConnectionOptions();
            small.setMaximumPacketSize(64L);
            subscriber.connect(small);
            subscriber.subscribe(new MqttSubscription[] {new MqttSubscription("probe/drop", 1)},
                    new IMqttMessageListener[] {(topic, message) -> received.add(topic)});

            // when a 512-byte message is published to it
            publisher.connect(new MqttConnectionOptions());
            MqttMessage big = new MqttMessage(new byte[512]);
            big.setQos(1);
            publisher.publish("probe/drop", big);

            // then HiveMQ drops it for that subscriber and the counter says so
            await().atMost(Duration.ofSeconds(10)).until(() -> mqtt.droppedMessages() > droppedBefore);
            assertThat(mqtt.droppedMessages()).isEqualTo(droppedBefore + 1);
            assertThat(received).isEmpty();
        } finally {
            disconnect(publisher);
            disconnect(subscriber);
        }
    }

    @Test
    void configKeepsQos1QueuesFromBeingDiscarded() {
        String xml = EmbeddedMqttBroker.configXml(1883, false);
        assertThat(xml).contains("<bind-address>127.0.0.1</bind-address>", "<max-queue-size>10000000</max-queue-size>",
                "<server-receive-maximum>65535</server-receive-maximum>", "<mode>in-memory</mode>");
        assertThat(EmbeddedMqttBroker.configXml(1883, true)).contains("<mode>file</mode>");
    }

    private static void disconnect(MqttClient client) throws Exception {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
