package io.loopflow.streams.site;

import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.Role;
import java.time.Instant;

/**
 * A flow window in store {@code loopflow-flow-windows} (key {@code site, material, role, start}):
 * {@code quantity} (canonical {@code unit}) credited to {@code [start, end)} (epoch ms) by
 * {@code readings} readings of the meters of one site, material and role. While open it fills;
 * once {@code closed} (below its role's floor) it stays, within {@code restate.horizon}, so that late
 * data can restate it. {@code revision} is the last one published final (-1: none yet);
 * {@code dirty} when changed since last published (provisionally while open, as a restatement once
 * closed).
 */
public record FlowWindowState(String site, String material, Role role, long start, long end, double quantity, String unit,
                              long readings, boolean dirty, boolean closed, int revision) {

    /** A window nothing was credited to yet. */
    static FlowWindowState empty(String site, String material, Role role, long start, long end, String unit, boolean closed) {
        return new FlowWindowState(site, material, role, start, end, 0, unit, 0, false, closed, -1);
    }

    FlowWindowState plus(double delta, long newReadings) {
        return new FlowWindowState(site, material, role, start, end, quantity + delta, unit, readings + newReadings, true, closed, revision);
    }

    /** Published provisionally: clean again. */
    FlowWindowState published() {
        return new FlowWindowState(site, material, role, start, end, quantity, unit, readings, false, closed, revision);
    }

    /** Closed, with its first final published (revision 0). */
    FlowWindowState closedNow() {
        return new FlowWindowState(site, material, role, start, end, quantity, unit, readings, false, true, 0);
    }

    /** Published again, final, with the next revision. */
    FlowWindowState restated() {
        return new FlowWindowState(site, material, role, start, end, quantity, unit, readings, false, true, revision + 1);
    }

    FlowRecord toRecord(boolean isFinal, int rev) {
        return new FlowRecord(site, material, role, Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), quantity, unit, readings, isFinal, rev);
    }
}
