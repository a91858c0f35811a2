package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.Role;
import io.loopflow.streams.window.KpiWindow;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calendar key-figure windows (CONTRACT.md section 6): days and months of {@code streams.time-zone},
 * here Europe/Copenhagen, with 23- and 25-hour days on daylight-saving changes, for sites and their
 * region alike. Every window here ended long before the fixture's wall clock, so it closes once the
 * meters go idle.
 */
class CalendarWindowTest {
    private static final ZoneId COPENHAGEN = ZoneId.of("Europe/Copenhagen");

    @TempDir
    Path stateDir;
    private TopologyFixture f;

    @BeforeEach
    void startDriver() {
        f = new TopologyFixture(ProcessorConfig.defaults("unused:9092", stateDir).withHttpPort(-1).withTimeZone(COPENHAGEN)
                .withKpiWindows(List.of(KpiWindow.of(Duration.ofHours(1)), KpiWindow.DAY, KpiWindow.MONTH)));
        f.site("s1", "kalundborg");
        f.meter("s1", "ticket", "gypsum", Role.OUT_DISPOSAL, MeterKind.QUANTITY, "t");
    }

    @AfterEach
    void closeDriver() {
        f.close();
    }

    private List<KpiRecord> finals(String scope, String window) {
        return f.finalKpis(scope).stream().filter(k -> k.window().equals(window)).toList();
    }

    private KpiRecord finalOf(String scope, String window, Instant start) {
        return finals(scope, window).stream().filter(k -> k.windowStart().equals(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no final " + scope + " " + window + " starting " + start + " in " + finals(scope, window)));
    }

    private void closeAll() {
        f.advance(Duration.ofMinutes(16));
    }

    @Test
    void shouldMakeTheDayOfTheSpringChangeTwentyThreeHoursLong() {
        // 2026-03-29 local: 00:00 CET = 2026-03-28T23:00Z; at 02:00 clocks go to 03:00 CEST; 24:00 CEST = 2026-03-29T22:00Z
        f.reading("s1", "ticket", Instant.parse("2026-03-28T22:59:00Z"), 1); // 23:59 local on the 28th
        f.reading("s1", "ticket", Instant.parse("2026-03-28T23:00:00Z"), 2); // 00:00 local on the 29th
        f.reading("s1", "ticket", Instant.parse("2026-03-29T21:30:00Z"), 4); // 23:30 CEST on the 29th
        f.reading("s1", "ticket", Instant.parse("2026-03-29T22:00:00Z"), 8); // 00:00 CEST on the 30th
        closeAll();

        KpiRecord day = finalOf(KpiRecord.SITE, "P1D", Instant.parse("2026-03-28T23:00:00Z"));
        assertThat(day.windowEnd()).isEqualTo(Instant.parse("2026-03-29T22:00:00Z"));
        assertThat(Duration.between(day.windowStart(), day.windowEnd())).isEqualTo(Duration.ofHours(23));
        assertThat(day.sums().outDisposal()).isEqualTo(6.0);
        assertThat(day.timeZone()).isEqualTo("Europe/Copenhagen");
        assertThat(finalOf(KpiRecord.SITE, "P1D", Instant.parse("2026-03-27T23:00:00Z")).sums().outDisposal()).isEqualTo(1.0);
        assertThat(finalOf(KpiRecord.SITE, "P1D", Instant.parse("2026-03-29T22:00:00Z")).sums().outDisposal()).isEqualTo(8.0);
        // hour windows stay fixed and UTC-aligned, with no time zone
        assertThat(finals(KpiRecord.SITE, "PT1H")).allSatisfy(k -> {
            assertThat(k.timeZone()).isNull();
            assertThat(Duration.between(k.windowStart(), k.windowEnd())).isEqualTo(Duration.ofHours(1));
        });
        assertThat(f.rejectionLog).isEmpty();
    }

    @Test
    void shouldMakeTheDayOfTheAutumnChangeTwentyFiveHoursLong() {
        // 2026-10-25 local: 00:00 CEST = 2026-10-24T22:00Z; at 03:00 clocks go back to 02:00 CET; 24:00 CET = 2026-10-25T23:00Z
        f.reading("s1", "ticket", Instant.parse("2026-10-24T22:00:00Z"), 1);
        f.reading("s1", "ticket", Instant.parse("2026-10-25T22:30:00Z"), 2); // 23:30 CET on the 25th
        f.reading("s1", "ticket", Instant.parse("2026-10-25T23:00:00Z"), 4); // 00:00 on the 26th
        closeAll();

        KpiRecord day = finalOf(KpiRecord.SITE, "P1D", Instant.parse("2026-10-24T22:00:00Z"));
        assertThat(day.windowEnd()).isEqualTo(Instant.parse("2026-10-25T23:00:00Z"));
        assertThat(Duration.between(day.windowStart(), day.windowEnd())).isEqualTo(Duration.ofHours(25));
        assertThat(day.sums().outDisposal()).isEqualTo(3.0);
        assertThat(finalOf(KpiRecord.SITE, "P1D", Instant.parse("2026-10-25T23:00:00Z")).sums().outDisposal()).isEqualTo(4.0);
    }

    @Test
    void shouldCountFebruaryInAMonthWindowAndAgreeWithTheRegion() {
        f.reading("s1", "ticket", Instant.parse("2026-01-31T22:59:59Z"), 100); // 23:59:59 on 31 January, local
        f.reading("s1", "ticket", Instant.parse("2026-01-31T23:00:00Z"), 1); // 00:00 on 1 February, local
        f.reading("s1", "ticket", Instant.parse("2026-02-14T12:00:00Z"), 2);
        f.reading("s1", "ticket", Instant.parse("2026-02-28T22:59:00Z"), 4); // 23:59 on 28 February, local
        f.reading("s1", "ticket", Instant.parse("2026-02-28T23:00:00Z"), 200); // 1 March, local
        closeAll();

        KpiRecord february = finalOf(KpiRecord.SITE, "P1M", Instant.parse("2026-01-31T23:00:00Z"));
        assertThat(february.windowEnd()).isEqualTo(Instant.parse("2026-02-28T23:00:00Z"));
        assertThat(february.sums().outDisposal()).isEqualTo(7.0);
        assertThat(february.timeZone()).isEqualTo("Europe/Copenhagen");
        assertThat(february.key()).isEqualTo("site/s1/gypsum/P1M/2026-01-31T23:00:00Z");
        KpiRecord region = finalOf(KpiRecord.REGION, "P1M", Instant.parse("2026-01-31T23:00:00Z"));
        assertThat(region.windowEnd()).isEqualTo(february.windowEnd());
        assertThat(region.timeZone()).isEqualTo("Europe/Copenhagen");
        assertThat(region.sums()).isEqualTo(february.sums());
        // every site day and month window has a region window with the same bounds
        for (String window : List.of("P1D", "P1M")) {
            assertThat(finals(KpiRecord.REGION, window)).extracting(KpiRecord::windowStart, KpiRecord::windowEnd)
                    .containsExactlyInAnyOrderElementsOf(finals(KpiRecord.SITE, window).stream()
                            .map(k -> org.assertj.core.groups.Tuple.tuple(k.windowStart(), k.windowEnd())).toList());
        }
    }
}
