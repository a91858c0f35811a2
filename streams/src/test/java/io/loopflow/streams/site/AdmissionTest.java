package io.loopflow.streams.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopflow.core.RejectReason;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.units.Dimension;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The pure admission checks, in the contract's order and with their details. */
class AdmissionTest {
    private static final Instant TS = Instant.parse("2026-11-22T08:00:30Z");
    private static final MeterDescriptor SCALE = new MeterDescriptor("gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t", null);
    private static final long MIN = 60_000;

    private static ReadingRecord reading(String unit, Long seq) {
        return new ReadingRecord("s1", "scale", TS, 2500, seq, unit, TS);
    }

    @Test
    void shouldConvertToTheCanonicalUnitOfTheMetersDimension() {
        Admission.Units units = Admission.units(reading("kg", null), SCALE, new MaterialDescriptor("FGD gypsum", Dimension.MASS, null, null));

        assertThat(units.ok()).isTrue();
        assertThat(units.canonicalValue()).isCloseTo(2.5, within(1e-12));
        assertThat(units.dimension()).isEqualTo(Dimension.MASS);
    }

    @Test
    void shouldRefuseUnitsThatAreNotLoopflowsOrDoNotConvert() {
        assertThat(Admission.units(reading("furlong", null), SCALE, null).rejected())
                .isEqualTo(new Admission.Rejected(RejectReason.UNIT_MISMATCH, "unit 'furlong' is not a LoopFlow unit"));
        assertThat(Admission.units(reading("MWh", null), SCALE, null).rejected())
                .isEqualTo(new Admission.Rejected(RejectReason.UNIT_MISMATCH, "unit 'MWh' does not convert to the meter's unit 't'"));
    }

    @Test
    void shouldRefuseAMeterWhoseDimensionIsNotItsMaterials() {
        Admission.Units units = Admission.units(reading(null, null), SCALE, new MaterialDescriptor("Steam", Dimension.ENERGY, null, null));

        assertThat(units.rejected().reason()).isEqualTo(RejectReason.UNIT_MISMATCH);
        assertThat(units.rejected().detail()).isEqualTo("meter unit 't' is mass but material 'gypsum' is energy");
    }

    @Test
    void shouldCheckSeqThenTsThenLatenessInThatOrder() {
        ReadingRecord r = reading(null, 41L);
        long floor = TS.toEpochMilli() + MIN;
        long clock = TS.toEpochMilli() + 2 * MIN;

        assertThat(admit(r, MeterKind.COUNTER, clock, true, true, floor, Long.MIN_VALUE).rejected().detail())
                .isEqualTo("seq 41 was already accepted from this meter");
        assertThat(admit(r, MeterKind.COUNTER, clock, false, true, floor, Long.MIN_VALUE).rejected().detail())
                .isEqualTo("a reading at 2026-11-22T08:00:30Z was already accepted from this meter");
        Admission.Rejected late = admit(r, MeterKind.COUNTER, clock, false, false, floor, Long.MIN_VALUE).rejected();
        assertThat(late.reason()).isEqualTo(RejectReason.LATE);
        assertThat(late.detail()).isEqualTo("older than its meter's clock (2026-11-22T08:02:30Z) in a closed window: the flow window "
                + "2026-11-22T08:00:00Z/2026-11-22T08:01:00Z of s1/gypsum/out.reuse has closed (closed until 2026-11-22T08:01:30Z) "
                + "and a counter reading there would change credits already given");
    }

    @Test
    void shouldTakeAReadingAtOrAfterTheFloor() {
        assertThat(admit(reading(null, 41L), MeterKind.COUNTER, null, false, false, TS.toEpochMilli(), Long.MIN_VALUE).fate())
                .isEqualTo(Admission.Fate.CREDIT);
        assertThat(admit(reading(null, null), MeterKind.RATE, null, false, false, Long.MIN_VALUE, Long.MIN_VALUE).fate())
                .isEqualTo(Admission.Fate.CREDIT);
    }

    @Test
    void shouldRestateAClosedWindowWithAQuantityOrAReadingNewerThanItsMetersClock() {
        long floor = TS.toEpochMilli() + MIN;
        ReadingRecord r = reading(null, null);

        assertThat(admit(r, MeterKind.QUANTITY, TS.toEpochMilli() + 2 * MIN, false, false, floor, Long.MIN_VALUE).fate())
                .isEqualTo(Admission.Fate.RESTATE);
        assertThat(admit(r, MeterKind.COUNTER, TS.toEpochMilli() - MIN, false, false, floor, Long.MIN_VALUE).fate())
                .isEqualTo(Admission.Fate.RESTATE);
        assertThat(admit(r, MeterKind.RATE, null, false, false, floor, Long.MIN_VALUE).fate()).isEqualTo(Admission.Fate.RESTATE);
    }

    @Test
    void shouldRejectAnythingOlderThanTheHorizonAsLateSayingSo() {
        long floor = TS.toEpochMilli() + 60 * MIN;
        Admission.Verdict v = admit(reading(null, null), MeterKind.QUANTITY, null, false, false, floor, TS.toEpochMilli() + MIN);

        assertThat(v.fate()).isEqualTo(Admission.Fate.REJECT);
        assertThat(v.rejected().reason()).isEqualTo(RejectReason.LATE);
        assertThat(v.rejected().detail()).startsWith("older than restate.horizon: the flow window 2026-11-22T08:00:00Z/2026-11-22T08:01:00Z")
                .endsWith("data before 2026-11-22T08:01:30Z no longer restates it");
    }

    private static Admission.Verdict admit(ReadingRecord r, MeterKind kind, Long clock, boolean seqSeen, boolean tsHeld, long floor, long horizon) {
        return Admission.admit(r, kind, clock, seqSeen, tsHeld, "s1", "gypsum", Role.OUT_REUSE, floor, horizon, MIN);
    }

    @Test
    void shouldTellAPlantHowToRegisterAnUnknownMeter() {
        assertThat(Admission.unknownMeter("s1", "scale").detail())
                .isEqualTo("no meter descriptor known for site 's1' meter 'scale': publish loopflow/v1/s1/meters/scale/meta first");
    }
}
