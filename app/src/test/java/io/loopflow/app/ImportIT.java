package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.kafka.SitePartitioner;
import io.loopflow.core.model.ImportRecord;
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
import io.loopflow.ingest.history.FileScan;
import io.loopflow.ingest.history.ImportConfig;
import io.loopflow.ingest.history.ImportFormat;
import io.loopflow.ingest.history.ImportProgress;
import io.loopflow.ingest.history.ImportResult;
import io.loopflow.ingest.history.Importer;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StreamProcessor;
import io.loopflow.streams.window.KpiWindow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * History import through the real stream processor (one Kafka in this JVM, two partitions per topic, the
 * {@link StreamProcessor} of {@code loopflow streams} with 5-minute flow windows, calendar day and month key
 * figures in UTC, grace 0, idle timeout 3 s, {@code restate.horizon} ten years): a historian's day and a month of weighbridge tickets, most of them
 * late, give the figures worked out by hand below; an import killed with SIGKILL half-way (the built jar, a
 * separate process) and run again writes every row exactly once and leaves the figures as they were; a third
 * import of the same file writes nothing.
 *
 * <pre>
 * site asnaes (region kalundborg), material gypsum (mass, t)
 *   gypsum-to-gyproc  out.reuse     counter   historian file, wide: every 10 min of 2025-11-28, 00:00 to 23:50
 *                                             (144 rows), value 5000 + 3.75 i: 143 credits of 3.75 (the first 0)
 *                                             = 536.25 t on 2025-11-28
 *   gypsum-to-yard    out.storage   counter   same rows, value 800 + 0.5 i: 143 x 0.5 = 71.5 t on 2025-11-28
 *   gypsum-landfill   out.disposal  quantity  tickets file, long: every 2 h of November 2025 from 01:00
 *                                             (12 a day, 360), alternately 12.5 and 13.5 t: 6 x 12.5 + 6 x 13.5
 *                                             = 156 t every day, 30 x 156 = 4680 t in the month; one more row
 *                                             with value "n/a" is rejected (invalid_field) and counts nowhere
 *
 * P1D 2025-11-28: reuse 536.25, storage 71.5, disposal 156; R = 763.75
 *   recyclingRate = 536.25 / 763.75, landfillRate = 156 / 763.75, circularInputRate null (no input metered)
 * P1D every other day of November: disposal 156 only: recyclingRate 0, landfillRate 1
 * P1M November 2025: reuse 536.25, storage 71.5, disposal 4680; R = 5287.75
 *   recyclingRate = 536.25 / 5287.75, landfillRate = 4680 / 5287.75
 * region kalundborg: the same (its only site).
 * </pre>
 *
 * The historian's day is imported first and closes its windows (idle timeout 3 s); the tickets come after, so
 * those of the 1st to the 28th restate closed windows (revision 1 or more) and those of the 29th and 30th are
 * on time. The final figures do not depend on that: a consumer keeping the highest revision per key has them.
 * The horizon is long because a site whose meters are all idle has its windows closed by the wall clock up to
 * today, and with the default 35 days only the last 35 days could still be restated (README, "Importing
 * history").
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImportIT {
    private static final String SITE = "asnaes";
    private static final String REGION = "kalundborg";
    private static final Instant DAY = Instant.parse("2025-11-28T00:00:00Z");
    private static final Instant MONTH = Instant.parse("2025-11-01T00:00:00Z");
    private static final double REUSE = 143 * 3.75;
    private static final double STORAGE = 143 * 0.5;
    private static final double DISPOSAL_A_DAY = 6 * 12.5 + 6 * 13.5;
    private static final int TICKETS = 30 * 12;
    private static final String APPLICATION_ID = "import-it";
    /** Ten years: the test's history is of November 2025, whatever day the test runs (see the class comment). */
    private static final Duration HORIZON = Duration.ofDays(3650);

    private Path dir;
    private EmbeddedKafka kafka;
    private StreamProcessor processor;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Path historian;
    private Path tickets;
    private final List<KpiRecord> kpis = new ArrayList<>();
    private KafkaConsumer<String, KpiRecord> kpiConsumer;

    @BeforeAll
    void startKafkaAndTheStreamProcessor(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 2);
        describeTheSite();
        processor = new StreamProcessor(ProcessorConfig.defaults(kafka.bootstrapServers(), dir.resolve("streams"))
                .withApplicationId(APPLICATION_ID).withFlowWindow(Duration.ofMinutes(5)).withKpiWindows(List.of(KpiWindow.DAY, KpiWindow.MONTH))
                .withTimeZone(ZoneOffset.UTC).withGrace(Duration.ZERO).withIdleTimeout(Duration.ofSeconds(3)).withRestateHorizon(HORIZON)
                .withCommitInterval(Duration.ofMillis(500)).withHttpPort(-1), registry, "127.0.0.1");
        processor.start();
        historian = writeHistorianDay();
        tickets = writeTickets();
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        kpiConsumer = new KafkaConsumer<>(c, new StringDeserializer(), Topics.KPIS.valueSerde().deserializer());
        List<TopicPartition> tps = partitions(Topics.KPIS);
        kpiConsumer.assign(tps);
        kpiConsumer.seekToBeginning(tps);
    }

    @AfterAll
    void stop() {
        if (kpiConsumer != null) {
            kpiConsumer.close();
        }
        if (processor != null) {
            processor.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The descriptors, as the gateway writes them (partitioned by site). */
    private void describeTheSite() throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, SitePartitioner.class.getName());
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(p, new StringSerializer(),
                (topic, value) -> io.loopflow.core.json.Json.write(value))) {
            producer.send(new ProducerRecord<>(Topics.SITES.name(), SITE, new SiteDescriptor("Asnaes Power Station", REGION, 55.66, 11.09)));
            producer.send(new ProducerRecord<>(Topics.MATERIALS.name(), "gypsum", new MaterialDescriptor("FGD gypsum", Dimension.MASS, "10 01 05", 50.0)));
            producer.send(new ProducerRecord<>(Topics.METERS.name(), SITE + "/gypsum-to-gyproc",
                    new MeterDescriptor("gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t", "gyproc")));
            producer.send(new ProducerRecord<>(Topics.METERS.name(), SITE + "/gypsum-to-yard",
                    new MeterDescriptor("gypsum", Role.OUT_STORAGE, MeterKind.COUNTER, "t", null)));
            producer.send(new ProducerRecord<>(Topics.METERS.name(), SITE + "/gypsum-landfill",
                    new MeterDescriptor("gypsum", Role.OUT_DISPOSAL, MeterKind.QUANTITY, "t", null))).get(30, TimeUnit.SECONDS);
        }
    }

    private Path writeHistorianDay() throws Exception {
        StringBuilder text = new StringBuilder("ts,asnaes/gypsum-to-gyproc,asnaes/gypsum-to-yard\r\n");
        for (int i = 0; i < 144; i++) {
            text.append(DAY.plus(Duration.ofMinutes(10L * i))).append(',').append(5000 + 3.75 * i).append(',').append(800 + 0.5 * i).append("\r\n");
        }
        Path f = dir.resolve("asnaes-2025-11-28.csv");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private Path writeTickets() throws Exception {
        StringBuilder text = new StringBuilder("ticket,site,meter,ts,value,unit\n");
        for (int i = 0; i < TICKETS; i++) {
            text.append("T-").append(1000 + i).append(",asnaes,gypsum-landfill,").append(MONTH.plus(Duration.ofHours(1 + 2L * i))).append(',')
                    .append(i % 2 == 0 ? "12.5" : "13.5").append(",t\n");
            if (i == 200) {
                text.append("T-void,asnaes,gypsum-landfill,2025-11-17T18:30:00Z,n/a,t\n");
            }
        }
        Path f = dir.resolve("tickets-2025-11.csv");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    @Order(1)
    void importsAHistoriansDayAndAMonthOfTicketsThatRestateClosedWindows() throws Exception {
        // given the historian's day, imported in this JVM, and its windows closed
        ImportResult day = new Importer(ImportConfig.defaults(kafka.bootstrapServers()))
                .run(FileScan.of(historian, ImportFormat.WIDE), new ImportProgress(144));
        assertThat(day.thisRun().accepted()).isEqualTo(288);
        assertThat(day.thisRun().rejectedTotal()).isZero();
        await().atMost(Duration.ofSeconds(90)).until(() -> latestFinals().containsKey(key(KpiRecord.SITE, SITE, KpiRecord.DAY, DAY)));

        // when the month's tickets are imported by the built jar, killed with SIGKILL a third of the way
        String sha = FileScan.of(tickets, ImportFormat.LONG).sha256();
        Path killedOut = dir.resolve("killed.out");
        Process killed = ImportJar.start(killedOut, "--kafka-bootstrap", kafka.bootstrapServers(), "--max-rate", "60", "--batch-rows", "10",
                tickets.toString());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> {
            assertThat(killed.isAlive()).as("the import ended before it was killed:\n" + Files.readString(killedOut)).isTrue();
            ImportRecord r = ledger(sha);
            return r != null && r.rowsDone() >= TICKETS / 3;
        });
        killed.destroyForcibly();
        assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(killed.exitValue()).as("SIGKILL").isEqualTo(137);
        ImportRecord afterKill = ledger(sha);
        assertThat(afterKill.complete()).isFalse();
        assertThat(afterKill.rowsDone()).isBetween((long) TICKETS / 3, (long) TICKETS - 10);

        // and run again
        ImportJar.Run rerun = ImportJar.run(dir, "--kafka-bootstrap", kafka.bootstrapServers(), tickets.toString());

        // then it carries on after the rows the killed run committed
        assertThat(rerun.exit()).as(rerun.output()).isZero();
        assertThat(rerun.output()).contains("tickets-2025-11.csv: carried on after row ")
                .contains("in all: 360 readings accepted, 1 rejected")
                .contains("invalid_field: 1", "line 203: value must be a number, got 'n/a'");
        assertThat(ledger(sha).complete()).isTrue();

        // and every row is on loopflow.readings exactly once, with its source
        List<ReadingRecord> readings = committed(Topics.READINGS).stream().map(ConsumerRecord::value).toList();
        Map<String, Long> perReading = readings.stream().collect(Collectors.groupingBy(r -> r.meter() + "@" + r.ts(), Collectors.counting()));
        assertThat(perReading.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).toList()).as("readings not once").isEmpty();
        assertThat(readings.stream().filter(r -> "import:tickets-2025-11.csv".equals(r.source())).count()).isEqualTo(TICKETS);
        assertThat(readings.stream().filter(r -> "import:asnaes-2025-11-28.csv".equals(r.source())).count()).isEqualTo(288);
        assertThat(committed(Topics.REJECTED).stream().map(ConsumerRecord::value).filter(r -> r.source() != null).map(Rejection::source).toList())
                .containsExactly("import:tickets-2025-11.csv:203");

        // and the figures (highest revision per key) are those worked out by hand, the tickets restating closed windows
        awaitTheFiguresWorkedOutByHand();
        assertThat(registry.counter("loopflow.streams.restated").count()).as("tickets credited to closed windows")
                .isGreaterThanOrEqualTo(28 * 12);
    }

    @Test
    @Order(2)
    void writesNothingWhenTheSameFileIsImportedAgain() throws Exception {
        // given the offsets after the first two runs
        Map<TopicPartition, Long> before = endOffsets(Topics.READINGS, Topics.REJECTED, Topics.IMPORTS);

        // when the tickets are imported a third time
        ImportJar.Run third = ImportJar.run(dir, "--kafka-bootstrap", kafka.bootstrapServers(), tickets.toString());

        // then nothing is written, and the figures stay
        assertThat(third.exit()).as(third.output()).isZero();
        assertThat(third.output()).contains("tickets-2025-11.csv: already imported (same content, sha256 ", "nothing written",
                "360 readings accepted, 1 rejected in all");
        assertThat(endOffsets(Topics.READINGS, Topics.REJECTED, Topics.IMPORTS)).isEqualTo(before);
        awaitTheFiguresWorkedOutByHand();
    }

    /** Waits until the processor has read every reading and its figures equal the reference, and checks they stay so. */
    private Map<String, KpiRecord> awaitTheFiguresWorkedOutByHand() throws Exception {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(processorLag()).as("readings the processor has not committed").isZero();
            assertReference(latestFinals());
        });
        // Restatements are published on the next punctuations: none may change what the reference says.
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until) {
            latestFinals();
        }
        Map<String, KpiRecord> finals = latestFinals();
        assertReference(finals);
        return finals;
    }

    private static void assertReference(Map<String, KpiRecord> finals) {
        for (String scope : List.of(KpiRecord.SITE, KpiRecord.REGION)) {
            String id = scope.equals(KpiRecord.SITE) ? SITE : REGION;
            for (int d = 0; d < 30; d++) {
                Instant start = MONTH.plus(Duration.ofDays(d));
                KpiRecord k = finals.get(key(scope, id, KpiRecord.DAY, start));
                assertThat(k).as(scope + " " + start).isNotNull();
                boolean historianDay = start.equals(DAY);
                assertThat(k.sums().outReuse()).as("reuse " + start).isCloseTo(historianDay ? REUSE : 0, within(1e-9));
                assertThat(k.sums().outStorage()).as("storage " + start).isCloseTo(historianDay ? STORAGE : 0, within(1e-9));
                assertThat(k.sums().outDisposal()).as("disposal " + start).isCloseTo(DISPOSAL_A_DAY, within(1e-9));
                double residues = (historianDay ? REUSE + STORAGE : 0) + DISPOSAL_A_DAY;
                assertThat(k.recyclingRate()).as("recycling " + start).isCloseTo((historianDay ? REUSE : 0) / residues, within(1e-12));
                assertThat(k.landfillRate()).as("landfill " + start).isCloseTo(DISPOSAL_A_DAY / residues, within(1e-12));
                assertThat(k.circularInputRate()).isNull();
            }
            KpiRecord month = finals.get(key(scope, id, KpiRecord.MONTH, MONTH));
            assertThat(month).as(scope + " November").isNotNull();
            assertThat(month.sums().outReuse()).isCloseTo(REUSE, within(1e-9));
            assertThat(month.sums().outStorage()).isCloseTo(STORAGE, within(1e-9));
            assertThat(month.sums().outDisposal()).isCloseTo(30 * DISPOSAL_A_DAY, within(1e-9));
            assertThat(month.recyclingRate()).isCloseTo(REUSE / (REUSE + STORAGE + 30 * DISPOSAL_A_DAY), within(1e-12));
            assertThat(month.landfillRate()).isCloseTo(30 * DISPOSAL_A_DAY / (REUSE + STORAGE + 30 * DISPOSAL_A_DAY), within(1e-12));
        }
    }

    private static String key(String scope, String id, String window, Instant start) {
        return scope + "/" + id + "/gypsum/" + window + "/" + start;
    }

    /** Every final key-figure record read so far, the highest revision per key. */
    private Map<String, KpiRecord> latestFinals() {
        kpiConsumer.poll(Duration.ofMillis(200)).forEach(r -> kpis.add(r.value()));
        Map<String, KpiRecord> out = new LinkedHashMap<>();
        kpis.stream().filter(KpiRecord::isFinal).sorted(Comparator.comparingInt(KpiRecord::revision)).forEach(k -> out.put(k.key(), k));
        return out;
    }

    /** Readings on Kafka that the processor's group has not committed yet. */
    private long processorLag() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(APPLICATION_ID).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            long lag = 0;
            for (Map.Entry<TopicPartition, Long> e : endOffsets(Topics.READINGS).entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                lag += e.getValue() - (c == null ? 0 : c.offset());
            }
            return lag;
        }
    }

    private ImportRecord ledger(String sha) {
        ImportRecord latest = null;
        for (ConsumerRecord<String, ImportRecord> r : committed(Topics.IMPORTS)) {
            if (r.key().equals(sha)) {
                latest = r.value();
            }
        }
        return latest;
    }

    private List<TopicPartition> partitions(Topic<String, ?> topic) {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            return c.partitionsFor(topic.name()).stream().map(i -> new TopicPartition(topic.name(), i.partition())).toList();
        }
    }

    @SafeVarargs
    private Map<TopicPartition, Long> endOffsets(Topic<String, ?>... topics) {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            Map<TopicPartition, Long> out = new HashMap<>();
            for (Topic<String, ?> t : topics) {
                out.putAll(c.endOffsets(partitions(t)));
            }
            return out;
        }
    }

    /** Every committed record of {@code topic}, decoded with its serde. */
    private <V> List<ConsumerRecord<String, V>> committed(Topic<String, V> topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(p, new StringDeserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> tps = partitions(topic);
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
