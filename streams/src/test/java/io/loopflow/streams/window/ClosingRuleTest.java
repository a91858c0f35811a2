package io.loopflow.streams.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.model.Role;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClosingRuleTest {
    private static final long MIN = 60_000;
    private static final long HOUR = 60 * MIN;
    private static final long DAY = 24 * HOUR;
    /** Wall clock well after every event time below, unless a test says otherwise. */
    private static final long LATER = 10 * DAY;
    private final ClosingRule rule = new ClosingRule(5 * MIN, MIN, List.of(KpiWindow.of(java.time.Duration.ofMillis(HOUR)), KpiWindow.DAY), java.time.ZoneOffset.UTC);

    @Test
    void flowWindowClosesOnceEveryActiveMeterOfItsRolePassedEndPlusGrace() {
        List<MeterClock> meters = List.of(new MeterClock(Role.OUT_REUSE, true, 70 * MIN), new MeterClock(Role.OUT_REUSE, true, 20 * MIN));

        ClosedUntil c = rule.advance(ClosedUntil.NOTHING, meters, Set.of(), LATER);

        // the lagging meter at 20 min closes windows ending at or before 15 min
        assertThat(c.flowFloor(Role.OUT_REUSE)).isEqualTo(15 * MIN);
        // no hour window ends at or before 15 min except those ending at 0
        assertThat(c.kpiFloor(HOUR)).isZero();
    }

    @Test
    void inactiveMetersHoldNothing() {
        List<MeterClock> meters = List.of(new MeterClock(Role.OUT_REUSE, true, 70 * MIN), new MeterClock(Role.OUT_REUSE, false, 20 * MIN));

        ClosedUntil c = rule.advance(ClosedUntil.NOTHING, meters, Set.of(), LATER);

        assertThat(c.flowFloor(Role.OUT_REUSE)).isEqualTo(65 * MIN);
        assertThat(c.kpiFloor(HOUR)).isEqualTo(HOUR);
    }

    @Test
    void withNoActiveMeterEveryWindowThatEndedByTheWallClockClosesAtOnce() {
        List<MeterClock> meters = List.of(new MeterClock(Role.OUT_REUSE, false, 10 * MIN));

        ClosedUntil c = rule.advance(ClosedUntil.NOTHING, meters, Set.of(Role.OUT_DISPOSAL), 3 * HOUR + 30 * MIN);

        assertThat(c.kpiFloor(HOUR)).isEqualTo(3 * HOUR);
        assertThat(c.flowFloor(Role.OUT_REUSE)).isEqualTo(3 * HOUR + 30 * MIN);
        assertThat(c.flowFloor(Role.OUT_DISPOSAL)).isEqualTo(3 * HOUR + 30 * MIN);
        // today's window is still running: it waits for its end or for the meters to come back
        assertThat(c.kpiFloor(KpiWindow.DAY.code())).isZero();
    }

    @Test
    void aKeyFigureFloorIsAFloorForEveryRoleEvenOneWithoutMeters() {
        List<MeterClock> meters = List.of(new MeterClock(Role.OUT_REUSE, true, 3 * HOUR));

        ClosedUntil c = rule.advance(ClosedUntil.NOTHING, meters, Set.of(), LATER);

        assertThat(c.flowFloor(Role.IN_VIRGIN)).isEqualTo(2 * HOUR);
    }

    @Test
    void anActiveMeterWithoutReadingsHoldsEveryWindowOfItsSiteAndMaterialOpen() {
        List<MeterClock> meters = List.of(new MeterClock(Role.OUT_REUSE, true, 5 * HOUR), new MeterClock(Role.OUT_DISPOSAL, true, null));

        ClosedUntil c = rule.advance(ClosedUntil.NOTHING, meters, Set.of(), LATER);

        assertThat(c.kpiFloor(HOUR)).isEqualTo(Long.MIN_VALUE);
        assertThat(c.flowFloor(Role.OUT_DISPOSAL)).isEqualTo(Long.MIN_VALUE);
        // the reuse flow windows are only fed by the meter at 5 h
        assertThat(c.flowFloor(Role.OUT_REUSE)).isEqualTo(5 * HOUR - 5 * MIN);
    }

    @Test
    void floorsNeverMoveBack() {
        ClosedUntil high = rule.advance(ClosedUntil.NOTHING, List.of(new MeterClock(Role.OUT_REUSE, true, 3 * HOUR)), Set.of(), LATER);

        ClosedUntil after = rule.advance(high, List.of(new MeterClock(Role.OUT_REUSE, true, HOUR)), Set.of(), LATER);

        assertThat(after).isEqualTo(high);
    }

    @Test
    void frontierPassesAtEndPlusGraceExactly() {
        assertThat(Frontier.passed(20 * MIN, 15 * MIN, 5 * MIN)).isTrue();
        assertThat(Frontier.passed(20 * MIN - 1, 15 * MIN, 5 * MIN)).isFalse();
        assertThat(Frontier.passed(Frontier.NONE_ACTIVE, Long.MAX_VALUE - 10 * MIN, 5 * MIN)).isTrue();
        assertThat(Frontier.passed(Frontier.WAITING, 0, 0)).isFalse();
    }

    @Test
    void meterIsActiveUntilIdleTimeoutHasPassed() {
        assertThat(MeterClock.isActive(0, 15 * MIN - 1, 15 * MIN)).isTrue();
        assertThat(MeterClock.isActive(0, 15 * MIN, 15 * MIN)).isFalse();
    }
}
