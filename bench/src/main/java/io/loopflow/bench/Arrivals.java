package io.loopflow.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which of a workload's readings arrived at the far end of a path (an MQTT subscriber, a Kafka topic), and
 * when: the publisher stamps each reading's send time ({@link #sent}), the receiving side marks it
 * ({@link #arrived}); a reading seen twice counts as a duplicate, never twice. Thread-safe.
 *
 * <p>{@link #Arrivals(Arrivals)} gives a second set of arrivals of the same sends, for a path watched at two points
 * (the first flow figure that includes a reading, and the final one).
 */
final class Arrivals {
    private final int n;
    private final Sends sends;
    private final AtomicLongArray arrivedNanos;
    private final AtomicInteger distinct = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger foreign = new AtomicInteger();
    private final CountDownLatch all = new CountDownLatch(1);
    private volatile long lastArrival;

    /** When each reading was sent, shared by the arrivals of the same sends. */
    private static final class Sends {
        final AtomicLongArray nanos;
        volatile long first;

        Sends(int n) {
            nanos = new AtomicLongArray(n);
        }
    }

    Arrivals(int n) {
        this(n, new Sends(n));
    }

    /** Arrivals at another point of the same path: the readings and send stamps are {@code sameSends}'s. */
    Arrivals(Arrivals sameSends) {
        this(sameSends.n, sameSends.sends);
    }

    private Arrivals(int n, Sends sends) {
        this.n = n;
        this.sends = sends;
        this.arrivedNanos = new AtomicLongArray(n);
    }

    void sent(int i) {
        long now = System.nanoTime();
        if (sends.first == 0) {
            sends.first = now;
        }
        sends.nanos.set(i, now);
    }

    /** Marks reading {@code i} (-1: not one of this workload's readings) as arrived now. */
    void arrived(int i) {
        if (i < 0 || i >= n) {
            foreign.incrementAndGet();
            return;
        }
        long now = System.nanoTime();
        if (!arrivedNanos.compareAndSet(i, 0, now)) {
            duplicates.incrementAndGet();
            return;
        }
        lastArrival = now;
        if (distinct.incrementAndGet() == n) {
            all.countDown();
        }
    }

    /** Waits until every reading arrived or {@code timeout} passed; true when all arrived. */
    boolean awaitAll(Duration timeout) throws InterruptedException {
        return all.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int distinct() {
        return distinct.get();
    }

    int duplicates() {
        return duplicates.get();
    }

    /** Messages seen that belong to no reading of this workload (another scenario's, or garbage). */
    int foreign() {
        return foreign.get();
    }

    int missing() {
        return n - distinct.get();
    }

    /** Readings per second from the first send to the last arrival (only the ones that arrived). */
    double rate() {
        long span = lastArrival - sends.first;
        return span <= 0 ? 0 : distinct.get() * 1e9 / span;
    }

    /** Seconds from the first send to the last arrival. */
    double seconds() {
        return (lastArrival - sends.first) / 1e9;
    }

    /** Rate measured from {@code startNanos} (e.g. when a stopped consumer was started) to the last arrival. */
    double rateSince(long startNanos) {
        long span = lastArrival - startNanos;
        return span <= 0 ? 0 : distinct.get() * 1e9 / span;
    }

    long lastArrivalNanos() {
        return lastArrival;
    }

    /** Send-to-arrival latency percentile in milliseconds, over the readings that arrived; NaN when none did. */
    double latencyMillis(double percentile) {
        long[] lat = latencies();
        return lat.length == 0 ? Double.NaN : percentile(lat, lat.length, percentile) / 1e6;
    }

    /**
     * Send-to-arrival latency percentile in milliseconds over every reading sent, one that has not arrived counting
     * as slower than all that did: {@code POSITIVE_INFINITY} when the percentile falls on those. NaN when none was sent.
     */
    double latencyMillisOfAll(double percentile) {
        long[] lat = latencies();
        int sent = 0;
        for (int i = 0; i < n; i++) {
            sent += sends.nanos.get(i) != 0 ? 1 : 0;
        }
        if (sent == 0) {
            return Double.NaN;
        }
        long nanos = percentile(lat, sent, percentile);
        return nanos == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : nanos / 1e6;
    }

    /** The latencies of the readings that arrived, sorted. */
    private long[] latencies() {
        long[] lat = new long[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            long a = arrivedNanos.get(i);
            long s = sends.nanos.get(i);
            if (a != 0 && s != 0) {
                lat[k++] = a - s;
            }
        }
        long[] sorted = Arrays.copyOf(lat, k);
        Arrays.sort(sorted);
        return sorted;
    }

    /** The percentile of {@code of} values of which {@code sorted} are the lowest (the rest: Long.MAX_VALUE). */
    private static long percentile(long[] sorted, int of, double percentile) {
        int idx = (int) Math.min(of - 1, Math.max(0, Math.ceil(percentile / 100.0 * of) - 1));
        return idx < sorted.length ? sorted[idx] : Long.MAX_VALUE;
    }
}
