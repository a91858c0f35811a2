package io.loopflow.dashboards;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Expands an InfluxQL query of a dashboard the way Grafana's InfluxDB datasource does before sending it:
 * {@code $timeFilter}, {@code $__interval}, {@code $__interval_ms}, and template variables, which inside a
 * regex literal are regex-escaped and, with several values, joined as {@code (a|b)}; the "All" value is the
 * variable's {@code allValue}.
 */
final class GrafanaMacros {
    /** The value of a variable whose "All" option is selected. */
    static final String ALL = "$__all";
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

    private GrafanaMacros() {
    }

    static String expand(String query, Map<String, List<String>> variables, Map<String, String> allValues, Instant from, Instant to, Duration interval) {
        String q = query
                .replace("$timeFilter", "time >= " + from.toEpochMilli() + "ms and time <= " + to.toEpochMilli() + "ms")
                .replace("$__interval_ms", Long.toString(interval.toMillis()))
                .replace("$__interval", interval.toSeconds() + "s");
        return expandVariables(q, variables, allValues);
    }

    /** Expands the template variables only, leaving Grafana's macros for Grafana itself. */
    static String expandVariables(String query, Map<String, List<String>> variables, Map<String, String> allValues) {
        Matcher m = VARIABLE.matcher(query);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            if (name.equals("timeFilter") || name.startsWith("__")) {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
                continue;
            }
            List<String> values = variables.get(name);
            if (values == null) {
                throw new IllegalArgumentException("query uses $" + name + ", which has no value: " + query);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(format(values, allValues.get(name), insideRegex(query, m.start()))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The variables used by {@code query} (built-in macros excluded). */
    static List<String> variablesIn(String query) {
        Matcher m = VARIABLE.matcher(query.replace("$timeFilter", "").replace("$__interval_ms", "").replace("$__interval", ""));
        return m.results().map(r -> r.group(1) != null ? r.group(1) : r.group(2))
                .filter(n -> !n.equals("col") && !n.startsWith("tag_") && !n.startsWith("__"))
                .distinct().sorted(Comparator.naturalOrder()).toList();
    }

    private static String format(List<String> values, String allValue, boolean regex) {
        if (values.equals(List.of(ALL))) {
            if (allValue == null) {
                throw new IllegalArgumentException("All selected for a variable without allValue");
            }
            return allValue;
        }
        if (!regex) {
            return String.join(",", values);
        }
        List<String> escaped = values.stream().map(GrafanaMacros::escapeRegex).toList();
        return escaped.size() == 1 ? escaped.get(0) : escaped.stream().collect(Collectors.joining("|", "(", ")"));
    }

    /** True when {@code index} lies between the slashes of an InfluxQL regex literal {@code /.../}. */
    private static boolean insideRegex(String q, int index) {
        int slashes = 0;
        boolean inString = false;
        for (int i = 0; i < index; i++) {
            char c = q.charAt(i);
            if (c == '\'' && slashes % 2 == 0) {
                inString = !inString;
            } else if (c == '/' && !inString) {
                slashes++;
            }
        }
        return slashes % 2 == 1;
    }

    /** As Grafana's escapeRegex: {@code \ ^ $ * + ? . ( ) | { } [ ] /} get a backslash; ids may contain {@code . - _}. */
    private static String escapeRegex(String value) {
        return value.replaceAll("([\\\\^$.|?*+()\\[\\]{}/])", "\\\\$1");
    }
}
