package io.loopflow.ingest.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.RejectReason;
import io.loopflow.core.Topics;
import io.loopflow.core.model.ImportRecord;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Importer} against a real Kafka (KRaft in this JVM): what it writes and where, the ledger, and
 * "never a row twice" when the same content is imported again, when an import is stopped (Ctrl-C) and run
 * again, and when Kafka goes down in the middle of an import and comes back. Each test imports its own file
 * (its own content), so they share the broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImporterIT {
    private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");

    private Path dir;
    private EmbeddedKafka kafka;

    @BeforeAll
    void startKafka(@TempDir Path tempDir) {
        dir = tempDir;
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 2);
    }

    @AfterAll
    void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A file of {@code rows} readings of meter {@code meter} at three sites, one a minute, every 250th row a bad value. */
    private Path file(String name, String meter, int rows) throws IOException {
        StringBuilder text = new StringBuilder("site,meter,ts,value,seq\n");
        for (int i = 0; i < rows; i++) {
            text.append("site-").append(i % 3).append(',').append(meter).append(',').append(DAY.plusSeconds(60L * i)).append(',')
                    .append(i % 250 == 249 ? "n/a" : Integer.toString(i)).append(',').append(i).append('\n');
        }
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private org.apache.kafka.clients.admin.Admin admin() {
        return org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    private ImportConfig config() {
        return ImportConfig.defaults(kafka.bootstrapServers()).withBatchRows(100);
    }

    /** Every committed record of {@code topic}, all partitions, decoded with the topic's serde. */
    private <V> List<ConsumerRecord<String, V>> committed(io.loopflow.core.Topic<String, V> topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(p, new StringDeserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic.name()).stream().map(i -> new TopicPartition(topic.name(), i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private List<ReadingRecord> readingsOf(String meter) {
        return committed(Topics.READINGS).stream().map(ConsumerRecord::value).filter(r -> r.meter().equals(meter)).toList();
    }

    private static void assertEveryGoodRowExactlyOnce(List<ReadingRecord> readings, int rows) {
        Map<Long, Long> perSeq = readings.stream().collect(Collectors.groupingBy(ReadingRecord::seq, Collectors.counting()));
        assertThat(perSeq.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).sorted().toList())
                .as("seqs not exactly once").isEmpty();
        assertThat(perSeq).hasSize(rows - rows / 250);
    }

    @Test
    void writesWhatTheGatewayWouldThenNothingForTheSameContent() throws IOException {
        // given a file of 1,000 rows, 4 of them bad
        FileScan scan = FileScan.of(file("once.csv", "once", 1000), ImportFormat.LONG);

        // when it is imported
        ImportResult first = new Importer(config()).run(scan, new ImportProgress(scan.rows()));

        // then every good row is on loopflow.readings once, keyed and partitioned by site, with its source
        assertThat(first.outcome()).isEqualTo(ImportResult.Outcome.IMPORTED);
        assertThat(first.thisRun().accepted()).isEqualTo(996);
        assertThat(first.thisRun().rejected()).containsExactlyEntriesOf(Map.of(RejectReason.INVALID_FIELD, 4L));
        List<ConsumerRecord<String, ReadingRecord>> readings = committed(Topics.READINGS).stream()
                .filter(r -> r.value().meter().equals("once")).toList();
        assertEveryGoodRowExactlyOnce(readings.stream().map(ConsumerRecord::value).toList(), 1000);
        assertThat(readings).allSatisfy(r -> {
            assertThat(r.key()).isEqualTo(r.value().site() + "/once");
            assertThat(r.value().source()).isEqualTo("import:once.csv");
            assertThat(r.timestamp()).isEqualTo(r.value().receivedAt().toEpochMilli());
            assertThat(r.partition()).isEqualTo(io.loopflow.core.kafka.SitePartitioner.partitionOf(r.key(), 2));
        });
        List<Rejection> rejected = committed(Topics.REJECTED).stream().map(ConsumerRecord::value)
                .filter(r -> r.source() != null && r.source().startsWith("import:once.csv:")).toList();
        assertThat(rejected).extracting(Rejection::source).containsExactlyInAnyOrder("import:once.csv:251", "import:once.csv:501", "import:once.csv:751",
                "import:once.csv:1001");
        assertThat(rejected).allSatisfy(r -> assertThat(r.detail()).contains("value must be a number, got 'n/a'"));
        ImportRecord ledger;
        try (org.apache.kafka.clients.admin.Admin admin = admin()) {
            ledger = ImportLedger.read(admin, kafka.bootstrapServers(), scan.sha256(), Duration.ofSeconds(30));
        }
        assertThat(ledger.complete()).isTrue();
        assertThat(ledger.rowsDone()).isEqualTo(1000);
        assertThat(ledger.accepted()).isEqualTo(996);
        assertThat(ledger.rejected()).containsExactlyEntriesOf(Map.of("invalid_field", 4L));

        // and when the same content is imported again, under another name
        Path copy = dir.resolve("once-copy.csv");
        Files.copy(scan.path(), copy);
        ImportResult again = new Importer(config()).run(FileScan.of(copy, ImportFormat.LONG), new ImportProgress(scan.rows()));

        // then nothing is written
        assertThat(again.outcome()).isEqualTo(ImportResult.Outcome.ALREADY_IMPORTED);
        assertThat(again.total().accepted()).isEqualTo(996);
        assertThat(readingsOf("once")).hasSize(996);
    }

    @Test
    void carriesOnAfterAStopWithoutWritingARowTwice() throws Exception {
        // given an import of 3,000 rows at 1,500 rows a second, stopped (as by Ctrl-C) after 1,000 rows
        FileScan scan = FileScan.of(file("stopped.csv", "stopped", 3000), ImportFormat.LONG);
        Importer importer = new Importer(config().withMaxRate(1500));
        ImportProgress progress = new ImportProgress(scan.rows());
        CompletableFuture<ImportResult> running = CompletableFuture.supplyAsync(() -> importer.run(scan, progress));
        await().atMost(Duration.ofSeconds(60)).until(() -> progress.rowsDone() >= 1000 || running.isDone());
        assertThat(running).as("still importing").isNotDone();
        importer.requestStop();
        ImportResult stopped = running.get();
        assertThat(stopped.outcome()).isEqualTo(ImportResult.Outcome.STOPPED);
        assertThat(stopped.rowsDone()).isBetween(1000L, 2999L);
        assertThat(readingsOf("stopped")).hasSize((int) stopped.thisRun().accepted());

        // when the same file is imported again
        ImportResult resumed = new Importer(config()).run(scan, new ImportProgress(scan.rows()));

        // then it carries on after the rows done, and every row is written exactly once
        assertThat(resumed.outcome()).isEqualTo(ImportResult.Outcome.IMPORTED);
        assertThat(resumed.rowsBefore()).isEqualTo(stopped.rowsDone());
        assertThat(resumed.total().accepted()).isEqualTo(2988);
        assertEveryGoodRowExactlyOnce(readingsOf("stopped"), 3000);
    }

    @Test
    void carriesOnAfterKafkaWentDownInTheMiddle() throws Exception {
        // given an import at 1,000 rows a second with a short Kafka timeout
        FileScan scan = FileScan.of(file("outage.csv", "outage", 3000), ImportFormat.LONG);
        ImportConfig config = config().withMaxRate(1000).withBatchRows(1000).withKafkaTimeout(Duration.ofSeconds(3));
        ImportProgress progress = new ImportProgress(scan.rows());
        CompletableFuture<ImportResult> running = CompletableFuture.supplyAsync(() -> new Importer(config).run(scan, progress));
        // Early in the second batch of 1,000 rows (a second before its commit), not at a commit: a broker stopped while
        // a commit is in flight can leave the ledger record's transaction hanging after its restart (its rows committed,
        // the ledger's marker never written; seen with Kafka 4.3's embedded broker), which no client can end without
        // losing or repeating rows.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> progress.rowsDone() >= 1100 || running.isDone());
        assertThat(running).as("still importing").isNotDone();

        // when Kafka stops in the middle of it
        int port = Integer.parseInt(kafka.bootstrapServers().substring(kafka.bootstrapServers().lastIndexOf(':') + 1));
        kafka.close();

        // then the import stops saying how far it got
        assertThatThrownBy(running::get).hasCauseInstanceOf(ImportFailedException.class)
                .cause().hasMessageContaining("outage.csv: Kafka at " + config.kafkaBootstrap() + " failed")
                .hasMessageContaining("run the same command again to carry on");

        // and when Kafka is back (same data, same port) and the same file is imported again
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), port);
        ImportResult resumed = new Importer(config().withKafkaTimeout(Duration.ofSeconds(30))).run(scan, new ImportProgress(scan.rows()));

        // then every row is written exactly once
        assertThat(resumed.outcome()).isEqualTo(ImportResult.Outcome.IMPORTED);
        assertThat(resumed.rowsBefore()).isPositive();
        assertEveryGoodRowExactlyOnce(readingsOf("outage"), 3000);
        assertThat(committed(Topics.REJECTED).stream().map(ConsumerRecord::value)
                .filter(r -> r.source() != null && r.source().startsWith("import:outage.csv:")).map(Rejection::source).toList())
                .hasSize(12).doesNotHaveDuplicates();
    }

    @Test
    void stopsWithAMessageWhenKafkaIsNotLoopflows() throws IOException {
        FileScan scan = FileScan.of(file("nowhere.csv", "nowhere", 10), ImportFormat.LONG);
        ImportConfig unreachable = ImportConfig.defaults("127.0.0.1:1").withKafkaTimeout(Duration.ofSeconds(2));

        assertThatThrownBy(() -> new Importer(unreachable).run(scan, new ImportProgress(scan.rows())))
                .isInstanceOf(ImportFailedException.class).hasMessageContaining("nowhere.csv").hasMessageContaining("Nothing was written");
    }
}
