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
 */
final class Arrivals {
    private final int n;
    private final AtomicLongArray sentNanos;
    private final AtomicLongArray arrivedNanos;
    private final AtomicInteger distinct = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger foreign = new AtomicInteger();
    private final CountDownLatch all = new CountDownLatch(1);
    private volatile long firstSent;
    private volatile long lastArrival;

    Arrivals(int n) {
        this.n = n;
        this.sentNanos = new AtomicLongArray(n);
        this.arrivedNanos = new AtomicLongArray(n);
    }

    void sent(int i) {
        long now = System.nanoTime();
        if (firstSent == 0) {
            firstSent = now;
        }
        sentNanos.set(i, now);
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
        long span = lastArrival - firstSent;
        return span <= 0 ? 0 : distinct.get() * 1e9 / span;
    }

    /** Seconds from the first send to the last arrival. */
    double seconds() {
        return (lastArrival - firstSent) / 1e9;
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
        long[] lat = new long[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            long a = arrivedNanos.get(i);
            long s = sentNanos.get(i);
            if (a != 0 && s != 0) {
                lat[k++] = a - s;
            }
        }
        if (k == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(lat, k);
        Arrays.sort(sorted);
        int idx = (int) Math.min(k - 1, Math.max(0, Math.ceil(percentile / 100.0 * k) - 1));
        return sorted[idx] / 1e6;
    }
}
