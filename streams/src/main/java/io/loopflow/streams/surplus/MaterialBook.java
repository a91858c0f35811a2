package io.loopflow.streams.surplus;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.loopflow.core.model.DemandDescriptor;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Stored per material in {@code loopflow-surplus-matchbook}: each site's surplus and demand, the open
 * matches (key {@code supplier/demander}) with their episode, the episode counters (part of the alert
 * ids, so they survive restarts in the changelog), and the sites already reported as lacking
 * coordinates (so the data-quality record goes out once, not per reading).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record MaterialBook(Map<String, Supply> supplies, Map<String, DemandDescriptor> demands, Map<String, Open> open,
                    Map<String, Long> episodes, Set<String> unlocatedReported, String unit, Instant now) {

    record Supply(double available, boolean raised) {
    }

    record Open(String supplier, String demander, long episode) {
    }

    static MaterialBook empty() {
        return new MaterialBook(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeSet<>(), null, Instant.EPOCH);
    }
}
