package io.loopflow.app;

import static io.loopflow.app.HandComputedScenario.FLOWS;
import static io.loopflow.app.HandComputedScenario.KPI_WINDOW;
import static io.loopflow.app.HandComputedScenario.T0;
import static io.loopflow.app.HandComputedScenario.T1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.core.Topics;
import io.loopflow.sink.PointMapper;
import io.loopflow.sink.QuestDbServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loopflow local --influx-url ...}: {@link LocalMode} with an {@link InfluxTarget} also runs the
 * InfluxDB sink. QuestDB runs in this JVM as the InfluxDB v2 write-API server (as in the sink module's
 * QuestDbSinkIT) and is read back over its {@code /exec} SQL endpoint. A Paho client publishes
 * {@link HandComputedScenario}; the final figures worked out by hand there must land in
 * {@code loopflow_flow}, {@code loopflow_exchange}, {@code loopflow_kpi} and {@code loopflow_ingest}
 * (docs/influxdb-schema.md).
 *
 * <p>The tables are created beforehand with {@code DEDUP UPSERT KEYS(timestamp, tags...)}, the identity
 * InfluxDB gives a point (series + timestamp): a window's provisional points and its final point are one
 * row, the final one overwriting, as in InfluxDB.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalSinkIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String ORG = "loopflow";
    private static final String BUCKET = "loopflow";

    private QuestDbServer questdb;
    private LocalMode local;

    @BeforeAll
    void runScenario(@TempDir Path dir) throws Exception {
        // given QuestDB on a free port of 127.0.0.1, with the sink's tables keyed as InfluxDB keys points
        questdb = QuestDbServer.start(dir.resolve("questdb"));
        for (Map.Entry<String, List<String>> m : PointMapper.tagKeys().entrySet()) {
            String tags = m.getValue().stream().map(t -> "\"" + t + "\" SYMBOL").collect(Collectors.joining(", "));
            String keys = m.getValue().stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", "));
            exec("CREATE TABLE " + m.getKey() + " (" + tags + ", timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL"
                    + " DEDUP UPSERT KEYS(timestamp, " + keys + ")");
        }

        // and loopflow local with --influx-url pointing at it (no token: QuestDB runs without authentication)
        LocalConfig config = new LocalConfig(0, 0, 0, dir.resolve("loopflow"), HandComputedScenario.FLOW_WINDOW, List.of(KPI_WINDOW),
                Duration.ZERO, Duration.ofSeconds(5), MqttPersistence.MEMORY, 1, Duration.ofSeconds(30), false, 1, Duration.ZERO);
        local = new LocalMode(config, new InfluxTarget(questdb.url(), ORG, BUCKET, ""));
        local.start();

        // when a plant publishes the descriptors, waits until the meters are on Kafka, then publishes its readings
        MqttClient plant = HandComputedScenario.connect(local.mqttUri(), "plant-sink");
        try {
            HandComputedScenario.publishDescriptors(plant);
            awaitMetersOnKafka(4);
            HandComputedScenario.publishReadings(plant);
        } finally {
            plant.disconnect();
            plant.close();
        }

        // then (checked per test) every final flow and key-figure point reaches QuestDB
        // (until the first points arrive, the tables have no "final" column and the query is refused)
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreException(IllegalStateException.class).until(() ->
                count("SELECT count() n FROM loopflow_flow WHERE material = 'gypsum' AND \"final\" = true") == FLOWS.size()
                        && count("SELECT count() n FROM loopflow_kpi WHERE material = 'gypsum' AND \"final\" = true") == 3);
    }

    @AfterAll
    void stop() {
        if (local != null) {
            local.close();
        }
        if (questdb != null) {
            questdb.close();
        }
    }

    @Test
    void everyFinalFlowWindowIsAPointWithTheHandComputedQuantity() {
        List<Map<String, JsonNode>> rows = query("SELECT site, role, region, window, unit, quantity, readings, timestamp"
                + " FROM loopflow_flow WHERE material = 'gypsum' AND \"final\" = true");
        assertThat(rows).hasSize(FLOWS.size());
        for (HandComputedScenario.Flow expected : FLOWS) {
            assertThat(rows)
                    .as(expected.key())
                    .filteredOn(r -> r.get("site").asText().equals(expected.site())
                            && r.get("role").asText().equals(expected.role().wire())
                            && Instant.parse(r.get("timestamp").asText()).equals(expected.windowStart()))
                    .singleElement()
                    .satisfies(r -> {
                        assertThat(r.get("quantity").asDouble()).as(expected.key()).isCloseTo(expected.quantity(), within(1e-9));
                        assertThat(r.get("readings").asLong()).as(expected.key()).isEqualTo(expected.readings());
                        assertThat(r.get("region").asText()).isEqualTo("r1");
                        assertThat(r.get("window").asText()).isEqualTo("PT1M");
                        assertThat(r.get("unit").asText()).isEqualTo("t");
                    });
        }
        // No point at all (provisional or final) for a window, site or role the scenario does not have.
        assertThat(query("SELECT DISTINCT site, role, timestamp FROM loopflow_flow"))
                .extracting(r -> r.get("site").asText() + "/gypsum/" + r.get("role").asText() + "/" + Instant.parse(r.get("timestamp").asText()))
                .containsExactlyInAnyOrderElementsOf(FLOWS.stream().map(HandComputedScenario.Flow::key).toList());
    }

    @Test
    void theReuseFlowOfS1IsAnExchangeToTheSiteItsMeterNames() {
        // s1/c1 is out.reuse with "to": "s2": its flow windows (4 t, then 8 t) are also s1 -> s2 exchanges.
        assertThat(query("SELECT site, receiver, region, unit, quantity, \"final\", timestamp FROM loopflow_exchange ORDER BY timestamp"))
                .extracting(r -> r.get("site").asText() + "->" + r.get("receiver").asText() + " " + r.get("region").asText()
                        + " " + Instant.parse(r.get("timestamp").asText()) + " " + r.get("quantity").asDouble() + " " + r.get("unit").asText()
                        + " final=" + r.get("final").asBoolean())
                .containsExactly(
                        "s1->s2 r1 " + T0 + " 4.0 t final=true",
                        "s1->s2 r1 " + T1 + " 8.0 t final=true");
    }

    @Test
    void siteKeyFiguresAreTheHandComputedRatios() {
        Map<String, JsonNode> s1 = finalKpi("scope = 'site' AND site = 's1'");
        assertThat(s1.get("region").asText()).isEqualTo("r1");
        assertThat(s1.get("window").asText()).isEqualTo("PT2M");
        assertThat(s1.get("unit").asText()).isEqualTo("t");
        assertThat(Instant.parse(s1.get("timestamp").asText())).isEqualTo(T0);
        assertThat(s1.get("out_reuse").asDouble()).isCloseTo(12, within(1e-9));
        assertThat(s1.get("out_disposal").asDouble()).isCloseTo(1.35, within(1e-9));
        assertThat(s1.get("in_secondary").asDouble()).isZero();
        assertThat(s1.get("in_virgin").asDouble()).isZero();
        assertThat(s1.get("recycling_rate").asDouble()).isCloseTo(HandComputedScenario.S1_RECYCLING, within(1e-9));
        assertThat(s1.get("landfill_rate").asDouble()).isCloseTo(HandComputedScenario.S1_LANDFILL, within(1e-9));
        // a null rate is an omitted field: the column exists (s2 writes it) and this row holds null
        assertThat(s1.get("circular_input_rate").isNull()).as("s1 circular_input_rate omitted").isTrue();

        Map<String, JsonNode> s2 = finalKpi("scope = 'site' AND site = 's2'");
        assertThat(Instant.parse(s2.get("timestamp").asText())).isEqualTo(T0);
        assertThat(s2.get("in_secondary").asDouble()).isCloseTo(9, within(1e-9));
        assertThat(s2.get("in_virgin").asDouble()).isCloseTo(5, within(1e-9));
        assertThat(s2.get("out_reuse").asDouble()).isZero();
        assertThat(s2.get("circular_input_rate").asDouble()).isCloseTo(HandComputedScenario.S2_CIRCULAR, within(1e-9));
        assertThat(s2.get("recycling_rate").isNull()).as("s2 recycling_rate omitted").isTrue();
        assertThat(s2.get("landfill_rate").isNull()).as("s2 landfill_rate omitted").isTrue();
    }

    @Test
    void regionKeyFiguresAreRatiosOfTheSummedSites() {
        Map<String, JsonNode> r1 = finalKpi("scope = 'region' AND region = 'r1'");
        assertThat(r1.get("site").isNull()).as("no site tag on a region point").isTrue();
        assertThat(r1.get("window").asText()).isEqualTo("PT2M");
        assertThat(Instant.parse(r1.get("timestamp").asText())).isEqualTo(T0);
        assertThat(r1.get("out_reuse").asDouble()).isCloseTo(12, within(1e-9));
        assertThat(r1.get("out_disposal").asDouble()).isCloseTo(1.35, within(1e-9));
        assertThat(r1.get("in_secondary").asDouble()).isCloseTo(9, within(1e-9));
        assertThat(r1.get("in_virgin").asDouble()).isCloseTo(5, within(1e-9));
        assertThat(r1.get("recycling_rate").asDouble()).isCloseTo(HandComputedScenario.S1_RECYCLING, within(1e-9));
        assertThat(r1.get("landfill_rate").asDouble()).isCloseTo(HandComputedScenario.S1_LANDFILL, within(1e-9));
        assertThat(r1.get("circular_input_rate").asDouble()).isCloseTo(HandComputedScenario.S2_CIRCULAR, within(1e-9));
    }

    @Test
    void ingestHealthCountsTheGoodReadingsAndTheMalformedMessage() {
        // The ingest buckets are written as they fill, so wait for the counts to settle on the scenario's totals.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                query("SELECT outcome, reason, sum(readings) n FROM loopflow_ingest ORDER BY outcome"))
                .extracting(r -> r.get("outcome").asText() + "/" + r.get("reason").asText() + "=" + r.get("n").asLong())
                .containsExactly("accepted/null=" + HandComputedScenario.GOOD_READINGS, "rejected/malformed=1"));
    }

    @Test
    void theLagOfTheGroupsLocalModeRunsIsWrittenAndIsZeroOnceEverythingIsProcessed() {
        // What is measured under exactly_once_v2: the surplus application reads loopflow.flows, written in
        // transactions by the first application; a caught-up group shows 0, not 1 for the last commit marker.
        String latest = "SELECT \"group\", \"topic\", \"partition\", lag FROM loopflow_consumer_lag"
                + " LATEST ON timestamp PARTITION BY \"group\", \"topic\", \"partition\"";
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).ignoreException(IllegalStateException.class).untilAsserted(() -> {
            List<Map<String, JsonNode>> rows = query(latest);
            assertThat(rows).extracting(r -> r.get("group").asText() + " " + r.get("topic").asText())
                    .contains("loopflow-streams loopflow.readings", "loopflow-streams-surplus loopflow.flows", "loopflow-sink loopflow.flows");
            assertThat(rows).allSatisfy(r -> assertThat(r.get("lag").asLong())
                    .as("%s %s-%s", r.get("group").asText(), r.get("topic").asText(), r.get("partition").asText()).isZero());
        });
    }

    private Map<String, JsonNode> finalKpi(String where) {
        List<Map<String, JsonNode>> rows = query("SELECT * FROM loopflow_kpi WHERE material = 'gypsum' AND \"final\" = true AND " + where);
        assertThat(rows).as(where).hasSize(1);
        return rows.get(0);
    }

    private void awaitMetersOnKafka(int meters) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, local.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "sink-it-meters",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.METERS.name()));
            List<String> seen = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.key()));
                return seen.size() >= meters;
            });
        }
    }

    private long count(String sql) {
        return query(sql).get(0).get("n").asLong();
    }

    private List<Map<String, JsonNode>> query(String sql) {
        return questdb.query(sql);
    }

    private JsonNode exec(String sql) {
        return questdb.exec(sql);
    }
}
