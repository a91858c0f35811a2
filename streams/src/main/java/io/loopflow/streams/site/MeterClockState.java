package io.loopflow.streams.site;

/**
 * What the window rules and crediting need of one window-feeding meter, in store
 * {@code loopflow-meter-clocks} (key {@code site, material, role, meter}, so that the meters feeding
 * one flow window series are one range): its clock (newest accepted {@code ts}, epoch ms; null
 * before its first reading), the canonical value of the reading at its clock (the predecessor of
 * an in-order reading; NaN when that reading's history was dropped by a descriptor change), and
 * the wall-clock time it was last heard of (its last accepted reading or its descriptor, whichever
 * came later), from which CONTRACT.md section 6 rules whether it is active; and {@code maxSeq}, at
 * least every {@code seq} of the meter in {@code loopflow-seen-seqs} (null: not known, looked up in
 * the index once), so that a reading with a higher {@code seq}, the usual case, needs no
 * lookup to know it is not a duplicate; and {@code chunk}, the key (start) of the chunk of
 * {@code loopflow-held-readings} that holds the reading at its clock, where the next in-order reading is
 * appended (null: not known, looked up).
 */
public record MeterClockState(Long clock, double clockValue, long lastSeenAt, Long maxSeq, Long chunk) {

    /** A meter's clock before its first reading. */
    static MeterClockState fresh(long nowMs) {
        return new MeterClockState(null, Double.NaN, nowMs, null, null);
    }

    /** Active until {@code idleMs} of wall-clock time have passed since it was last heard of. */
    public boolean activeAt(long nowMs, long idleMs) {
        return nowMs - lastSeenAt < idleMs;
    }

    /**
     * After an accepted reading; {@code seqBound}: at least every seq of the meter's index, this reading's included;
     * {@code newestChunk}: the chunk that now holds the meter's newest held reading.
     */
    MeterClockState withReading(long ts, double value, Long seqBound, long nowMs, Long newestChunk) {
        if (clock == null || ts > clock) {
            return new MeterClockState(ts, value, Math.max(lastSeenAt, nowMs), seqBound, newestChunk);
        }
        return new MeterClockState(clock, clockValue, Math.max(lastSeenAt, nowMs), seqBound, newestChunk);
    }

    MeterClockState heardAt(long nowMs) {
        return new MeterClockState(clock, clockValue, Math.max(lastSeenAt, nowMs), maxSeq, chunk);
    }

    /** The same clock with no predecessor value and no held readings: a new crediting history starts. */
    MeterClockState freshHistory(long nowMs) {
        return new MeterClockState(clock, Double.NaN, Math.max(lastSeenAt, nowMs), maxSeq, null);
    }

    /** The same, its newest held reading now in the chunk starting at {@code newestChunk}. */
    MeterClockState withChunk(Long newestChunk) {
        return new MeterClockState(clock, clockValue, lastSeenAt, maxSeq, newestChunk);
    }
}
