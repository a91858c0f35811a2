package io.loopflow.streams.site;

import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;

/**
 * A key-figure window of one site and material in store {@code loopflow-open-kpis} (key
 * {@code site, material, size, start}) while it is open: the role sums (canonical {@code unit})
 * of the flow windows within {@code [start, start + size)} that have closed. A reading credits only
 * its flow window; a flow window's quantity is folded in here once, when it closes, and the
 * figures of the key-figure window are these sums plus those of its still-open flow windows.
 */
public record KpiWindowState(String site, String material, long size, long start, RoleSums sums, String unit) {

    long end() {
        return start + size;
    }

    KpiWindowState plus(Role role, double quantity) {
        return new KpiWindowState(site, material, size, start, sums.plus(role, quantity), unit);
    }
}
