package io.loopflow.streams.surplus;

import java.time.Duration;

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

    public static SurplusConfig defaults() {
        return new SurplusConfig(DEFAULT_HORIZON, DEFAULT_THRESHOLD, DEFAULT_EVALUATE_EVERY);
    }
}
