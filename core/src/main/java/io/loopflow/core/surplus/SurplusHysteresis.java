package io.loopflow.core.surplus;

/**
 * The surplus alert rule of CONTRACT.md section 5: raise when {@code available >= threshold};
 * clear, after having been raised, when {@code available < 0.8 x threshold}; in between nothing
 * changes, so a level oscillating around the threshold raises once and clears once.
 */
public final class SurplusHysteresis {
    /** The clearing level as a fraction of the threshold. */
    public static final double CLEAR_FRACTION = 0.8;

    /** What an evaluation changes. */
    public enum Transition { NONE, RAISE, CLEAR }

    private SurplusHysteresis() {
    }

    /** The transition for a surplus currently {@code raised} (or not) that now has {@code available} against {@code threshold}. */
    public static Transition evaluate(boolean raised, double available, double threshold) {
        if (!raised && available >= threshold) {
            return Transition.RAISE;
        }
        if (raised && available < CLEAR_FRACTION * threshold) {
            return Transition.CLEAR;
        }
        return Transition.NONE;
    }
}
