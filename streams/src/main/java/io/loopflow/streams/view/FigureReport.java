package io.loopflow.streams.view;

import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.RoleSums;
import io.loopflow.core.model.SiteDescriptor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The key figures of CONTRACT.md section 5 for any time range, per site and per region, material and unit: the
 * role sums of the flow windows that start in the range (from {@link FlowStore}) and the three rates
 * {@link RoleSums} computes from them (a region's rate is a ratio of the sums of its sites, never a mean of
 * rates). {@code provisional} when a window that counts is not final yet. Pure.
 */
public final class FigureReport {
    /** The figures of one site or region, material and unit over the range. */
    public record Figure(String scope, String id, String label, String region, String material, String materialLabel, String unit,
                         RoleSums sums, Double recyclingRate, Double landfillRate, Double circularInputRate, boolean provisional) {
    }

    /** Every figure of [{@code from}, {@code to}): regions first, then sites. */
    public record Figures(Instant from, Instant to, Instant keptSince, boolean provisional, List<Figure> figures) {
    }

    /** One site or region, material and unit; regions first ("region" sorts before "site"). */
    private record Key(String scope, String id, String material, String unit) {
        static final Comparator<Key> ORDER = Comparator.comparing(Key::scope).thenComparing(Key::id)
                .thenComparing(Key::material).thenComparing(Key::unit);
    }

    private FigureReport() {
    }

    static Figures build(Instant from, Instant to, Instant keptSince, List<FlowStore.Total> totals, Map<String, SiteDescriptor> sites,
                         Function<String, String> materialName) {
        Map<Key, RoleSums> sums = new TreeMap<>(Key.ORDER);
        Map<Key, Boolean> provisional = new TreeMap<>(Key.ORDER);
        for (FlowStore.Total t : totals) {
            if (!t.role().isFlow()) {
                continue;
            }
            SiteDescriptor site = sites.get(t.site());
            List<Key> keys = new ArrayList<>(2);
            keys.add(new Key(KpiRecord.SITE, t.site(), t.material(), t.unit()));
            if (site != null && site.region() != null) {
                keys.add(new Key(KpiRecord.REGION, site.region(), t.material(), t.unit()));
            }
            for (Key k : keys) {
                sums.merge(k, RoleSums.ZERO.plus(t.role(), t.quantity()), RoleSums::plus);
                provisional.merge(k, t.provisional() > 0, Boolean::logicalOr);
            }
        }
        List<Figure> out = new ArrayList<>(sums.size());
        sums.forEach((k, s) -> {
            SiteDescriptor site = KpiRecord.SITE.equals(k.scope()) ? sites.get(k.id()) : null;
            String label = site != null && site.name() != null ? site.name() : k.id();
            String region = KpiRecord.SITE.equals(k.scope()) ? (site == null ? null : site.region()) : k.id();
            out.add(new Figure(k.scope(), k.id(), label, region, k.material(), materialName.apply(k.material()), k.unit(), s,
                    s.recyclingRate(), s.landfillRate(), s.circularInputRate(), provisional.get(k)));
        });
        return new Figures(from, to, keptSince, provisional.containsValue(true), out);
    }
}
