package io.loopflow.app;

import io.loopflow.ingest.history.FileScan;
import io.loopflow.ingest.history.ImportProgress;
import java.text.DecimalFormat;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows one file's {@link ImportProgress} while it is imported: on a terminal a progress bar on stderr (rows
 * done of the file's rows, rows/s, time left, readings accepted and rejected; me.tongfei progressbar), else a
 * log line every {@link #LOG_INTERVAL}. Reads the counts on its own thread; {@link #close()} stops it.
 */
final class ImportProgressDisplay implements AutoCloseable {
    static final Duration LOG_INTERVAL = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(ImportProgressDisplay.class);
    private static final long BAR_REFRESH_MS = 200;

    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loopflow-import-progress");
        t.setDaemon(true);
        return t;
    });
    private final ImportProgress progress;
    private volatile ProgressBar bar;

    private ImportProgressDisplay(FileScan file, ImportProgress progress, boolean terminal, String verb) {
        this.progress = progress;
        if (terminal) {
            ticker.scheduleAtFixedRate(() -> {
                if (!progress.started()) {
                    return;
                }
                if (bar == null) {
                    // Rows of an earlier run count as done but not in the speed and the time left.
                    bar = new ProgressBarBuilder().setTaskName(file.name()).setInitialMax(file.rows()).setUnit(" rows", 1)
                            .showSpeed(new DecimalFormat("#,##0")).setSpeedUnit(ChronoUnit.SECONDS).setStyle(ProgressBarStyle.ASCII)
                            .startsFrom(progress.rowsBefore(), Duration.ZERO).setUpdateIntervalMillis((int) BAR_REFRESH_MS).build();
                }
                show(bar);
            }, 0, BAR_REFRESH_MS, TimeUnit.MILLISECONDS);
        } else {
            long[] last = {-1, 0};
            ticker.scheduleAtFixedRate(() -> {
                if (!progress.started()) {
                    return;
                }
                long done = progress.rowsDone();
                long now = System.nanoTime();
                if (last[0] < 0) {
                    last[0] = progress.rowsBefore();
                    last[1] = now - LOG_INTERVAL.toNanos();
                }
                double rate = (done - last[0]) * 1e9 / Math.max(1, now - last[1]);
                last[0] = done;
                last[1] = now;
                String left = rate > 0 ? String.format(Locale.ROOT, ", about %d s left", Math.round((file.rows() - done) / rate)) : "";
                LOG.info("{}: {} {} of {} rows ({}%), {} rows/s, {} accepted, {} rejected{}", file.name(), verb, ImportSummary.n(done),
                        ImportSummary.n(file.rows()), file.rows() == 0 ? 100 : done * 100 / file.rows(), ImportSummary.n(Math.round(rate)),
                        ImportSummary.n(progress.accepted()), ImportSummary.n(progress.rejected()), left);
            }, LOG_INTERVAL.toMillis(), LOG_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void show(ProgressBar b) {
        b.stepTo(progress.rowsDone());
        b.setExtraMessage(" " + ImportSummary.n(progress.accepted()) + " accepted, " + ImportSummary.n(progress.rejected()) + " rejected");
    }

    /** Starts showing {@code progress}: a bar when this process runs on a terminal, else log lines. */
    static ImportProgressDisplay start(FileScan file, ImportProgress progress, String verb) {
        return new ImportProgressDisplay(file, progress, System.console() != null, verb);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProgressBar b = bar;
        if (b != null) {
            show(b);
            b.close();
        }
    }
}
