package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/** How a meter's {@code value} is to be read (CONTRACT.md sections 2 and 3). */
public enum MeterKind {
    /** A discrete amount: the value is credited as it is. */
    QUANTITY("quantity"),
    /** A running totaliser: the difference to the previous reading is credited; a drop is a reset. */
    COUNTER("counter"),
    /** An instantaneous flow rate: credited by the trapezoid rule between readings. */
    RATE("rate"),
    /** An amount in storage at that instant: credits nothing, the latest is the stock. */
    LEVEL("level");

    private final String wire;

    MeterKind(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    public static Optional<MeterKind> find(String wire) {
        for (MeterKind k : values()) {
            if (k.wire.equals(wire)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    @JsonCreator
    public static MeterKind ofWire(String wire) {
        return find(wire).orElseThrow(() -> new IllegalArgumentException("unknown kind '" + wire + "'"));
    }
}
