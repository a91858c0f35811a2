package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopflow.core.Topics;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.loopflow.streams.state.StateFormat;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream processor started against state it cannot read, or inputs it cannot read correctly,
 * stops at start with a message saying what to do (README, "Upgrading the stream processor's
 * state"), before computing any figure. Each test uses its own application id on one broker.
 */
class StateFormatIT {
    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;
    private static Admin admin;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 1);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        admin = Admin.create(p);
    }

    @AfterAll
    static void stopKafka() {
        admin.close();
        kafka.close();
    }

    private StreamProcessor processor(String applicationId) {
        ProcessorConfig config = ProcessorConfig.defaults(kafka.bootstrapServers(), dir.resolve(applicationId)).withHttpPort(-1)
                .withApplicationId(applicationId);
        return new StreamProcessor(config, new SimpleMeterRegistry(), "127.0.0.1");
    }

    @Test
    void shouldStopAtStartWhenTheRepartitionTopicOfFormat1Exists() throws Exception {
        admin.createTopics(List.of(new NewTopic("v1-app-site-events-repartition", 1, (short) 1))).all().get();

        try (StreamProcessor p = processor("v1-app")) {
            assertThatThrownBy(p::start).isInstanceOf(StateFormat.StateFormatException.class)
                    .hasMessageContaining("v1-app-site-events-repartition")
                    .hasMessageContaining("state format 1 (JSON)")
                    .hasMessageContaining("kafka-streams-application-reset.sh --bootstrap-server <kafka> --application-id <application-id>");
            assertThat(p.state()).isNull();
        }
    }

    @Test
    void shouldStopAtStartWhenAChangelogHoldsJson() throws Exception {
        String changelog = "json-app-" + StoreNames.FLOW_WINDOWS + "-changelog";
        changelogHolding(changelog, new byte[][] {"s1/gypsum".getBytes(StandardCharsets.UTF_8), null},
                new byte[][] {"s1/gypsum/out.reuse/0".getBytes(StandardCharsets.UTF_8),
                        "{\"site\":\"s1\",\"quantity\":2.0}".getBytes(StandardCharsets.UTF_8)});

        try (StreamProcessor processor = processor("json-app")) {
            assertThatThrownBy(processor::start).isInstanceOf(StateFormat.StateFormatException.class)
                    .hasMessageContaining(changelog + " was written in state format 1, this stream processor reads format " + StateFormat.VERSION)
                    .hasMessageContaining("delete the state directory");
        }
    }

    @Test
    void shouldStopAtStartWhenAChangelogHoldsHeldReadingsOfFormat2() throws Exception {
        // Format 2 held one reading per entry; format 3 holds chunks of them under the same store name.
        String changelog = "v2-app-" + StoreNames.HELD_READINGS + "-changelog";
        changelogHolding(changelog, new byte[][] {"s1\0m1\0".getBytes(StandardCharsets.UTF_8), {2, 0x40, 0, 0, 0, 0, 0, 0, 0, 0}});

        try (StreamProcessor processor = processor("v2-app")) {
            assertThatThrownBy(processor::start).isInstanceOf(StateFormat.StateFormatException.class)
                    .hasMessageContaining(changelog + " was written in state format 2, this stream processor reads format 3")
                    .hasMessageContaining("delete the state directory");
            assertThat(processor.state()).isNull();
        }
    }

    @Test
    void shouldStopAtStartWhenTheInputTopicsDisagreeOnPartitions() throws Exception {
        admin.createPartitions(Map.of(Topics.READINGS.name(), NewPartitions.increaseTo(3))).all().get();
        try (StreamProcessor processor = processor("partitions-app")) {
            assertThatThrownBy(processor::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("must have the same number of partitions")
                    .hasMessageContaining("loopflow.readings=3").hasMessageContaining("loopflow.meters=1");
        } finally {
            admin.createPartitions(Map.of(Topics.METERS.name(), NewPartitions.increaseTo(3), Topics.SITES.name(), NewPartitions.increaseTo(3)))
                    .all().get();
        }
    }

    /** Creates {@code changelog}, compacted as Kafka Streams creates changelogs, holding {@code records}: key and value each. */
    private static void changelogHolding(String changelog, byte[][]... records) throws Exception {
        admin.createTopics(List.of(new NewTopic(changelog, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[][] r : records) {
                producer.send(new ProducerRecord<>(changelog, r[0], r[1])).get();
            }
        }
    }
}
