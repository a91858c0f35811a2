package io.loopflow.app;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reader of the Prometheus text exposition format 0.0.4, as a scraper reads it: {@code # HELP}/{@code # TYPE}
 * lines and samples {@code name{label="value",...} number}. Strict: a line that is none of these fails the parse.
 */
final class PrometheusText {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*})? (\\S+)( -?\\d+)?");
    private static final Pattern META = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");

    /** Every sample, keyed {@code name{labels}} as written, and the types of {@code # TYPE} lines. */
    record Scrape(Map<String, Double> samples, Map<String, String> types) {
        /** The value of the sample {@code series} (its name and labels as written), or null when absent. */
        Double value(String series) {
            return samples.get(series);
        }
    }

    private PrometheusText() {
    }

    static Scrape parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                Matcher m = META.matcher(line);
                if (!m.matches()) {
                    throw new IllegalArgumentException("not a HELP or TYPE line: " + line);
                }
                if (m.group(1).equals("TYPE")) {
                    types.put(m.group(2), line.substring(line.lastIndexOf(' ') + 1));
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a sample line: " + line);
            }
            String value = m.group(3);
            double v = switch (value) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(value);
            };
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), v);
        }
        return new Scrape(samples, types);
    }
}
