package io.loopflow.streams.site;

import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.streams.crediting.CreditChange;
import io.loopflow.streams.window.ClosedUntil;
import io.loopflow.streams.window.Windows;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The open windows of a site: crediting them, publishing those that changed, closing them.
 *
 * <p>A credit touches one flow window, read and written in place. Key-figure windows are not
 * touched per reading: a flow window's quantity is folded into the key-figure windows that hold it
 * once, when it closes, and a key-figure window's figures are its folded sums plus its open flow
 * windows (found by a range of their keys). Closing reads only the windows between the old and the
 * new floor; publishing reads only the windows marked changed since the last punctuation.
 */
final class WindowBook {
    private static final Role[] ROLES = Role.values();

    private final SiteStores stores;
    private final long flowSizeMs;
    private final List<Long> kpiSizesMs;
    private final SiteOutputs out;

    WindowBook(SiteStores stores, long flowSizeMs, List<Long> kpiSizesMs, SiteOutputs out) {
        this.stores = stores;
        this.flowSizeMs = flowSizeMs;
        this.kpiSizesMs = kpiSizesMs;
        this.out = out;
    }

    /**
     * Applies {@code change} to the flow window of {@code role} that holds its {@code ts}. With
     * {@code checkUnit}, first checks that the site does not count the material in another unit in
     * an open window and, if it does, changes nothing and returns the rejection.
     */
    Admission.Rejected credit(String site, String material, Role role, String unit, CreditChange change, SiteMaterialState s,
                              boolean checkUnit) {
        if (checkUnit && s.unit != null && !s.unit.equals(unit)) {
            return Admission.unitConflict(material, s.unit, unit);
        }
        long flowStart = Windows.startOf(change.ts(), flowSizeMs);
        FlowWindowState flow = stores.flow(site, material, role, flowStart);
        if (flow == null) {
            flow = new FlowWindowState(site, material, role, flowStart, flowStart + flowSizeMs, 0, unit, 0, false);
        }
        FlowWindowState credited = flow.plus(change.delta(), change.newReading() ? 1 : 0);
        if (!flow.dirty()) {
            // First change since the last punctuation: this window and the key-figure windows holding it are published then.
            stores.markDirty(credited);
            for (long size : kpiSizesMs) {
                stores.markKpiDirty(site, material, size, Windows.startOf(change.ts(), size));
            }
        }
        stores.putFlow(credited);
        int r = role.ordinal();
        s.openUntil[r] = Math.max(s.openUntil[r], credited.end());
        s.unit = unit;
        return null;
    }

    /**
     * Publishes as final and forgets every open window of the site and material that ends at or
     * before {@code next}'s floors but did not under {@code current}'s: flow windows first, each
     * folded into the key-figure windows holding it, then the key-figure windows.
     */
    void close(String site, String material, SiteMaterialState s, ClosedUntil current, ClosedUntil next, String region, long now) {
        for (int r = 0; r < SiteMaterialState.ROLES; r++) {
            Role role = ROLES[r];
            long from = current.flowFloor(role);
            long to = next.flowFloor(role);
            if (to <= from || s.openUntil[r] <= from || to == Long.MIN_VALUE) {
                continue;
            }
            for (FlowWindowState w : stores.flowsStarting(site, material, role, from, to - flowSizeMs)) {
                out.flow(w.toRecord(true), now);
                stores.deleteFlow(w);
                fold(w);
            }
        }
        for (long size : kpiSizesMs) {
            long from = current.kpiFloor(size);
            long to = next.kpiFloor(size);
            if (to <= from || to == Long.MIN_VALUE) {
                continue;
            }
            for (KpiWindowState w : stores.kpisStarting(site, material, size, from, to - size)) {
                out.kpi(w.site(), w.material(), w.size(), w.start(), w.sums(), w.unit(), region, true, now);
                stores.deleteKpi(w);
            }
        }
        if (!windowsOpen(s, next)) {
            // Nothing open any more: a material without descriptor may be counted in another unit from now on.
            s.unit = null;
        }
    }

    private void fold(FlowWindowState w) {
        for (long size : kpiSizesMs) {
            long start = Windows.startOf(w.start(), size);
            KpiWindowState k = stores.kpi(w.site(), w.material(), size, start);
            if (k == null) {
                k = new KpiWindowState(w.site(), w.material(), size, start, RoleSums.ZERO, w.unit());
            }
            stores.putKpi(k.plus(w.role(), w.quantity()));
        }
    }

    private boolean windowsOpen(SiteMaterialState s, ClosedUntil floors) {
        long newest = Long.MIN_VALUE;
        for (int r = 0; r < SiteMaterialState.ROLES; r++) {
            if (s.openUntil[r] > floors.flowFloor(ROLES[r])) {
                return true;
            }
            newest = Math.max(newest, s.openUntil[r]);
        }
        if (newest == Long.MIN_VALUE) {
            return false;
        }
        for (long size : kpiSizesMs) {
            if (floors.kpiFloor(size) < Windows.startOf(newest - 1, size) + size) {
                return true;
            }
        }
        return false;
    }

    /** Publishes provisional records of the windows changed since the last punctuation. */
    void publishChanged(long now) {
        SiteStores.Dirty dirty = stores.takeDirty();
        for (FlowWindowState w : dirty.flows()) {
            out.flow(w.toRecord(false), now);
            stores.putFlow(w.published());
        }
        Map<String, SiteMaterialState> states = new HashMap<>();
        for (SiteStores.KpiKey k : dirty.kpis()) {
            SiteMaterialState s = states.computeIfAbsent(k.site() + "/" + k.material(), x -> stores.siteMaterial(k.site(), k.material()));
            if (s.floors.kpiFloor(k.size()) >= k.start() + k.size()) {
                continue; // closed (and published final) since it changed
            }
            KpiWindowState folded = stores.kpi(k.site(), k.material(), k.size(), k.start());
            RoleSums sums = folded == null ? RoleSums.ZERO : folded.sums();
            String unit = folded == null ? null : folded.unit();
            for (int r = 0; r < SiteMaterialState.ROLES; r++) {
                Role role = ROLES[r];
                long from = Math.max(k.start(), s.floors.flowFloor(role));
                if (s.openUntil[r] <= from) {
                    continue;
                }
                for (FlowWindowState w : stores.flowsStarting(k.site(), k.material(), role, from, k.start() + k.size() - flowSizeMs)) {
                    sums = sums.plus(role, w.quantity());
                    unit = w.unit();
                }
            }
            if (unit != null) {
                out.kpi(k.site(), k.material(), k.size(), k.start(), sums, unit, regionOf(k.site()), false, now);
            }
        }
    }

    private String regionOf(String site) {
        var d = stores.site(site);
        return d == null ? null : d.region();
    }
}
