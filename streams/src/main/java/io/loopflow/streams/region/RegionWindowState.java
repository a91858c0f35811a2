package io.loopflow.streams.region;

import io.loopflow.core.model.RoleSums;
import java.util.Map;
import java.util.TreeMap;

/**
 * An open region key-figure window in store {@code loopflow-region-windows} (key
 * {@code region/material/size/windowStart}): the latest sums each contributing site sent, and
 * whether the site's own window is closed. The region's figures are the sums of the sites' sums.
 */
public record RegionWindowState(String region, String material, long size, long start, String unit,
                                Map<String, Contribution> sites, boolean dirty) {

    /** One site's sums for this window and whether its window closed there. */
    public record Contribution(RoleSums sums, boolean closed) {
    }

    public RegionWindowState {
        sites = new TreeMap<>(sites);
    }

    long end() {
        return start + size;
    }

    RegionWindowState with(String site, Contribution contribution) {
        Map<String, Contribution> next = new TreeMap<>(sites);
        next.put(site, contribution);
        return new RegionWindowState(region, material, size, start, unit, next, true);
    }

    /** This window with {@code site}'s contribution, if any, taken as final. */
    RegionWindowState withClosed(String site) {
        Contribution c = sites.get(site);
        return c == null || c.closed() ? this : with(site, new Contribution(c.sums(), true));
    }

    RegionWindowState published() {
        return new RegionWindowState(region, material, size, start, unit, sites, false);
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
