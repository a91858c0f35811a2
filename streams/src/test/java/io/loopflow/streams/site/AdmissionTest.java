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

        assertThat(Admission.duplicateOrLate(r, true, true, "s1", "gypsum", Role.OUT_REUSE, floor, MIN).detail())
                .isEqualTo("seq 41 was already accepted from this meter");
        assertThat(Admission.duplicateOrLate(r, false, true, "s1", "gypsum", Role.OUT_REUSE, floor, MIN).detail())
                .isEqualTo("a reading at 2026-11-22T08:00:30Z was already accepted from this meter");
        Admission.Rejected late = Admission.duplicateOrLate(r, false, false, "s1", "gypsum", Role.OUT_REUSE, floor, MIN);
        assertThat(late.reason()).isEqualTo(RejectReason.LATE);
        assertThat(late.detail()).isEqualTo("the flow window 2026-11-22T08:00:00Z/2026-11-22T08:01:00Z of s1/gypsum/out.reuse has closed "
                + "(closed until 2026-11-22T08:01:30Z)");
    }

    @Test
    void shouldTakeAReadingAtOrAfterTheFloor() {
        assertThat(Admission.duplicateOrLate(reading(null, 41L), false, false, "s1", "gypsum", Role.OUT_REUSE, TS.toEpochMilli(), MIN)).isNull();
        assertThat(Admission.duplicateOrLate(reading(null, null), false, false, "s1", "gypsum", Role.OUT_REUSE, Long.MIN_VALUE, MIN)).isNull();
    }

    @Test
    void shouldTellAPlantHowToRegisterAnUnknownMeter() {
        assertThat(Admission.unknownMeter("s1", "scale").detail())
                .isEqualTo("no meter descriptor known for site 's1' meter 'scale': publish loopflow/v1/s1/meters/scale/meta first");
    }
}
