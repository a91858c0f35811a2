package io.loopflow.streams.region;

import io.loopflow.core.model.RoleSums;

/**
 * A site's message to its region, on the {@code region-events-v2} repartition topic (key: region):
 * <ul>
 *   <li>{@code WINDOW}: the current sums of the site's key-figure window of kind {@code code}
 *       ({@code KpiWindow.code()}) over {@code [start, end)} of {@code material} and whether it is
 *       {@code closed} (final at the site; a closed window sent again was restated by late data);</li>
 *   <li>{@code PROGRESS}: the site's frontier for {@code material}: the lowest clock of the meters
 *       that hold its windows, {@code Long.MAX_VALUE} when none does, {@code Long.MIN_VALUE} when an
 *       active meter has not sent yet;</li>
 *   <li>{@code LEAVE}: the site no longer belongs to the region (its region changed or its
 *       descriptor was deleted); what it contributed so far stays, as final.</li>
 * </ul>
 */
public record RegionEvent(Kind kind, String region, String site, String material, long code, long start, long end, RoleSums sums,
                          String unit, boolean closed, long frontier) {

    /** What the event carries. */
    public enum Kind { WINDOW, PROGRESS, LEAVE }

    public static RegionEvent window(String region, String site, String material, long code, long start, long end, RoleSums sums,
                                     String unit, boolean closed) {
        return new RegionEvent(Kind.WINDOW, region, site, material, code, start, end, sums, unit, closed, 0);
    }

    public static RegionEvent progress(String region, String site, String material, long frontier) {
        return new RegionEvent(Kind.PROGRESS, region, site, material, 0, 0, 0, null, null, false, frontier);
    }

    public static RegionEvent leave(String region, String site, String material) {
        return new RegionEvent(Kind.LEAVE, region, site, material, 0, 0, 0, null, null, false, 0);
    }
}
