package io.loopflow.streams.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The parameters of a raw query string ({@code a=b&c=d}, URL-encoded), checked against the names an endpoint
 * knows: an unknown name or a name given twice is a {@link BadParameterException}. Blank values count as absent.
 */
public final class QueryParameters {
    private final Map<String, String> values;

    private QueryParameters(Map<String, String> values) {
        this.values = values;
    }

    /** Parses {@code rawQuery} (null or empty: no parameters). */
    public static QueryParameters parse(String rawQuery, Set<String> known) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name;
                String value;
                try {
                    name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new BadParameterException("bad URL encoding in '" + pair + "': " + e.getMessage(), e);
                }
                if (!known.contains(name)) {
                    throw new BadParameterException("unknown parameter '" + name + "'; known: " + String.join(", ", new TreeSet<>(known)));
                }
                if (params.put(name, value) != null) {
                    throw new BadParameterException("parameter '" + name + "' given twice");
                }
            }
        }
        return new QueryParameters(Collections.unmodifiableMap(params));
    }

    /** The value of {@code name}, absent when missing or blank. */
    public Optional<String> get(String name) {
        String v = values.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    /** The value of {@code name} or null when missing or blank. */
    public String getOrNull(String name) {
        return get(name).orElse(null);
    }
}
