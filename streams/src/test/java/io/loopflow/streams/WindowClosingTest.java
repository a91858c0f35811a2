package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-meter event time, provisional and final records, closing by clocks and by idleness (CONTRACT.md section 6). */
class WindowClosingTest {
    private static final Instant H8 = Instant.parse("2026-11-22T08:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);

    @TempDir
    Path stateDir;
    private TopologyFixture f;

    @BeforeEach
    void startDriver() {
        f = new TopologyFixture(stateDir);
    }

    @AfterEach
    void closeDriver() {
        f.close();
    }

    private static Instant at(int minute, int second) {
        return H8.plusSeconds(minute * 60L + second);
    }

    private List<FlowRecord> flowsOf(String site, Role role, Instant windowStart) {
        return f.flowLog.stream().filter(r -> r.site().equals(site) && r.role() == role && r.windowStart().equals(windowStart)).toList();
    }

    private List<KpiRecord> siteKpisOf(String site, Duration window, Instant windowStart) {
        return f.kpiLog.stream().filter(r -> r.scope().equals(KpiRecord.SITE) && r.site().equals(site)
                && r.window().equals(io.loopflow.streams.window.KpiWindow.of(window).id()) && r.windowStart().equals(windowStart)).toList();
    }

    @Test
    void shouldPublishProvisionalRecordsThenExactlyOneFinalPerWindow() {
        f.meter("s1", "scale", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");

        f.reading("s1", "scale", at(0, 10), 5).tick();
        f.reading("s1", "scale", at(0, 30), 2).tick();
        f.reading("s1", "scale", at(6, 0), 1);
        f.advance(Duration.ofMinutes(16)).advance(Duration.ofMinutes(30));

        List<FlowRecord> first = flowsOf("s1", Role.OUT_REUSE, H8);
        assertThat(first).extracting(FlowRecord::quantity, FlowRecord::readings, FlowRecord::isFinal)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(5.0, 1L, false),
                        org.assertj.core.groups.Tuple.tuple(7.0, 2L, false),
                        org.assertj.core.groups.Tuple.tuple(7.0, 2L, true));
        assertThat(first.get(2).windowEnd()).isEqualTo(at(1, 0));
        assertThat(first.get(2).unit()).isEqualTo("t");

        List<KpiRecord> hour = siteKpisOf("s1", HOUR, H8);
        assertThat(hour).filteredOn(KpiRecord::isFinal).singleElement().satisfies(k -> {
            assertThat(k.sums().outReuse()).isEqualTo(8.0);
            assertThat(k.recyclingRate()).isEqualTo(1.0);
            assertThat(k.windowEnd()).isEqualTo(H8.plus(HOUR));
        });
        assertThat(hour.get(hour.size() - 1).isFinal()).isTrue();
        // the day is still running by the wall clock: provisional until it has ended
        List<KpiRecord> day = siteKpisOf("s1", Duration.ofDays(1), Instant.parse("2026-11-22T00:00:00Z"));
        assertThat(day).isNotEmpty().noneMatch(KpiRecord::isFinal);
        f.jump(Duration.ofHours(14));
        assertThat(siteKpisOf("s1", Duration.ofDays(1), Instant.parse("2026-11-22T00:00:00Z"))).filteredOn(KpiRecord::isFinal)
                .singleElement().satisfies(k -> assertThat(k.sums().outReuse()).isEqualTo(8.0));
        // every window of the site: exactly one final per key
        assertThat(f.finalFlows()).extracting(FlowRecord::key).doesNotHaveDuplicates();
        assertThat(f.finalKpis(KpiRecord.SITE)).extracting(KpiRecord::key).doesNotHaveDuplicates();
        assertThat(f.rejectionLog).isEmpty();
    }

    @Test
    void shouldCloseAFlowWindowOnceItsOnlyMeterPassedEndPlusGrace() {
        f.meter("s1", "scale", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.reading("s1", "scale", at(0, 10), 5);
        f.reading("s1", "scale", at(5, 59), 1);
        assertThat(f.finalFlows()).isEmpty();

        f.reading("s1", "scale", at(6, 0), 1);

        assertThat(f.finalFlows()).singleElement().satisfies(r -> assertThat(r.windowStart()).isEqualTo(H8));
    }

    @Test
    void shouldHoldAFlowWindowOpenForAMeterLaggingTenMinutesBehind() {
        f.meter("s1", "a", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.meter("s1", "b", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.reading("s1", "b", at(-10, 30), 1);
        for (int m = 0; m <= 10; m++) {
            f.reading("s1", "a", at(m, 30), 5);
            if (m < 10) {
                f.reading("s1", "b", at(m - 10, 40), 1);
            }
        }
        assertThat(flowsOf("s1", Role.OUT_REUSE, H8)).filteredOn(FlowRecord::isFinal).isEmpty();

        f.reading("s1", "b", at(0, 40), 3);
        f.reading("s1", "b", at(5, 59), 1);
        assertThat(flowsOf("s1", Role.OUT_REUSE, H8)).filteredOn(FlowRecord::isFinal).isEmpty();
        f.reading("s1", "b", at(6, 0), 1);

        assertThat(flowsOf("s1", Role.OUT_REUSE, H8)).filteredOn(FlowRecord::isFinal).singleElement()
                .satisfies(r -> {
                    assertThat(r.quantity()).isEqualTo(5 + 3);
                    assertThat(r.readings()).isEqualTo(2);
                });
        assertThat(f.rejectionLog).isEmpty();
    }

    @Test
    void shouldStopWaitingForASilentMeterAfterIdleTimeout() {
        f.meter("s1", "a", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.meter("s1", "b", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.reading("s1", "b", at(0, 10), 2);
        for (int m = 0; m <= 30; m++) {
            f.reading("s1", "a", at(m, 20), 1);
        }
        f.advance(Duration.ofMinutes(10));
        f.reading("s1", "a", at(31, 20), 1);
        f.advance(Duration.ofMinutes(4).plusSeconds(58));
        assertThat(flowsOf("s1", Role.OUT_REUSE, H8)).filteredOn(FlowRecord::isFinal).isEmpty();

        f.advance(Duration.ofSeconds(2));

        assertThat(flowsOf("s1", Role.OUT_REUSE, H8)).filteredOn(FlowRecord::isFinal).singleElement()
                .satisfies(r -> assertThat(r.quantity()).isEqualTo(3.0));
        // a is still active at 08:31:20, so the later windows wait for it: 08:26 is its frontier minus grace
        assertThat(f.finalFlows()).extracting(FlowRecord::windowStart).allMatch(s -> s.isBefore(at(26, 0)));
        assertThat(siteKpisOf("s1", HOUR, H8)).filteredOn(KpiRecord::isFinal).isEmpty();
    }

    @Test
    void shouldPublishTheFinalFiguresOfASiteThatGoesQuiet() {
        f.meter("s1", "a", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.meter("s1", "b", "gypsum", Role.OUT_DISPOSAL, MeterKind.QUANTITY, "t");
        f.reading("s1", "a", at(10, 0), 3);
        f.reading("s1", "b", at(20, 0), 1);
        f.advance(Duration.ofMinutes(14));
        assertThat(f.finalFlows()).isEmpty();

        f.advance(Duration.ofMinutes(1).plusSeconds(1));

        assertThat(f.finalFlows()).extracting(FlowRecord::role, FlowRecord::quantity)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(Role.OUT_REUSE, 3.0),
                        org.assertj.core.groups.Tuple.tuple(Role.OUT_DISPOSAL, 1.0));
        assertThat(siteKpisOf("s1", HOUR, H8)).filteredOn(KpiRecord::isFinal).singleElement().satisfies(k -> {
            assertThat(k.recyclingRate()).isEqualTo(0.75);
            assertThat(k.landfillRate()).isEqualTo(0.25);
            assertThat(k.circularInputRate()).isNull();
        });
    }

    @Test
    void shouldWaitForAJustRegisteredMeterUntilIdleTimeout() {
        f.meter("s1", "a", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.meter("s1", "new", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.reading("s1", "a", at(0, 10), 3);
        f.reading("s1", "a", at(30, 0), 3);
        f.advance(Duration.ofMinutes(5));
        f.reading("s1", "a", at(31, 0), 3);
        f.advance(Duration.ofMinutes(9).plusSeconds(58));
        assertThat(f.finalFlows()).isEmpty();

        f.advance(Duration.ofSeconds(2));

        assertThat(flowsOf("s1", Role.OUT_REUSE, H8)).filteredOn(FlowRecord::isFinal).hasSize(1);
    }

    @Test
    void shouldCountEveryReadingOfAMeterThatSendsItsHourAfterAnotherMeterOfItsSiteAndAnotherSite() {
        f.meter("s1", "a", "gypsum", Role.IN_VIRGIN, MeterKind.QUANTITY, "t");
        f.meter("s1", "b", "gypsum", Role.IN_SECONDARY, MeterKind.QUANTITY, "t");
        f.meter("s2", "c", "gypsum", Role.IN_VIRGIN, MeterKind.QUANTITY, "t");

        for (int m = 0; m < 60; m++) {
            f.reading("s1", "a", at(m, 0), 1);
        }
        f.reading("s1", "a", at(70, 0), 0);
        f.tick();
        for (int m = 0; m < 60; m++) {
            f.reading("s1", "b", at(m, 30), 1);
        }
        f.reading("s1", "b", at(70, 0), 0);
        for (int m = 0; m < 60; m++) {
            f.reading("s2", "c", at(m, 45), 1);
        }
        f.advance(Duration.ofMinutes(16));

        assertThat(f.rejectionLog).isEmpty();
        assertThat(sumFinal("s1", Role.IN_VIRGIN)).isEqualTo(60.0);
        assertThat(sumFinal("s1", Role.IN_SECONDARY)).isEqualTo(60.0);
        assertThat(sumFinal("s2", Role.IN_VIRGIN)).isEqualTo(60.0);
        assertThat(siteKpisOf("s1", HOUR, H8)).filteredOn(KpiRecord::isFinal).singleElement().satisfies(k -> {
            assertThat(k.sums().inVirgin()).isEqualTo(60.0);
            assertThat(k.sums().inSecondary()).isEqualTo(60.0);
            assertThat(k.circularInputRate()).isEqualTo(0.5);
            assertThat(k.recyclingRate()).isNull();
        });
        assertThat(siteKpisOf("s2", HOUR, H8)).filteredOn(KpiRecord::isFinal).singleElement()
                .satisfies(k -> assertThat(k.sums().inVirgin()).isEqualTo(60.0));
    }

    @Test
    void shouldKeepAWindowThatIsStillRunningByTheWallClockOpenWhileItsSiteIsQuiet() {
        // event time in step with the wall clock, as with live meters
        f.meter("s1", "a", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        Instant t0 = f.wall();
        f.reading("s1", "a", t0.plusSeconds(10), 3);
        f.advance(Duration.ofMinutes(15).plusSeconds(1));
        assertThat(f.finalFlows()).singleElement().satisfies(r -> assertThat(r.windowStart()).isEqualTo(t0));
        assertThat(siteKpisOf("s1", HOUR, t0)).filteredOn(KpiRecord::isFinal).isEmpty();

        f.advance(Duration.ofMinutes(5));
        f.reading("s1", "a", f.wall(), 4);
        f.advance(Duration.ofMinutes(16));
        assertThat(siteKpisOf("s1", HOUR, t0)).filteredOn(KpiRecord::isFinal).isEmpty();
        f.advance(Duration.ofMinutes(24));

        assertThat(f.rejectionLog).isEmpty();
        assertThat(siteKpisOf("s1", HOUR, t0)).filteredOn(KpiRecord::isFinal).singleElement()
                .satisfies(k -> assertThat(k.sums().outReuse()).isEqualTo(7.0));
        assertThat(siteKpisOf("s1", Duration.ofDays(1), Instant.parse("2026-11-22T00:00:00Z"))).filteredOn(KpiRecord::isFinal).isEmpty();
    }

    private double sumFinal(String site, Role role) {
        return f.finalFlows().stream().filter(r -> r.site().equals(site) && r.role() == role && r.windowStart().isBefore(at(60, 0)))
                .mapToDouble(FlowRecord::quantity).sum();
    }
}
