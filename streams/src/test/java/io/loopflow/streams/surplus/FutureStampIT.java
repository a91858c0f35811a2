package io.loopflow.streams.surplus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.model.SurplusRecord;
import io.loopflow.core.units.Dimension;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StreamProcessor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A surplus whose event time lies more than an hour ahead of the wall clock, on a real broker: Kafka 4 refuses records
 * stamped more than {@code message.timestamp.after.max.ms} (1 h by default) ahead of its clock, so the surplus
 * application stamps {@code loopflow.surplus} records with the earlier of event time and wall clock. Reads
 * {@code loopflow.surplus}; writes descriptors and one stock level to the input topics.
 */
class FutureStampIT {
    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopKafka() {
        if (producer != null) {
            producer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static <V> void send(Topic<String, V> topic, String key, V value, long timestamp) throws Exception {
        producer.send(new ProducerRecord<>(topic.name(), null, timestamp, key.getBytes(StandardCharsets.UTF_8),
                topic.valueSerde().serializer().serialize(topic.name(), value))).get();
    }

    @Test
    void shouldPublishASurplusWhoseEventTimeIsHoursAheadAndKeepRunning() throws Exception {
        long now = System.currentTimeMillis();
        // What the surplus application would otherwise have written: the broker refuses it.
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.SURPLUS.name(), null, now + Duration.ofMinutes(90).toMillis(),
                "probe".getBytes(StandardCharsets.UTF_8), new byte[0])).get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidTimestampException.class);

        // Descriptors stamped before the reading: the processor's task takes its inputs in timestamp order.
        long before = now - 5_000;
        send(Topics.SITES, "asnaes", new SiteDescriptor("Asnaes Power Station", "kalundborg", 55.66, 11.09), before);
        send(Topics.MATERIALS, "gypsum", new MaterialDescriptor("FGD gypsum", Dimension.MASS, "10 01 05", 50.0), before);
        send(Topics.METERS, "asnaes/pile", new MeterDescriptor("gypsum", Role.STOCK, MeterKind.LEVEL, "t", null), before);
        // A level stamped 90 minutes ahead, as a gateway with ingest.max-future PT2H accepts it (its Kafka record is
        // stamped when it was received, as the gateway does).
        Instant ahead = Instant.ofEpochMilli(now).plus(Duration.ofMinutes(90)).truncatedTo(ChronoUnit.SECONDS);
        send(Topics.READINGS, "asnaes/pile", new ReadingRecord("asnaes", "pile", ahead, 120.0, 1L, null, Instant.ofEpochMilli(now)), now);

        ProcessorConfig config = ProcessorConfig.defaults(kafka.bootstrapServers(), dir.resolve("streams"))
                .withCommitInterval(Duration.ofMillis(500))
                .withHttpPort(-1);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (StreamProcessor processor = new StreamProcessor(config, new SimpleMeterRegistry(), "127.0.0.1");
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            processor.start();
            consumer.assign(List.of(new TopicPartition(Topics.SURPLUS.name(), 0), new TopicPartition(Topics.REJECTED.name(), 0)));
            consumer.seekToBeginning(consumer.assignment());
            List<ConsumerRecord<byte[], byte[]>> surplus = new ArrayList<>();
            List<String> rejected = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(Topics.SURPLUS.name())) {
                        surplus.add(r);
                    } else {
                        rejected.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
                return !surplus.isEmpty() || !rejected.isEmpty() || processor.surplusState() != KafkaStreams.State.RUNNING;
            });

            assertThat(rejected).isEmpty();

            assertThat(processor.surplusState()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(processor.state()).isEqualTo(KafkaStreams.State.RUNNING);
            SurplusRecord s = Json.read(surplus.get(0).value(), SurplusRecord.class);
            assertThat(s.site()).isEqualTo("asnaes");
            assertThat(s.available()).isEqualTo(120.0);
            assertThat(s.ts()).as("the figure keeps its event time").isEqualTo(ahead);
            assertThat(surplus.get(0).timestamp()).as("its record is stamped no later than the wall clock")
                    .isLessThanOrEqualTo(System.currentTimeMillis());
        }
    }
}
