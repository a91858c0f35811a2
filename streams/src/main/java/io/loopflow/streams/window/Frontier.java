package io.loopflow.streams.window;

import java.util.Collection;

/**
 * The event-time frontier of a set of meters feeding a window: the lowest clock of its active
 * meters. A window closes when the frontier reached its end plus grace (CONTRACT.md section 6).
 * Two sentinels: {@link #NONE_ACTIVE} (no meter is active: every window closes at once) and
 * {@link #WAITING} (an active meter has sent nothing yet: nothing closes).
 */
public final class Frontier {
    /** No active meter feeds the window. */
    public static final long NONE_ACTIVE = Long.MAX_VALUE;
    /** An active meter has no clock yet. */
    public static final long WAITING = Long.MIN_VALUE;

    private Frontier() {
    }

    /** The frontier of {@code meters}. */
    public static long of(Collection<MeterClock> meters) {
        long frontier = NONE_ACTIVE;
        for (MeterClock m : meters) {
            if (m.active()) {
                frontier = Math.min(frontier, m.clock() == null ? WAITING : m.clock());
            }
        }
        return frontier;
    }

    /** True when a window ending at {@code windowEnd} may close under {@code frontier}. */
    public static boolean passed(long frontier, long windowEnd, long graceMs) {
        if (frontier == NONE_ACTIVE) {
            return true;
        }
        if (frontier == WAITING) {
            return false;
        }
        return windowEnd + graceMs <= frontier;
    }

    /** Combines two frontiers (e.g. of two sites): the lower wins. */
    public static long min(long a, long b) {
        return Math.min(a, b);
    }
}
