package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;

/**
 * Key figures on {@code loopflow.kpis} (key: {@code scope/id/material/windowStart}) for one site
 * ({@code scope: "site"}) or one region ({@code scope: "region"}), one material and one window
 * ({@code window} is its ISO-8601 length, so a 1 h and a 1 d window starting together can be told
 * apart). The seven role sums are in canonical {@code unit}; rates follow CONTRACT.md section 5
 * and are {@code null} where the denominator is 0. {@code site} is absent for region scope;
 * {@code region} is the site's region for site scope (absent while the site has no descriptor).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KpiRecord(
        String scope, String site, String region, String material, Duration window, Instant windowStart, Instant windowEnd,
        RoleSums sums,
        @JsonInclude(JsonInclude.Include.ALWAYS) Double recyclingRate,
        @JsonInclude(JsonInclude.Include.ALWAYS) Double landfillRate,
        @JsonInclude(JsonInclude.Include.ALWAYS) Double circularInputRate,
        String unit,
        @JsonProperty("final") boolean isFinal) {

    public static final String SITE = "site";
    public static final String REGION = "region";

    /** Builds the record for {@code sums}, computing the three rates of section 5. */
    public static KpiRecord of(String scope, String site, String region, String material, Duration window,
                               Instant windowStart, RoleSums sums, String unit, boolean isFinal) {
        return new KpiRecord(scope, site, region, material, window, windowStart, windowStart.plus(window), sums,
                sums.recyclingRate(), sums.landfillRate(), sums.circularInputRate(), unit, isFinal);
    }

    /** The id of this record's scope: the site for site scope, the region for region scope. */
    public String scopeId() {
        return SITE.equals(scope) ? site : region;
    }

    /** The Kafka key: {@code scope/id/material/windowStart}. */
    public String key() {
        return scope + "/" + scopeId() + "/" + material + "/" + windowStart;
    }
}
