package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;

/**
 * Surplus of one site and material on {@code loopflow.surplus} (key: {@code site/material}),
 * CONTRACT.md section 5: {@code available} is the sum of the latest levels of the site's stock
 * meters ({@code source: stock}) or, without stock meters, the {@code out.storage} quantity of the
 * last {@code surplus.horizon} ({@code source: storage}); {@code rate} is {@code out.storage} per hour
 * over the last hour; both in the canonical {@code unit} of the material (rate per hour). {@code ts}
 * is the event time the figure holds for.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SurplusRecord(String site, String material, double available, double rate, String unit, Source source, Instant ts) {

    /** Where {@code available} comes from. */
    public enum Source {
        STOCK("stock"), STORAGE("storage");

        private final String wire;

        Source(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        @JsonCreator
        public static Source ofWire(String wire) {
            for (Source s : values()) {
                if (s.wire.equals(wire)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown surplus source '" + wire + "'");
        }
    }

    /** The Kafka key: {@code site/material}. */
    public String key() {
        return site + "/" + material;
    }
}
