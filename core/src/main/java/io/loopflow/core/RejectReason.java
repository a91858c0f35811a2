package io.loopflow.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The rejection reasons of CONTRACT.md section 3, with their wire names. */
public enum RejectReason {
    /** Not JSON, not an object/array, payload over 256 KiB, array over 1000 elements. */
    MALFORMED("malformed"),
    /** A field missing or of the wrong type, or an invalid id in the topic. */
    INVALID_FIELD("invalid_field"),
    /** NaN or infinite value. */
    NON_FINITE("non_finite"),
    /** {@code ts} more than {@code ingest.max-future} ahead of the gateway clock. */
    FUTURE_TIMESTAMP("future_timestamp"),
    /** No meter descriptor known for that site and meter. */
    UNKNOWN_METER("unknown_meter"),
    /** A reading unit that cannot convert to the meter's unit. */
    UNIT_MISMATCH("unit_mismatch"),
    /** Same meter and same {@code seq}, or same {@code ts}, as a reading already accepted. */
    DUPLICATE("duplicate"),
    /** The flow window that holds its {@code ts} has closed. */
    LATE("late");

    private final String wire;

    RejectReason(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static RejectReason ofWire(String wire) {
        for (RejectReason r : values()) {
            if (r.wire.equals(wire)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown rejection reason '" + wire + "'");
    }
}
