package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A flow window on {@code loopflow.flows} (key: {@code site/material/role/windowStart}): the
 * {@code quantity} (canonical {@code unit}) credited by the meters of one site, material and role
 * to {@code [windowStart, windowEnd)}, from {@code readings} readings. Published provisionally
 * ({@code final: false}) while the window fills, once with {@code final: true} and
 * {@code revision: 0} when it closes, and again with {@code final: true} and {@code revision} one
 * higher each time late data restates it (CONTRACT.md section 6). Provisional records carry the
 * revision they will finalise; the record with the highest revision per key is the right one.
 */
public record FlowRecord(String site, String material, Role role, Instant windowStart, Instant windowEnd,
                         double quantity, String unit, long readings, @JsonProperty("final") boolean isFinal, int revision) {

    /** A record of revision 0 (the first final, or provisional before it). */
    public FlowRecord(String site, String material, Role role, Instant windowStart, Instant windowEnd, double quantity, String unit,
                      long readings, boolean isFinal) {
        this(site, material, role, windowStart, windowEnd, quantity, unit, readings, isFinal, 0);
    }

    /** The Kafka key: {@code site/material/role/windowStart}. */
    public String key() {
        return site + "/" + material + "/" + role.wire() + "/" + windowStart;
    }
}
