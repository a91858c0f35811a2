package io.loopflow.core.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitTest {

    @ParameterizedTest(name = "1 {0} = {1} canonical")
    @CsvSource({
        "kg, 0.001", "t, 1", "kg/s, 3.6", "kg/h, 0.001", "t/h, 1", "t/d, 0.0416666666667",
        "kWh, 0.001", "MWh, 1", "GJ, 0.277777777778", "kW, 0.001", "MW, 1",
        "L, 0.001", "m3, 1", "L/s, 3.6", "m3/h, 1", "m3/d, 0.0416666666667"})
    void shouldConvertEveryContractUnitToItsCanonicalUnit(String symbol, double canonical) {
        Unit unit = Unit.ofSymbol(symbol).orElseThrow();
        assertThat(unit.toCanonical(1)).isCloseTo(canonical, within(1e-9));
    }

    @Test
    void shouldKnowExactlyTheSixteenSymbolsOfTheTable() {
        assertThat(Unit.values()).hasSize(16);
        assertThat(Unit.ofSymbol("MJ")).isEmpty();
        assertThat(Unit.ofSymbol("mw")).as("symbols are case-sensitive").isEmpty();
        assertThat(Unit.ofSymbol("T")).isEmpty();
    }

    @Test
    void shouldConvertWithinADimensionAndSort() {
        assertThat(Unit.KG.convert(2500, Unit.T)).isCloseTo(2.5, within(1e-12));
        assertThat(Unit.GJ.convert(3.6, Unit.MWH)).isCloseTo(1.0, within(1e-12));
        assertThat(Unit.L_PER_S.convert(1, Unit.M3_PER_H)).isCloseTo(3.6, within(1e-12));
        assertThat(Unit.T_PER_D.convert(24, Unit.T_PER_H)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void shouldNeverConvertAcrossDimensionsOrBetweenAmountsAndRates() {
        assertThat(Unit.T.convertibleTo(Unit.M3)).isFalse();
        assertThat(Unit.T.convertibleTo(Unit.T_PER_H)).isFalse();
        assertThat(Unit.MWH.convertibleTo(Unit.MW)).isFalse();
        assertThatThrownBy(() -> Unit.KG.convert(1, Unit.KWH)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kg does not convert to kWh");
    }

    @Test
    void shouldNameCanonicalUnitsPerDimension() {
        assertThat(Dimension.MASS.canonicalUnit()).isEqualTo("t");
        assertThat(Dimension.ENERGY.canonicalUnit()).isEqualTo("MWh");
        assertThat(Dimension.VOLUME.canonicalUnit()).isEqualTo("m3");
    }
}
