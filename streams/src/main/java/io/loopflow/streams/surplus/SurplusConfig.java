package io.loopflow.streams.surplus;

import java.time.Duration;
import java.util.Locale;

/**
 * Settings of the surplus and matching application: {@code surplus.horizon} (default 24 h) is how far
 * back {@code out.storage} counts towards {@code available} for a site without stock meters;
 * {@code surplus.default-threshold} (default 50, canonical unit) applies to materials without a
 * {@code surplusThreshold}; {@code surplus.evaluate-every} (default 1 s) is how often the wall-clock
 * check re-applies changed material thresholds and site descriptors.
 */
public record SurplusConfig(Duration horizon, double defaultThreshold, Duration evaluateEvery) {
    public static final Duration DEFAULT_HORIZON = Duration.ofHours(24);
    public static final double DEFAULT_THRESHOLD = 50;
    public static final Duration DEFAULT_EVALUATE_EVERY = Duration.ofSeconds(1);

    public SurplusConfig {
        if (horizon == null || horizon.isZero() || horizon.isNegative()) {
            throw new IllegalArgumentException("surplus.horizon must be a positive duration, got " + horizon);
        }
        if (!Double.isFinite(defaultThreshold) || defaultThreshold < 0) {
            throw new IllegalArgumentException("surplus.default-threshold must be a finite number >= 0, got " + defaultThreshold);
        }
        if (evaluateEvery == null || evaluateEvery.toMillis() < 1) {
            throw new IllegalArgumentException("surplus.evaluate-every must be at least 1 ms, got " + evaluateEvery);
        }
    }

    /**
     * The most {@code out.storage} flow windows one site and material may keep (24 h of 5 s windows): they are one value
     * of the surplus state store, so one record of its changelog, which must fit a Kafka record (1 MiB by default).
     * SurplusStateSizeTest measures the widest such value: 884,430 bytes.
     */
    public static final int MAX_STORAGE_WINDOWS = 17_281;

    /**
     * Refuses a horizon that holds more than {@link #MAX_STORAGE_WINDOWS} flow windows of {@code flowWindow} (window
     * starts from the horizon's start to now, both included): the surplus application would stop at the first state it
     * could not write to its changelog.
     *
     * @param flowWindowKey how the caller's configuration names the flow window ({@code streams.flow-window},
     *     {@code --flow-window})
     * @throws IllegalArgumentException naming both settings and the shortest flow window that fits
     */
    public static void checkStorageWindows(Duration horizon, Duration flowWindow, String flowWindowKey) {
        long windows = horizon.toMillis() / flowWindow.toMillis() + 1;
        if (windows > MAX_STORAGE_WINDOWS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s (%s) and surplus.horizon (%s) would keep %,d out.storage flow windows of a site and material in one "
                            + "surplus state record; at most %,d fit a Kafka record: use a flow window of at least %s",
                    flowWindowKey, flowWindow, horizon, windows, MAX_STORAGE_WINDOWS,
                    Duration.ofMillis(horizon.toMillis() / MAX_STORAGE_WINDOWS + 1)));
        }
    }

    public static SurplusConfig defaults() {
        return new SurplusConfig(DEFAULT_HORIZON, DEFAULT_THRESHOLD, DEFAULT_EVALUATE_EVERY);
    }
}
