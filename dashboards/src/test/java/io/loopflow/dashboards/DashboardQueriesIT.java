package io.loopflow.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every InfluxQL query of the dashboards, the annotations, the variables and the alert rule, with Grafana's
 * macros expanded, run on a real InfluxDB 1.x query engine loaded with the sink's line protocol for
 * {@link Scenario}, and compared with the series and values that scenario must give. InfluxQL of 1.6 is
 * the common subset of 1.8, 2.x (through DBRP) and 3.x that the dashboards keep to.
 *
 * <p>Fails when {@code influxd} is missing on CI ({@code CI=true}); elsewhere it is skipped with the hint to
 * install Debian's {@code influxdb} package.
 */
class DashboardQueriesIT {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardQueriesIT.class);
    private static final String DB = "loopflow";
    private static final Duration INTERVAL = Duration.ofHours(1);
    private static final Map<String, List<String>> SELECTED = Map.of(
            "region", List.of("kalundborg"), "site", List.of("asnaes"), "material", List.of("gypsum"), "window", List.of("PT1H"));
    /** What a user of each dashboard selects in the test: a region with all its sites, one site, everything. */
    private static final Map<String, Map<String, List<String>>> SELECTED_PER_DASHBOARD = Map.of(
            "loopflow-region", Map.of("region", List.of("kalundborg"), "site", List.of(GrafanaMacros.ALL), "material", List.of("gypsum"), "window", List.of("PT1H")),
            "loopflow-site", SELECTED,
            "loopflow-surplus", Map.of("region", List.of("kalundborg"), "site", List.of(GrafanaMacros.ALL), "material", List.of(GrafanaMacros.ALL)),
            "loopflow-pipeline", Map.of());
    private static final Map<String, List<String>> ALL = Map.of(
            "region", List.of(GrafanaMacros.ALL), "site", List.of(GrafanaMacros.ALL), "material", List.of(GrafanaMacros.ALL), "window", List.of("PT1H"));
    private static final Map<String, String> ALL_VALUES = Map.of("region", ".*", "site", ".*", "material", ".*");

    @TempDir
    static Path dir;
    private static Influxd influxd;
    private static Instant base;

    @BeforeAll
    static void startInfluxd() throws IOException {
        Optional<Path> binary = Influxd.binary();
        if (binary.isEmpty()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("influxd not found: the test command must install Debian's influxdb package (apt-get install -y influxdb)");
            }
            Assumptions.abort("influxd not found; apt-get install -y influxdb to run the dashboard queries");
        }
        base = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        influxd = Influxd.start(binary.get(), dir);
        influxd.createDatabase(DB);
        influxd.write(DB, Scenario.lineProtocol(base));
    }

    @AfterAll
    static void stopInfluxd() {
        if (influxd != null) {
            influxd.close();
        }
    }

    @Test
    void everyPanelQueryReturnsTheExpectedSeriesAndValues() {
        Map<String, List<String>> expected = Expected.panels();
        Map<String, List<String>> actual = new TreeMap<>();
        for (JsonNode dashboard : Provisioning.dashboards().values()) {
            for (JsonNode panel : Provisioning.panels(dashboard)) {
                for (JsonNode target : panel.path("targets")) {
                    String key = dashboard.path("uid").asText() + " / " + panel.path("title").asText() + " / " + target.path("refId").asText();
                    Map<String, List<String>> selected = SELECTED_PER_DASHBOARD.get(dashboard.path("uid").asText());
                    assertThat(selected).as("selection for dashboard %s", dashboard.path("uid").asText()).isNotNull();
                    actual.put(key, run(target.path("query").asText(), selected));
                }
            }
        }
        SoftAssertions softly = new SoftAssertions();
        actual.forEach((key, rows) -> softly.assertThat(rows).as(key).containsExactlyElementsOf(expected.getOrDefault(key, List.of("(no expectation)"))));
        softly.assertThat(expected.keySet()).as("expectations without a panel").isSubsetOf(actual.keySet());
        if (!softly.wasSuccess()) {
            actual.forEach((key, rows) -> LOG.info("{}: {}", key, rows));
        }
        softly.assertAll();
    }

    @Test
    void allSelectedShowsEverySiteAndRegion() {
        JsonNode region = Provisioning.dashboards().get("region.json");
        JsonNode recycling = Provisioning.panels(region).stream().filter(p -> p.path("title").asText().equals("Landfill rate")).findFirst().orElseThrow();

        List<String> rows = run(recycling.path("targets").get(0).path("query").asText(), ALL);

        assertThat(rows).containsExactly(
                "loopflow_kpi{material=gypsum,site=arla} +0m last=1",
                "loopflow_kpi{material=gypsum,site=asnaes} +0m last=0.111111");
    }

    @Test
    void annotationQueriesReturnTheAlertHistoryAndTheSitesRestatedWindows() {
        Map<String, List<String>> expected = Map.of(
                "LoopFlow alerts", List.of(
                        "loopflow_alert +30m message=80 t of gypsum available at asnaes type=surplus.available",
                        "loopflow_alert +31m message=asnaes can supply gyproc type=match",
                        "loopflow_alert +32m message=asnaes can supply arla type=match",
                        "loopflow_alert +40m message=arla no longer wants gypsum type=match.closed"),
                // asnaes's PT1H window at base, restated by the ticket (the region's restated window is not the site's)
                "Restated windows", List.of("loopflow_kpi +0m revision=1 window=PT1H"));
        List<String> seen = new ArrayList<>();
        for (JsonNode dashboard : Provisioning.dashboards().values()) {
            for (JsonNode annotation : dashboard.path("annotations").path("list")) {
                if (annotation.has("query")) {
                    String name = annotation.path("name").asText();
                    seen.add(dashboard.path("uid").asText() + " " + name);
                    assertThat(expected).as("an expectation for annotation %s", name).containsKey(name);
                    List<String> rows = run(annotation.path("query").asText(), SELECTED);
                    assertThat(rows).as(dashboard.path("uid").asText() + " " + name).containsExactlyElementsOf(expected.get(name));
                    // Grafana maps the columns named in the annotation to title, text and tags
                    for (String column : List.of("titleColumn", "textColumn", "tagsColumn")) {
                        assertThat(rows.get(0)).as(name + " " + column).contains(" " + annotation.path(column).asText() + "=");
                    }
                }
            }
        }
        assertThat(seen).contains("loopflow-site Restated windows", "loopflow-site LoopFlow alerts");
    }

    @Test
    void variableQueriesResolveToTheScenarioIds() {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (JsonNode dashboard : Provisioning.dashboards().values()) {
            for (JsonNode variable : dashboard.path("templating").path("list")) {
                if (variable.path("type").asText().equals("query")) {
                    values.put(dashboard.path("uid").asText() + " $" + variable.path("name").asText(), run(variable.path("query").asText(), SELECTED));
                }
            }
        }
        assertThat(values).isNotEmpty().allSatisfy((name, rows) -> assertThat(rows).as(name).isNotEmpty());
        assertThat(values.get("loopflow-region $region")).containsExactly("loopflow_kpi key=region value=aarhus", "loopflow_kpi key=region value=kalundborg");
        assertThat(values.get("loopflow-region $site")).containsExactly("loopflow_flow key=site value=asnaes", "loopflow_flow key=site value=gyproc");
        assertThat(values.get("loopflow-region $material")).containsExactly("loopflow_flow key=material value=gypsum", "loopflow_flow key=material value=steam");
    }

    @Test
    void surplusAlertRuleFindsTheOpenSurplus() {
        List<JsonNode> rules = Provisioning.alertRules();
        assertThat(rules).isNotEmpty();
        for (JsonNode rule : rules) {
            JsonNode query = rule.path("data").get(0);
            long seconds = query.path("relativeTimeRange").path("from").asLong();
            Instant now = Instant.now();
            String influxql = GrafanaMacros.expand(query.path("model").path("query").asText(), Map.of(), Map.of(), now.minusSeconds(seconds), now, INTERVAL);

            assertThat(canonical(influxd.query(DB, influxql), true)).as(rule.path("uid").asText())
                    .containsExactly("loopflow_alert{material=gypsum,site=asnaes} +30m last=1");
        }
    }

    private static List<String> run(String query, Map<String, List<String>> variables) {
        Instant from = base.minus(Duration.ofHours(1));
        Instant to = base.plus(Duration.ofHours(2));
        // Time is meaningful for time buckets and raw rows, not for an aggregate over the whole range.
        boolean withTime = query.contains("GROUP BY time(") || !query.matches("(?s).*\\b(last|sum|max|min|mean|count)\\(.*");
        return canonical(influxd.query(DB, GrafanaMacros.expand(query, variables, ALL_VALUES, from, to, INTERVAL)), withTime);
    }

    /**
     * A statement's result as text: one line per row with a value, {@code measurement{tags} +Nm col=value...},
     * time as minutes after the scenario base (only for {@code withTime}: InfluxDB gives an aggregate over the
     * whole range the range's start, and several selectors time 0), numbers to 6 decimals, null columns left out.
     */
    private static List<String> canonical(JsonNode result, boolean withTime) {
        List<String> out = new ArrayList<>();
        for (JsonNode series : result.path("series")) {
            StringBuilder head = new StringBuilder(series.path("name").asText());
            if (series.has("tags")) {
                List<String> tags = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = series.path("tags").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> t = it.next();
                    if (!t.getValue().asText().isEmpty()) {
                        tags.add(t.getKey() + "=" + t.getValue().asText());
                    }
                }
                head.append('{').append(String.join(",", tags)).append('}');
            }
            List<String> columns = new ArrayList<>();
            series.path("columns").forEach(c -> columns.add(c.asText()));
            for (JsonNode row : series.path("values")) {
                StringBuilder line = new StringBuilder(head);
                boolean any = false;
                for (int i = 0; i < columns.size(); i++) {
                    JsonNode v = row.get(i);
                    if (columns.get(i).equals("time")) {
                        if (withTime && v.asLong() != 0) {
                            long minutes = Duration.between(base, Instant.ofEpochMilli(v.asLong())).toMinutes();
                            line.append(minutes < 0 ? " " : " +").append(minutes).append('m');
                        }
                    } else if (!v.isNull()) {
                        any = true;
                        line.append(' ').append(columns.get(i)).append('=').append(v.isNumber() ? number(v.asDouble()) : v.asText());
                    }
                }
                if (any) {
                    out.add(line.toString());
                }
            }
        }
        return out;
    }

    private static String number(double d) {
        return new BigDecimal(d).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}
