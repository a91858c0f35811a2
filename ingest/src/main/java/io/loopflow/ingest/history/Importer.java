package io.loopflow.ingest.history;

import io.loopflow.core.RejectReason;
import io.loopflow.core.Topics;
import io.loopflow.core.kafka.SitePartitioner;
import io.loopflow.core.model.ImportRecord;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports one file into LoopFlow (CONTRACT.md section 8), exactly once whatever interrupts it.
 *
 * <p>Reads the file's rows ({@link CsvRows}, {@link RowLayout}), checks each reading with the gateway's decoder
 * ({@link RowDecoder}) and writes what the gateway would: accepted readings to {@code loopflow.readings} (key
 * {@code site/meter}, Kafka timestamp {@code receivedAt}, {@code source: "import:{file name}"}), rejections to
 * {@code loopflow.rejected} ({@code source: "import:{file name}:{line}"}), every record through
 * {@link SitePartitioner} as the gateway's producer does, so the stream processor finds a site's readings in
 * the partition of its descriptors.
 *
 * <p>Exactly once: rows go in Kafka transactions of {@link ImportConfig#batchRows()} rows (or
 * {@link ImportConfig#MAX_BATCH_AGE}), each with the file content's {@link ImportRecord} on
 * {@code loopflow.imports} saying how many rows are done. The transactional id is derived from the content's
 * SHA-256, so a new run on the same content first aborts what a killed run left open (Kafka fences it), then
 * reads the ledger (read_committed) and carries on after the rows done; a complete content writes nothing.
 * Consumers that read committed data (the stream processor does) never see a row of an aborted batch.
 */
public final class Importer {
    private static final Logger LOG = LoggerFactory.getLogger(Importer.class);
    private static final int SAMPLES_PER_REASON = 3;

    private final ImportConfig config;
    private volatile boolean stopRequested;

    public Importer(ImportConfig config) {
        this.config = config;
    }

    /** Asks a running {@link #run} to commit the rows it has and return {@link ImportResult.Outcome#STOPPED} (Ctrl-C). */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * The Kafka producer settings of an import: those of the gateway (idempotent, {@code acks=all},
     * {@link SitePartitioner}) with bulk batching, and transactions under {@code transactionalId} (null: none,
     * for the benchmark's raw producer).
     */
    public static Properties producerProperties(String bootstrap, String transactionalId, Duration kafkaTimeout) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "loopflow-import");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // A file is a bulk load: fill large batches instead of sending each record at once.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) kafkaTimeout.toMillis());
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, SitePartitioner.class.getName());
        if (transactionalId != null) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return p;
    }

    /** The transactional id of the import of a content: one per content, so a rerun fences a killed run. */
    static String transactionalId(String sha256) {
        return "loopflow-import-" + sha256;
    }

    /**
     * Checks every row of {@code file} as {@link #run} would, and writes nothing ({@code --dry-run}); needs no Kafka.
     */
    public ImportResult validate(FileScan file, ImportProgress progress) {
        long start = System.nanoTime();
        Tally tally = new Tally(null, progress);
        progress.started(0);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file.path()), 1 << 16);
             CsvRows csv = new CsvRows(in, file.name())) {
            RowDecoder decoder = new RowDecoder(RowLayout.of(file.format(), csv.next().cells(), file.name()), config.decoder(), file.name());
            CsvRows.Row row;
            long rows = 0;
            while ((row = csv.next()) != null) {
                decoder.decode(row, Instant.now(), tally);
                progress.rowsDone(++rows);
            }
            return tally.result(file, ImportResult.Outcome.VALIDATED, 0, rows, null, Duration.ofNanos(System.nanoTime() - start), Instant.now());
        } catch (IOException e) {
            throw new ImportFileException(file.name() + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Imports {@code file} (scanned just before), exactly once: carries on after an interrupted run of the same
     * content and writes nothing for a content imported before.
     *
     * @throws ImportFailedException when Kafka fails or cannot be reached; every batch committed before stays
     *                               done, and a new run carries on after it
     */
    public ImportResult run(FileScan file, ImportProgress progress) {
        long start = System.nanoTime();
        String bootstrap = config.kafkaBootstrap();
        int timeoutMs = (int) config.kafkaTimeout().toMillis();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs))) {
            try {
                ImportLedger.prepareTopics(admin, bootstrap, config.kafkaTimeout());
            } catch (TimeoutException e) {
                throw new ImportFailedException(file.name() + ": Kafka at " + bootstrap + " did not answer within " + config.kafkaTimeout()
                        + ": is LoopFlow running (--kafka-bootstrap)? Nothing was written", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImportFailedException(file.name() + ": interrupted before anything was written", e);
            } catch (KafkaException | IllegalStateException e) {
                throw new ImportFailedException(file.name() + ": cannot use Kafka at " + bootstrap + ": " + e.getMessage()
                        + ". Nothing was written", e);
            }
            return run(file, progress, admin, start);
        }
    }

    private ImportResult run(FileScan file, ImportProgress progress, Admin admin, long start) {
        String bootstrap = config.kafkaBootstrap();
        Producer<String, byte[]> producer = new KafkaProducer<>(producerProperties(bootstrap, transactionalId(file.sha256()), config.kafkaTimeout()),
                new StringSerializer(), new ByteArraySerializer());
        Batches batches = null;
        try {
            // Aborts whatever a killed run of this content left open, so the ledger read next is final.
            producer.initTransactions();
            ImportRecord before = ImportLedger.read(admin, bootstrap, file.sha256(), config.kafkaTimeout());
            Instant firstRun = before == null ? Instant.now() : before.startedAt();
            if (before != null && before.complete()) {
                progress.started(before.rowsDone());
                Tally previous = Tally.of(before);
                return previous.result(file, ImportResult.Outcome.ALREADY_IMPORTED, before.rowsDone(), before.rowsDone(), before,
                        Duration.ofNanos(System.nanoTime() - start), firstRun);
            }
            long rowsBefore = before == null ? 0 : before.rowsDone();
            if (before != null) {
                LOG.info("{}: carrying on after row {} of {} (an earlier run, started {}, wrote them)", file.name(), rowsBefore, file.rows(),
                        before.startedAt());
            }
            batches = new Batches(producer, file, before, firstRun);
            Tally tally = new Tally(batches, progress);
            ImportResult.Outcome outcome = copy(file, rowsBefore, tally, batches, progress);
            return tally.result(file, outcome, rowsBefore, batches.rowsDone, before, Duration.ofNanos(System.nanoTime() - start), firstRun);
        } catch (IllegalStateException e) {
            // The ledger could not be read (ImportLedger says why): nothing of this run is written.
            throw new ImportFailedException(file.name() + ": " + e.getMessage() + ". Nothing of this run was written; run it again", e);
        } catch (ProducerFencedException e) {
            throw new ImportFailedException(file.name() + ": another import of the same content took over (Kafka fenced this one) after row "
                    + (batches == null ? 0 : batches.committedRows) + "; it carries on from there", e);
        } catch (KafkaException e) {
            abort(producer, file);
            long done = batches == null ? 0 : batches.committedRows;
            throw new ImportFailedException(file.name() + ": Kafka at " + bootstrap + " failed: " + e.getMessage() + ". Rows 1 to " + done
                    + " of " + file.rows() + " are written; run the same command again to carry on", e);
        } finally {
            producer.close(config.kafkaTimeout());
        }
    }

    private ImportResult.Outcome copy(FileScan file, long rowsBefore, Tally tally, Batches batches, ImportProgress progress) {
        try (ReadAhead ahead = new ReadAhead(file, rowsBefore, config)) {
            long rows = rowsBefore;
            progress.started(rows);
            long paceStart = System.nanoTime();
            long paced = 0;
            batches.begin();
            List<Decoded> chunk;
            while ((chunk = ahead.next()) != null) {
                for (Decoded d : chunk) {
                    if (!d.rowEnd()) {
                        d.replay(tally);
                        continue;
                    }
                    rows++;
                    progress.rowsDone(rows);
                    if (stopRequested) {
                        batches.commit(rows, tally, rows >= file.rows());
                        LOG.info("{}: stopped on request after row {} of {}; every row up to it is written", file.name(), rows, file.rows());
                        return rows == file.rows() ? ImportResult.Outcome.IMPORTED : ImportResult.Outcome.STOPPED;
                    }
                    batches.rowDone(rows, tally);
                    if (config.maxRate() > 0) {
                        pace(paceStart, ++paced);
                    }
                }
            }
            if (rows != file.rows()) {
                LOG.warn("{}: {} rows read, {} when the import started: the file changed meanwhile", file.name(), rows, file.rows());
            }
            batches.commit(rows, tally, true);
            return ImportResult.Outcome.IMPORTED;
        }
    }

    /**
     * What the decoder made of a row, replayed in file order on the writing thread: a reading, a rejection with its
     * line, or the end of a row (a wide row gives a reading per filled cell, possibly none).
     */
    private record Decoded(ReadingRecord reading, Rejection rejection, long line) {
        static final Decoded ROW_END = new Decoded(null, null, 0);

        boolean rowEnd() {
            return reading == null && rejection == null;
        }

        void replay(Tally tally) {
            if (reading != null) {
                tally.accepted(reading);
            } else {
                tally.rejected(rejection, line);
            }
        }
    }

    /**
     * Reads and decodes the file's rows after {@code rowsBefore} on a thread of its own, a chunk of {@link #CHUNK} rows at
     * a time, at most {@link #CHUNKS_AHEAD} chunks ahead, while the importing thread serialises, sends and commits
     * (everything that touches Kafka stays on that thread). Parsing CSV and checking rows was over half of an import's
     * time on one core; with two cores the two halves overlap. {@link #next} rethrows what the reader failed with.
     */
    private static final class ReadAhead implements AutoCloseable {
        /** Outcomes per chunk (a row's outcomes and its end mark may straddle two chunks). */
        private static final int CHUNK = 512;
        private static final int CHUNKS_AHEAD = 64;
        private static final List<Decoded> END = List.of();

        private final BlockingQueue<List<Decoded>> queue = new ArrayBlockingQueue<>(CHUNKS_AHEAD);
        private final Thread thread;
        private volatile RuntimeException failure;
        private volatile boolean closed;

        ReadAhead(FileScan file, long rowsBefore, ImportConfig config) {
            thread = new Thread(() -> read(file, rowsBefore, config), "loopflow-import-reader");
            thread.setDaemon(true);
            thread.start();
        }

        private void read(FileScan file, long rowsBefore, ImportConfig config) {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file.path()), 1 << 16);
                 CsvRows csv = new CsvRows(in, file.name())) {
                RowDecoder decoder = new RowDecoder(RowLayout.of(file.format(), csv.next().cells(), file.name()), config.decoder(), file.name());
                long skipped = 0;
                while (skipped < rowsBefore && csv.next() != null) {
                    skipped++;
                }
                List<Decoded> chunk = new ArrayList<>(CHUNK);
                RowDecoder.Out out = new RowDecoder.Out() {
                    @Override
                    public void accepted(ReadingRecord reading) {
                        chunk.add(new Decoded(reading, null, 0));
                    }

                    @Override
                    public void rejected(Rejection rejection, long line) {
                        chunk.add(new Decoded(null, rejection, line));
                    }
                };
                CsvRows.Row row;
                while (!closed && (row = csv.next()) != null) {
                    decoder.decode(row, Instant.ofEpochMilli(System.currentTimeMillis()), out);
                    chunk.add(Decoded.ROW_END);
                    if (chunk.size() >= CHUNK) {
                        queue.put(new ArrayList<>(chunk));
                        chunk.clear();
                    }
                }
                if (!chunk.isEmpty()) {
                    queue.put(new ArrayList<>(chunk));
                }
            } catch (IOException e) {
                failure = new ImportFileException(file.name() + ": cannot read: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                // closed by the importing thread: it wants no more rows
                return;
            } catch (RuntimeException e) {
                failure = e;
            }
            try {
                queue.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The next chunk of decoded rows in file order, or null after the last one. */
        List<Decoded> next() {
            List<Decoded> chunk;
            try {
                chunk = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImportFailedException("interrupted while reading the file; run the same command again to carry on", e);
            }
            if (chunk == END) {
                if (failure != null) {
                    throw failure;
                }
                return null;
            }
            return chunk;
        }

        @Override
        public void close() {
            closed = true;
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Sleeps until {@code rows} rows since {@code startNanos} keep to {@code --max-rate}. */
    private void pace(long startNanos, long rows) {
        long due = startNanos + (long) (rows * 1e9 / config.maxRate());
        long now = System.nanoTime();
        if (due > now) {
            LockSupport.parkNanos(due - now);
        }
    }

    private static void abort(Producer<String, byte[]> producer, FileScan file) {
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            // Kafka aborts a transaction it never saw committed anyway, at the latest when the next run fences this one.
            LOG.debug("{}: abort after a failure failed too ({}); the next run's initTransactions aborts it", file.name(), e.toString());
        }
    }

    /** The transactions of one run: each batch of rows with its ledger record. */
    private final class Batches {
        private final Producer<String, byte[]> producer;
        private final FileScan file;
        private final ImportRecord before;
        private final Instant firstRun;
        private long batchStart;
        private long rowsInBatch;
        private long rowsDone;
        private long committedRows;

        Batches(Producer<String, byte[]> producer, FileScan file, ImportRecord before, Instant firstRun) {
            this.producer = producer;
            this.file = file;
            this.before = before;
            this.firstRun = firstRun;
            this.committedRows = before == null ? 0 : before.rowsDone();
            this.rowsDone = committedRows;
        }

        void begin() {
            producer.beginTransaction();
            batchStart = System.nanoTime();
            rowsInBatch = 0;
        }

        void send(String topic, String key, long timestamp, byte[] value) {
            producer.send(new ProducerRecord<>(topic, null, timestamp, key, value));
        }

        /** Row {@code rows} is decoded and sent: commits the batch when it is full or old enough, and begins the next. */
        void rowDone(long rows, Tally tally) {
            rowsInBatch++;
            if (rowsInBatch >= config.batchRows() || System.nanoTime() - batchStart >= ImportConfig.MAX_BATCH_AGE.toNanos()) {
                commit(rows, tally, false);
                begin();
            }
        }

        /** Commits the open batch with the ledger record saying rows 1 to {@code rows} are done, and whether that is all. */
        void commit(long rows, Tally tally, boolean complete) {
            rowsDone = rows;
            commit(tally, complete);
        }

        private void commit(Tally tally, boolean complete) {
            ImportRecord record = tally.ledger(file, rowsDone, before, firstRun, complete);
            send(Topics.IMPORTS.name(), file.sha256(), System.currentTimeMillis(),
                    Topics.IMPORTS.valueSerde().serializer().serialize(Topics.IMPORTS.name(), record));
            producer.commitTransaction();
            committedRows = rowsDone;
            LOG.debug("{}: committed rows up to {}", file.name(), rowsDone);
        }
    }

    /** Counts and the first rejections of each reason; writes each outcome when it has {@link Batches}. */
    private static final class Tally implements RowDecoder.Out {
        private final Batches batches;
        private final ImportProgress progress;
        private long accepted;
        private final Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        private final Map<RejectReason, List<ImportResult.Sample>> samples = new EnumMap<>(RejectReason.class);

        Tally(Batches batches, ImportProgress progress) {
            this.batches = batches;
            this.progress = progress;
        }

        static Tally of(ImportRecord record) {
            Tally t = new Tally(null, new ImportProgress(record.rows()));
            t.accepted = record.accepted();
            record.rejected().forEach((reason, n) -> t.rejected.put(RejectReason.ofWire(reason), n));
            return t;
        }

        @Override
        public void accepted(ReadingRecord reading) {
            if (batches != null) {
                batches.send(Topics.READINGS.name(), reading.key(), reading.receivedAt().toEpochMilli(),
                        Topics.READINGS.valueSerde().serializer().serialize(Topics.READINGS.name(), reading));
            }
            accepted++;
            progress.addAccepted();
        }

        @Override
        public void rejected(Rejection rejection, long line) {
            if (batches != null) {
                batches.send(Topics.REJECTED.name(), rejection.key(), rejection.receivedAt().toEpochMilli(),
                        Topics.REJECTED.valueSerde().serializer().serialize(Topics.REJECTED.name(), rejection));
            }
            rejected.merge(rejection.reason(), 1L, Long::sum);
            List<ImportResult.Sample> some = samples.computeIfAbsent(rejection.reason(), r -> new ArrayList<>());
            if (some.size() < SAMPLES_PER_REASON) {
                some.add(new ImportResult.Sample(rejection.reason(), line, rejection.detail()));
            }
            progress.addRejected();
        }

        ImportResult.Counts counts() {
            return new ImportResult.Counts(accepted, rejected);
        }

        /** This run's counts added to those of {@code before} (the earlier runs), as the ledger keeps them. */
        ImportResult.Counts total(ImportRecord before) {
            if (before == null) {
                return counts();
            }
            Map<RejectReason, Long> all = new EnumMap<>(RejectReason.class);
            before.rejected().forEach((reason, n) -> all.merge(RejectReason.ofWire(reason), n, Long::sum));
            rejected.forEach((reason, n) -> all.merge(reason, n, Long::sum));
            return new ImportResult.Counts(before.accepted() + accepted, all);
        }

        ImportRecord ledger(FileScan file, long rowsDone, ImportRecord before, Instant firstRun, boolean complete) {
            ImportResult.Counts total = total(before);
            Map<String, Long> byReason = new LinkedHashMap<>();
            total.rejected().forEach((reason, n) -> byReason.put(reason.wire(), n));
            return new ImportRecord(file.sha256(), file.name(), file.bytes(), file.format().wire(), file.rows(), rowsDone, total.accepted(),
                    byReason, firstRun, Instant.now(), complete);
        }

        ImportResult result(FileScan file, ImportResult.Outcome outcome, long rowsBefore, long rowsDone, ImportRecord before, Duration took,
                            Instant firstRun) {
            List<ImportResult.Sample> all = new ArrayList<>();
            samples.values().forEach(all::addAll);
            boolean earlierOnly = outcome == ImportResult.Outcome.ALREADY_IMPORTED;
            ImportResult.Counts thisRun = earlierOnly ? new ImportResult.Counts(0, Map.of()) : counts();
            ImportResult.Counts total = earlierOnly ? counts() : total(before);
            return new ImportResult(file, outcome, rowsBefore, rowsDone, thisRun, total, all, took, firstRun);
        }
    }
}
