package io.loopflow.streams.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loopflow.core.RejectReason;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.model.SurplusRecord;
import io.loopflow.core.units.Dimension;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.loopflow.streams.http.KpiHttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live view and the HTTP API over it, against a real in-process Kafka: records such as the stream processor
 * writes them (scripted, so every figure is known by hand) on the output and descriptor topics, then every new
 * endpoint, its bad parameters, restated windows (highest revision wins, never a stale provisional), the Sankey
 * split among receivers, alerts over server-sent events, rejections and {@code /metrics}.
 *
 * <pre>
 * sites a (Plant A, r1, 55.66 N 11.09 E), b (Plant B, r1, 55.67 N 11.10 E), c (Plant C, r1, no coordinates)
 * meters a/gyp-out gypsum out.reuse to b; a/gyp-yard gypsum out.storage; a/steam-b, a/steam-c steam out.reuse to b, c;
 *        b/steam-in, c/steam-in steam in.secondary; b/gyp-in gypsum in.secondary
 * flows (1-min windows from T0)   a gypsum out.reuse  T0: 4 t final; T0+1m: 6 t provisional; T0+2m: 5 t final rev 0,
 *                                                      then 7 t final rev 1, then a stale provisional rev 0 of 99 t (ignored)
 *                                 a gypsum out.storage T0: 1 t; b gypsum in.secondary T0: 4 t
 *                                 a steam out.reuse T0: 60 MWh; b steam in.secondary 35 MWh; c steam in.secondary 25 MWh
 * Sankey t:   a -> gypsum 18 (4 + 6 + 7 + 1); gypsum -> b 17; gypsum -> storage 1
 * Sankey MWh: a -> steam 60; steam -> b 35, steam -> c 25 (split in proportion to what b and c received)
 * figures:    a gypsum: reuse 17, storage 1: recycling 17/18; region r1 gypsum adds b's in.secondary 4: circular input 1
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveApiIT {
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private EmbeddedKafka kafka;
    private KafkaProducer<byte[], byte[]> producer;
    private LiveView view;
    private KpiHttpServer server;
    private PrometheusMeterRegistry registry;

    @BeforeAll
    void start() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 2);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        writeScenario();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        view = new LiveView(kafka.bootstrapServers(), List.of("loopflow-streams"), 50, registry, Clock.systemUTC());
        view.start();
        server = KpiHttpServer.start("127.0.0.1", 0, new KpiHttpServer.Health() {
            @Override
            public String state() {
                return "RUNNING";
            }

            @Override
            public boolean up() {
                return true;
            }
        }, view, registry, Clock.systemUTC());
        await().atMost(Duration.ofSeconds(60)).until(view::ready);
    }

    @AfterAll
    void stop() {
        Stream.<AutoCloseable>of(server, view, producer, kafka).forEach(c -> {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void writeScenario() {
        send(Topics.SITES, "a", new SiteDescriptor("Plant A", "r1", 55.66, 11.09));
        send(Topics.SITES, "b", new SiteDescriptor("Plant B", "r1", 55.67, 11.10));
        send(Topics.SITES, "c", new SiteDescriptor("Plant C", "r1", null, null));
        send(Topics.MATERIALS, "gypsum", new MaterialDescriptor("FGD gypsum", Dimension.MASS, null, 50.0));
        send(Topics.MATERIALS, "steam", new MaterialDescriptor("Process steam", Dimension.ENERGY, null, null));
        send(Topics.METERS, "a/gyp-out", new MeterDescriptor("gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t", "b"));
        send(Topics.METERS, "a/gyp-yard", new MeterDescriptor("gypsum", Role.OUT_STORAGE, MeterKind.COUNTER, "t", null));
        send(Topics.METERS, "a/steam-b", new MeterDescriptor("steam", Role.OUT_REUSE, MeterKind.RATE, "MW", "b"));
        send(Topics.METERS, "a/steam-c", new MeterDescriptor("steam", Role.OUT_REUSE, MeterKind.RATE, "MW", "c"));
        send(Topics.METERS, "b/steam-in", new MeterDescriptor("steam", Role.IN_SECONDARY, MeterKind.RATE, "MW", null));
        send(Topics.METERS, "c/steam-in", new MeterDescriptor("steam", Role.IN_SECONDARY, MeterKind.RATE, "MW", null));
        send(Topics.METERS, "b/gyp-in", new MeterDescriptor("gypsum", Role.IN_SECONDARY, MeterKind.COUNTER, "t", null));
        send(Topics.METERS, "a/old", new MeterDescriptor("gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t", "z"));
        send(Topics.METERS, "a/old", null);

        flow("a", "gypsum", Role.OUT_REUSE, 0, 4, "t", true, 0);
        flow("a", "gypsum", Role.OUT_REUSE, 1, 6, "t", false, 0);
        flow("a", "gypsum", Role.OUT_REUSE, 2, 3, "t", false, 0);
        flow("a", "gypsum", Role.OUT_REUSE, 2, 5, "t", true, 0);
        flow("a", "gypsum", Role.OUT_REUSE, 2, 7, "t", true, 1);
        flow("a", "gypsum", Role.OUT_REUSE, 2, 99, "t", false, 0);
        flow("a", "gypsum", Role.OUT_STORAGE, 0, 1, "t", true, 0);
        flow("b", "gypsum", Role.IN_SECONDARY, 0, 4, "t", true, 0);
        flow("a", "steam", Role.OUT_REUSE, 0, 60, "MWh", true, 0);
        flow("b", "steam", Role.IN_SECONDARY, 0, 35, "MWh", true, 0);
        flow("c", "steam", Role.IN_SECONDARY, 0, 25, "MWh", true, 0);
        // A window outside every range asked below.
        flow("a", "gypsum", Role.OUT_REUSE, -600, 1000, "t", true, 0);

        RoleSums sums = RoleSums.ZERO.plus(Role.OUT_REUSE, 3).plus(Role.OUT_STORAGE, 1);
        kpi("a", T0.minus(Duration.ofHours(2)), sums, true, 0);
        kpi("a", T0.minus(Duration.ofHours(1)), sums, true, 0);
        kpi("a", T0.minus(Duration.ofHours(1)), RoleSums.ZERO.plus(Role.OUT_REUSE, 1).plus(Role.OUT_STORAGE, 1), true, 1);
        kpi("a", T0, sums, false, 0);
        // A record of the coming contract: a calendar month window with its time zone; passed on as published.
        ObjectNode month = (ObjectNode) Json.MAPPER.valueToTree(KpiRecord.of(KpiRecord.REGION, null, "r1", "gypsum", Duration.ofHours(1),
                T0, sums, "t", false));
        month.put("window", "P1M").put("timeZone", "Europe/Copenhagen").put("revision", 2);
        sendRaw(Topics.KPIS.name(), "region/r1/gypsum/P1M/" + T0, Json.write(month));
        sendRaw(Topics.KPIS.name(), "junk", "not json".getBytes(StandardCharsets.UTF_8));

        send(Topics.SURPLUS, "a/gypsum", new SurplusRecord("a", "gypsum", 52, 6, "t", SurplusRecord.Source.STOCK, T0));
        send(Topics.ALERTS, "surplus.available/a/gypsum/1", new AlertRecord("surplus.available/a/gypsum/1", AlertRecord.Type.SURPLUS_AVAILABLE,
                "a", "gypsum", null, 52.0, 50.0, null, T0, "Plant A has 52 t of FGD gypsum available"));
        send(Topics.ALERTS, "match/a/b/gypsum/1", new AlertRecord("match/a/b/gypsum/1", AlertRecord.Type.MATCH, "a", "gypsum", "b", 52.0,
                40.0, 1.3, T0, "Plant A has 52 t of FGD gypsum, Plant B wants 40 t"));
        send(Topics.ALERTS, "surplus.available/c/steam/1", new AlertRecord("surplus.available/c/steam/1", AlertRecord.Type.SURPLUS_AVAILABLE,
                "c", "steam", null, 60.0, 50.0, null, T0, "Plant C has 60 MWh of process steam available"));
        send(Topics.REJECTED, "a/gyp-out", new Rejection(RejectReason.INVALID_FIELD, "ts: 'yesterday' is not RFC 3339",
                "loopflow/v1/a/meters/gyp-out/reading", "{\"ts\": \"yesterday\", \"value\": 1}", Instant.now(), "a", "gyp-out"));
        send(Topics.REJECTED, "loopflow/v1/a/meters/x/reading", new Rejection(RejectReason.MALFORMED, "not JSON",
                "loopflow/v1/a/meters/x/reading", "not json", Instant.now(), null, null));
        for (int i = 0; i < 3; i++) {
            send(Topics.READINGS, "a/gyp-out", new ReadingRecord("a", "gyp-out", T0.plusSeconds(i), i, null, null, Instant.now()));
        }
    }

    private void flow(String site, String material, Role role, int minute, double quantity, String unit, boolean isFinal, int revision) {
        Instant start = T0.plus(Duration.ofMinutes(minute));
        FlowRecord r = new FlowRecord(site, material, role, start, start.plus(Duration.ofMinutes(1)), quantity, unit, 2, isFinal);
        ObjectNode json = Json.MAPPER.valueToTree(r);
        json.put("revision", revision);
        sendRaw(Topics.FLOWS.name(), r.key(), Json.write(json));
    }

    private void kpi(String site, Instant start, RoleSums sums, boolean isFinal, int revision) {
        KpiRecord r = KpiRecord.of(KpiRecord.SITE, site, "r1", "gypsum", Duration.ofHours(1), start, sums, "t", isFinal);
        ObjectNode json = Json.MAPPER.valueToTree(r);
        json.put("revision", revision);
        sendRaw(Topics.KPIS.name(), r.key(), Json.write(json));
    }

    private <V> void send(Topic<String, V> topic, String key, V value) {
        sendRaw(topic.name(), key, value == null ? null : topic.valueSerde().serializer().serialize(topic.name(), value));
    }

    private void sendRaw(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to " + topic, e);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    private String range(int fromMinute, int toMinute) {
        return "from=" + T0.plus(Duration.ofMinutes(fromMinute)) + "&to=" + T0.plus(Duration.ofMinutes(toMinute));
    }

    private static JsonNode diagram(JsonNode sankey, String unit) {
        for (JsonNode d : sankey.path("diagrams")) {
            if (d.path("unit").asText().equals(unit)) {
                return d;
            }
        }
        throw new AssertionError("no diagram in " + unit + ": " + sankey);
    }

    private static double link(JsonNode diagram, String source, String target) {
        for (JsonNode l : diagram.path("links")) {
            if (l.path("source").asText().equals(source) && l.path("target").asText().equals(target)) {
                return l.path("value").asDouble();
            }
        }
        throw new AssertionError("no link " + source + " -> " + target + " in " + diagram.path("links"));
    }

    @Test
    void flowsAreSankeyDiagramsPerUnitWithTheHighestRevisionOfEachWindow() throws Exception {
        JsonNode sankey = getJson("/api/flows?" + range(0, 10));

        assertThat(sankey.path("provisional").asBoolean()).isTrue();
        JsonNode mass = diagram(sankey, "t");
        assertThat(mass.path("dimension").asText()).isEqualTo("mass");
        assertThat(link(mass, "site:a", "material:gypsum")).isCloseTo(18, within(1e-9));
        assertThat(link(mass, "material:gypsum", "dest:b")).isCloseTo(17, within(1e-9));
        assertThat(link(mass, "material:gypsum", "dest:storage")).isCloseTo(1, within(1e-9));
        assertThat(mass.path("nodes").findValuesAsText("label")).contains("Plant A", "FGD gypsum", "Plant B", "Storage");
        JsonNode energy = diagram(sankey, "MWh");
        assertThat(link(energy, "site:a", "material:steam")).isCloseTo(60, within(1e-9));
        assertThat(link(energy, "material:steam", "dest:b")).isCloseTo(35, within(1e-9));
        assertThat(link(energy, "material:steam", "dest:c")).isCloseTo(25, within(1e-9));
        assertThat(energy.path("flows").findValuesAsText("split")).containsOnly("receivers");
        // in.* are not residue flows: b and c are destinations only
        assertThat(energy.path("nodes").findValuesAsText("id")).doesNotContain("site:b", "site:c");

        // Only the windows that start in the range: T0+1m alone is the provisional 6 t.
        JsonNode one = diagram(getJson("/api/flows?" + range(1, 2)), "t");
        assertThat(link(one, "site:a", "material:gypsum")).isCloseTo(6, within(1e-9));
    }

    @Test
    void figuresOfARangeAreRatesOfItsSumsPerSiteAndRegion() throws Exception {
        JsonNode figures = getJson("/api/figures?" + range(0, 10)).path("figures");
        JsonNode a = find(figures, "site", "a", "gypsum");
        assertThat(a.path("sums").path("out.reuse").asDouble()).isCloseTo(17, within(1e-9));
        assertThat(a.path("recyclingRate").asDouble()).isCloseTo(17.0 / 18, within(1e-9));
        assertThat(a.path("circularInputRate").isNull()).isTrue();
        assertThat(a.path("provisional").asBoolean()).isTrue();
        JsonNode region = find(figures, "region", "r1", "gypsum");
        assertThat(region.path("circularInputRate").asDouble()).isEqualTo(1.0);
        assertThat(region.path("recyclingRate").asDouble()).isCloseTo(17.0 / 18, within(1e-9));
        assertThat(figures.get(0).path("scope").asText()).isEqualTo("region");
    }

    private static JsonNode find(JsonNode figures, String scope, String id, String material) {
        for (JsonNode f : figures) {
            if (f.path("scope").asText().equals(scope) && f.path("id").asText().equals(id) && f.path("material").asText().equals(material)) {
                return f;
            }
        }
        throw new AssertionError("no figure " + scope + "/" + id + "/" + material + " in " + figures);
    }

    @Test
    void finalsAreTheRecentFinalsOfTheHighestRevisionOldestFirst() throws Exception {
        JsonNode series = getJson("/api/finals?window=PT1H&count=24&site=a");
        assertThat(series).hasSize(1);
        JsonNode finals = series.get(0).path("finals");
        assertThat(finals).hasSize(2);
        assertThat(finals.get(0).path("windowStart").asText()).isEqualTo(T0.minus(Duration.ofHours(2)).toString());
        assertThat(finals.get(1).path("revision").asInt()).isEqualTo(1);
        assertThat(finals.get(1).path("recyclingRate").asDouble()).isEqualTo(0.5);
        assertThat(getJson("/api/finals?window=PT1H&count=1&site=a").get(0).path("finals")).hasSize(1);
    }

    @Test
    void kpisAnswerTheLatestRecordOfEveryWindowAsPublished() throws Exception {
        JsonNode site = getJson("/api/kpis?site=a&window=PT1H");
        assertThat(site).hasSize(3);
        assertThat(site.get(1).path("revision").asInt()).isEqualTo(1);
        assertThat(site.get(2).path("final").asBoolean()).isFalse();
        JsonNode month = getJson("/api/kpis?scope=region&region=r1");
        assertThat(month).hasSize(1);
        assertThat(month.get(0).path("window").asText()).isEqualTo("P1M");
        assertThat(month.get(0).path("timeZone").asText()).isEqualTo("Europe/Copenhagen");
    }

    @Test
    void theMapHasPositionsSurplusAgainstThresholdAndOpenMatches() throws Exception {
        JsonNode map = getJson("/api/map");
        JsonNode a = null;
        for (JsonNode s : map.path("sites")) {
            if (s.path("id").asText().equals("a")) {
                a = s;
            }
        }
        assertThat(a).isNotNull();
        assertThat(a.path("lat").asDouble()).isEqualTo(55.66);
        JsonNode gypsum = a.path("surplus").get(0);
        assertThat(gypsum.path("available").asDouble()).isEqualTo(52);
        assertThat(gypsum.path("threshold").asDouble()).isEqualTo(50);
        assertThat(gypsum.path("raised").asBoolean()).isTrue();
        assertThat(map.path("matches")).hasSize(1);
        assertThat(map.path("matches").get(0).path("counterpart").asText()).isEqualTo("b");
        assertThat(map.path("matches").get(0).path("distanceKm").asDouble()).isEqualTo(1.3);
        assertThat(map.path("sites").findValuesAsText("id")).contains("c");
    }

    @Test
    void pipelineShowsReadingsRejectionsByReasonAndTheLatestPayloads() throws Exception {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(getJson("/api/pipeline").path("readingsAccepted").asLong()).isEqualTo(3));
        JsonNode p = getJson("/api/pipeline");
        Map<String, Long> lastHour = new java.util.HashMap<>();
        p.path("rejections").forEach(r -> lastHour.put(r.path("reason").asText(), r.path("lastHour").asLong()));
        assertThat(lastHour).containsEntry("invalid_field", 1L).containsEntry("malformed", 1L).containsEntry("late", 0L);
        assertThat(p.path("latestRejections").findValuesAsText("detail")).contains("ts: 'yesterday' is not RFC 3339");
        assertThat(p.path("latestRejections").findValuesAsText("payload")).contains("not json");
        assertThat(p.path("brokerDropped").isNull()).isTrue();
        // the unreadable kpi record is counted, not fatal
        assertThat(p.path("view").path("undecodable").asLong()).isEqualTo(1);
    }

    @Test
    void everyNewEndpointAnswers400WithAMessageOnABadParameter() throws Exception {
        for (String path : List.of("/api/flows", "/api/flows?last=1h", "/api/flows?last=PT0S", "/api/flows?last=PT1H&from=" + T0,
                "/api/flows?from=" + T0 + "&to=" + T0, "/api/flows?from=today", "/api/flows?last=PT1H&site=a",
                "/api/figures", "/api/figures?to=" + T0, "/api/figures?from=" + T0 + "&to=noon",
                "/api/finals?window=hourly", "/api/finals?count=0", "/api/finals?count=1001", "/api/finals?count=ten",
                "/api/finals?scope=planet", "/api/finals?colour=red", "/api/map?site=a", "/api/pipeline?x=1", "/api/surplus?site=a",
                "/api/kpis?scope=planet", "/api/alerts?active=maybe")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).as(path).isNotBlank();
        }
    }

    @Test
    void anAlertWrittenToKafkaReachesAnEventStreamClientWithinTwoSeconds() throws Exception {
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        CompletableFuture<HttpResponse<Void>> stream = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(server.url() + "/api/events")).GET().build(),
                HttpResponse.BodyHandlers.ofLines()).thenApply(r -> {
                    r.body().forEach(lines::add);
                    return null;
                });
        try {
            // the first event is the hello with every alert so far
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("event: hello"));
            assertThat(lines).anyMatch(l -> l.startsWith("data: ") && l.contains("match/a/b/gypsum/1"));

            AlertRecord cleared = new AlertRecord("surplus.cleared/c/steam/1", AlertRecord.Type.SURPLUS_CLEARED, "c", "steam", null, 30.0,
                    50.0, null, Instant.now(), "Plant C's process steam surplus is below 40 MWh");
            long written = System.nanoTime();
            send(Topics.ALERTS, cleared.id(), cleared);
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                    .until(() -> lines.stream().anyMatch(l -> l.startsWith("data: ") && l.contains("surplus.cleared/c/steam/1")));
            long millis = (System.nanoTime() - written) / 1_000_000;
            assertThat(millis).isLessThan(2000);
            List<String> all = new ArrayList<>(lines);
            int at = all.indexOf(all.stream().filter(l -> l.contains("surplus.cleared/c/steam/1")).findFirst().orElseThrow());
            assertThat(all.get(at - 1)).isEqualTo("event: alert");
            // and the alert is no longer active
            assertThat(getJson("/api/alerts?active=true").findValuesAsText("id"))
                    .containsExactlyInAnyOrder("surplus.available/a/gypsum/1", "match/a/b/gypsum/1");
        } finally {
            stream.cancel(true);
        }
    }

    @Test
    void metricsAreThePrometheusTextOfTheRegistry() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        assertThat(r.body()).contains("# TYPE loopflow_view_flow_windows gauge").contains("loopflow_view_undecodable_total{topic=\"loopflow.kpis\"} 1.0");
    }
}
