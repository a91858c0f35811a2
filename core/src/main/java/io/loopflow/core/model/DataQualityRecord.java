package io.loopflow.core.model;

import java.time.Instant;

/**
 * A data-quality finding on {@code loopflow.dataquality} (key {@code site/material}): something in
 * the descriptors keeps LoopFlow from doing its job for that site, e.g. {@code no_coordinates}: the
 * site has a surplus or a demand of the material but no {@code lat}/{@code lon}, so it cannot be
 * matched by distance. Published once when the problem appears and once ({@code resolved: true})
 * when it goes away.
 */
public record DataQualityRecord(String site, String material, String issue, String detail, boolean resolved, Instant ts) {
    public static final String NO_COORDINATES = "no_coordinates";
}
