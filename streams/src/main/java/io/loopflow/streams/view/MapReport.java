package io.loopflow.streams.view;

import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.model.SurplusRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The sites on a map: each site's position (site descriptor), its surplus of each material against the
 * threshold (the material's {@code surplusThreshold}, else {@code surplus.default-threshold}) and whether a
 * {@code surplus.available} alert is raised, and the open matches with their distance and the demanding site.
 * Pure.
 */
public final class MapReport {
    /** The surplus of one material at a site. */
    public record Surplus(String material, String materialLabel, double available, double threshold, String unit, boolean raised,
                          String source, Instant ts) {
    }

    /** A site; {@code lat}/{@code lon} null when its descriptor has none (it cannot be placed nor matched). */
    public record Site(String id, String name, String region, Double lat, Double lon, List<Surplus> surplus) {
    }

    /** An open match: {@code site} has {@code available}, {@code counterpart} wants {@code quantity} within reach. */
    public record Match(String id, String site, String counterpart, String material, String materialLabel, Double available,
                        Double quantity, Double distanceKm, Instant ts, String message) {
    }

    public record SiteMap(List<Site> sites, List<Match> matches) {
    }

    private MapReport() {
    }

    static SiteMap build(Map<String, SiteDescriptor> sites, Map<String, MaterialDescriptor> materials, double defaultThreshold,
                         List<SurplusRecord> surplus, List<AlertRecord> alerts, Function<String, String> materialName) {
        List<AlertRecord> active = ActiveAlerts.of(alerts);
        List<Site> out = new ArrayList<>();
        Set<String> ids = new TreeSet<>(sites.keySet());
        surplus.forEach(s -> ids.add(s.site()));
        for (String id : ids) {
            SiteDescriptor d = sites.get(id);
            List<Surplus> own = new ArrayList<>();
            for (SurplusRecord s : surplus) {
                if (!s.site().equals(id)) {
                    continue;
                }
                MaterialDescriptor m = materials.get(s.material());
                double threshold = m != null && m.surplusThreshold() != null ? m.surplusThreshold() : defaultThreshold;
                boolean raised = active.stream().anyMatch(a -> a.type() == AlertRecord.Type.SURPLUS_AVAILABLE && id.equals(a.site())
                        && s.material().equals(a.material()));
                own.add(new Surplus(s.material(), materialName.apply(s.material()), s.available(), threshold, s.unit(), raised,
                        s.source() == null ? null : s.source().wire(), s.ts()));
            }
            out.add(new Site(id, d == null || d.name() == null ? id : d.name(), d == null ? null : d.region(), d == null ? null : d.lat(),
                    d == null ? null : d.lon(), own));
        }
        List<Match> matches = active.stream().filter(a -> a.type() == AlertRecord.Type.MATCH)
                .map(a -> new Match(a.id(), a.site(), a.counterpart(), a.material(), materialName.apply(a.material()), a.available(),
                        a.threshold(), a.distanceKm(), a.ts(), a.message()))
                .toList();
        return new SiteMap(out, matches);
    }
}
