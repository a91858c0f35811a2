package io.loopflow.app.simulate;

import java.time.Duration;
import java.time.Instant;

/**
 * When the simulator's rounds happen. Round {@code k} carries the simulated timestamp
 * {@code simStart + k x interval} and is due on the wall clock at that timestamp, or earlier when
 * the simulated clock is behind (backfill) and runs {@code speed} times faster than the wall clock
 * ({@code speed} 0: at once). A round is never due before its timestamp, so no reading is ever from
 * the future. Pure.
 */
public record Pacing(Instant wallStart, Instant simStart, Duration interval, double speed) {

    /** The simulated timestamp of round {@code round}. */
    public Instant timestamp(long round) {
        return simStart.plus(interval.multipliedBy(round));
    }

    /** The wall-clock instant at which round {@code round} may be published. */
    public Instant due(long round) {
        Instant ts = timestamp(round);
        Instant paced = speed == 0 ? wallStart
                : wallStart.plusNanos((long) (interval.toNanos() * (double) round / speed));
        return paced.isAfter(ts) ? paced : ts;
    }
}
