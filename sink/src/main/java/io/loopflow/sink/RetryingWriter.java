package io.loopflow.sink;

import com.influxdb.client.write.Point;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's write policy over a {@link PointWriter}: what happens when the server does not acknowledge a batch.
 *
 * <ul>
 *   <li>An outage (a {@link PointWriter.WriteException#retryable() retryable} failure: connection refused, timeout,
 *       5xx, 401/403/404) is retried with exponential backoff from 200 ms up to 10 s (or {@code maxRetryTime} if
 *       shorter), as long as it takes: the batch is never dropped. Between attempts the {@link Host} waits (the sink
 *       polls its paused Kafka consumer, so it keeps its partitions).</li>
 *   <li>Once the writes have failed for {@code maxRetryTime}, the writer reports itself stalled: one error in the
 *       log, {@code loopflow.sink.stalled} = 1, {@link #stalled()} true; it keeps retrying, and the first acknowledged
 *       write clears the stall (one info line).</li>
 *   <li>Points the server refuses (HTTP 400/413/422, not retryable: retrying would never succeed) are found by
 *       halving the batch until single refused points remain; each of those is logged as an error with its line
 *       protocol and the server's answer and counted in {@code loopflow.sink.points.rejected}; the rest of the batch
 *       is written. Nothing is dropped silently and nothing is retried for ever.</li>
 * </ul>
 *
 * Counts: {@code loopflow.sink.points.written} (acknowledged points), {@code loopflow.sink.write.failures} (failed
 * attempts). Used by one thread, the sink's; {@link #stalled()} may be read from any thread.
 */
final class RetryingWriter {
    static final Duration INITIAL_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(RetryingWriter.class);

    /** What the writer needs from the sink while it retries. */
    interface Host {
        /** True once the sink is stopping: a failed write is then given up and its batch stays uncommitted. */
        boolean stopping();

        /** Waits {@code backoff} before the next attempt. */
        void waitBeforeRetry(Duration backoff);
    }

    private final PointWriter writer;
    private final Duration maxRetryTime;
    private final String target;
    private final InstantSource clock;
    private final Counter pointsWritten;
    private final Counter writeFailures;
    private final Counter pointsRejected;
    private final AtomicBoolean stalled = new AtomicBoolean();

    /** {@code target}: the server as logged (its URL). */
    RetryingWriter(PointWriter writer, Duration maxRetryTime, String target, MeterRegistry registry, InstantSource clock) {
        this.writer = writer;
        this.maxRetryTime = maxRetryTime;
        this.target = target;
        this.clock = clock;
        this.pointsWritten = Counter.builder("loopflow.sink.points.written").description("points acknowledged by InfluxDB").register(registry);
        this.writeFailures = Counter.builder("loopflow.sink.write.failures").description("failed write attempts (retried)").register(registry);
        this.pointsRejected = rejectedCounter(registry);
        Gauge.builder("loopflow.sink.stalled", stalled, s -> s.get() ? 1 : 0)
                .description("1 while InfluxDB has refused writes for longer than sink.max-retry-time").register(registry);
    }

    /** {@code loopflow.sink.points.rejected}: points the server refused, and records that give no point (logged). */
    static Counter rejectedCounter(MeterRegistry registry) {
        return Counter.builder("loopflow.sink.points.rejected").description("points refused by InfluxDB (logged)").register(registry);
    }

    /** True while writes have failed for longer than {@code maxRetryTime}. */
    boolean stalled() {
        return stalled.get();
    }

    /** Points acknowledged so far. */
    long pointsWritten() {
        return (long) pointsWritten.count();
    }

    /**
     * Writes {@code points} until they are acknowledged (refused points skipped, counted and logged); returns false
     * only when the host is stopping and the last attempt failed.
     */
    boolean writeWithRetry(List<Point> points, Host host) {
        Instant first = clock.instant();
        Duration backoff = INITIAL_BACKOFF;
        Duration maxBackoff = MAX_BACKOFF.compareTo(maxRetryTime) < 0 ? MAX_BACKOFF : maxRetryTime;
        while (true) {
            try {
                pointsWritten.increment(points.size() - writeSkippingRefused(points));
                if (stalled.compareAndSet(true, false)) {
                    LOG.info("InfluxDB at {} accepts writes again; consumption resumed", target);
                }
                return true;
            } catch (PointWriter.WriteException e) {
                writeFailures.increment();
                if (host.stopping()) {
                    LOG.warn("last write before stopping failed; its records stay uncommitted and will be read again: {}", e.getMessage());
                    return false;
                }
                Duration failingFor = Duration.between(first, clock.instant());
                if (failingFor.compareTo(maxRetryTime) >= 0) {
                    if (stalled.compareAndSet(false, true)) {
                        LOG.error("InfluxDB at {} has refused writes for {} (sink.max-retry-time {}); consumption stopped, retrying every {} until it is back: {}",
                                target, failingFor, maxRetryTime, maxBackoff, e.getMessage());
                    }
                } else {
                    LOG.warn("InfluxDB write failed, retrying in {}: {}", backoff, e.getMessage());
                }
                host.waitBeforeRetry(backoff);
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        }
    }

    /** One attempt (refused points skipped, counted and logged); false if the server did not acknowledge the batch. */
    boolean writeOnce(List<Point> points) {
        try {
            pointsWritten.increment(points.size() - writeSkippingRefused(points));
            return true;
        } catch (PointWriter.WriteException e) {
            writeFailures.increment();
            LOG.warn("write failed; its records stay uncommitted and will be read again: {}", e.getMessage());
            return false;
        }
    }

    /**
     * Writes {@code points}; a batch the server refuses is halved until the refused points are found and skipped.
     * Returns the number of points skipped.
     */
    private int writeSkippingRefused(List<Point> points) throws PointWriter.WriteException {
        try {
            writer.write(points);
            return 0;
        } catch (PointWriter.WriteException e) {
            if (e.retryable()) {
                throw e;
            }
            if (points.size() == 1) {
                pointsRejected.increment();
                LOG.error("InfluxDB refused point, skipped: {} ({})", points.get(0).toLineProtocol(), e.getMessage());
                return 1;
            }
            int half = points.size() / 2;
            return writeSkippingRefused(points.subList(0, half)) + writeSkippingRefused(points.subList(half, points.size()));
        }
    }
}
