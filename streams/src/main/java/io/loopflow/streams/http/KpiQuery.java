package io.loopflow.streams.http;

import io.loopflow.core.model.KpiRecord;
import io.loopflow.streams.view.WindowLength;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The filter of {@code GET /api/kpis}: optional {@code scope} ({@code site} or {@code region}),
 * {@code site}, {@code region} (a site record matches its site's region), {@code material} and
 * {@code window} (ISO-8601, e.g. {@code PT1H}, or a calendar {@code P1M}); absent parameters match everything. Unknown
 * parameters and bad values are refused with {@link BadParameterException}.
 */
public record KpiQuery(String scope, String site, String region, String material, String window) {
    private static final Set<String> PARAMETERS = Set.of("scope", "site", "region", "material", "window");

    /** Parses a raw query string ({@code a=b&c=d}, URL-encoded; null or empty: everything). */
    public static KpiQuery parse(String rawQuery) {
        QueryParameters params = QueryParameters.parse(rawQuery, PARAMETERS);
        String scope = params.getOrNull("scope");
        if (scope != null && !scope.equals(KpiRecord.SITE) && !scope.equals(KpiRecord.REGION)) {
            throw new BadParameterException("scope must be site or region, got '" + scope + "'");
        }
        String window = params.getOrNull("window");
        if (window != null && !WindowLength.valid(window)) {
            throw new BadParameterException("window must be an ISO-8601 length such as PT1H, P1D or P1M, got '" + window + "'");
        }
        return new KpiQuery(scope, params.getOrNull("site"), params.getOrNull("region"), params.getOrNull("material"),
                window == null ? null : WindowLength.canonical(window));
    }

    /** True when {@code r} passes every given filter. */
    public boolean matches(KpiRecord r) {
        return (scope == null || scope.equals(r.scope()))
                && (site == null || site.equals(r.site()))
                && (region == null || region.equals(r.region()))
                && (material == null || material.equals(r.material()))
                // String.valueOf: whatever type the record's window has (a Duration today), its ISO-8601 text.
                && (window == null || window.equals(WindowLength.canonical(String.valueOf(r.window()))));
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
                .thenComparing(r -> WindowLength.canonical(String.valueOf(r.window()))).thenComparing(KpiRecord::windowStart));
        return out;
    }
}
