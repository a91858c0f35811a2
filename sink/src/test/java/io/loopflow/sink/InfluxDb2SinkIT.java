package io.loopflow.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.query.FluxRecord;
import com.influxdb.query.FluxTable;
import io.loopflow.core.Topics;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.InfluxDBContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The sink against a real InfluxDB 2.7 (Docker hosts only; the QuestDB IT covers hosts without Docker):
 * provisional then final records of one window leave one point with the final values, null rates are absent
 * fields, and a replay by a second consumer group leaves the point count unchanged.
 */
@Testcontainers(disabledWithoutDocker = true)
class InfluxDb2SinkIT {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final String TOKEN = "loopflow-it-admin-token";

    @Container
    static final InfluxDBContainer<?> INFLUX = new InfluxDBContainer<>(DockerImageName.parse("influxdb:2.7"))
            .withOrganization("loopflow").withBucket("loopflow").withAdminToken(TOKEN);

    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 3);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void finalRecordOverwritesProvisionalPointAndReplayAddsNothing() throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (FlowRecord f : List.of(
                    new FlowRecord("asnaes", "gypsum", Role.OUT_REUSE, T0, T0.plusSeconds(60), 5, "t", 2, false),
                    new FlowRecord("asnaes", "gypsum", Role.OUT_REUSE, T0, T0.plusSeconds(60), 7.5, "t", 3, true))) {
                producer.send(new ProducerRecord<>(Topics.FLOWS.name(), f.key(), Topics.FLOWS.valueSerde().serializer().serialize(Topics.FLOWS.name(), f))).get();
            }
            KpiRecord kpi = KpiRecord.of(KpiRecord.REGION, null, "kalundborg", "gypsum", Duration.ofHours(1), T0, RoleSums.ZERO, "t", true);
            producer.send(new ProducerRecord<>(Topics.KPIS.name(), kpi.key(), Topics.KPIS.valueSerde().serializer().serialize(Topics.KPIS.name(), kpi))).get();
        }
        String flux = "from(bucket: \"loopflow\") |> range(start: 2026-11-22T00:00:00Z, stop: 2026-11-23T00:00:00Z)"
                + " |> filter(fn: (r) => r._measurement == \"loopflow_flow\" or r._measurement == \"loopflow_kpi\")";

        try (InfluxDBClient client = InfluxDBClientFactory.create(INFLUX.getUrl(), TOKEN.toCharArray(), "loopflow", "loopflow")) {
            try (InfluxSink sink = sink("it-influx-a")) {
                sink.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> fields(client, flux).contains("loopflow_flow quantity 7.5"));
            }
            List<String> once = fields(client, flux);
            try (InfluxSink replay = sink("it-influx-b")) {
                replay.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> replay.pointsWritten() >= 3);
            }
            List<String> twice = fields(client, flux);

            assertThat(once).contains("loopflow_flow quantity 7.5", "loopflow_flow readings 3", "loopflow_flow final true")
                    .doesNotContain("loopflow_flow quantity 5.0")
                    .noneMatch(s -> s.startsWith("loopflow_kpi recycling_rate"));
            assertThat(twice).containsExactlyInAnyOrderElementsOf(once);
        }
    }

    private static List<String> fields(InfluxDBClient client, String flux) {
        List<String> out = new ArrayList<>();
        for (FluxTable table : client.getQueryApi().query(flux)) {
            for (FluxRecord r : table.getRecords()) {
                out.add(r.getMeasurement() + " " + r.getField() + " " + r.getValue());
            }
        }
        return out;
    }

    private static InfluxSink sink(String group) {
        SinkConfig config = SinkConfig.defaults(kafka.bootstrapServers(), INFLUX.getUrl(), "loopflow", "loopflow", TOKEN)
                .withGroupId(group).withFlushInterval(Duration.ofMillis(200));
        return new InfluxSink(config, new SimpleMeterRegistry());
    }
}
