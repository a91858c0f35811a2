package io.loopflow.streams.site;

import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.streams.crediting.CreditChange;
import io.loopflow.streams.window.ClosedUntil;
import io.loopflow.streams.window.Windows;
import java.util.List;

/**
 * The open windows of a site: crediting them, publishing those that changed, closing them. Each
 * credit touches one flow window and one key-figure window per size, read and written in place;
 * closing reads only the windows between the old and the new floor (a range of their keys), and
 * publishing reads only the windows marked changed since the last punctuation.
 */
final class WindowBook {
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
     * Applies {@code change} to the flow window of {@code role} and the key-figure windows that
     * hold its {@code ts}. With {@code checkUnit}, first checks that no such window already counts
     * the material in another unit and, if one does, changes nothing and returns the rejection.
     */
    Admission.Rejected credit(String site, String material, Role role, String unit, CreditChange change, SiteMaterialState s,
                              boolean checkUnit) {
        long flowStart = Windows.startOf(change.ts(), flowSizeMs);
        FlowWindowState flow = stores.flow(site, material, role, flowStart);
        KpiWindowState[] kpis = new KpiWindowState[kpiSizesMs.size()];
        for (int i = 0; i < kpis.length; i++) {
            long size = kpiSizesMs.get(i);
            kpis[i] = stores.kpi(site, material, size, Windows.startOf(change.ts(), size));
        }
        if (checkUnit) {
            if (flow != null && !flow.unit().equals(unit)) {
                return Admission.unitConflict(material, flow.unit(), unit);
            }
            for (KpiWindowState k : kpis) {
                if (k != null && !k.unit().equals(unit)) {
                    return Admission.unitConflict(material, k.unit(), unit);
                }
            }
        }
        long newReadings = change.newReading() ? 1 : 0;
        if (flow == null) {
            flow = new FlowWindowState(site, material, role, flowStart, flowStart + flowSizeMs, 0, unit, 0, false);
        }
        FlowWindowState credited = flow.plus(change.delta(), newReadings);
        if (!flow.dirty()) {
            stores.markDirty(credited);
        }
        stores.putFlow(credited);
        s.openUntil[role.ordinal()] = Math.max(s.openUntil[role.ordinal()], credited.end());
        for (int i = 0; i < kpis.length; i++) {
            KpiWindowState k = kpis[i];
            if (k == null) {
                long size = kpiSizesMs.get(i);
                k = new KpiWindowState(site, material, size, Windows.startOf(change.ts(), size), RoleSums.ZERO, unit, 0, false);
            }
            KpiWindowState kc = k.plus(role, change.delta(), newReadings);
            if (!k.dirty()) {
                stores.markDirty(kc);
            }
            stores.putKpi(kc);
        }
        return null;
    }

    /**
     * Publishes as final and forgets every open window of the site and material that ends at or
     * before {@code next}'s floors but did not under {@code current}'s.
     */
    void close(String site, String material, SiteMaterialState s, ClosedUntil current, ClosedUntil next, String region, long now) {
        for (int r = 0; r < SiteMaterialState.ROLES; r++) {
            Role role = Role.values()[r];
            long from = current.flowFloor(role);
            long to = next.flowFloor(role);
            if (to <= from || s.openUntil[r] <= from || to == Long.MIN_VALUE) {
                continue;
            }
            for (FlowWindowState w : stores.flowsStarting(site, material, role, from, to - flowSizeMs)) {
                out.flow(w.toRecord(true), now);
                stores.deleteFlow(w);
            }
        }
        for (long size : kpiSizesMs) {
            long from = current.kpiFloor(size);
            long to = next.kpiFloor(size);
            if (to <= from || to == Long.MIN_VALUE) {
                continue;
            }
            for (KpiWindowState w : stores.kpisStarting(site, material, size, from, to - size)) {
                out.kpi(w, region, true, now);
                stores.deleteKpi(w);
            }
        }
    }

    /** Publishes provisional records of the open windows changed since the last punctuation. */
    void publishChanged(long now) {
        SiteStores.Dirty dirty = stores.takeDirty();
        for (FlowWindowState w : dirty.flows()) {
            out.flow(w.toRecord(false), now);
            stores.putFlow(w.published());
        }
        for (KpiWindowState w : dirty.kpis()) {
            out.kpi(w, regionOf(w.site()), false, now);
            stores.putKpi(w.published());
        }
    }

    private String regionOf(String site) {
        var d = stores.site(site);
        return d == null ? null : d.region();
    }
}
