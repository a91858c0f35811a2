package io.loopflow.streams.site;

import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.Role;
import java.time.Instant;

/**
 * An open flow window in store {@code loopflow-open-flows} (key {@code site, material, role, start}):
 * {@code quantity} (canonical {@code unit}) credited to {@code [start, end)} (epoch ms) by
 * {@code readings} readings of the meters of one site, material and role; {@code dirty} when
 * changed since last published.
 */
public record FlowWindowState(String site, String material, Role role, long start, long end, double quantity, String unit,
                              long readings, boolean dirty) {

    FlowWindowState plus(double delta, long newReadings) {
        return new FlowWindowState(site, material, role, start, end, quantity + delta, unit, readings + newReadings, true);
    }

    FlowWindowState published() {
        return new FlowWindowState(site, material, role, start, end, quantity, unit, readings, false);
    }

    FlowRecord toRecord(boolean isFinal) {
        return new FlowRecord(site, material, role, Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), quantity, unit, readings, isFinal);
    }
}
