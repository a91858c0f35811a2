package io.loopflow.streams.region;

import io.loopflow.core.model.RoleSums;
import java.util.Map;
import java.util.TreeMap;

/**
 * A region key-figure window (key {@code region/material/code/start}), in store
 * {@code loopflow-region-windows-v2} while open and {@code loopflow-region-closed-windows} once
 * closed (within the restatement horizon): the latest sums each contributing site sent, and
 * whether the site's own window is closed. The region's figures are the sums of the sites' sums.
 * {@code dirty}: changed since last published; {@code revision}: the last one published final
 * (-1: none yet).
 */
public record RegionWindowState(String region, String material, long code, long start, long end, String unit,
                                Map<String, Contribution> sites, boolean dirty, int revision) {

    /** One site's sums for this window and whether its window closed there. */
    public record Contribution(RoleSums sums, boolean closed) {
    }

    public RegionWindowState {
        sites = new TreeMap<>(sites);
    }

    RegionWindowState with(String site, Contribution contribution) {
        Map<String, Contribution> next = new TreeMap<>(sites);
        next.put(site, contribution);
        return new RegionWindowState(region, material, code, start, end, unit, next, true, revision);
    }

    /** This window with {@code site}'s contribution, if any, taken as final. */
    RegionWindowState withClosed(String site) {
        Contribution c = sites.get(site);
        return c == null || c.closed() ? this : with(site, new Contribution(c.sums(), true));
    }

    RegionWindowState published() {
        return new RegionWindowState(region, material, code, start, end, unit, sites, false, revision);
    }

    RegionWindowState closedNow() {
        return new RegionWindowState(region, material, code, start, end, unit, sites, false, 0);
    }

    RegionWindowState restated() {
        return new RegionWindowState(region, material, code, start, end, unit, sites, false, revision + 1);
    }

    /** True when every site that contributed has closed its window. */
    boolean allContributorsClosed() {
        return sites.values().stream().allMatch(Contribution::closed);
    }

    /** The region's sums: site by site, role by role (never a mean of rates). */
    RoleSums total() {
        RoleSums total = RoleSums.ZERO;
        for (Contribution c : sites.values()) {
            total = total.plus(c.sums());
        }
        return total;
    }
}
