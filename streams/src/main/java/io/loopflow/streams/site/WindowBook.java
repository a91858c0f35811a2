package io.loopflow.streams.site;

import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.streams.crediting.CreditChange;
import io.loopflow.streams.window.ClosedUntil;
import io.loopflow.streams.window.KpiWindow;
import io.loopflow.streams.window.Windows;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The windows of a site: crediting them, publishing those that changed, closing them, restating
 * closed ones (CONTRACT.md section 6), forgetting them past the restatement horizon.
 *
 * <p>A credit to an open window touches one flow window, read and written in place. Key-figure
 * windows are not touched per reading: a flow window's quantity is folded into the key-figure
 * windows that hold it once, when it closes, and an open key-figure window's figures are its folded
 * sums plus its open flow windows (a range of their keys). A credit to a closed flow window (late
 * data) is folded at once into the key-figure windows holding it; every closed window it changed is
 * published again, final, with the next revision, at the next punctuation (so restatements within
 * one commit interval are one revision). Closing reads only the windows between the old and the new
 * floor; publishing reads only the windows marked changed since the last punctuation.
 */
final class WindowBook {
    private static final Role[] ROLES = Role.values();
    /** Closed windows past the horizon are forgotten in batches, once the horizon has moved on by an hour (or a tenth of it). */
    private static final long PRUNE_EVERY_MS = 3_600_000;

    private final SiteStores stores;
    private final long flowSizeMs;
    private final List<KpiWindow> kpiWindows;
    private final ZoneId zone;
    private final SiteOutputs out;

    private final long pruneEveryMs;

    WindowBook(SiteStores stores, long flowSizeMs, List<KpiWindow> kpiWindows, ZoneId zone, long horizonMs, SiteOutputs out) {
        this.pruneEveryMs = Math.max(flowSizeMs, Math.min(PRUNE_EVERY_MS, horizonMs / 10));
        this.stores = stores;
        this.flowSizeMs = flowSizeMs;
        this.kpiWindows = kpiWindows;
        this.zone = zone;
        this.out = out;
    }

    /**
     * Applies {@code change} to the flow window of {@code role} that holds its {@code ts}, open or
     * closed. With {@code checkUnit}, first checks that the site does not count the material in
     * another unit in the windows concerned and, if it does, changes nothing and returns the rejection.
     */
    Admission.Rejected credit(String site, String material, Role role, String unit, CreditChange change, SiteMaterialState s,
                              boolean checkUnit) {
        long ts = change.ts();
        boolean closed = ts < s.floors.flowFloor(role);
        if (checkUnit && !closed && s.unit != null && !s.unit.equals(unit)) {
            return Admission.unitConflict(material, s.unit, unit);
        }
        long flowStart = Windows.startOf(ts, flowSizeMs);
        FlowWindowState flow = stores.flow(site, material, role, flowStart);
        if (checkUnit && flow != null && !flow.unit().equals(unit)) {
            return Admission.unitConflict(material, flow.unit(), unit);
        }
        KpiWindowState[] kpis = null;
        if (closed) {
            kpis = new KpiWindowState[kpiWindows.size()];
            for (int i = 0; i < kpis.length; i++) {
                kpis[i] = kpiHolding(site, material, kpiWindows.get(i), ts, unit, s);
                if (checkUnit && !kpis[i].unit().equals(unit)) {
                    return Admission.unitConflict(material, kpis[i].unit(), unit);
                }
            }
        }
        if (flow == null) {
            flow = FlowWindowState.empty(site, material, role, flowStart, flowStart + flowSizeMs, unit, closed);
        }
        FlowWindowState credited = flow.plus(change.delta(), change.newReading() ? 1 : 0);
        if (!flow.dirty()) {
            // First change since the last punctuation: published then (provisionally while open, as a restatement once closed).
            stores.markDirty(credited);
            if (!closed) {
                for (KpiWindow w : kpiWindows) {
                    stores.markKpiDirty(site, material, w.code(), w.startOf(ts, zone));
                }
            }
        }
        stores.putFlow(credited);
        if (closed) {
            for (KpiWindowState k : kpis) {
                fold(k, role, change.delta());
            }
        } else {
            int r = role.ordinal();
            s.openUntil[r] = Math.max(s.openUntil[r], credited.end());
            s.unit = unit;
        }
        return null;
    }

    /** The key-figure window of {@code window} holding {@code ts}, stored or new (closed if its floor passed it). */
    private KpiWindowState kpiHolding(String site, String material, KpiWindow window, long ts, String unit, SiteMaterialState s) {
        long start = window.startOf(ts, zone);
        KpiWindowState k = stores.kpi(site, material, window.code(), start);
        if (k == null) {
            long end = window.endOf(start, zone);
            k = new KpiWindowState(site, material, window.code(), start, end, RoleSums.ZERO, unit, false, end <= s.floors.kpiFloor(window.code()), -1);
        }
        return k;
    }

    /** Adds {@code quantity} of {@code role} to a key-figure window's folded sums and marks it for publication. */
    private void fold(KpiWindowState k, Role role, double quantity) {
        KpiWindowState folded = k.plus(role, quantity);
        if (!k.dirty()) {
            // Open: its provisional figures changed. Closed: it is restated.
            folded = folded.markedDirty();
            stores.markKpiDirty(k.site(), k.material(), k.code(), k.start());
        }
        stores.putKpi(folded);
    }

    /**
     * Publishes as final and keeps, closed, every open window of the site and material that ends at
     * or before {@code next}'s floors but did not under {@code current}'s: flow windows first, each
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
            for (FlowWindowState w : stores.flowsStarting(site, material, role, from, to - 1)) {
                if (w.closed()) {
                    continue; // created closed by a restatement (nothing is open below its floor)
                }
                out.flow(w.toRecord(true, 0), now);
                stores.putFlow(w.closedNow());
                for (KpiWindow kw : kpiWindows) {
                    KpiWindowState k = kpiHolding(site, material, kw, w.start(), w.unit(), s);
                    stores.putKpi(k.plus(role, w.quantity()));
                }
            }
        }
        for (KpiWindow kw : kpiWindows) {
            long from = current.kpiFloor(kw.code());
            long to = next.kpiFloor(kw.code());
            if (to <= from || to == Long.MIN_VALUE) {
                continue;
            }
            for (KpiWindowState w : stores.kpisStarting(site, material, kw.code(), from, to - 1)) {
                if (w.closed()) {
                    continue;
                }
                out.kpi(w.site(), w.material(), kw, w.start(), w.end(), w.sums(), w.unit(), region, true, 0, now);
                stores.putKpi(w.closedNow());
            }
        }
        if (!windowsOpen(s, next)) {
            // Nothing open any more: a material without descriptor may be counted in another unit from now on.
            s.unit = null;
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
        for (KpiWindow w : kpiWindows) {
            if (floors.kpiFloor(w.code()) < w.endOf(w.startOf(newest - 1, zone), zone)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Publishes the windows changed since the last punctuation: open ones provisionally (revision 0,
     * the one they will finalise), closed ones that late data changed as final with the next revision.
     */
    void publishChanged(long now) {
        SiteStores.Dirty dirty = stores.takeDirty();
        for (FlowWindowState w : dirty.flows()) {
            if (!w.closed()) {
                out.flow(w.toRecord(false, 0), now);
                stores.putFlow(w.published());
            } else if (w.dirty()) {
                FlowWindowState restated = w.restated();
                out.flow(restated.toRecord(true, restated.revision()), now);
                stores.putFlow(restated);
            }
        }
        Map<String, SiteMaterialState> states = new HashMap<>();
        for (SiteStores.KpiKey k : dirty.kpis()) {
            KpiWindow window = KpiWindow.ofCode(k.code());
            KpiWindowState state = stores.kpi(k.site(), k.material(), k.code(), k.start());
            String region = regionOf(k.site());
            if (state != null && state.closed()) {
                if (state.dirty()) {
                    KpiWindowState restated = state.restated();
                    out.kpi(k.site(), k.material(), window, k.start(), state.end(), state.sums(), state.unit(), region, true, restated.revision(), now);
                    stores.putKpi(restated);
                }
                continue;
            }
            SiteMaterialState s = states.computeIfAbsent(k.site() + "/" + k.material(), x -> stores.siteMaterial(k.site(), k.material()));
            long end = state != null ? state.end() : window.endOf(k.start(), zone);
            RoleSums sums = state == null ? RoleSums.ZERO : state.sums();
            String unit = state == null ? null : state.unit();
            for (int r = 0; r < SiteMaterialState.ROLES; r++) {
                Role role = ROLES[r];
                long from = Math.max(k.start(), s.floors.flowFloor(role));
                if (s.openUntil[r] <= from) {
                    continue;
                }
                for (FlowWindowState w : stores.flowsStarting(k.site(), k.material(), role, from, end - 1)) {
                    if (!w.closed()) {
                        sums = sums.plus(role, w.quantity());
                        unit = w.unit();
                    }
                }
            }
            if (state != null && state.dirty()) {
                stores.putKpi(new KpiWindowState(state.site(), state.material(), state.code(), state.start(), state.end(), state.sums(),
                        state.unit(), false, false, state.revision()));
            }
            if (unit != null) {
                out.kpi(k.site(), k.material(), window, k.start(), end, sums, unit, region, false, 0, now);
            }
        }
    }

    /**
     * Forgets the closed windows of the site and material that end at or before {@code horizonFloor}:
     * late data that old is {@code late}, so they can no longer change. Runs once per hour of
     * horizon progress, and reads each series of windows from where the last run stopped (the
     * window that held the previous horizon floor).
     */
    void pruneClosed(String site, String material, SiteMaterialState s, long horizonFloor) {
        long last = s.windowsPrunedTo;
        if (horizonFloor == Long.MIN_VALUE || (last != Long.MIN_VALUE && horizonFloor - last < pruneEveryMs)) {
            return;
        }
        long flowFrom = last == Long.MIN_VALUE ? Long.MIN_VALUE : Windows.startOf(last - 1, flowSizeMs);
        for (Role role : ROLES) {
            if (role == Role.STOCK) {
                continue;
            }
            for (FlowWindowState w : stores.flowsStarting(site, material, role, flowFrom, horizonFloor - 1)) {
                if (w.closed() && w.end() <= horizonFloor) {
                    stores.deleteFlow(w);
                }
            }
        }
        for (KpiWindow kw : kpiWindows) {
            long from = last == Long.MIN_VALUE ? Long.MIN_VALUE : kw.startOf(last - 1, zone);
            for (KpiWindowState w : stores.kpisStarting(site, material, kw.code(), from, horizonFloor - 1)) {
                if (w.closed() && w.end() <= horizonFloor) {
                    stores.deleteKpi(w);
                }
            }
        }
        s.windowsPrunedTo = horizonFloor;
    }

    private String regionOf(String site) {
        return stores.site(site).region();
    }
}
