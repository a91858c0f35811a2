package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import io.loopflow.core.RejectReason;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.units.Dimension;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream processor against a real in-process KRaft broker: descriptors and readings in, exact
 * final flows, key figures (both scopes) and rejections out, the HTTP API, and exactly one final
 * per window across a restart of the processor.
 */
class StreamProcessorIT {
    private static final Instant H8 = Instant.parse("2026-11-22T08:00:00Z");

    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;
    private static KafkaProducer<byte[], byte[]> producer;
    private static KafkaConsumer<byte[], byte[]> consumer;
    private static final List<FlowRecord> FLOWS = new ArrayList<>();
    private static final List<KpiRecord> KPIS = new ArrayList<>();
    private static final List<Rejection> REJECTIONS = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        // One partition per topic: the processor's task then orders descriptors before readings by timestamp.
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(new TopicPartition(Topics.FLOWS.name(), 0), new TopicPartition(Topics.KPIS.name(), 0),
                new TopicPartition(Topics.REJECTED.name(), 0)));
        consumer.seekToBeginning(consumer.assignment());
    }

    @AfterAll
    static void stopKafka() {
        if (consumer != null) {
            consumer.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static <V> void send(Topic<String, V> topic, String key, V value) {
        byte[] bytes = value == null ? null : topic.valueSerde().serializer().serialize(topic.name(), value);
        sendRaw(topic.name(), key, bytes);
    }

    private static void sendRaw(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    private static void reading(String site, String meter, int minute, double value, Long seq) {
        send(Topics.READINGS, site + "/" + meter,
                new ReadingRecord(site, meter, H8.plusSeconds(60L * minute), value, seq, null, Instant.now()));
    }

    private static void poll() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.topic().equals(Topics.FLOWS.name())) {
                FLOWS.add(Json.read(r.value(), FlowRecord.class));
            } else if (r.topic().equals(Topics.KPIS.name())) {
                KPIS.add(Json.read(r.value(), KpiRecord.class));
            } else {
                REJECTIONS.add(Json.read(r.value(), Rejection.class));
            }
        }
    }

    private static List<KpiRecord> finalKpis() {
        return KPIS.stream().filter(KpiRecord::isFinal).toList();
    }

    private static List<FlowRecord> finalFlows() {
        return FLOWS.stream().filter(FlowRecord::isFinal).toList();
    }

    private static KpiRecord finalKpi(String key) {
        return finalKpis().stream().filter(k -> k.key().equals(key)).findFirst().orElseThrow();
    }

    private ProcessorConfig config() {
        return ProcessorConfig.defaults(kafka.bootstrapServers(), dir.resolve("streams"))
                .withKpiWindowLengths(List.of(Duration.ofHours(1)))
                .withIdleTimeout(Duration.ofSeconds(3))
                .withCommitInterval(Duration.ofMillis(500))
                .withHttpPort(0);
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldTurnReadingsIntoExactFinalFiguresAndServeThem() throws Exception {
        send(Topics.SITES, "s1", new SiteDescriptor("Site one", "r1", 55.6, 11.1));
        send(Topics.SITES, "s2", new SiteDescriptor("Site two", "r1", null, null));
        send(Topics.MATERIALS, "gypsum", new MaterialDescriptor("FGD gypsum", Dimension.MASS, "10 01 05", 50.0));
        send(Topics.METERS, "s1/reuse", new MeterDescriptor("gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t", "s2"));
        send(Topics.METERS, "s1/landfill", new MeterDescriptor("gypsum", Role.OUT_DISPOSAL, MeterKind.COUNTER, "kg", null));
        send(Topics.METERS, "s2/reuse", new MeterDescriptor("gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t", null));
        reading("s1", "reuse", 1, 5, 1L);
        reading("s1", "reuse", 2, 2.5, 2L);
        reading("s1", "reuse", 3, 99, 2L);
        reading("s1", "landfill", 0, 1000, null);
        reading("s1", "landfill", 9, 6000, null);
        reading("s1", "landfill", 5, 3000, null);
        reading("s2", "reuse", 3, 10, null);
        reading("s2", "ghost", 3, 10, null);
        sendRaw(Topics.READINGS.name(), "s2/reuse", "{\"ts\": 1, \"value\": \"ten\"}".getBytes(StandardCharsets.UTF_8));

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (StreamProcessor processor = new StreamProcessor(config(), registry, "127.0.0.1")) {
            processor.start();

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
                poll();
                return finalKpis().stream().anyMatch(k -> k.scope().equals(KpiRecord.REGION));
            });

            // kg -> t multiplies by 0.001: compare to the microtonne
            assertThat(finalFlows()).extracting(FlowRecord::key, f -> Math.round(f.quantity() * 1e6) / 1e6).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("s1/gypsum/out.reuse/2026-11-22T08:01:00Z", 5.0),
                    org.assertj.core.groups.Tuple.tuple("s1/gypsum/out.reuse/2026-11-22T08:02:00Z", 2.5),
                    org.assertj.core.groups.Tuple.tuple("s1/gypsum/out.disposal/2026-11-22T08:00:00Z", 0.0),
                    org.assertj.core.groups.Tuple.tuple("s1/gypsum/out.disposal/2026-11-22T08:05:00Z", 2.0),
                    org.assertj.core.groups.Tuple.tuple("s1/gypsum/out.disposal/2026-11-22T08:09:00Z", 3.0),
                    org.assertj.core.groups.Tuple.tuple("s2/gypsum/out.reuse/2026-11-22T08:03:00Z", 10.0));
            KpiRecord s1 = finalKpi("site/s1/gypsum/PT1H/2026-11-22T08:00:00Z");
            assertThat(s1.region()).isEqualTo("r1");
            assertThat(s1.sums().outReuse()).isEqualTo(7.5);
            assertThat(s1.sums().outDisposal()).isCloseTo(5.0, within(1e-9));
            assertThat(s1.recyclingRate()).isCloseTo(0.6, within(1e-9));
            KpiRecord region = finalKpi("region/r1/gypsum/PT1H/2026-11-22T08:00:00Z");
            assertThat(region.sums().outReuse()).isEqualTo(17.5);
            assertThat(region.recyclingRate()).isCloseTo(17.5 / 22.5, within(1e-9));
            assertThat(region.landfillRate()).isCloseTo(5 / 22.5, within(1e-9));
            assertThat(region.circularInputRate()).isNull();
            assertThat(finalKpi("site/s2/gypsum/PT1H/2026-11-22T08:00:00Z").recyclingRate()).isEqualTo(1.0);

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
                poll();
                return REJECTIONS.size() >= 3;
            });
            assertThat(REJECTIONS).extracting(Rejection::reason)
                    .containsExactlyInAnyOrder(RejectReason.DUPLICATE, RejectReason.UNKNOWN_METER, RejectReason.MALFORMED);
            assertThat(REJECTIONS).filteredOn(r -> r.reason() == RejectReason.MALFORMED).singleElement()
                    .satisfies(r -> assertThat(r.mqttTopic()).isEqualTo("loopflow/v1/s2/meters/reuse/reading"));

            HttpResponse<String> health = get(processor.httpPort(), "/api/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readValue(health.body(), new TypeReference<Map<String, String>>() { }))
                    .containsEntry("status", "UP").containsEntry("state", "RUNNING");

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> kpis = get(processor.httpPort(), "/api/kpis?region=r1&window=PT1H");
                assertThat(kpis.statusCode()).isEqualTo(200);
                List<KpiRecord> served = Json.MAPPER.readValue(kpis.body(), new TypeReference<List<KpiRecord>>() { });
                assertThat(served).extracting(KpiRecord::key).containsExactly("region/r1/gypsum/PT1H/2026-11-22T08:00:00Z",
                        "site/s1/gypsum/PT1H/2026-11-22T08:00:00Z", "site/s2/gypsum/PT1H/2026-11-22T08:00:00Z");
                assertThat(served).allMatch(KpiRecord::isFinal);
                assertThat(served.get(0).sums()).isEqualTo(region.sums());
            });
            assertThat(get(processor.httpPort(), "/api/kpis?window=1h").statusCode()).isEqualTo(400);
            assertThat(registry.find("loopflow.streams.rejected").tag("reason", "duplicate").counter().count()).isEqualTo(1.0);
        }

        // Restarted on the same state: a ticket for a closed window restates it (revision 1), a counter reading older than
        // its meter's clock in a closed window is late, and no window gets a second final of one revision.
        send(Topics.READINGS, "s1/reuse", new ReadingRecord("s1", "reuse", H8.plusSeconds(90), 1, 3L, null, Instant.now()));
        reading("s1", "landfill", 4, 2000, null);
        try (StreamProcessor processor = new StreamProcessor(config().withHttpPort(-1), new SimpleMeterRegistry(), "127.0.0.1")) {
            processor.start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
                poll();
                return REJECTIONS.stream().anyMatch(r -> r.reason() == RejectReason.LATE) && revisions("region/r1/gypsum/PT1H/2026-11-22T08:00:00Z") >= 2;
            });
        }
        assertRevisions(1, 6.0);

        // Restarted on an empty state directory: the state comes back from the changelogs and the revisions go on.
        send(Topics.READINGS, "s1/reuse", new ReadingRecord("s1", "reuse", H8.plusSeconds(100), 2, 4L, null, Instant.now()));
        try (StreamProcessor processor = new StreamProcessor(config().withHttpPort(-1).withStateDir(dir.resolve("streams-restored")),
                new SimpleMeterRegistry(), "127.0.0.1")) {
            processor.start();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ZERO).until(() -> {
                poll();
                return revisions("region/r1/gypsum/PT1H/2026-11-22T08:00:00Z") >= 3;
            });
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ZERO).until(() -> {
                poll();
                return true;
            });
        }
        assertRevisions(2, 8.0);
        assertThat(REJECTIONS).filteredOn(r -> r.reason() == RejectReason.LATE).singleElement()
                .satisfies(r -> assertThat(r.detail()).startsWith("older than its meter's clock"));
        assertThat(finalFlows()).extracting(f -> f.key() + "#" + f.revision()).doesNotHaveDuplicates();
        assertThat(finalKpis()).extracting(k -> k.key() + "#" + k.revision()).doesNotHaveDuplicates();
    }

    /** How many final records (revisions) {@code key} has on loopflow.kpis so far. */
    private static long revisions(String key) {
        return finalKpis().stream().filter(k -> k.key().equals(key)).count();
    }

    /** The restated flow window 08:01 of s1 (at {@code flow} t), its site hour and its region hour are at {@code revision}. */
    private static void assertRevisions(int revision, double flow) {
        FlowRecord restated = finalFlows().stream().filter(f -> f.key().equals("s1/gypsum/out.reuse/2026-11-22T08:01:00Z"))
                .max(java.util.Comparator.comparingInt(FlowRecord::revision)).orElseThrow();
        assertThat(restated.revision()).isEqualTo(revision);
        assertThat(restated.quantity()).isEqualTo(flow);
        for (String key : List.of("site/s1/gypsum/PT1H/2026-11-22T08:00:00Z", "region/r1/gypsum/PT1H/2026-11-22T08:00:00Z")) {
            List<Integer> revisions = finalKpis().stream().filter(k -> k.key().equals(key)).map(KpiRecord::revision).toList();
            assertThat(revisions).as(key).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(0, revision).boxed().toList());
            KpiRecord latest = finalKpis().stream().filter(k -> k.key().equals(key) && k.revision() == revision).findFirst().orElseThrow();
            // s1: the restated 08:01 window and 2.5 t at 08:02; the region adds s2's 10 t
            assertThat(latest.sums().outReuse()).as(key).isEqualTo(key.startsWith("site") ? flow + 2.5 : flow + 2.5 + 10);
        }
    }
}
