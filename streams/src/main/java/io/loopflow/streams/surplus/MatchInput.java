package io.loopflow.streams.surplus;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.loopflow.core.model.DemandDescriptor;
import java.time.Instant;

/**
 * Internal record on the repartition topic keyed {@code material}: a site's surplus ({@code SUPPLY}:
 * {@code available}, and {@code raised} while its surplus alert is raised) or a site's demand
 * ({@code DEMAND}: the descriptor, null when deleted). {@code ts} is the event time it holds for.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record MatchInput(Kind kind, String site, String material, Double available, boolean raised, String unit,
                  DemandDescriptor demand, Instant ts) {

    enum Kind { SUPPLY, DEMAND }
}
