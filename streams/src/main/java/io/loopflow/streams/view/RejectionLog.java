package io.loopflow.streams.view;

import io.loopflow.core.RejectReason;
import io.loopflow.core.model.Rejection;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The rejections of {@code loopflow.rejected} written within the view's look-back: counts per reason and minute
 * (by {@code receivedAt}, else the time the rejection was written) and the latest {@link #LATEST} rejections
 * whole (reason, detail, topic, payload excerpt), so a plant engineer sees why a logger's messages are refused.
 * Thread-safe.
 */
final class RejectionLog {
    /** Rejections kept whole, newest first. */
    static final int LATEST = 20;

    /** Counts of one reason. */
    record Count(String reason, long lastHour, long total) {
    }

    private final NavigableMap<Long, long[]> perMinute = new TreeMap<>();
    private final Deque<Rejection> latest = new ArrayDeque<>();

    synchronized void accept(Rejection r, long writtenAt) {
        if (r.reason() == null) {
            throw new IllegalArgumentException("rejection without reason");
        }
        long at = r.receivedAt() != null ? r.receivedAt().toEpochMilli() : writtenAt;
        perMinute.computeIfAbsent(at / 60_000, m -> new long[RejectReason.values().length])[r.reason().ordinal()]++;
        latest.addFirst(r);
        while (latest.size() > LATEST) {
            latest.removeLast();
        }
    }

    synchronized void evictBefore(long cutoff) {
        perMinute.headMap(cutoff / 60_000, false).clear();
    }

    /** Per reason (every reason of the contract, 0 included): rejections in the hour before {@code now} and in all kept. */
    synchronized List<Count> counts(Instant now) {
        long hourAgo = (now.toEpochMilli() - 3_600_000) / 60_000;
        Map<RejectReason, long[]> sums = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            sums.put(r, new long[2]);
        }
        perMinute.forEach((minute, counts) -> {
            for (RejectReason r : RejectReason.values()) {
                long[] s = sums.get(r);
                s[1] += counts[r.ordinal()];
                if (minute >= hourAgo) {
                    s[0] += counts[r.ordinal()];
                }
            }
        });
        List<Count> out = new ArrayList<>();
        sums.forEach((r, s) -> out.add(new Count(r.wire(), s[0], s[1])));
        return out;
    }

    synchronized List<Rejection> latest() {
        return new ArrayList<>(latest);
    }
}
