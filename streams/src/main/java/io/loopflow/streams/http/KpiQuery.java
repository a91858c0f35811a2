package io.loopflow.streams.http;

import io.loopflow.core.model.KpiRecord;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The filter of {@code GET /api/kpis}: optional {@code scope} ({@code site} or {@code region}),
 * {@code site}, {@code region} (a site record matches its site's region), {@code material} and
 * {@code window} (as records name it: {@code PT1H}, {@code P1D} for the calendar day, {@code P1M} for the
 * calendar month; {@code PT24H} is taken as {@code P1D}); absent parameters match everything. Unknown
 * parameters and bad values are refused with {@link IllegalArgumentException}.
 */
public record KpiQuery(String scope, String site, String region, String material, String window) {
    private static final Set<String> PARAMETERS = Set.of("scope", "site", "region", "material", "window");

    /** Parses a raw query string ({@code a=b&c=d}, URL-encoded; null or empty: everything). */
    public static KpiQuery parse(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (!PARAMETERS.contains(name)) {
                    throw new IllegalArgumentException("unknown parameter '" + name + "'; known: scope, site, region, material, window");
                }
                if (params.put(name, value) != null) {
                    throw new IllegalArgumentException("parameter '" + name + "' given twice");
                }
            }
        }
        String scope = blankToNull(params.get("scope"));
        if (scope != null && !scope.equals(KpiRecord.SITE) && !scope.equals(KpiRecord.REGION)) {
            throw new IllegalArgumentException("scope must be site or region, got '" + scope + "'");
        }
        String window = null;
        String w = blankToNull(params.get("window"));
        if (w != null) {
            if (w.equals(KpiRecord.MONTH)) {
                window = KpiRecord.MONTH;
            } else {
                try {
                    Duration d = Duration.parse(w);
                    window = d.equals(Duration.ofDays(1)) ? KpiRecord.DAY : d.toString();
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("window must be an ISO-8601 duration such as PT1H or P1D, or P1M, got '" + w + "'", e);
                }
            }
        }
        return new KpiQuery(scope, blankToNull(params.get("site")), blankToNull(params.get("region")),
                blankToNull(params.get("material")), window);
    }

    /** True when {@code r} passes every given filter. */
    public boolean matches(KpiRecord r) {
        return (scope == null || scope.equals(r.scope()))
                && (site == null || site.equals(r.site()))
                && (region == null || region.equals(r.region()))
                && (material == null || material.equals(r.material()))
                && (window == null || window.equals(r.window()));
    }

    /** The records of {@code all} that match, ordered by scope, id, material, window and start. */
    public List<KpiRecord> select(Iterable<KpiRecord> all) {
        ArrayList<KpiRecord> out = new ArrayList<>();
        for (KpiRecord r : all) {
            if (matches(r)) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparing(KpiRecord::scope).thenComparing(KpiRecord::scopeId).thenComparing(KpiRecord::material)
                .thenComparing(KpiRecord::window).thenComparing(KpiRecord::windowStart));
        return out;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
