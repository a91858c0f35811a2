package io.loopflow.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.influxdb.client.write.Point;
import io.loopflow.core.RejectReason;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.DataQualityRecord;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.model.SurplusRecord;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink against real servers: an embedded KRaft Kafka and QuestDB in this JVM, which speaks the InfluxDB
 * v2 write API. Its tables are created with DEDUP UPSERT KEYS(timestamp, tags...), the identity InfluxDB gives
 * a point (series + timestamp), so a replay that wrote new points instead of the same ones would show as
 * extra rows.
 */
class QuestDbSinkIT {
    private static final Logger LOG = LoggerFactory.getLogger(QuestDbSinkIT.class);
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final String ORG = "loopflow";
    private static final String BUCKET = "loopflow";

    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;
    private static QuestDbServer questdb;
    private static KafkaProducer<String, byte[]> producer;
    private static final List<Future<RecordMetadata>> inFlight = new ArrayList<>();

    @BeforeAll
    static void startServers() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 3);
        questdb = QuestDbServer.start(dir.resolve("questdb"));
        for (Map.Entry<String, List<String>> m : PointMapper.tagKeys().entrySet()) {
            String tags = m.getValue().stream().map(t -> "\"" + t + "\" SYMBOL").collect(Collectors.joining(", "));
            String keys = m.getValue().stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", "));
            questdb.exec("CREATE TABLE " + m.getKey() + " (" + tags + ", timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL"
                    + " DEDUP UPSERT KEYS(timestamp, " + keys + ")");
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopServers() {
        if (producer != null) {
            producer.close();
        }
        if (questdb != null) {
            questdb.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void writesEveryRecordKindWithItsTypesTagsAndTimestamps() {
        send(Topics.SITES, "asnaes", new SiteDescriptor("Asnaes Power Station", "kalundborg", 55.66, 11.09));
        send(Topics.METERS, "asnaes/gyp-out", new MeterDescriptor("gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t", "gyproc"));
        send(Topics.FLOWS, "k", new FlowRecord("asnaes", "gypsum", Role.OUT_REUSE, T0, T0.plusSeconds(60), 5, "t", 2, false));
        send(Topics.FLOWS, "k", new FlowRecord("asnaes", "gypsum", Role.OUT_REUSE, T0, T0.plusSeconds(60), 7.25, "t", 3, true));
        send(Topics.KPIS, "k", KpiRecord.of(KpiRecord.SITE, "asnaes", "kalundborg", "gypsum", Duration.ofHours(1), T0,
                new RoleSums(0, 0, 0, 3, 0, 1, 0), "t", true));
        send(Topics.KPIS, "k", KpiRecord.of(KpiRecord.REGION, null, "kalundborg", "fly-ash", Duration.ofHours(1), T0, RoleSums.ZERO, "t", false));
        send(Topics.SURPLUS, "asnaes/gypsum", new SurplusRecord("asnaes", "gypsum", 120.5, 2.5, "t", SurplusRecord.Source.STOCK, T0.plusMillis(1500)));
        send(Topics.ALERTS, "m1", new AlertRecord("m1", AlertRecord.Type.MATCH, "asnaes", "gypsum", "gyproc", 120.5, 40.0, 12.5, T0, "match"));
        send(Topics.DATA_QUALITY, "asnaes/gypsum", new DataQualityRecord("asnaes", "gypsum", DataQualityRecord.NO_COORDINATES, "no lat/lon", false, T0));
        for (int i = 0; i < 3; i++) {
            send(Topics.READINGS, "asnaes/gyp-out", new ReadingRecord("asnaes", "gyp-out", T0, i, null, null, T0), T0.plusSeconds(i));
        }
        for (int i = 0; i < 2; i++) {
            send(Topics.REJECTED, "asnaes/gyp-out", new Rejection(RejectReason.LATE, "window closed", "t", "{}", T0, "asnaes", "gyp-out"), T0.plusSeconds(i));
        }

        try (InfluxSink sink = sink("it-types", SinkConfig.DEFAULT_MAX_RETRY_TIME)) {
            sink.start();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(questdb.query("SELECT quantity, readings, final, region, window, unit, timestamp FROM loopflow_flow WHERE site = 'asnaes'"))
                        .singleElement().satisfies(row -> {
                            assertThat(row.get("quantity").asDouble()).isEqualTo(7.25);
                            assertThat(row.get("readings").asLong()).isEqualTo(3);
                            assertThat(row.get("final").asBoolean()).isTrue();
                            assertThat(row.get("region").asText()).isEqualTo("kalundborg");
                            assertThat(row.get("window").asText()).isEqualTo("PT1M");
                            assertThat(row.get("timestamp").asText()).isEqualTo("2026-11-22T10:00:00.000000Z");
                        });
                assertThat(questdb.query("SELECT receiver, quantity FROM loopflow_exchange WHERE site = 'asnaes'")).singleElement()
                        .satisfies(row -> assertThat(row.get("receiver").asText() + " " + row.get("quantity").asDouble()).isEqualTo("gyproc 7.25"));
                assertThat(questdb.query("SELECT * FROM loopflow_kpi WHERE scope = 'site' AND site = 'asnaes'")).singleElement().satisfies(row -> {
                    assertThat(row.get("recycling_rate").asDouble()).isEqualTo(0.75);
                    assertThat(row.get("landfill_rate").asDouble()).isEqualTo(0.25);
                    assertThat(row.get("out_reuse").asDouble()).isEqualTo(3.0);
                    // a null rate is an omitted field: no point has written the column so far, or it holds null
                    JsonNode circular = row.get("circular_input_rate");
                    assertThat(circular == null || circular.isNull()).as("circular_input_rate absent or null: %s", circular).isTrue();
                });
                assertThat(questdb.query("SELECT recycling_rate, site, final FROM loopflow_kpi WHERE scope = 'region' AND material = 'fly-ash'"))
                        .singleElement().satisfies(row -> {
                            assertThat(row.get("recycling_rate").isNull()).isTrue();
                            assertThat(row.get("site").isNull()).isTrue();
                            assertThat(row.get("final").asBoolean()).isFalse();
                        });
                assertThat(questdb.query("SELECT available, rate, source, region, timestamp FROM loopflow_surplus WHERE site = 'asnaes'"))
                        .singleElement().satisfies(row -> {
                            assertThat(row.get("available").asDouble()).isEqualTo(120.5);
                            assertThat(row.get("source").asText()).isEqualTo("stock");
                            assertThat(row.get("timestamp").asText()).isEqualTo("2026-11-22T10:00:01.500000Z");
                        });
                assertThat(questdb.query("SELECT kind, counterpart, type, open, distance_km FROM loopflow_alert WHERE site = 'asnaes'"))
                        .singleElement().satisfies(row -> assertThat(row.get("kind").asText() + " " + row.get("counterpart").asText() + " "
                                + row.get("type").asText() + " " + row.get("open").asLong() + " " + row.get("distance_km").asDouble())
                                .isEqualTo("match gyproc match 1 12.5"));
                assertThat(questdb.query("SELECT issue, open, detail FROM loopflow_dataquality WHERE site = 'asnaes'")).singleElement()
                        .satisfies(row -> assertThat(row.get("issue").asText() + " " + row.get("open").asLong() + " " + row.get("detail").asText())
                                .isEqualTo("no_coordinates 1 no lat/lon"));
                assertThat(questdb.query("SELECT outcome, reason, sum(readings) n FROM loopflow_ingest WHERE timestamp = '" + T0 + "' ORDER BY outcome"))
                        .extracting(row -> row.get("outcome").asText() + "/" + row.get("reason").asText() + "=" + row.get("n").asLong())
                        .containsExactly("accepted/null=3", "rejected/late=2");
            });
        }
        assertThat(questdb.columnTypes("loopflow_flow")).containsEntry("quantity", "DOUBLE").containsEntry("readings", "LONG")
                .containsEntry("final", "BOOLEAN").containsEntry("site", "SYMBOL");
        assertThat(questdb.columnTypes("loopflow_alert")).containsEntry("open", "LONG").containsEntry("type", "VARCHAR")
                .containsEntry("distance_km", "DOUBLE");
    }

    @Test
    void replayWritesTheSamePointsAgainAndAddsNone() {
        int windows = 5000;
        int sites = 10;
        for (int w = 0; w < windows; w++) {
            for (int s = 0; s < sites; s++) {
                Instant start = T0.plus(Duration.ofMinutes(w));
                sendAsync(Topics.FLOWS, "replay", new FlowRecord("replay-" + s, "steam", Role.OUT_PRODUCT, start, start.plusSeconds(60), w + s, "MWh", 1, true));
            }
        }
        awaitSent();
        long expected = (long) windows * sites;
        String count = "SELECT count() n, sum(quantity) total FROM loopflow_flow WHERE material = 'steam'";

        Instant began = Instant.now();
        try (InfluxSink first = sink("it-replay-a", SinkConfig.DEFAULT_MAX_RETRY_TIME)) {
            first.start();
            await().atMost(Duration.ofSeconds(120)).until(() -> questdb.query(count).get(0).get("n").asLong() == expected);
        }
        double seconds = Duration.between(began, Instant.now()).toMillis() / 1000.0;
        LOG.info("sink wrote {} flow points to QuestDB in {} s: {} points/s (including the wait for WAL apply)", expected, seconds,
                Math.round(expected / seconds));
        double total = questdb.query(count).get(0).get("total").asDouble();

        try (InfluxSink replay = sink("it-replay-b", SinkConfig.DEFAULT_MAX_RETRY_TIME)) {
            replay.start();
            await().atMost(Duration.ofSeconds(120)).until(() -> replay.pointsWritten() >= expected);
        }
        awaitApplied("loopflow_flow");

        JsonNode n = questdb.query(count).get(0).get("n");
        assertThat(n.asLong()).isEqualTo(expected);
        assertThat(questdb.query(count).get(0).get("total").asDouble()).isEqualTo(total);
    }

    @Test
    void outageLongerThanTheRetryTimeStopsConsumptionAndLosesNothing() {
        String count = "SELECT count() n FROM loopflow_flow WHERE material = 'heat'";
        try (InfluxSink sink = sink("it-outage", Duration.ofSeconds(2))) {
            sink.start();
            sendHeat(0, 500);
            await().atMost(Duration.ofSeconds(60)).until(() -> questdb.query(count).get(0).get("n").asLong() == 500);

            questdb.stop();
            sendHeat(500, 1000);
            await().atMost(Duration.ofSeconds(60)).until(sink::stalled);

            questdb.startAgain();
            sendHeat(1000, 1500);
            await().atMost(Duration.ofSeconds(60)).until(() -> !sink.stalled());
            await().atMost(Duration.ofSeconds(60)).until(() -> questdb.query(count).get(0).get("n").asLong() == 1500);
        }
        assertThat(questdb.query("SELECT min(quantity) lo, max(quantity) hi, count_distinct(site) sites FROM loopflow_flow WHERE material = 'heat'"))
                .singleElement().satisfies(row -> assertThat(row.get("lo").asDouble() + ".." + row.get("hi").asDouble())
                        .isEqualTo("0.0..1499.0"));
    }

    @Test
    void pointsTheServerRefusesAreSkippedCountedAndTheRestWritten() {
        for (int i = 0; i < 40; i++) {
            Instant start = T0.plus(Duration.ofMinutes(i));
            String site = i == 17 ? "poison" : "bisect";
            sendAsync(Topics.FLOWS, "bisect", new FlowRecord(site, "water", Role.OUT_DISPOSAL, start, start.plusSeconds(60), i, "m3", 1, true));
        }
        awaitSent();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SinkConfig config = SinkConfig.defaults(kafka.bootstrapServers(), questdb.url(), ORG, BUCKET, "unused-by-questdb")
                .withGroupId("it-bisect").withFlushInterval(Duration.ofMillis(200));
        InfluxPointWriter questdbWriter = new InfluxPointWriter(config);
        // A server that refuses one point of a batch (as InfluxDB does with a field type conflict) refuses the request.
        PointWriter refusing = new PointWriter() {
            @Override
            public void write(List<Point> points) throws WriteException {
                if (points.stream().anyMatch(p -> p.toLineProtocol().contains("site=poison"))) {
                    throw new WriteException("HTTP 400: field type conflict", false, null);
                }
                questdbWriter.write(points);
            }

            @Override
            public void close() {
                questdbWriter.close();
            }
        };

        try (InfluxSink sink = new InfluxSink(config, registry, refusing)) {
            sink.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> questdb.query("SELECT count() n FROM loopflow_flow WHERE material = 'water'").get(0).get("n").asLong() == 39);
            await().atMost(Duration.ofSeconds(30)).until(() -> registry.counter("loopflow.sink.points.rejected").count() == 1.0);
        }
        assertThat(questdb.query("SELECT count() n FROM loopflow_flow WHERE site = 'poison'").get(0).get("n").asLong()).isZero();
    }

    private void sendHeat(int from, int to) {
        for (int i = from; i < to; i++) {
            Instant start = T0.plus(Duration.ofMinutes(i));
            sendAsync(Topics.FLOWS, "outage", new FlowRecord("outage", "heat", Role.OUT_RECOVERY, start, start.plusSeconds(60), i, "MWh", 1, true));
        }
        awaitSent();
    }

    private static void awaitApplied(String table) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Map<String, JsonNode> row = questdb.query("SELECT writerTxn, sequencerTxn FROM wal_tables() WHERE name = '" + table + "'").get(0);
            return row.get("writerTxn").asLong() == row.get("sequencerTxn").asLong();
        });
    }

    private static InfluxSink sink(String group, Duration maxRetryTime) {
        SinkConfig config = SinkConfig.defaults(kafka.bootstrapServers(), questdb.url(), ORG, BUCKET, "unused-by-questdb")
                .withGroupId(group).withFlushInterval(Duration.ofMillis(200)).withMaxRetryTime(maxRetryTime);
        return new InfluxSink(config, new SimpleMeterRegistry());
    }

    private static <V> void sendAsync(Topic<String, V> topic, String key, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        inFlight.add(producer.send(new ProducerRecord<>(topic.name(), key, bytes)));
    }

    private static void awaitSent() {
        try {
            for (Future<RecordMetadata> f : inFlight) {
                f.get();
            }
            inFlight.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("send failed", e);
        }
    }

    private static <V> void send(Topic<String, V> topic, String key, V value) {
        send(topic, key, value, null);
    }

    private static <V> void send(Topic<String, V> topic, String key, V value, Instant timestamp) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        try {
            producer.send(new ProducerRecord<>(topic.name(), null, timestamp == null ? null : timestamp.toEpochMilli(), key, bytes)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("send to " + topic + " failed", e);
        }
    }
}
