package io.loopflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory from an earlier run is reused: same cluster, topics and records (`loopflow local` restarted). */
class EmbeddedKafkaRestartIT {
    @TempDir
    Path dataDir;

    @Test
    void aRestartOnTheSameDataDirectoryKeepsTopicsAndRecords() throws Exception {
        // given a record written by a first run, which is then stopped
        try (EmbeddedKafka first = EmbeddedKafka.start(dataDir, 0)) {
            TopicSetup.ensureTopics(first.bootstrapServers(), 1);
            Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrapServers());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(Topics.READINGS.name(), "s/m", "before restart")).get(30, TimeUnit.SECONDS);
            }
        }

        // when a second run starts on the same directory (on another port)
        try (EmbeddedKafka second = EmbeddedKafka.start(dataDir, 0)) {
            TopicSetup.ensureTopics(second.bootstrapServers(), 1);

            // then the record is still there
            Map<String, Object> config = Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, second.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "restart-it",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(Topics.READINGS.name()));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                    return !values.isEmpty();
                });
            }
            assertThat(values).containsExactly("before restart");
        }
    }
}
