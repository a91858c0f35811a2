package io.loopflow.streams.crediting;

import io.loopflow.core.model.MeterKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A reference model for tests: the accepted readings of one meter held in memory, in {@code ts}
 * order, credited through {@link Crediting} as the stream processor credits them from its stores.
 * (The stream processor keeps each held reading as its own store entry instead.) The accepted readings of one meter, in {@code ts} order, that can still change a window: those
 * at or after the oldest open flow window's start plus the one just before it (the predecessor of
 * any reading that can still be accepted). Inserting a reading, in order or not, yields the credit
 * changes to apply so that every window holds what in-order crediting would have given it.
 *
 * <p>Insertions never land before the oldest held reading unless nothing was ever pruned (a
 * reading that old is {@code late}), so every held reading's credit is that of its predecessor in
 * the history, and is recomputed rather than stored.
 *
 * <p>Pure and mutable; not thread-safe. Lives inside one stream task.
 */
public final class MeterHistory {
    private final MeterKind kind;
    private final long gapMaxMs;
    private final List<HeldReading> readings;

    /** A history over {@code held} readings (sorted by {@code ts}, distinct {@code ts}). */
    public MeterHistory(MeterKind kind, long gapMaxMs, List<HeldReading> held) {
        if (kind == MeterKind.LEVEL) {
            throw new IllegalArgumentException("level meters keep no crediting history");
        }
        this.kind = kind;
        this.gapMaxMs = gapMaxMs;
        this.readings = new ArrayList<>(held);
    }

    /** What inserting a reading did: credit changes to apply and rate gaps first seen. */
    public record Insertion(List<CreditChange> changes, List<Gap> gaps) {
    }

    /** A rate gap: no credit between {@code fromTs} and {@code toTs} because it exceeds {@code gap.max}. */
    public record Gap(long fromTs, long toTs) {
    }

    /** True when a reading with this {@code ts} is held. */
    public boolean holdsTs(long ts) {
        return indexOf(ts) >= 0;
    }

    /** True when a reading with this {@code seq} is held. */
    public boolean holdsSeq(long seq) {
        for (HeldReading r : readings) {
            if (r.seq() != null && r.seq() == seq) {
                return true;
            }
        }
        return false;
    }

    /**
     * Inserts an accepted reading at its place in {@code ts} order and returns what
     * {@link Crediting#insert} gives it between its neighbours.
     *
     * @throws IllegalArgumentException when a reading with that {@code ts} is already held (a duplicate)
     */
    public Insertion insert(long ts, double value, Long seq) {
        int found = indexOf(ts);
        if (found >= 0) {
            throw new IllegalArgumentException("a reading at " + ts + " is already held");
        }
        int at = -found - 1;
        HeldReading previous = at > 0 ? readings.get(at - 1) : null;
        HeldReading next = at < readings.size() ? readings.get(at) : null;
        readings.add(at, new HeldReading(ts, value, seq));
        Crediting.Insertion i = Crediting.insert(kind, gapMaxMs, previous, next, ts, value);
        List<Gap> gaps = new ArrayList<>();
        i.gaps().forEach(g -> gaps.add(new Gap(g.fromTs(), g.toTs())));
        return new Insertion(i.changes(), List.copyOf(gaps));
    }

    /**
     * Forgets readings that can no longer change a window: those before {@code closedUntil},
     * except the newest of them, which stays as the predecessor of the next reading.
     */
    public void pruneBefore(long closedUntil) {
        int firstOpen = 0;
        while (firstOpen < readings.size() && readings.get(firstOpen).ts() < closedUntil) {
            firstOpen++;
        }
        int keepFrom = Math.max(0, firstOpen - 1);
        if (keepFrom > 0) {
            readings.subList(0, keepFrom).clear();
        }
    }

    /** The held readings in {@code ts} order. */
    public List<HeldReading> readings() {
        return Collections.unmodifiableList(readings);
    }

    private int indexOf(long ts) {
        int lo = 0;
        int hi = readings.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long midTs = readings.get(mid).ts();
            if (midTs < ts) {
                lo = mid + 1;
            } else if (midTs > ts) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }
}
