package io.loopflow.streams.site;

import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;

/**
 * An open key-figure window of one site and material in store {@code loopflow-open-kpis} (key
 * {@code site, material, size, start}): the role sums (canonical {@code unit}) over
 * {@code [start, start + size)} (epoch ms) and {@code dirty} when changed since last published.
 */
public record KpiWindowState(String site, String material, long size, long start, RoleSums sums, String unit, long readings,
                             boolean dirty) {

    long end() {
        return start + size;
    }

    KpiWindowState plus(Role role, double delta, long newReadings) {
        return new KpiWindowState(site, material, size, start, sums.plus(role, delta), unit, readings + newReadings, true);
    }

    KpiWindowState published() {
        return new KpiWindowState(site, material, size, start, sums, unit, readings, false);
    }
}
