package io.loopflow.streams.surplus;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.loopflow.core.model.SurplusRecord;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stored per {@code site/material} in {@code loopflow-surplus-state}: the latest level of each stock
 * meter, the {@code out.storage} quantity of each flow window still inside the horizon, the newest
 * event time seen ({@code now}), whether the surplus alert is raised and how many times it has been
 * ({@code episode}, part of the alert id), and the last published figure (so only changes publish).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SurplusState(Map<String, Level> levels, TreeMap<Instant, Double> storage, Instant now, String unit,
                    boolean raised, long episode, SurplusRecord published) {

    record Level(Instant ts, double value) {
    }

    static SurplusState empty(String unit) {
        return new SurplusState(new TreeMap<>(), new TreeMap<>(), Instant.EPOCH, unit, false, 0, null);
    }
}
