package io.loopflow.streams.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class KpiQueryTest {
    private static final Instant H8 = Instant.parse("2026-11-22T08:00:00Z");
    private final KpiRecord siteHour = KpiRecord.of(KpiRecord.SITE, "asnaes", "kalundborg", "gypsum", Duration.ofHours(1), H8,
            RoleSums.ZERO.plus(Role.OUT_REUSE, 1), "t", false);
    private final KpiRecord regionHour = KpiRecord.of(KpiRecord.REGION, null, "kalundborg", "gypsum", Duration.ofHours(1), H8,
            RoleSums.ZERO.plus(Role.OUT_REUSE, 1), "t", true);
    private final KpiRecord siteDay = KpiRecord.of(KpiRecord.SITE, "gyproc", "kalundborg", "steam", Duration.ofDays(1),
            Instant.parse("2026-11-22T00:00:00Z"), RoleSums.ZERO, "MWh", false);
    private final List<KpiRecord> all = List.of(siteDay, siteHour, regionHour);

    @Test
    void shouldMatchEverythingWithoutParameters() {
        assertThat(KpiQuery.parse(null).select(all)).containsExactly(regionHour, siteHour, siteDay);
    }

    @Test
    void shouldFilterBySiteRegionMaterialWindowAndScope() {
        assertThat(KpiQuery.parse("site=asnaes").select(all)).containsExactly(siteHour);
        assertThat(KpiQuery.parse("region=kalundborg&window=PT1H").select(all)).containsExactly(regionHour, siteHour);
        assertThat(KpiQuery.parse("region=kalundborg&scope=region").select(all)).containsExactly(regionHour);
        assertThat(KpiQuery.parse("material=steam&window=P1D").select(all)).containsExactly(siteDay);
        assertThat(KpiQuery.parse("material=nothing").select(all)).isEmpty();
    }

    @Test
    void shouldRefuseUnknownParametersAndBadValues() {
        assertThatThrownBy(() -> KpiQuery.parse("sight=asnaes")).hasMessageContaining("unknown parameter 'sight'");
        assertThatThrownBy(() -> KpiQuery.parse("window=1h")).hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> KpiQuery.parse("scope=planet")).hasMessageContaining("scope");
        assertThatThrownBy(() -> KpiQuery.parse("site=a&site=b")).hasMessageContaining("twice");
    }
}
