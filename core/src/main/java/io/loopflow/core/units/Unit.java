package io.loopflow.core.units;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The closed unit table of CONTRACT.md section 4. Each unit converts to its dimension's canonical
 * unit by one factor: amounts to {@code t}, {@code MWh}, {@code m3}; rates to those per hour.
 *
 * <p>A table rather than Indriya/javax.measure: the contract names exactly fifteen symbols, some of
 * which ({@code t/d}, {@code m3}, {@code L}) Indriya's default parser spells differently, and
 * every conversion is one multiplication; the table is the contract, tested symbol by symbol.
 */
public enum Unit {
    KG("kg", Dimension.MASS, false, 0.001),
    T("t", Dimension.MASS, false, 1),
    KG_PER_S("kg/s", Dimension.MASS, true, 3.6),
    KG_PER_H("kg/h", Dimension.MASS, true, 0.001),
    T_PER_H("t/h", Dimension.MASS, true, 1),
    T_PER_D("t/d", Dimension.MASS, true, 1.0 / 24),
    KWH("kWh", Dimension.ENERGY, false, 0.001),
    MWH("MWh", Dimension.ENERGY, false, 1),
    GJ("GJ", Dimension.ENERGY, false, 1.0 / 3.6),
    KW("kW", Dimension.ENERGY, true, 0.001),
    MW("MW", Dimension.ENERGY, true, 1),
    L("L", Dimension.VOLUME, false, 0.001),
    M3("m3", Dimension.VOLUME, false, 1),
    L_PER_S("L/s", Dimension.VOLUME, true, 3.6),
    M3_PER_H("m3/h", Dimension.VOLUME, true, 1),
    M3_PER_D("m3/d", Dimension.VOLUME, true, 1.0 / 24);

    private final String symbol;
    private final Dimension dimension;
    private final boolean rate;
    private final double toCanonical;

    Unit(String symbol, Dimension dimension, boolean rate, double toCanonical) {
        this.symbol = symbol;
        this.dimension = dimension;
        this.rate = rate;
        this.toCanonical = toCanonical;
    }

    // Looked up for every reading: a map, not values() (which copies the array on each call).
    private static final Map<String, Unit> BY_SYMBOL = Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Unit::symbol, u -> u));

    /** The unit by its contract symbol (case-sensitive: {@code MW} is not {@code mW}). */
    public static Optional<Unit> ofSymbol(String symbol) {
        return Optional.ofNullable(symbol == null ? null : BY_SYMBOL.get(symbol));
    }

    public String symbol() {
        return symbol;
    }

    public Dimension dimension() {
        return dimension;
    }

    /** True for a rate unit (per time), false for an amount unit. */
    public boolean isRate() {
        return rate;
    }

    /** {@code value} in this unit expressed in the canonical unit (canonical amount, or canonical amount per hour). */
    public double toCanonical(double value) {
        return value * toCanonical;
    }

    /** {@code value} in this unit expressed in {@code target}; both must be of the same dimension and sort. */
    public double convert(double value, Unit target) {
        if (!convertibleTo(target)) {
            throw new IllegalArgumentException(symbol + " does not convert to " + target.symbol);
        }
        return value * toCanonical / target.toCanonical;
    }

    /** True when a value in this unit can be expressed in {@code target}: same dimension, both amounts or both rates. */
    public boolean convertibleTo(Unit target) {
        return dimension == target.dimension && rate == target.rate;
    }

    @Override
    public String toString() {
        return symbol;
    }
}
