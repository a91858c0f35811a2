package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;

/**
 * An alert on {@code loopflow.alerts} (key: {@code id}) and on MQTT {@code loopflow/v1/{site}/alerts}
 * for every site it concerns (CONTRACT.md sections 5 and 6). {@code site} holds the surplus;
 * {@code counterpart} is the demanding site of a match (absent for surplus alerts);
 * {@code distanceKm} is the great-circle distance of a match; {@code threshold} is the surplus
 * threshold (surplus alerts) or the demanded quantity (matches), in the canonical unit.
 * {@code id} is deterministic, so a consumer can deduplicate a redelivered alert.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertRecord(String id, Type type, String site, String material, String counterpart, Double available,
                          Double threshold, Double distanceKm, Instant ts, String message) {

    /** The four alert transitions of section 5. */
    public enum Type {
        SURPLUS_AVAILABLE("surplus.available"), SURPLUS_CLEARED("surplus.cleared"), MATCH("match"), MATCH_CLOSED("match.closed");

        private final String wire;

        Type(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        @JsonCreator
        public static Type ofWire(String wire) {
            for (Type t : values()) {
                if (t.wire.equals(wire)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown alert type '" + wire + "'");
        }
    }
}
