package io.loopflow.streams.surplus;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * Internal record on the repartition topic keyed {@code site/material}: either the latest level of a
 * stock meter ({@code meter}, {@code ts}, {@code value}) or an {@code out.storage} flow window
 * ({@code windowStart}, {@code windowEnd}, {@code value}, and {@code revision} when late data restated it, absent for
 * revision 0 and on records written before revisions existed); values in the canonical {@code unit}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SurplusInput(Kind kind, String site, String material, String meter, Instant ts, Instant windowStart, Instant windowEnd,
                    double value, String unit, Integer revision) {

    /** A window published again by late data: news about the past, which must not count as a surplus of now. */
    boolean restated() {
        return revision != null && revision > 0;
    }

    enum Kind { LEVEL, STORAGE }
}
