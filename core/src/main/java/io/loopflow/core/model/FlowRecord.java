package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A flow window on {@code loopflow.flows} (key: {@code site/material/role/windowStart}): the
 * {@code quantity} (canonical {@code unit}) credited by the meters of one site, material and role
 * to {@code [windowStart, windowEnd)}, from {@code readings} readings. Published provisionally
 * ({@code final: false}) while the window fills and exactly once with {@code final: true}.
 */
public record FlowRecord(String site, String material, Role role, Instant windowStart, Instant windowEnd,
                         double quantity, String unit, long readings, @JsonProperty("final") boolean isFinal) {

    /** The Kafka key: {@code site/material/role/windowStart}. */
    public String key() {
        return site + "/" + material + "/" + role.wire() + "/" + windowStart;
    }
}
