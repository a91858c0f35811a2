package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.core.Topics;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.RoleSums;
import io.loopflow.ingest.TcpNoDelaySocketFactory;
import io.loopflow.sink.PointMapper;
import io.loopflow.sink.QuestDbServer;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.window.KpiWindow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Late data end to end (CONTRACT.md section 6, <i>Late data restates closed windows</i> and <i>Calendar windows</i>):
 * {@link LocalMode} (embedded HiveMQ and Kafka, gateway, stream processor) with the InfluxDB sink writing to QuestDB
 * in this JVM (as {@link LocalSinkIT}), key-figure windows of an hour and of the calendar day of
 * {@code Europe/Copenhagen}. A plant publishes yesterday (a local day, so 23, 24 or 25 hours) live through MQTT, one
 * message per reading in time order; once the day's windows have closed, the weighbridge tickets of that day arrive,
 * two and, once their restatement is on Kafka, the third. They restate the windows they fall in. Read back: the final records on {@code loopflow.kpis} with the highest
 * {@code revision} per key, and the {@code loopflow_kpi} table the sink wrote.
 *
 * <pre>
 * region kalundborg, material gypsum (t); D = yesterday in Europe/Copenhagen, n = its hours; times are local
 * asnaes/to-gyproc  counter, out.reuse     1000 at 00:00, +2.5 every 15 min up to 23:45 (4n readings)
 *                   credits: 0 for the first reading, then 2.5 each: hour 00 7.5 t, every other hour 10 t
 * gyproc/natural    quantity, in.virgin    20 t at hh:30 of every hour
 * gyproc/fgd        quantity, in.secondary 10 t at hh:45 of every hour
 * asnaes/weighbridge quantity, out.disposal, tickets only, published after D's windows closed:
 *                   08:10 12.5 t; 13:40 7.5 t; 13:55 5 t
 *
 * hour windows (PT1H)
 *   asnaes  out.reuse 7.5 (hour 00) or 10; out.disposal 12.5 (08), 12.5 (13), else 0
 *           recyclingRate = reuse / (reuse + disposal): 10/22.5 = 0.4444 at 08 and 13, else 1;
 *           landfillRate = disposal / (reuse + disposal): 12.5/22.5 = 0.5556 at 08 and 13, else 0; no circular rate
 *   gyproc  in.virgin 20, in.secondary 10: circularInputRate 10/30; no residues, so no recycling or landfill rate
 *   region  the sums of both sites: each rate as the site that has its denominator
 * day window (P1D, local midnight to local midnight)
 *   asnaes  out.reuse 7.5 + 10 (n - 1), out.disposal 25;  gyproc in.virgin 20 n, in.secondary 10 n;  region both
 * revisions: asnaes's and the region's hours 08 and 13 and days are restated (revision 1 or more: tickets of one
 * window within one commit interval may share a revision), the days and hour 13 twice at least (the third ticket
 * came after the first restatement); every other window stays at revision 0
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LateDataIT {
    private static final Logger LOG = LoggerFactory.getLogger(LateDataIT.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ZoneId ZONE = ZoneId.of("Europe/Copenhagen");
    private static final String REGION = "kalundborg";
    private static final String MATERIAL = "gypsum";
    private static final LocalDate DAY = LocalDate.now(ZONE).minusDays(1);
    private static final Instant DAY_START = DAY.atStartOfDay(ZONE).toInstant();
    private static final Instant DAY_END = DAY.plusDays(1).atStartOfDay(ZONE).toInstant();
    private static final int HOURS = (int) Duration.between(DAY_START, DAY_END).toHours();
    /** The tickets: local time of day and tonnes. */
    private static final Map<LocalTime, Double> TICKETS = ticketsInOrder();

    private QuestDbServer questdb;
    private LocalMode local;
    private KafkaConsumer<String, byte[]> kpiConsumer;
    private final List<KpiRecord> kpis = new ArrayList<>();
    private final List<Rejection> rejections = new ArrayList<>();
    /** The asnaes day point in QuestDB once the day had closed, before the tickets. */
    private Map<String, JsonNode> dayPointBeforeTickets;
    private Duration restatedAfter;

    private static Map<LocalTime, Double> ticketsInOrder() {
        Map<LocalTime, Double> t = new LinkedHashMap<>();
        t.put(LocalTime.of(8, 10), 12.5);
        t.put(LocalTime.of(13, 40), 7.5);
        t.put(LocalTime.of(13, 55), 5.0);
        return t;
    }

    @BeforeAll
    void publishADayLiveThenItsTickets(@TempDir Path dir) throws Exception {
        // given QuestDB with the sink's tables keyed as InfluxDB keys points (series + timestamp): a point written
        // again for the same window replaces the row
        questdb = QuestDbServer.start(dir.resolve("questdb"));
        for (Map.Entry<String, List<String>> m : PointMapper.tagKeys().entrySet()) {
            String tags = m.getValue().stream().map(t -> "\"" + t + "\" SYMBOL").collect(Collectors.joining(", "));
            String keys = m.getValue().stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", "));
            questdb.exec("CREATE TABLE " + m.getKey() + " (" + tags + ", timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL"
                    + " DEDUP UPSERT KEYS(timestamp, " + keys + ")");
        }
        // and loopflow local with hour and calendar-day windows of Europe/Copenhagen, the default lag.max and restate
        // horizon (35 d), no grace, and a 5-s idle timeout so that the day closes soon after its last reading
        LocalConfig config = new LocalConfig(0, 0, 0, dir.resolve("loopflow"), Duration.ofMinutes(1),
                List.of(KpiWindow.of(Duration.ofHours(1)), KpiWindow.DAY), Duration.ZERO, Duration.ofSeconds(5), MqttPersistence.MEMORY, 1,
                Duration.ofSeconds(30), false, 1, Duration.ZERO, Instant.parse("2000-01-01T00:00:00Z"), ZONE,
                ProcessorConfig.DEFAULT_LAG_MAX, ProcessorConfig.DEFAULT_RESTATE_HORIZON);
        local = new LocalMode(config, new InfluxTarget(questdb.url(), "loopflow", "loopflow", ""));
        local.start();
        kpiConsumer = consumer(Topics.KPIS.name());

        MqttAsyncClient plant = connect(local.mqttUri());
        try {
            // when the plant describes its sites and meters
            publishDescriptors(plant);
            awaitMetersOnKafka(4);
            // and publishes yesterday live, reading by reading in time order
            long liveAt = System.nanoTime();
            int published = publishLiveDay(plant);
            long liveDone = System.nanoTime();
            LOG.info("{} readings of {} ({} hours) published in {} ms", published, DAY, HOURS, Duration.ofNanos(liveDone - liveAt).toMillis());
            // and yesterday's windows close: the site's and the region's day, final at revision 0, in Kafka and in QuestDB
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                poll();
                assertThat(latestFinals().keySet()).containsAll(reference().keySet());
            });
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreException(IllegalStateException.class).untilAsserted(() ->
                    assertThat(dayPoint("scope = 'site' AND site = 'asnaes'")).singleElement()
                            .satisfies(row -> assertThat(row.get("final").asBoolean()).isTrue()));
            dayPointBeforeTickets = dayPoint("scope = 'site' AND site = 'asnaes'").get(0);
            LOG.info("every window of {} final on loopflow.kpis and the day's point in QuestDB {} ms after the last reading", DAY,
                    Duration.ofNanos(System.nanoTime() - liveDone).toMillis());

            // then the weighbridge tickets of yesterday arrive: two, and once their restatement is out, the third
            long ticketsAt = System.nanoTime();
            publishTickets(plant, 0, 2);
            // both restatements out, the site's and the region's (a stage later): a ticket arriving before the region has
            // published may be coalesced with them into one revision, as the contract allows
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                poll();
                assertThat(latestFinals().get(key("site", "asnaes", KpiRecord.DAY, DAY_START)).sums().outDisposal()).isEqualTo(20.0);
                assertThat(latestFinals().get(key("region", REGION, KpiRecord.DAY, DAY_START)).sums().outDisposal()).isEqualTo(20.0);
            });
            publishTickets(plant, 2, TICKETS.size());
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                poll();
                assertThat(latestFinals().get(key("site", "asnaes", KpiRecord.DAY, DAY_START)).sums().outDisposal()).isEqualTo(25.0);
                assertThat(latestFinals().get(key("region", REGION, KpiRecord.DAY, DAY_START)).sums().outDisposal()).isEqualTo(25.0);
            });
            restatedAfter = Duration.ofNanos(System.nanoTime() - ticketsAt);
            LOG.info("the tickets' restatements of the site's and the region's day were on loopflow.kpis {} ms after the first ticket;"
                    + " revisions: {}", restatedAfter.toMillis(), latestFinals().values().stream().filter(k -> k.revision() > 0)
                    .map(k -> k.scope() + "/" + k.scopeId() + " " + k.window() + " " + k.windowStart() + " r" + k.revision()).toList());
        } finally {
            plant.disconnect().waitForCompletion(10_000);
            plant.close();
        }
    }

    @AfterAll
    void stop() {
        if (kpiConsumer != null) {
            kpiConsumer.close();
        }
        if (local != null) {
            local.close();
        }
        if (questdb != null) {
            questdb.close();
        }
    }

    @Test
    void theFinalRecordWithTheHighestRevisionOfEveryWindowIsTheHandComputedOne() {
        Map<String, KpiRecord> latest = latestFinals();
        Map<String, Expected> reference = reference();

        assertThat(latest.keySet()).as("every window of yesterday, and nothing else").containsExactlyInAnyOrderElementsOf(reference.keySet());
        reference.forEach((key, expected) -> {
            KpiRecord actual = latest.get(key);
            RoleSums s = actual.sums();
            assertThat(s.outReuse()).as(key + " out.reuse").isCloseTo(expected.outReuse(), within(1e-9));
            assertThat(s.outDisposal()).as(key + " out.disposal").isCloseTo(expected.outDisposal(), within(1e-9));
            assertThat(s.inVirgin()).as(key + " in.virgin").isCloseTo(expected.inVirgin(), within(1e-9));
            assertThat(s.inSecondary()).as(key + " in.secondary").isCloseTo(expected.inSecondary(), within(1e-9));
            assertThat(s.outProduct() + s.outRecovery() + s.outStorage()).as(key + " other roles").isZero();
            assertRate(key + " recyclingRate", actual.recyclingRate(), expected.recyclingRate());
            assertRate(key + " landfillRate", actual.landfillRate(), expected.landfillRate());
            assertRate(key + " circularInputRate", actual.circularInputRate(), expected.circularInputRate());
            assertThat(actual.unit()).isEqualTo("t");
        });
    }

    @Test
    void exactlyTheWindowsTheTicketsFallInAreRestatedAndTheDayIsALocalDay() {
        Map<String, KpiRecord> latest = latestFinals();

        reference().forEach((key, expected) -> {
            int revision = latest.get(key).revision();
            if (expected.restated()) {
                assertThat(revision).as(key + " revision (tickets restate it)").isPositive();
            } else {
                assertThat(revision).as(key + " revision (no ticket in it)").isZero();
            }
        });
        // every window's first final record is revision 0, and its revisions only grow on the topic
        Map<String, List<Integer>> revisions = new TreeMap<>();
        kpis.stream().filter(KpiRecord::isFinal).forEach(k -> revisions.computeIfAbsent(k.key(), x -> new ArrayList<>()).add(k.revision()));
        assertThat(revisions).allSatisfy((key, list) -> {
            assertThat(list.get(0)).as(key + " first final").isZero();
            assertThat(list).as(key + " revisions in order").isSorted().doesNotHaveDuplicates();
        });
        // the third ticket came after the restatement of the first two had been published: a later revision again
        for (String twice : List.of(key("site", "asnaes", KpiRecord.DAY, DAY_START), key("region", REGION, KpiRecord.DAY, DAY_START),
                key("site", "asnaes", "PT1H", ticketInstant(LocalTime.of(13, 55)).truncatedTo(ChronoUnit.HOURS)))) {
            assertThat(latest.get(twice).revision()).as(twice + " restated twice at least").isGreaterThanOrEqualTo(2);
        }
        KpiRecord day = latest.get(key("site", "asnaes", KpiRecord.DAY, DAY_START));
        assertThat(day.windowEnd()).isEqualTo(DAY_END);
        assertThat(day.timeZone()).isEqualTo(ZONE.getId());
    }

    @Test
    void theSinkWritesEachRestatedFigureOverTheOldOneInQuestDb() {
        // before the tickets: the day as it closed
        assertThat(dayPointBeforeTickets.get("revision").asLong()).isZero();
        assertThat(dayPointBeforeTickets.get("out_disposal").asDouble()).isZero();

        Map<String, KpiRecord> latest = latestFinals();
        // every window's point holds its latest record: one row per window, the restated figure, the same revision
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreException(IllegalStateException.class).untilAsserted(() -> {
            List<Map<String, JsonNode>> rows = questdb.query("SELECT scope, site, region, window, timestamp, out_reuse, out_disposal, in_virgin,"
                    + " in_secondary, recycling_rate, landfill_rate, revision, \"final\" FROM loopflow_kpi WHERE material = '" + MATERIAL + "'");
            Map<String, List<Map<String, JsonNode>>> byWindow = rows.stream().collect(Collectors.groupingBy(
                    r -> key(r.get("scope").asText(), r.get(r.get("scope").asText()).asText(), r.get("window").asText(),
                            Instant.parse(r.get("timestamp").asText())), TreeMap::new, Collectors.toList()));
            assertThat(byWindow.keySet()).containsExactlyInAnyOrderElementsOf(latest.keySet());
            byWindow.forEach((key, points) -> assertThat(points).as(key).singleElement().satisfies(row -> {
                KpiRecord record = latest.get(key);
                assertThat(row.get("final").asBoolean()).as(key + " final").isTrue();
                assertThat(row.get("revision").asLong()).as(key + " revision").isEqualTo(record.revision());
                assertThat(row.get("out_disposal").asDouble()).as(key + " out_disposal").isCloseTo(record.sums().outDisposal(), within(1e-9));
                assertThat(row.get("out_reuse").asDouble()).as(key + " out_reuse").isCloseTo(record.sums().outReuse(), within(1e-9));
                assertThat(row.get("in_virgin").asDouble()).as(key + " in_virgin").isCloseTo(record.sums().inVirgin(), within(1e-9));
                if (record.recyclingRate() != null) {
                    assertThat(row.get("recycling_rate").asDouble()).as(key + " recycling_rate").isCloseTo(record.recyclingRate(), within(1e-9));
                }
            }));
        });
        Map<String, JsonNode> day = dayPoint("scope = 'site' AND site = 'asnaes'").get(0);
        assertThat(day.get("revision").asLong()).as("the day's point was overwritten").isPositive();
        assertThat(day.get("out_disposal").asDouble()).isEqualTo(25.0);
        assertThat(day.get("landfill_rate").asDouble()).isCloseTo(25 / (25 + asnaesDayReuse()), within(1e-9));
    }

    @Test
    void noReadingOrTicketIsRejected() {
        try (KafkaConsumer<String, byte[]> c = consumer(Topics.REJECTED.name())) {
            Deserializer<Rejection> rejection = Topics.REJECTED.valueSerde().deserializer();
            // read the topic to its end as it is now: the tickets' restatements are already on loopflow.kpis
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(r -> rejections.add(rejection.deserialize(r.topic(), r.value())));
                return !c.assignment().isEmpty() && c.assignment().stream().allMatch(tp -> c.position(tp) >= c.endOffsets(List.of(tp)).get(tp));
            });
        }
        assertThat(rejections).isEmpty();
        assertThat(local.gateway().rejected()).isZero();
    }

    // --- the hand reference ---

    /** The figures of a window as worked out in the class comment; {@code restated}: a ticket falls in it. */
    private record Expected(double outReuse, double outDisposal, double inVirgin, double inSecondary, boolean restated) {
        Double recyclingRate() {
            return outReuse + outDisposal == 0 ? null : outReuse / (outReuse + outDisposal);
        }

        Double landfillRate() {
            return outReuse + outDisposal == 0 ? null : outDisposal / (outReuse + outDisposal);
        }

        Double circularInputRate() {
            return inVirgin + inSecondary == 0 ? null : inSecondary / (inVirgin + inSecondary);
        }
    }

    private static Map<String, Expected> reference() {
        Map<String, Expected> e = new TreeMap<>();
        for (int h = 0; h < HOURS; h++) {
            Instant hour = DAY_START.plus(Duration.ofHours(h));
            double reuse = h == 0 ? 7.5 : 10;
            double disposal = 0;
            for (Map.Entry<LocalTime, Double> t : TICKETS.entrySet()) {
                if (ticketInstant(t.getKey()).truncatedTo(ChronoUnit.HOURS).equals(hour)) {
                    disposal += t.getValue();
                }
            }
            boolean restated = disposal > 0;
            e.put(key("site", "asnaes", "PT1H", hour), new Expected(reuse, disposal, 0, 0, restated));
            e.put(key("site", "gyproc", "PT1H", hour), new Expected(0, 0, 20, 10, false));
            e.put(key("region", REGION, "PT1H", hour), new Expected(reuse, disposal, 20, 10, restated));
        }
        e.put(key("site", "asnaes", KpiRecord.DAY, DAY_START), new Expected(asnaesDayReuse(), 25, 0, 0, true));
        e.put(key("site", "gyproc", KpiRecord.DAY, DAY_START), new Expected(0, 0, 20.0 * HOURS, 10.0 * HOURS, false));
        e.put(key("region", REGION, KpiRecord.DAY, DAY_START), new Expected(asnaesDayReuse(), 25, 20.0 * HOURS, 10.0 * HOURS, true));
        return e;
    }

    private static double asnaesDayReuse() {
        return 7.5 + 10.0 * (HOURS - 1);
    }

    private static Instant ticketInstant(LocalTime time) {
        return DAY.atTime(time).atZone(ZONE).toInstant();
    }

    private static String key(String scope, String id, String window, Instant start) {
        return scope + "/" + id + "/" + MATERIAL + "/" + window + "/" + start;
    }

    private static void assertRate(String what, Double actual, Double expected) {
        if (expected == null) {
            assertThat(actual).as(what).isNull();
        } else {
            assertThat(actual).as(what).isNotNull().isCloseTo(expected, within(1e-9));
        }
    }

    // --- Kafka, QuestDB, MQTT ---

    /** The final record with the highest revision per key, as a consumer that keeps the latest does. */
    private Map<String, KpiRecord> latestFinals() {
        Map<String, KpiRecord> latest = new TreeMap<>();
        for (KpiRecord k : kpis) {
            if (k.isFinal() && k.material().equals(MATERIAL)) {
                latest.merge(k.key(), k, (a, b) -> b.revision() > a.revision() ? b : a);
            }
        }
        return latest;
    }

    private void poll() {
        Deserializer<KpiRecord> kpi = Topics.KPIS.valueSerde().deserializer();
        for (ConsumerRecord<String, byte[]> r : kpiConsumer.poll(Duration.ofMillis(200))) {
            KpiRecord record = kpi.deserialize(r.topic(), r.value());
            assertThat(r.key()).as("the v1 key of a kpis record").isEqualTo(record.key());
            kpis.add(record);
        }
    }

    private List<Map<String, JsonNode>> dayPoint(String where) {
        return questdb.query("SELECT out_disposal, out_reuse, landfill_rate, revision, \"final\" FROM loopflow_kpi WHERE material = '" + MATERIAL
                + "' AND window = 'P1D' AND timestamp = '" + DAY_START + "' AND " + where);
    }

    private KafkaConsumer<String, byte[]> consumer(String topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, local.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "late-data-it-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // the stream processor writes in transactions (exactly_once_v2): read only what it committed
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    private void awaitMetersOnKafka(int meters) {
        try (KafkaConsumer<String, byte[]> c = consumer(Topics.METERS.name())) {
            TreeSet<String> seen = new TreeSet<>();
            await().atMost(WAIT).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.key()));
                return seen.size() >= meters;
            });
        }
    }

    private static MqttAsyncClient connect(String uri) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(uri, "late-data-plant", new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setSocketFactory(new TcpNoDelaySocketFactory());
        client.connect(options).waitForCompletion(10_000);
        return client;
    }

    private static void publishDescriptors(MqttAsyncClient plant) throws MqttException {
        publish(plant, "loopflow/v1/asnaes/site", "{\"name\":\"Asnaes Power Station\",\"region\":\"" + REGION + "\",\"lat\":55.66,\"lon\":11.09}", true);
        publish(plant, "loopflow/v1/gyproc/site", "{\"name\":\"Gyproc\",\"region\":\"" + REGION + "\",\"lat\":55.68,\"lon\":11.15}", true);
        publish(plant, "loopflow/v1/materials/" + MATERIAL, "{\"name\":\"FGD gypsum\",\"dimension\":\"mass\",\"surplusThreshold\":5000}", true);
        meter(plant, "asnaes", "to-gyproc", "out.reuse", "counter");
        meter(plant, "asnaes", "weighbridge", "out.disposal", "quantity");
        meter(plant, "gyproc", "natural", "in.virgin", "quantity");
        meter(plant, "gyproc", "fgd", "in.secondary", "quantity");
    }

    private static void meter(MqttAsyncClient plant, String site, String meter, String role, String kind) throws MqttException {
        publish(plant, "loopflow/v1/" + site + "/meters/" + meter + "/meta",
                "{\"material\":\"" + MATERIAL + "\",\"role\":\"" + role + "\",\"kind\":\"" + kind + "\",\"unit\":\"t\"}", true);
    }

    /** Every quarter hour of the day in time order: the counter; at :30 the natural gypsum, at :45 the FGD gypsum. */
    private static int publishLiveDay(MqttAsyncClient plant) throws MqttException {
        int published = 0;
        for (int k = 0; k < 4 * HOURS; k++) {
            Instant ts = DAY_START.plus(Duration.ofMinutes(15L * k));
            reading(plant, "asnaes", "to-gyproc", ts, 1000 + 2.5 * k, k + 1);
            published++;
            if (k % 4 == 2) {
                reading(plant, "gyproc", "natural", ts, 20, k / 4 + 1);
                published++;
            } else if (k % 4 == 3) {
                reading(plant, "gyproc", "fgd", ts, 10, k / 4 + 1);
                published++;
            }
        }
        return published;
    }

    /** Tickets {@code from} (inclusive) to {@code to} (exclusive) of {@link #TICKETS}, numbered from 1. */
    private static void publishTickets(MqttAsyncClient plant, int from, int to) throws MqttException {
        List<Map.Entry<LocalTime, Double>> tickets = List.copyOf(TICKETS.entrySet());
        for (int i = from; i < to; i++) {
            reading(plant, "asnaes", "weighbridge", ticketInstant(tickets.get(i).getKey()), tickets.get(i).getValue(), i + 1);
        }
    }

    private static void reading(MqttAsyncClient plant, String site, String meter, Instant ts, double value, long seq) throws MqttException {
        publish(plant, "loopflow/v1/" + site + "/meters/" + meter + "/reading", "{\"ts\":\"" + ts + "\",\"value\":" + value + ",\"seq\":" + seq + "}", false);
    }

    /** QoS 1; waits for the PUBACK and checks its reason code (a refusal completes the token without an exception). */
    private static void publish(MqttAsyncClient plant, String topic, String payload, boolean retained) throws MqttException {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        message.setRetained(retained);
        IMqttToken token = plant.publish(topic, message);
        token.waitForCompletion(10_000);
        assertThat(token.getReasonCodes()).as("PUBACK of %s", topic).containsOnly(0);
    }
}
