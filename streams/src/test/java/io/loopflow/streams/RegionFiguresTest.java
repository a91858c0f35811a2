package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

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

/** Region key figures: sums over the region's sites, rates from sums (CONTRACT.md section 5). */
class RegionFiguresTest {
    private static final Instant H8 = Instant.parse("2026-11-22T08:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);

    @TempDir
    Path stateDir;
    private TopologyFixture f;

    @BeforeEach
    void startDriver() {
        f = new TopologyFixture(stateDir);
        f.site("s1", "kalundborg").site("s2", "kalundborg").site("s3", "elsewhere");
        for (String s : List.of("s1", "s2", "s3")) {
            f.meter(s, "reuse", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
            f.meter(s, "landfill", "gypsum", Role.OUT_DISPOSAL, MeterKind.QUANTITY, "t");
        }
    }

    @AfterEach
    void closeDriver() {
        f.close();
    }

    private static Instant at(int minute) {
        return H8.plusSeconds(minute * 60L);
    }

    private List<KpiRecord> regionHour(String region) {
        return f.kpiLog.stream().filter(k -> k.scope().equals(KpiRecord.REGION) && k.region().equals(region)
                && k.window().equals(HOUR.toString()) && k.windowStart().equals(H8)).toList();
    }

    @Test
    void shouldSumSitesAndComputeRatesFromTheSums() {
        f.reading("s1", "reuse", at(10), 10);
        f.reading("s2", "reuse", at(10), 10).reading("s2", "landfill", at(20), 30);
        f.reading("s3", "landfill", at(30), 7);
        f.tick();
        f.advance(Duration.ofMinutes(16));

        assertThat(regionHour("kalundborg")).isNotEmpty().filteredOn(KpiRecord::isFinal).singleElement().satisfies(k -> {
            assertThat(k.site()).isNull();
            assertThat(k.key()).isEqualTo("region/kalundborg/gypsum/PT1H/2026-11-22T08:00:00Z");
            assertThat(k.sums().outReuse()).isEqualTo(20.0);
            assertThat(k.sums().outDisposal()).isEqualTo(30.0);
            // site rates are 1.0 and 0.25; their mean (0.625) would be wrong
            assertThat(k.recyclingRate()).isEqualTo(0.4);
            assertThat(k.landfillRate()).isEqualTo(0.6);
            assertThat(k.circularInputRate()).isNull();
            assertThat(k.unit()).isEqualTo("t");
        });
        assertThat(regionHour("elsewhere")).filteredOn(KpiRecord::isFinal).singleElement().satisfies(k -> {
            assertThat(k.sums().outDisposal()).isEqualTo(7.0);
            assertThat(k.recyclingRate()).isEqualTo(0.0);
        });
        assertThat(f.finalKpis(KpiRecord.REGION)).extracting(KpiRecord::key).doesNotHaveDuplicates();
        assertThat(f.finalKpis(KpiRecord.SITE)).filteredOn(k -> k.site().equals("s1") && k.window().equals(HOUR.toString())).singleElement()
                .satisfies(k -> assertThat(k.region()).isEqualTo("kalundborg"));
    }

    @Test
    void shouldGiveNullRatesWhereTheDenominatorIsZero() {
        f.meter("s1", "ore", "ore", Role.IN_VIRGIN, MeterKind.QUANTITY, "t");
        f.reading("s1", "ore", at(5), 4);
        f.advance(Duration.ofMinutes(16));

        assertThat(regionHour("kalundborg")).filteredOn(k -> k.isFinal() && k.material().equals("ore")).singleElement().satisfies(k -> {
            assertThat(k.recyclingRate()).isNull();
            assertThat(k.landfillRate()).isNull();
            assertThat(k.circularInputRate()).isEqualTo(0.0);
        });
    }

    @Test
    void shouldWaitForALaggingSiteOfTheRegion() {
        f.reading("s1", "reuse", at(10), 10).reading("s1", "landfill", at(10), 10);
        f.reading("s1", "reuse", at(70), 1).reading("s1", "landfill", at(70), 1);
        f.reading("s2", "reuse", at(30), 5).reading("s2", "landfill", at(30), 5);
        f.tick();
        assertThat(f.finalKpis(KpiRecord.SITE)).filteredOn(k -> k.site().equals("s1") && k.window().equals(HOUR.toString())).hasSize(1);
        assertThat(regionHour("kalundborg")).filteredOn(KpiRecord::isFinal).isEmpty();

        f.reading("s2", "reuse", at(50), 5).reading("s2", "landfill", at(66), 1).reading("s2", "reuse", at(66), 1);
        f.tick();

        assertThat(regionHour("kalundborg")).filteredOn(KpiRecord::isFinal).singleElement().satisfies(k -> {
            assertThat(k.sums().outReuse()).isEqualTo(20.0);
            assertThat(k.sums().outDisposal()).isEqualTo(15.0);
        });
    }

    @Test
    void shouldStopWaitingForASiteThatLeftTheRegion() {
        f.reading("s1", "reuse", at(10), 10).reading("s1", "landfill", at(10), 10);
        f.reading("s2", "reuse", at(20), 5).reading("s2", "landfill", at(20), 5);
        f.tick();
        f.reading("s1", "reuse", at(70), 1).reading("s1", "landfill", at(70), 1);
        f.tick();
        assertThat(regionHour("kalundborg")).filteredOn(KpiRecord::isFinal).isEmpty();

        f.site("s2", "elsewhere").tick();

        assertThat(regionHour("kalundborg")).filteredOn(KpiRecord::isFinal).singleElement().satisfies(k -> {
            assertThat(k.sums().outReuse()).isEqualTo(15.0);
            assertThat(k.sums().outDisposal()).isEqualTo(15.0);
        });
    }

    @Test
    void shouldKeyTheKeyFiguresOfBothScopesByWindowSoTheLatestPerKeyIsTheFinal() {
        f.reading("s1", "reuse", at(10), 10);
        f.tick();
        assertThat(latest("site/s1/gypsum/PT1H/2026-11-22T08:00:00Z").isFinal()).isFalse();

        f.advance(Duration.ofMinutes(16));

        assertThat(latest("site/s1/gypsum/PT1H/2026-11-22T08:00:00Z").isFinal()).isTrue();
        assertThat(latest("region/kalundborg/gypsum/PT1H/2026-11-22T08:00:00Z").sums().outReuse()).isEqualTo(10.0);
        // the hour and the day starting together are two keys (the kpis key carries the window)
        assertThat(latest("site/s1/gypsum/P1D/2026-11-22T00:00:00Z").window()).isEqualTo("P1D");
    }

    /** The last record published under {@code key}, as a table over loopflow.kpis holds it. */
    private KpiRecord latest(String key) {
        List<KpiRecord> all = f.kpiLog.stream().filter(k -> k.key().equals(key)).toList();
        assertThat(all).as(key).isNotEmpty();
        return all.get(all.size() - 1);
    }
}
