package io.loopflow.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.DataQualityRecord;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.core.model.SurplusRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PointMapperTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private final AtomicInteger omitted = new AtomicInteger();
    private final PointMapper mapper = new PointMapper(omitted::incrementAndGet);

    @Test
    void flowIsOnePointPerSiteMaterialRoleAtWindowStart() {
        FlowRecord flow = new FlowRecord("asnaes", "gypsum", Role.OUT_REUSE, T0, T0.plusSeconds(60), 12.5, "t", 3, false);

        String line = mapper.flow(flow, "kalundborg").toLineProtocol();

        assertThat(line).isEqualTo("loopflow_flow,material=gypsum,region=kalundborg,role=out.reuse,site=asnaes,unit=t,window=PT1M "
                + "final=false,quantity=12.5,readings=3i,revision=0i " + T0.toEpochMilli());
    }

    @Test
    void provisionalAndFinalFlowOfAWindowAreTheSameSeriesAndTimestamp() {
        FlowRecord provisional = new FlowRecord("asnaes", "gypsum", Role.OUT_DISPOSAL, T0, T0.plusSeconds(60), 1, "t", 1, false);
        FlowRecord last = new FlowRecord("asnaes", "gypsum", Role.OUT_DISPOSAL, T0, T0.plusSeconds(60), 4, "t", 2, true);

        String a = mapper.flow(provisional, "kalundborg").toLineProtocol();
        String b = mapper.flow(last, "kalundborg").toLineProtocol();

        assertThat(seriesAndTime(a)).isEqualTo(seriesAndTime(b));
        assertThat(b).contains("final=true", "quantity=4.0", "readings=2i");
    }

    @Test
    void aRestatedWindowOverwritesThePointOfItsWindowWithItsRevision() {
        FlowRecord first = new FlowRecord("asnaes", "gypsum", Role.OUT_DISPOSAL, T0, T0.plusSeconds(60), 4, "t", 2, true, 0);
        FlowRecord restated = new FlowRecord("asnaes", "gypsum", Role.OUT_DISPOSAL, T0, T0.plusSeconds(60), 28.3, "t", 3, true, 1);
        KpiRecord day = KpiRecord.of(KpiRecord.SITE, "asnaes", "kalundborg", "gypsum", KpiRecord.DAY, "Europe/Copenhagen", T0,
                T0.plus(Duration.ofHours(23)), new RoleSums(0, 0, 0, 0, 0, 28.3, 0), "t", true, 2);

        String a = mapper.flow(first, "kalundborg").toLineProtocol();
        String b = mapper.flow(restated, "kalundborg").toLineProtocol();

        assertThat(seriesAndTime(b)).isEqualTo(seriesAndTime(a));
        assertThat(b).contains("quantity=28.3", "readings=3i", "revision=1i");
        assertThat(mapper.kpi(day).toLineProtocol()).contains("window=P1D ", "revision=2i", "out_disposal=28.3");
    }

    @Test
    void flowOfAnUndescribedSiteHasNoRegionTag() {
        FlowRecord flow = new FlowRecord("asnaes", "gypsum", Role.IN_VIRGIN, T0, T0.plusSeconds(60), 2, "t", 1, true);

        assertThat(mapper.flow(flow, null).toLineProtocol()).doesNotContain("region=");
    }

    @Test
    void reuseFlowWithAReceiverIsAnExchangeAndOtherRolesAreNot() {
        FlowRecord reuse = new FlowRecord("asnaes", "gypsum", Role.OUT_REUSE, T0, T0.plusSeconds(60), 7, "t", 2, true);
        FlowRecord disposal = new FlowRecord("asnaes", "gypsum", Role.OUT_DISPOSAL, T0, T0.plusSeconds(60), 7, "t", 2, true);

        assertThat(mapper.exchange(reuse, "kalundborg", "gyproc").toLineProtocol())
                .isEqualTo("loopflow_exchange,material=gypsum,receiver=gyproc,region=kalundborg,site=asnaes,unit=t final=true,quantity=7.0,revision=0i "
                        + T0.toEpochMilli());
        assertThat(mapper.exchange(reuse, "kalundborg", null)).isNull();
        assertThat(mapper.exchange(disposal, "kalundborg", "gyproc")).isNull();
    }

    @Test
    void siteKpiCarriesSevenSumsAndTheRatesThatExist() {
        RoleSums sums = new RoleSums(10, 0, 5, 3, 0, 1, 0);
        KpiRecord kpi = KpiRecord.of(KpiRecord.SITE, "asnaes", "kalundborg", "gypsum", Duration.ofHours(1), T0, sums, "t", true);

        String line = mapper.kpi(kpi).toLineProtocol();

        assertThat(line).isEqualTo("loopflow_kpi,material=gypsum,region=kalundborg,scope=site,site=asnaes,unit=t,window=PT1H "
                + "circular_input_rate=0.0,final=true,in_secondary=0.0,in_virgin=10.0,landfill_rate=0.25,out_disposal=1.0,"
                + "out_product=5.0,out_recovery=0.0,out_reuse=3.0,out_storage=0.0,recycling_rate=0.75,revision=0i " + T0.toEpochMilli());
    }

    @Test
    void nullRatesAreOmittedFieldsNeverNaN() {
        KpiRecord kpi = KpiRecord.of(KpiRecord.REGION, null, "kalundborg", "gypsum", Duration.ofDays(1), T0, RoleSums.ZERO, "t", false);

        String line = mapper.kpi(kpi).toLineProtocol();

        assertThat(line).startsWith("loopflow_kpi,material=gypsum,region=kalundborg,scope=region,unit=t,window=P1D ")
                .doesNotContain("rate", "NaN", "site=");
        assertThat(omitted).hasValue(0);
    }

    @Test
    void nonFiniteNumbersAreOmittedAndReported() {
        SurplusRecord surplus = new SurplusRecord("asnaes", "gypsum", Double.NaN, Double.POSITIVE_INFINITY, "t", SurplusRecord.Source.STOCK, T0);

        String line = mapper.surplus(surplus, "kalundborg").toLineProtocol();

        assertThat(line).isEqualTo("loopflow_surplus,material=gypsum,region=kalundborg,site=asnaes,unit=t source=\"stock\" " + T0.toEpochMilli());
        assertThat(omitted).hasValue(2);
    }

    @Test
    void surplusIsWrittenAtItsEventTime() {
        SurplusRecord surplus = new SurplusRecord("asnaes", "gypsum", 120.5, 2.25, "t", SurplusRecord.Source.STORAGE, T0.plusMillis(1234));

        assertThat(mapper.surplus(surplus, null).toLineProtocol())
                .isEqualTo("loopflow_surplus,material=gypsum,site=asnaes,unit=t available=120.5,rate=2.25,source=\"storage\" " + (T0.toEpochMilli() + 1234));
    }

    @Test
    void matchAlertIsOpenAndTaggedWithItsCounterpart() {
        AlertRecord match = new AlertRecord("match/asnaes/gyproc/gypsum/1", AlertRecord.Type.MATCH, "asnaes", "gypsum", "gyproc",
                80.0, 40.0, 12.3, T0, "80 t of gypsum at asnaes, 12.3 km from gyproc");

        assertThat(mapper.alert(match, "kalundborg").toLineProtocol()).isEqualTo(
                "loopflow_alert,counterpart=gyproc,kind=match,material=gypsum,region=kalundborg,site=asnaes "
                        + "available=80.0,distance_km=12.3,id=\"match/asnaes/gyproc/gypsum/1\","
                        + "message=\"80 t of gypsum at asnaes, 12.3 km from gyproc\",open=1i,threshold=40.0,type=\"match\" " + T0.toEpochMilli());
    }

    @Test
    void clearedSurplusAlertIsClosedAndHasNoCounterpart() {
        AlertRecord cleared = new AlertRecord("s/1", AlertRecord.Type.SURPLUS_CLEARED, "asnaes", "gypsum", null, 30.0, 50.0, null, T0, null);

        assertThat(mapper.alert(cleared, null).toLineProtocol()).isEqualTo(
                "loopflow_alert,kind=surplus,material=gypsum,site=asnaes available=30.0,id=\"s/1\",open=0i,threshold=50.0,type=\"surplus.cleared\" "
                        + T0.toEpochMilli());
    }

    @Test
    void ingestPointsAreIntegers() {
        assertThat(mapper.ingest("rejected", "late", 3, T0, 17).toLineProtocol())
                .isEqualTo("loopflow_ingest,outcome=rejected,partition=3,reason=late readings=17i " + T0.toEpochMilli());
    }

    @Test
    void consumerLagIsAnIntegerPerGroupTopicAndPartition() {
        assertThat(mapper.lag("loopflow-streams-surplus", "loopflow.flows", 2, 42, T0).toLineProtocol())
                .isEqualTo("loopflow_consumer_lag,group=loopflow-streams-surplus,partition=2,topic=loopflow.flows lag=42i " + T0.toEpochMilli());
        assertThat(PointMapper.tagKeys()).containsEntry(PointMapper.CONSUMER_LAG, List.of("group", "topic", "partition"))
                .doesNotContainKey("loopflow_sink_lag");
    }

    @Test
    void dataQualityFindingIsOpenUntilResolved() {
        DataQualityRecord open = new DataQualityRecord("gyproc", "gypsum", DataQualityRecord.NO_COORDINATES, "no lat/lon", false, T0);
        DataQualityRecord resolved = new DataQualityRecord("gyproc", "gypsum", DataQualityRecord.NO_COORDINATES, null, true, T0.plusSeconds(5));

        assertThat(mapper.dataQuality(open).toLineProtocol())
                .isEqualTo("loopflow_dataquality,issue=no_coordinates,material=gypsum,site=gyproc detail=\"no lat/lon\",open=1i " + T0.toEpochMilli());
        assertThat(mapper.dataQuality(resolved).toLineProtocol())
                .isEqualTo("loopflow_dataquality,issue=no_coordinates,material=gypsum,site=gyproc open=0i " + (T0.toEpochMilli() + 5000));
    }

    @Test
    void windowTagsAreIsoDurationsWithWholeDaysInDays() {
        assertThat(PointMapper.windowTag(Duration.ofMinutes(1))).isEqualTo("PT1M");
        assertThat(PointMapper.windowTag(Duration.ofHours(1))).isEqualTo("PT1H");
        assertThat(PointMapper.windowTag(Duration.ofDays(1))).isEqualTo("P1D");
        assertThat(PointMapper.windowTag(Duration.ofDays(7))).isEqualTo("P7D");
        assertThat(PointMapper.windowTag(Duration.ofHours(36))).isEqualTo("PT36H");
    }

    private static String seriesAndTime(String line) {
        return line.substring(0, line.indexOf(' ')) + line.substring(line.lastIndexOf(' '));
    }
}
