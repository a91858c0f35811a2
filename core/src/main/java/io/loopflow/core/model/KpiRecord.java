package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;

/**
 * Key figures on {@code loopflow.kpis} (key: {@code scope/id/material/window/windowStart}) for one
 * site ({@code scope: "site"}) or one region ({@code scope: "region"}), one material and one window.
 * {@code window} names the window: an ISO-8601 duration for windows of fixed length aligned to the
 * epoch ({@code PT1H}), {@code P1D} for a calendar day and {@code P1M} for a calendar month of the
 * deployment's time zone, which calendar windows carry in {@code timeZone} (CONTRACT.md section 6).
 * {@code windowStart} and {@code windowEnd} are UTC instants. The seven role sums are in canonical
 * {@code unit}; rates follow section 5 and are {@code null} where the denominator is 0. {@code site}
 * is absent for region scope; {@code region} is the site's region for site scope (absent while the
 * site has no descriptor). {@code revision} is 0 for the first final record (and the provisional
 * ones before it) and one higher for each restatement by late data.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KpiRecord(
        String scope, String site, String region, String material, String window, Instant windowStart, Instant windowEnd,
        String timeZone,
        RoleSums sums,
        @JsonInclude(JsonInclude.Include.ALWAYS) Double recyclingRate,
        @JsonInclude(JsonInclude.Include.ALWAYS) Double landfillRate,
        @JsonInclude(JsonInclude.Include.ALWAYS) Double circularInputRate,
        String unit,
        @JsonProperty("final") boolean isFinal,
        int revision) {

    public static final String SITE = "site";
    public static final String REGION = "region";
    /** {@code window} of a calendar day. */
    public static final String DAY = "P1D";
    /** {@code window} of a calendar month. */
    public static final String MONTH = "P1M";

    /**
     * Builds the record for {@code sums}, computing the three rates of section 5.
     *
     * @param window   the window's name ({@code PT1H}, {@code P1D}, {@code P1M})
     * @param timeZone the calendar's IANA zone for calendar windows, else null
     */
    public static KpiRecord of(String scope, String site, String region, String material, String window, String timeZone,
                               Instant windowStart, Instant windowEnd, RoleSums sums, String unit, boolean isFinal, int revision) {
        return new KpiRecord(scope, site, region, material, window, windowStart, windowEnd, timeZone, sums,
                sums.recyclingRate(), sums.landfillRate(), sums.circularInputRate(), unit, isFinal, revision);
    }

    /**
     * A record of revision 0 for a window of fixed length (a whole number of days: UTC calendar
     * days, {@code P1D} for one day).
     */
    public static KpiRecord of(String scope, String site, String region, String material, Duration window,
                               Instant windowStart, RoleSums sums, String unit, boolean isFinal) {
        boolean day = window.equals(Duration.ofDays(1));
        return of(scope, site, region, material, day ? DAY : window.toString(), day ? "UTC" : null, windowStart, windowStart.plus(window),
                sums, unit, isFinal, 0);
    }

    /** The id of this record's scope: the site for site scope, the region for region scope. */
    public String scopeId() {
        return SITE.equals(scope) ? site : region;
    }

    /** The Kafka key: {@code scope/id/material/window/windowStart}. */
    public String key() {
        return scope + "/" + scopeId() + "/" + material + "/" + window + "/" + windowStart;
    }
}
