package io.loopflow.app;

import io.loopflow.ingest.history.FileScan;
import io.loopflow.ingest.history.ImportConfig;
import io.loopflow.ingest.history.ImportFailedException;
import io.loopflow.ingest.history.ImportFileException;
import io.loopflow.ingest.history.ImportFormat;
import io.loopflow.ingest.history.ImportProgress;
import io.loopflow.ingest.history.ImportResult;
import io.loopflow.ingest.history.Importer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code loopflow import FILE...}: history files into LoopFlow's Kafka (CONTRACT.md section 8; README, "Importing
 * history"). Every file is read through first (hash, header, CSV syntax): a file that cannot be imported stops
 * the command before anything is written. Then each file in turn is imported exactly once ({@link Importer}),
 * with a progress bar or log lines, and a summary on stdout. Ctrl-C commits the rows read so far and stops; the
 * same command carries on later. Exit status: 0 when every file is imported (or was before), 1 when Kafka failed
 * or the import was stopped, 2 for a file or flag that cannot be used.
 */
@Command(name = "import", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Import history files (CSV: site,meter,ts,value[,unit][,seq], or --format wide) into LoopFlow's Kafka, "
                + "each row checked as the gateway checks a reading; each file exactly once, also across interruptions.")
public final class ImportCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ImportCommand.class);
    static final int STOPPED = 1;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "CSV files, imported in this order.")
    List<Path> files;

    @Option(names = "--format", defaultValue = "${env:LOOPFLOW_IMPORT_FORMAT:-long}",
            description = "long: one reading per row (columns site, meter, ts, value, optional unit and seq, in any order); "
                    + "wide: a historian export, one ts column and one column per meter named site/meter. Env LOOPFLOW_IMPORT_FORMAT.")
    ImportFormat format;

    @Option(names = "--dry-run", description = "Check every row and print the summary; write nothing (no Kafka needed).")
    boolean dryRun;

    @Option(names = "--kafka-bootstrap", defaultValue = "${env:LOOPFLOW_KAFKA_BOOTSTRAP:-" + ImportConfig.DEFAULT_KAFKA_BOOTSTRAP + "}",
            description = "Kafka bootstrap servers of the running LoopFlow. Env LOOPFLOW_KAFKA_BOOTSTRAP.")
    String kafkaBootstrap;

    @Option(names = "--batch-rows", defaultValue = "${env:LOOPFLOW_IMPORT_BATCH_ROWS:-" + ImportConfig.DEFAULT_BATCH_ROWS + "}",
            description = "Rows per Kafka transaction (an interrupted import repeats at most one, never visibly). "
                    + "Env LOOPFLOW_IMPORT_BATCH_ROWS.")
    int batchRows;

    @Option(names = "--max-rate", defaultValue = "${env:LOOPFLOW_IMPORT_MAX_RATE:-0}",
            description = "At most this many rows a second, 0 = no limit: leaves room for live readings. Env LOOPFLOW_IMPORT_MAX_RATE.")
    double maxRate;

    @Option(names = "--max-future", defaultValue = "${env:LOOPFLOW_MAX_FUTURE:-5m}", converter = DurationConverter.class,
            description = "How far ahead of this clock a reading may be, as for the gateway. Env LOOPFLOW_MAX_FUTURE.")
    Duration maxFuture;

    @Option(names = "--min-ts", defaultValue = "${env:LOOPFLOW_MIN_TS:-2000-01-01T00:00:00Z}", converter = MinTsConverter.class,
            description = "Earliest reading ts accepted (RFC 3339 or a date), as for the gateway. Env LOOPFLOW_MIN_TS.")
    Instant minTs;

    @Option(names = "--kafka-timeout", defaultValue = "${env:LOOPFLOW_KAFKA_TIMEOUT:-30s}", converter = DurationConverter.class,
            description = "How long Kafka may take to answer before the import stops with a message. Env LOOPFLOW_KAFKA_TIMEOUT.")
    Duration kafkaTimeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        ImportConfig config = new ImportConfig(kafkaBootstrap, batchRows, maxRate, maxFuture, minTs, kafkaTimeout);
        // Right after a commit Kafka answers the next batch's first sends with CONCURRENT_TRANSACTIONS, which the
        // producer retries by itself: warnings a person watching the progress bar cannot act on. A send that
        // finally fails fails the commit, and the import stops with a message.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.kafka.clients.producer.internals.Sender"))
                .setLevel(ch.qos.logback.classic.Level.ERROR);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<FileScan> scans = new ArrayList<>();
        try {
            for (Path f : files) {
                scans.add(FileScan.of(f, format));
            }
        } catch (ImportFileException e) {
            err.println("loopflow import: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        Importer importer = new Importer(config);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            // Ctrl-C or SIGTERM: the running file commits what it has read; wait for it and its summary.
            importer.requestStop();
            try {
                if (!done.await(config.kafkaTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                    LOG.warn("the import did not stop within {}; what Kafka committed stays done", config.kafkaTimeout());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loopflow-import-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (FileScan scan : scans) {
                ImportProgress progress = new ImportProgress(scan.rows());
                ImportResult result;
                try (ImportProgressDisplay display = ImportProgressDisplay.start(scan, progress, dryRun ? "checked" : "imported")) {
                    result = dryRun ? importer.validate(scan, progress) : importer.run(scan, progress);
                } catch (ImportFailedException | ImportFileException e) {
                    err.println("loopflow import: " + e.getMessage());
                    err.flush();
                    return e instanceof ImportFileException ? CommandLine.ExitCode.USAGE : STOPPED;
                }
                out.print(ImportSummary.of(result));
                out.flush();
                if (result.outcome() == ImportResult.Outcome.STOPPED) {
                    return STOPPED;
                }
            }
            return CommandLine.ExitCode.OK;
        } finally {
            done.countDown();
            removeHook(hook);
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is stopping (Ctrl-C): the hook is running and returns now that the import is done.
            LOG.debug("shutting down: {}", shuttingDown.getMessage());
        }
    }
}
