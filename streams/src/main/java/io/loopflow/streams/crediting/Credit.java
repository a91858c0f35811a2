package io.loopflow.streams.crediting;

import io.loopflow.core.model.MeterKind;

/**
 * The crediting rule of CONTRACT.md section 3 for one reading given its predecessor in {@code ts}
 * order: what it adds to the window holding its {@code ts}, and whether a rate gap was skipped.
 *
 * @param amount quantity credited, canonical unit
 * @param gap    true when a rate reading followed its predecessor by more than {@code gap.max}
 */
public record Credit(double amount, boolean gap) {

    private static final double MS_PER_HOUR = 3_600_000.0;

    /**
     * The credit of a reading at {@code ts} with canonical {@code value}, following {@code previous}
     * (null for a meter's first reading).
     */
    public static Credit of(MeterKind kind, HeldReading previous, long ts, double value, long gapMaxMs) {
        return switch (kind) {
            case QUANTITY -> new Credit(value, false);
            case COUNTER -> {
                if (previous == null) {
                    yield new Credit(0, false);
                }
                double difference = value - previous.value();
                // A counter that went down was reset: everything it shows now was counted since the reset.
                yield new Credit(difference < 0 ? value : difference, false);
            }
            case RATE -> {
                if (previous == null) {
                    yield new Credit(0, false);
                }
                long elapsed = ts - previous.ts();
                if (elapsed > gapMaxMs) {
                    yield new Credit(0, true);
                }
                yield new Credit((previous.value() + value) / 2 * (elapsed / MS_PER_HOUR), false);
            }
            case LEVEL -> throw new IllegalArgumentException("level readings credit no window");
        };
    }
}
