package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopflow.core.RejectReason;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Late data restates closed windows (CONTRACT.md section 6): a ticket for yesterday, a meter's
 * backlog, what stays {@code late}, revisions, duplicates of restated readings, and {@code lag.max}.
 * The wall clock stays at {@link TopologyFixture#T0} (2026-11-22T10:00Z) unless a test moves it.
 */
class RestatementTest {
    private static final Instant YESTERDAY = Instant.parse("2026-11-21T00:00:00Z");
    private static final Instant TODAY = Instant.parse("2026-11-22T00:00:00Z");

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

    private static Instant yesterdayAt(int hour, int minute) {
        return YESTERDAY.plus(Duration.ofHours(hour)).plus(Duration.ofMinutes(minute));
    }

    /** The record with the highest revision per key, as a consumer keeping the latest would. */
    private static <R> Map<String, R> latest(List<R> records, Function<R, String> key, Function<R, Integer> revision) {
        Map<String, R> out = new LinkedHashMap<>();
        records.stream().sorted(Comparator.comparing(revision)).forEach(r -> out.put(key.apply(r), r));
        return out;
    }

    private Map<String, FlowRecord> latestFinalFlows() {
        return latest(f.finalFlows(), FlowRecord::key, FlowRecord::revision);
    }

    private Map<String, KpiRecord> latestFinalKpis(String scope) {
        return latest(f.finalKpis(scope), KpiRecord::key, KpiRecord::revision);
    }

    private List<KpiRecord> finals(String scope, String id, String window, Instant start) {
        return f.finalKpis(scope).stream().filter(k -> k.scopeId().equals(id) && k.window().equals(window) && k.windowStart().equals(start))
                .toList();
    }

    /** A site that measures its reuse hourly (on time) and its disposal by weighbridge tickets. */
    private void describe(String site, String region) {
        f.site(site, region);
        f.meter(site, "scale", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.meter(site, "ticket", "gypsum", Role.OUT_DISPOSAL, MeterKind.QUANTITY, "t");
    }

    /** Yesterday and this morning on time: an hourly reuse reading and one ticket at 10:15. */
    private void liveDay(String site) {
        f.reading(site, "ticket", yesterdayAt(10, 15), 5);
        for (int h = 0; h < 24 + 9; h++) {
            f.reading(site, "scale", yesterdayAt(h, 0), 1);
        }
    }

    @Test
    void shouldRestateYesterdaysWindowsWithATicketArrivingTodayAsIfItHadComeOnTime() {
        describe("late", "r-late");
        describe("ontime", "r-ontime");
        f.reading("ontime", "ticket", yesterdayAt(10, 15).plusSeconds(30), 24.3);
        liveDay("ontime");
        liveDay("late");
        f.tick();
        assertThat(finals(KpiRecord.SITE, "late", "P1D", YESTERDAY)).singleElement()
                .satisfies(k -> assertThat(k.revision()).isZero());

        f.reading("late", "ticket", yesterdayAt(10, 15).plusSeconds(30), 24.3);
        f.tick().tick();

        assertThat(f.rejectionLog).isEmpty();
        assertThat(f.counter("loopflow.streams.restated")).isEqualTo(1.0);
        Instant ticketWindow = yesterdayAt(10, 15);
        assertThat(f.finalFlows()).filteredOn(r -> r.site().equals("late") && r.windowStart().equals(ticketWindow))
                .extracting(FlowRecord::revision, FlowRecord::quantity, FlowRecord::readings)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 5.0, 1L), org.assertj.core.groups.Tuple.tuple(1, 29.3, 2L));
        assertThat(finals(KpiRecord.SITE, "late", "PT1H", yesterdayAt(10, 0))).extracting(KpiRecord::revision).containsExactly(0, 1);
        assertThat(finals(KpiRecord.SITE, "late", "P1D", YESTERDAY)).extracting(KpiRecord::revision).containsExactly(0, 1);
        assertThat(finals(KpiRecord.REGION, "r-late", "PT1H", yesterdayAt(10, 0))).extracting(KpiRecord::revision).containsExactly(0, 1);
        assertThat(finals(KpiRecord.REGION, "r-late", "P1D", YESTERDAY)).extracting(KpiRecord::revision).containsExactly(0, 1);
        // the figures of every window equal those of the site whose ticket came on time
        Map<String, FlowRecord> flows = latestFinalFlows();
        flows.values().stream().filter(r -> r.site().equals("ontime")).forEach(onTime -> {
            FlowRecord restated = flows.get(onTime.key().replaceFirst("^ontime/", "late/"));
            assertThat(restated).as(onTime.key()).isNotNull();
            assertThat(restated.quantity()).as(onTime.key()).isCloseTo(onTime.quantity(), within(1e-9));
            assertThat(restated.readings()).isEqualTo(onTime.readings());
        });
        assertSameSums(latestFinalKpis(KpiRecord.SITE), "site/ontime/", "site/late/");
        assertSameSums(latestFinalKpis(KpiRecord.REGION), "region/r-ontime/", "region/r-late/");
        RoleSums day = finals(KpiRecord.SITE, "late", "P1D", YESTERDAY).get(1).sums();
        assertThat(day.outDisposal()).isCloseTo(29.3, within(1e-9));
        assertThat(day.outReuse()).isEqualTo(24.0);
    }

    private static void assertSameSums(Map<String, KpiRecord> latest, String expectedPrefix, String actualPrefix) {
        long compared = latest.entrySet().stream().filter(e -> e.getKey().startsWith(expectedPrefix)).peek(e -> {
            KpiRecord actual = latest.get(actualPrefix + e.getKey().substring(expectedPrefix.length()));
            assertThat(actual).as(e.getKey()).isNotNull();
            for (Role role : Role.values()) {
                if (role.isFlow()) {
                    assertThat(actual.sums().get(role)).as(e.getKey() + " " + role.wire()).isCloseTo(e.getValue().sums().get(role), within(1e-9));
                }
            }
            assertThat(actual.recyclingRate()).isEqualTo(e.getValue().recyclingRate());
        }).count();
        assertThat(compared).as("windows compared").isGreaterThan(20);
    }

    @Test
    void shouldCoalesceRestatementsOfOneWindowWithinACommitIntervalIntoOneRevision() {
        describe("s1", "r1");
        liveDay("s1");
        f.tick();

        f.reading("s1", "ticket", yesterdayAt(10, 15).plusSeconds(10), 1).reading("s1", "ticket", yesterdayAt(10, 15).plusSeconds(20), 2);
        f.tick().tick();

        assertThat(f.finalFlows()).filteredOn(r -> r.site().equals("s1") && r.windowStart().equals(yesterdayAt(10, 15)))
                .extracting(FlowRecord::revision, FlowRecord::quantity).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0, 5.0), org.assertj.core.groups.Tuple.tuple(1, 8.0));

        f.reading("s1", "ticket", yesterdayAt(10, 15).plusSeconds(40), 4);
        f.tick();

        assertThat(finals(KpiRecord.SITE, "s1", "P1D", YESTERDAY)).extracting(KpiRecord::revision).containsExactly(0, 1, 2);
        assertThat(finals(KpiRecord.SITE, "s1", "P1D", YESTERDAY).get(2).sums().outDisposal()).isEqualTo(12.0);
    }

    @Test
    void shouldRejectADuplicateOfARestatedReading() {
        describe("s1", "r1");
        liveDay("s1");
        f.tick();
        f.reading("s1", "ticket", yesterdayAt(16, 0), 7, 99L, null);
        f.tick();

        f.reading("s1", "ticket", yesterdayAt(16, 0), 7, 99L, null);
        f.reading("s1", "ticket", yesterdayAt(17, 0), 7, 99L, null);
        f.tick();

        assertThat(f.rejectionLog).extracting(Rejection::reason).containsExactly(RejectReason.DUPLICATE, RejectReason.DUPLICATE);
        assertThat(finals(KpiRecord.SITE, "s1", "P1D", YESTERDAY)).last().satisfies(k -> assertThat(k.sums().outDisposal()).isEqualTo(12.0));
    }

    @Test
    void shouldCountEveryReadingOfAMeterThatUploadsItsBacklogAfterItsSitesWindowsClosed() {
        f.site("s1", "r1");
        f.meter("s1", "live", "gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t");
        f.meter("s1", "logger", "gypsum", Role.IN_SECONDARY, MeterKind.COUNTER, "t");
        f.reading("s1", "logger", yesterdayAt(8, 0), 1000);
        for (int m = 0; m <= 6 * 60; m += 5) {
            f.reading("s1", "live", yesterdayAt(8, m), 10.0 * m);
        }
        f.tick();
        // the logger was silent: its site's windows of 08:00 to 12:00 closed without it
        assertThat(finals(KpiRecord.SITE, "s1", "PT1H", yesterdayAt(9, 0))).singleElement()
                .satisfies(k -> assertThat(k.sums().inSecondary()).isZero());

        for (int m = 1; m <= 4 * 60; m++) {
            f.reading("s1", "logger", yesterdayAt(8, m), 1000 + 2.0 * m);
        }
        // two punctuations: the site's restated windows reach the region at the first, which publishes them at the second
        f.tick().tick();

        assertThat(f.rejectionLog).isEmpty();
        double restatedTotal = 0;
        for (int h = 8; h <= 12; h++) {
            List<KpiRecord> hour = finals(KpiRecord.SITE, "s1", "PT1H", yesterdayAt(h, 0));
            assertThat(hour).extracting(KpiRecord::revision).containsExactly(0, 1);
            restatedTotal += hour.get(1).sums().inSecondary();
            // the live meter's figures are untouched: 12 readings 5 minutes apart (11 in the first hour, whose first credits 0)
            assertThat(hour.get(1).sums().outReuse()).isEqualTo(h == 8 ? 550.0 : 600.0);
        }
        assertThat(restatedTotal).isEqualTo(2.0 * 4 * 60);
        assertThat(finals(KpiRecord.REGION, "r1", "PT1H", yesterdayAt(9, 0))).last()
                .satisfies(k -> assertThat(k.sums().inSecondary()).isEqualTo(120.0));
    }

    @Test
    void shouldRejectACounterReadingOlderThanItsClockInAClosedWindowAndAnythingOlderThanTheHorizon() {
        describe("s1", "r1");
        f.meter("s1", "totaliser", "gypsum", Role.IN_VIRGIN, MeterKind.COUNTER, "t");
        f.reading("s1", "totaliser", yesterdayAt(9, 0), 100).reading("s1", "totaliser", yesterdayAt(11, 0), 130);
        liveDay("s1");
        f.tick();

        f.reading("s1", "totaliser", yesterdayAt(10, 0), 120);
        f.reading("s1", "ticket", YESTERDAY.minus(Duration.ofDays(40)), 3);
        f.tick();

        assertThat(f.rejectionLog).extracting(Rejection::reason).containsExactly(RejectReason.LATE, RejectReason.LATE);
        assertThat(f.rejectionLog.get(0).detail()).startsWith("older than its meter's clock (2026-11-21T11:00:00Z) in a closed window");
        assertThat(f.rejectionLog.get(1).detail()).startsWith("older than restate.horizon");
    }

    @Test
    void shouldNotWaitForAMeterAnHourAndAHalfBehindButRestateWithItsReadings() {
        f.site("s1", "r1");
        f.meter("s1", "ahead", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.meter("s1", "behind", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.reading("s1", "behind", yesterdayAt(8, 0), 1);
        for (int m = 0; m <= 90; m++) {
            f.reading("s1", "ahead", yesterdayAt(8, m), 1);
        }

        // 08:00 closed: "behind" is 1 h 30 min behind the site's newest clock, more than lag.max
        assertThat(f.finalFlows()).filteredOn(r -> r.windowStart().equals(yesterdayAt(8, 0))).singleElement()
                .satisfies(r -> assertThat(r.quantity()).isEqualTo(2.0));
        f.reading("s1", "behind", yesterdayAt(8, 0).plusSeconds(30), 1);
        f.tick();

        assertThat(f.rejectionLog).isEmpty();
        assertThat(f.finalFlows()).filteredOn(r -> r.windowStart().equals(yesterdayAt(8, 0)))
                .extracting(FlowRecord::revision, FlowRecord::quantity)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 2.0), org.assertj.core.groups.Tuple.tuple(1, 3.0));
    }

    @Test
    void shouldStillWaitForAMeterFortyMinutesBehind() {
        f.site("s1", "r1");
        f.meter("s1", "ahead", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.meter("s1", "behind", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.reading("s1", "behind", yesterdayAt(8, 0), 1);
        for (int m = 0; m <= 40; m++) {
            f.reading("s1", "ahead", yesterdayAt(8, m), 1);
        }
        f.tick();

        assertThat(f.finalFlows()).isEmpty();
        f.reading("s1", "behind", yesterdayAt(8, 0).plusSeconds(30), 1);
        f.reading("s1", "behind", yesterdayAt(8, 6), 1);

        assertThat(f.finalFlows()).filteredOn(r -> r.windowStart().equals(yesterdayAt(8, 0))).singleElement()
                .satisfies(r -> {
                    assertThat(r.quantity()).isEqualTo(3.0);
                    assertThat(r.revision()).isZero();
                });
        assertThat(f.rejectionLog).isEmpty();
    }

    @Test
    void shouldJoinARegionWindowThatClosedWhileTheSiteWasIdle() {
        f.site("busy", "r1").site("idle", "r1");
        f.meter("busy", "scale", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
        f.meter("idle", "ticket", "gypsum", Role.OUT_DISPOSAL, MeterKind.QUANTITY, "t");
        f.advance(Duration.ofMinutes(16));
        for (int h = 0; h < 24 + 9; h++) {
            f.reading("busy", "scale", yesterdayAt(h, 0), 1);
        }
        f.tick().tick();
        assertThat(finals(KpiRecord.REGION, "r1", "PT1H", yesterdayAt(10, 0))).singleElement()
                .satisfies(k -> assertThat(k.sums().outDisposal()).isZero());

        f.reading("idle", "ticket", yesterdayAt(10, 20), 6);
        f.advance(Duration.ofMinutes(16));

        assertThat(f.rejectionLog).isEmpty();
        assertThat(f.counter("loopflow.streams.region.dropped", "cause", "late")).isZero();
        assertThat(finals(KpiRecord.REGION, "r1", "PT1H", yesterdayAt(10, 0))).last().satisfies(k -> {
            assertThat(k.revision()).isEqualTo(1);
            assertThat(k.sums().outDisposal()).isEqualTo(6.0);
            assertThat(k.sums().outReuse()).isEqualTo(1.0);
        });
        assertThat(finals(KpiRecord.SITE, "idle", "PT1H", yesterdayAt(10, 0))).singleElement()
                .satisfies(k -> assertThat(k.sums().outDisposal()).isEqualTo(6.0));
    }

    @Test
    void shouldPublishProvisionalRecordsWithTheRevisionTheyWillFinalise() {
        describe("s1", "r1");
        f.reading("s1", "scale", TODAY.plus(Duration.ofHours(9)), 1);
        f.tick();

        assertThat(f.flowLog).isNotEmpty().allSatisfy(r -> assertThat(r.revision()).isZero());
        assertThat(f.kpiLog).isNotEmpty().allSatisfy(r -> assertThat(r.revision()).isZero());
    }
}
