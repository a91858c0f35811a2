package io.loopflow.ingest.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.Topics;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.EmbeddedMqttBroker;
import io.loopflow.embedded.TopicSetup;
import io.loopflow.ingest.TcpNoDelaySocketFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert publisher between a real KRaft Kafka node and a real MQTT broker (HiveMQ CE), both in
 * this JVM: alerts produced to {@code loopflow.alerts} reach {@code loopflow/v1/{site}/alerts} of
 * every site they concern, and offsets are committed once the broker acknowledged them.
 */
class AlertPublisherIT {
    private static final Instant TS = Instant.parse("2026-11-22T10:15:00Z");

    @TempDir
    static Path dataDir;
    private static EmbeddedKafka kafka;
    private static EmbeddedMqttBroker mqtt;

    @BeforeAll
    static void startBrokers() {
        kafka = EmbeddedKafka.start(dataDir, 0);
        mqtt = EmbeddedMqttBroker.start(dataDir, 0, false);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 2);
    }

    @AfterAll
    static void stopBrokers() {
        if (mqtt != null) {
            mqtt.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private record Received(String topic, AlertRecord alert) {
    }

    @Test
    void shouldPublishEachAlertToEverySiteItConcernsAndNotAgainAfterARestart() throws Exception {
        List<Received> received = new CopyOnWriteArrayList<>();
        MqttClient plant = new MqttClient(mqtt.uri(), "plant-listener", new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setSocketFactory(new TcpNoDelaySocketFactory());
        plant.connect(options);
        plant.subscribe(new MqttSubscription[] {new MqttSubscription("loopflow/v1/+/alerts", 1)},
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
                    (topic, message) -> received.add(new Received(topic, Json.read(message.getPayload(), AlertRecord.class)))});

        AlertRecord surplus = new AlertRecord("surplus.available/asnaes/gypsum/1", AlertRecord.Type.SURPLUS_AVAILABLE, "asnaes",
                "gypsum", null, 120.0, 100.0, null, TS, "Asnaes has 120 t of FGD gypsum available (threshold 100 t)");
        AlertRecord match = new AlertRecord("match/asnaes/gypsum/gyproc/1", AlertRecord.Type.MATCH, "asnaes", "gypsum", "gyproc",
                120.0, 40.0, 4.4, TS, "Asnaes has 120 t of FGD gypsum available, 4.4 km from Gyproc, which wants 40 t");
        produce(surplus, match);

        AlertPublisherConfig config = AlertPublisherConfig.defaults(mqtt.uri(), kafka.bootstrapServers());
        try (AlertPublisher publisher = new AlertPublisher(config, new SimpleMeterRegistry())) {
            publisher.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 3);
        }

        assertThat(received).containsExactlyInAnyOrder(
                new Received("loopflow/v1/asnaes/alerts", surplus),
                new Received("loopflow/v1/asnaes/alerts", match),
                new Received("loopflow/v1/gyproc/alerts", match));

        // A new publisher in the same group starts after the committed offsets: only the new alert goes out.
        AlertRecord closed = new AlertRecord("match.closed/asnaes/gypsum/gyproc/1", AlertRecord.Type.MATCH_CLOSED, "asnaes", "gypsum",
                "gyproc", 20.0, 40.0, 4.4, TS, "Match closed: FGD gypsum of Asnaes for Gyproc, because the surplus has cleared");
        produce(closed);
        try (AlertPublisher publisher = new AlertPublisher(config, new SimpleMeterRegistry())) {
            publisher.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 5);
        }
        assertThat(received.subList(3, received.size())).extracting(r -> r.alert().id())
                .containsExactly(closed.id(), closed.id());
        assertThat(received).hasSize(5);
        plant.disconnect();
        plant.close();
    }

    private static void produce(AlertRecord... alerts) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, AlertRecord> producer = new KafkaProducer<>(props, Topics.ALERTS.keySerde().serializer(),
                Topics.ALERTS.valueSerde().serializer())) {
            for (AlertRecord a : alerts) {
                producer.send(new ProducerRecord<>(Topics.ALERTS.name(), a.id(), a));
            }
            producer.flush();
        }
    }

    @Test
    void shouldRefuseAConfigurationWithoutBrokersNamingTheKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AlertPublisherConfig.defaults("", "127.0.0.1:9092"))
                .hasMessage("alerts.mqtt-uri is required");
    }
}
