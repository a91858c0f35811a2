package io.loopflow.core.units;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The three physical dimensions of CONTRACT.md section 4, each with its canonical amount unit. */
public enum Dimension {
    MASS("mass", "t"),
    ENERGY("energy", "MWh"),
    VOLUME("volume", "m3");

    private final String wire;
    private final String canonicalUnit;

    Dimension(String wire, String canonicalUnit) {
        this.wire = wire;
        this.canonicalUnit = canonicalUnit;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** The canonical amount unit symbol ({@code t}, {@code MWh}, {@code m3}); rates are that per hour. */
    public String canonicalUnit() {
        return canonicalUnit;
    }

    @JsonCreator
    public static Dimension ofWire(String wire) {
        for (Dimension d : values()) {
            if (d.wire.equals(wire)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dimension '" + wire + "' (mass, energy, volume)");
    }
}
