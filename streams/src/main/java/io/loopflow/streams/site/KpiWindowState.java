package io.loopflow.streams.site;

import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;

/**
 * A key-figure window of one site and material in store {@code loopflow-kpi-windows} (key
 * {@code site, material, window code, start}): the role sums (canonical {@code unit}) of the flow
 * windows within {@code [start, end)} that have closed, folded in once each when they closed (and
 * again by each restatement). While open, its figures are these sums plus those of its open flow
 * windows; once {@code closed}, these sums are its figures, and it stays within
 * {@code restate.horizon}. {@code revision}: the last one published final (-1: none yet).
 */
public record KpiWindowState(String site, String material, long code, long start, long end, RoleSums sums, String unit,
                             boolean dirty, boolean closed, int revision) {

    KpiWindowState plus(Role role, double quantity) {
        return new KpiWindowState(site, material, code, start, end, sums.plus(role, quantity), unit, dirty, closed, revision);
    }

    KpiWindowState markedDirty() {
        return new KpiWindowState(site, material, code, start, end, sums, unit, true, closed, revision);
    }

    KpiWindowState closedNow() {
        return new KpiWindowState(site, material, code, start, end, sums, unit, false, true, 0);
    }

    KpiWindowState restated() {
        return new KpiWindowState(site, material, code, start, end, sums, unit, false, true, revision + 1);
    }
}
