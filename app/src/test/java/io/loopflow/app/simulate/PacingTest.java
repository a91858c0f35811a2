package io.loopflow.app.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PacingTest {
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void realTimePublishesEachRoundAtItsTimestamp() {
        Pacing pacing = new Pacing(NOW, NOW, Duration.ofSeconds(1), 1);
        assertThat(pacing.timestamp(5)).isEqualTo(NOW.plusSeconds(5));
        assertThat(pacing.due(5)).isEqualTo(NOW.plusSeconds(5));
    }

    @Test
    void backfillCatchesUpAtSpeedThenFollowsTheWallClock() {
        // given a clock one hour behind, running 60 times faster than the wall clock
        Pacing pacing = new Pacing(NOW, NOW.minus(Duration.ofHours(1)), Duration.ofSeconds(1), 60);

        // round 600 is 10 simulated minutes in: due 10 wall seconds after start
        assertThat(pacing.due(600)).isEqualTo(NOW.plusSeconds(10));
        // catching up happens after 3600/59 wall seconds; from then on rounds wait for their own timestamp
        assertThat(pacing.due(7200)).isEqualTo(pacing.timestamp(7200)).isEqualTo(NOW.plus(Duration.ofHours(1)));
    }

    @Test
    void fullSpeedIsDueAtOnceButNeverBeforeItsTimestamp() {
        Pacing pacing = new Pacing(NOW, NOW.minus(Duration.ofMinutes(10)), Duration.ofSeconds(1), 0);
        assertThat(pacing.due(0)).isEqualTo(NOW);
        assertThat(pacing.due(599)).isEqualTo(NOW);
        assertThat(pacing.due(900)).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    }
}
