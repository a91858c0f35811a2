package io.loopflow.sink;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock for unit tests that moves only when told: backoffs and slow requests take no real time. */
final class FakeClock implements InstantSource {
    private Instant now;

    FakeClock(Instant start) {
        this.now = start;
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }

    synchronized void advance(Duration d) {
        now = now.plus(d);
    }
}
