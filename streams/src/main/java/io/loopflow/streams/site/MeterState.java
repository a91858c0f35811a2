package io.loopflow.streams.site;

import io.loopflow.core.model.MeterDescriptor;

/**
 * A registered meter of a site, in store {@code loopflow-meters} (key {@code site/meter}): its
 * descriptor, wall-clock time (epoch ms) its descriptor and its last accepted reading arrived,
 * and its clock (newest accepted {@code ts}, null before the first). Its crediting history is in
 * {@link MeterHistoryState}, kept apart because every punctuation reads every meter's state.
 */
public record MeterState(MeterDescriptor descriptor, long registeredAt, Long lastReadingAt, Long clock) {

    /** Wall-clock time it was last heard of: its descriptor or its last reading, whichever is later. */
    public long lastSeenAt() {
        return lastReadingAt == null ? registeredAt : Math.max(registeredAt, lastReadingAt);
    }

    MeterState withReading(long nowMs, long ts) {
        return new MeterState(descriptor, registeredAt, nowMs, clock == null ? ts : Math.max(clock, ts));
    }
}
