package io.loopflow.bench;

import io.loopflow.core.Topics;
import io.loopflow.core.kafka.SitePartitioner;
import io.loopflow.core.model.ReadingRecord;
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
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * History import benchmark ({@code bench/run.sh import}): one embedded Kafka (KRaft, in this JVM, topics of the
 * contract, 1 partition) and a CSV file of N rows ({@link Workload}'s readings of 100 described meters, columns
 * {@code site,meter,ts,value,seq}); then, in the same JVM and run:
 * <ol>
 *   <li>the baseline: a bare {@link KafkaProducer} with the importer's settings but no transactions, sending the same
 *       records the importer writes (key {@code site/meter}, the gateway's JSON with {@code source}), serialised
 *       beforehand, to a topic of its own ({@code bench.raw-readings}, so the stream processor does not read them);</li>
 *   <li>{@link Importer} exactly as {@code loopflow import} runs it (default batch of 20,000 rows): the file read
 *       through (hash, header, syntax), rows parsed, checked and serialised, written in transactions with the
 *       ledger; timed from the scan to the last commit;</li>
 *   <li>the drain of that backlog: the real {@link StreamProcessor} (HTTP off), started after the import, timed from
 *       {@code RUNNING} until its group's committed offsets reach the end of {@code loopflow.readings}.</li>
 * </ol>
 * Options: {@code --rows N} (default 1000000, a multiple of 100), {@code --deadline S} (default 600),
 * {@code --out FILE} (default {@code bench/target/import-results.md}).
 */
public final class ImportBench {
    private static final Logger LOG = LoggerFactory.getLogger(ImportBench.class);
    private static final String RAW_TOPIC = "bench.raw-readings";
    private static final String APPLICATION_ID = "bench-import-drain";

    private final int rows;
    private final Duration deadline;
    private final Path out;

    private ImportBench(int rows, Duration deadline, Path out) {
        this.rows = rows;
        this.deadline = deadline;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Options.parse(args, Map.of("rows", "1000000", "deadline", "600", "out", "bench/target/import-results.md"));
        new ImportBench(Integer.parseInt(opts.get("rows")), Duration.ofSeconds(Long.parseLong(opts.get("deadline"))), Path.of(opts.get("out"))).run();
    }

    private void run() throws Exception {
        String loadBefore = Options.loadavg();
        Path dir = Files.createTempDirectory("loopflow-import-bench");
        StringBuilder report = new StringBuilder("## History import: loopflow import -> loopflow.readings, and the stream processor's drain\n\n");
        report.append(Options.environment());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
            String bootstrap = kafka.bootstrapServers();
            TopicSetup.ensureTopics(bootstrap, 1);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(RAW_TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            Workload w = new Workload(rows);
            describe(bootstrap, w);
            Path file = writeFile(dir.resolve("bench-history.csv"), w);
            String fileName = file.getFileName().toString();

            // Warm-up of the baseline only (not reported): the importer runs cold, as `loopflow import` does, which
            // can only lower its ratio. Its records go to the baseline's own topic, never to loopflow.readings.
            raw(bootstrap, new Workload(20_000), "warm-up.csv");

            double rawSeconds = raw(bootstrap, w, fileName);
            long t0 = System.nanoTime();
            FileScan scan = FileScan.of(file, ImportFormat.LONG);
            double scanSeconds = (System.nanoTime() - t0) / 1e9;
            ImportResult result = new Importer(ImportConfig.defaults(bootstrap)).run(scan, new ImportProgress(scan.rows()));
            double importSeconds = (System.nanoTime() - t0) / 1e9;
            if (result.thisRun().accepted() != rows || result.outcome() != ImportResult.Outcome.IMPORTED) {
                throw new IllegalStateException("the import accepted " + result.thisRun().accepted() + " of " + rows + ": " + result);
            }
            String loadAfterImport = Options.loadavg();
            double[] drain = drain(bootstrap, dir);

            double rawRate = rows / rawSeconds;
            double importRate = rows / importSeconds;
            report.append("- rows: ").append(rows).append(" (100 meters of 10 sites, counter/quantity/rate, 1 s apart per meter), file ")
                    .append(Files.size(file) >> 20).append(" MiB; 1 partition per topic; importer batch ").append(ImportConfig.DEFAULT_BATCH_ROWS)
                    .append(" rows per transaction\n");
            report.append("- loadavg before: ").append(loadBefore).append("; after the import: ").append(loadAfterImport)
                    .append("; after the drain: ").append(Options.loadavg()).append("\n\n");
            report.append("| what | rows/s | ratio to raw producer | seconds |\n|---|---:|---:|---:|\n");
            report.append(row("raw KafkaProducer, pre-serialised records, no transactions (baseline)", rawRate, rawRate, rawSeconds));
            report.append(row("loopflow import (Importer): scan + parse + check + serialise + transactions", importRate, rawRate, importSeconds));
            report.append(row("  of which the scan (SHA-256, header, CSV syntax, row count)", rows / scanSeconds, rawRate, scanSeconds));
            report.append(row("StreamProcessor draining the imported backlog, from RUNNING to lag 0", rows / drain[0], rawRate, drain[0]));
            report.append(String.format(Locale.ROOT, "%n- the stream processor took %.1f s to reach RUNNING before that.%n", drain[1]));
            report.append("""
                    - the baseline sends to a topic of its own with the importer's producer settings (idempotent, acks=all, \
                    linger 10 ms, batch 256 KiB, SitePartitioner) and no transactions, from records serialised before the clock \
                    starts; the importer's time includes reading the file twice (the scan, then the rows), the gateway's checks, \
                    JSON serialisation and a commit (with its ledger record) every 20,000 rows.
                    - lag 0: the processor group's committed offset on loopflow.readings equals its end offset, seen twice 1.5 s apart.
                    """);
        }
        Options.deleteRecursively(dir);
        Report.publish(out, report.toString());
    }

    private static String row(String what, double rate, double baseRate, double seconds) {
        return String.format(Locale.ROOT, "| %s | %s | %.3f | %.2f |%n", what, IngestBench.fmt0(rate), rate / baseRate, seconds);
    }

    /** The workload as the importer's CSV: site,meter,ts,value,seq. */
    private static Path writeFile(Path file, Workload w) throws Exception {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("site,meter,ts,value,seq\n");
            for (int i = 0; i < w.size(); i++) {
                int m = Workload.meterIndex(i);
                out.write(w.site(m) + "," + Workload.meter(m) + "," + w.ts(i) + "," + Workload.value(i) + "," + Workload.seq(i) + "\n");
            }
        }
        return file;
    }

    private static void describe(String bootstrap, Workload w) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, SitePartitioner.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            w.describe(producer);
        }
    }

    /** Seconds for a bare producer to send the importer's records of {@code w}, serialised beforehand. */
    private static double raw(String bootstrap, Workload w, String fileName) {
        Instant receivedAt = Instant.now();
        String source = "import:" + fileName;
        String[] keys = new String[w.size()];
        byte[][] values = new byte[w.size()][];
        for (int i = 0; i < w.size(); i++) {
            ReadingRecord r = w.record(i, receivedAt);
            ReadingRecord imported = new ReadingRecord(r.site(), r.meter(), r.ts(), r.value(), r.seq(), null, receivedAt, source);
            keys[i] = imported.key();
            values[i] = Topics.READINGS.valueSerde().serializer().serialize(Topics.READINGS.name(), imported);
        }
        Properties p = Importer.producerProperties(bootstrap, null, ImportConfig.DEFAULT_KAFKA_TIMEOUT);
        long t0 = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            long ts = receivedAt.toEpochMilli();
            for (int i = 0; i < w.size(); i++) {
                producer.send(new ProducerRecord<>(RAW_TOPIC, null, ts, keys[i], values[i]));
            }
            producer.flush();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        LOG.info("raw producer: {} records in {} s", w.size(), String.format(Locale.ROOT, "%.2f", seconds));
        return seconds;
    }

    /** {seconds from RUNNING to lag 0, seconds to RUNNING} of the stream processor over what the import wrote. */
    private double[] drain(String bootstrap, Path dir) throws Exception {
        ProcessorConfig config = ProcessorConfig.defaults(bootstrap, dir.resolve("streams")).withApplicationId(APPLICATION_ID).withHttpPort(-1);
        try (StreamProcessor processor = new StreamProcessor(config, new SimpleMeterRegistry(), "127.0.0.1");
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long t0 = System.nanoTime();
            processor.start();
            long running = System.nanoTime();
            long caughtUp = Offsets.awaitCaughtUp(admin, APPLICATION_ID, Topics.READINGS.name(), running, deadline);
            return new double[] {(caughtUp - running) / 1e9, (running - t0) / 1e9};
        }
    }
}
