package io.loopflow.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopflow.core.json.Json;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RoleSumsTest {

    @Test
    void shouldComputeTheRatesOfSectionFive() {
        RoleSums sums = RoleSums.ZERO.plus(Role.OUT_REUSE, 60).plus(Role.OUT_DISPOSAL, 30).plus(Role.OUT_STORAGE, 10)
                .plus(Role.IN_VIRGIN, 75).plus(Role.IN_SECONDARY, 25).plus(Role.OUT_PRODUCT, 500);

        assertThat(sums.residues()).isEqualTo(100);
        assertThat(sums.recyclingRate()).isCloseTo(0.6, within(1e-12));
        assertThat(sums.landfillRate()).isCloseTo(0.3, within(1e-12));
        assertThat(sums.circularInputRate()).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void shouldGiveNullNeverZeroOrNaNWhenADenominatorIsZero() {
        RoleSums onlyProduct = RoleSums.ZERO.plus(Role.OUT_PRODUCT, 12);

        assertThat(onlyProduct.recyclingRate()).isNull();
        assertThat(onlyProduct.landfillRate()).isNull();
        assertThat(onlyProduct.circularInputRate()).isNull();
    }

    @Test
    void shouldBuildRegionFiguresFromSumsNotMeansOfSiteRates() {
        // Site A recycles 90 of 100 t (0.9); site B 0 of 900 t (0.0). Mean of rates = 0.45; ratio of sums = 0.09.
        RoleSums a = RoleSums.ZERO.plus(Role.OUT_REUSE, 90).plus(Role.OUT_DISPOSAL, 10);
        RoleSums b = RoleSums.ZERO.plus(Role.OUT_DISPOSAL, 900);

        RoleSums region = a.plus(b);

        assertThat(region.recyclingRate()).isCloseTo(90.0 / 1000, within(1e-12));
        assertThat(region.landfillRate()).isCloseTo(910.0 / 1000, within(1e-12));
    }

    @Test
    void shouldWriteNullRatesExplicitlyAndRoleSumsByContractRoleNames() {
        KpiRecord kpi = KpiRecord.of(KpiRecord.SITE, "asnaes", "kalundborg", "gypsum", Duration.ofHours(1),
                Instant.parse("2026-11-22T10:00:00Z"), RoleSums.ZERO.plus(Role.OUT_PRODUCT, 5), "t", true);

        String json = Json.writeString(kpi);

        assertThat(json).contains("\"recyclingRate\":null", "\"landfillRate\":null", "\"circularInputRate\":null",
                "\"out.product\":5.0", "\"final\":true", "\"window\":\"PT1H\"", "\"windowEnd\":\"2026-11-22T11:00:00Z\"");
        assertThat(json).contains("\"revision\":0").doesNotContain("timeZone");
        assertThat(kpi.key()).isEqualTo("site/asnaes/gypsum/PT1H/2026-11-22T10:00:00Z");
        assertThat(Json.read(Json.write(kpi), KpiRecord.class)).isEqualTo(kpi);
    }

    @Test
    void shouldNameCalendarWindowsAndTheirZoneAndKeyThemByWindow() {
        KpiRecord day = KpiRecord.of(KpiRecord.REGION, null, "kalundborg", "gypsum", KpiRecord.DAY, "Europe/Copenhagen",
                Instant.parse("2026-03-28T23:00:00Z"), Instant.parse("2026-03-29T22:00:00Z"), RoleSums.ZERO, "t", true, 2);

        String json = Json.writeString(day);

        assertThat(json).contains("\"window\":\"P1D\"", "\"timeZone\":\"Europe/Copenhagen\"", "\"revision\":2",
                "\"windowEnd\":\"2026-03-29T22:00:00Z\"");
        assertThat(day.key()).isEqualTo("region/kalundborg/gypsum/P1D/2026-03-28T23:00:00Z");
        assertThat(Json.read(Json.write(day), KpiRecord.class)).isEqualTo(day);
    }

    @Test
    void shouldRoundTripFlowRecordsWithTheContractFieldNames() {
        FlowRecord flow = new FlowRecord("asnaes", "gypsum", Role.OUT_REUSE, Instant.parse("2026-11-22T10:00:00Z"),
                Instant.parse("2026-11-22T10:01:00Z"), 12.5, "t", 3, false);

        String json = Json.writeString(flow);

        assertThat(json).contains("\"role\":\"out.reuse\"", "\"final\":false", "\"windowStart\":\"2026-11-22T10:00:00Z\"", "\"revision\":0");
        assertThat(flow.key()).isEqualTo("asnaes/gypsum/out.reuse/2026-11-22T10:00:00Z");
        assertThat(Json.read(Json.write(flow), FlowRecord.class)).isEqualTo(flow);
    }
}
