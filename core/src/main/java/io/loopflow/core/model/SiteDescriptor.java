package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Site descriptor, retained on {@code loopflow/v1/{site}/site} and compacted on
 * {@code loopflow.sites} (key: site id). {@code lat}/{@code lon} are WGS84 degrees and optional
 * (both or neither); a site without them cannot be matched by distance.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SiteDescriptor(String name, String region, Double lat, Double lon) {

    /** True when the site has coordinates. */
    public boolean hasCoordinates() {
        return lat != null && lon != null;
    }
}
