package io.loopflow.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The provisioning files are well-formed: what Grafana would only find out at run time, checked here. */
class DashboardModelTest {
    /** The columns an InfluxQL query names with {@code AS "..."}: Grafana's InfluxQL backend names its fields after them. */
    private static final Pattern ALIAS = Pattern.compile("AS \"([^\"]+)\"");
    private static final Set<String> DASHBOARDS = Set.of("loopflow-region", "loopflow-site", "loopflow-surplus", "loopflow-pipeline");
    private final Map<String, JsonNode> dashboards = Provisioning.dashboards();

    @Test
    void theFourDashboardsHaveUniqueUidsAndTitles() {
        List<String> uids = dashboards.values().stream().map(d -> d.path("uid").asText()).toList();
        List<String> titles = dashboards.values().stream().map(d -> d.path("title").asText()).toList();

        assertThat(uids).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(DASHBOARDS);
        assertThat(titles).doesNotHaveDuplicates().allSatisfy(t -> assertThat(t).startsWith("LoopFlow: "));
    }

    @Test
    void panelIdsAreUniqueWithinADashboardAndEveryPanelHasATitleAndAQuery() {
        dashboards.forEach((file, d) -> {
            List<JsonNode> panels = Provisioning.panels(d);
            assertThat(panels).as(file).isNotEmpty();
            assertThat(panels.stream().map(p -> p.path("id").asInt()).toList()).as(file + " panel ids").doesNotHaveDuplicates();
            for (JsonNode p : panels) {
                String where = file + " / " + p.path("title").asText();
                assertThat(p.path("title").asText()).as(file + " panel title").isNotBlank();
                assertThat(p.path("targets")).as(where + " targets").isNotEmpty();
                for (JsonNode t : p.path("targets")) {
                    assertThat(t.path("rawQuery").asBoolean()).as(where + " raw InfluxQL").isTrue();
                    assertThat(t.path("query").asText()).as(where + " query").startsWith("SELECT ");
                }
                assertThat(p.path("targets").findValuesAsText("refId")).as(where + " refIds").doesNotHaveDuplicates();
            }
        });
    }

    @Test
    void everyDatasourceReferenceExists() {
        Set<String> uids = new HashSet<>();
        Provisioning.datasources().forEach(ds -> uids.add(ds.path("uid").asText()));
        assertThat(uids).containsExactly("loopflow-influxdb");
        assertThat(Provisioning.datasources()).allSatisfy(ds -> {
            assertThat(ds.path("type").asText()).isEqualTo("influxdb");
            assertThat(ds.path("jsonData").path("version").asText()).isEqualTo("InfluxQL");
        });

        List<JsonNode> references = new ArrayList<>();
        dashboards.values().forEach(d -> {
            references.addAll(d.findValues("datasource"));
        });
        assertThat(references).isNotEmpty().allSatisfy(ref -> {
            if (!ref.path("type").asText().equals("grafana")) {
                assertThat(ref.path("uid").asText()).isIn(uids);
            }
        });
        assertThat(Provisioning.alertRules()).isNotEmpty().allSatisfy(rule -> rule.path("data").forEach(q ->
                assertThat(q.path("datasourceUid").asText()).isIn(uids.contains(q.path("datasourceUid").asText()) ? uids : Set.of("__expr__"))));
    }

    @Test
    void everyVariableUsedIsDefinedAndResolvesOnlyEarlierVariables() {
        dashboards.forEach((file, d) -> {
            List<String> defined = new ArrayList<>();
            for (JsonNode v : d.path("templating").path("list")) {
                String query = v.path("query").asText();
                if (v.path("type").asText().equals("query")) {
                    assertThat(GrafanaMacros.variablesIn(query)).as(file + " $" + v.path("name").asText() + " depends on").isSubsetOf(defined);
                    assertThat(query).startsWith("SHOW TAG VALUES");
                }
                if (v.path("includeAll").asBoolean()) {
                    assertThat(v.path("allValue").asText()).as(file + " $" + v.path("name").asText() + " allValue").isEqualTo(".*");
                }
                defined.add(v.path("name").asText());
            }
            for (JsonNode p : Provisioning.panels(d)) {
                for (JsonNode t : p.path("targets")) {
                    assertThat(GrafanaMacros.variablesIn(t.path("query").asText())).as(file + " / " + p.path("title").asText()).isSubsetOf(defined);
                }
            }
            for (JsonNode a : d.path("annotations").path("list")) {
                assertThat(GrafanaMacros.variablesIn(a.path("query").asText())).as(file + " annotation").isSubsetOf(defined);
            }
        });
    }

    @Test
    void regionSiteAndMaterialVariablesExistWhereTheyFilter() {
        for (String file : List.of("region.json", "site.json", "surplus.json")) {
            List<String> names = dashboards.get(file).path("templating").path("list").findValuesAsText("name");
            assertThat(names).as(file).contains("region", "site", "material");
        }
    }

    @Test
    void everyPanelHasAUnitAndEveryTimeSeriesAnAxisLabel() {
        dashboards.forEach((file, d) -> Provisioning.panels(d).forEach(p -> {
            String where = file + " / " + p.path("title").asText();
            if (p.path("type").asText().equals("nodeGraph")) {
                return; // its stats take no unit: nodeGraphIsFedAsGrafanasNodeGraphReadsItsFrames
            }
            assertThat(p.path("fieldConfig").path("defaults").path("unit").asText()).as(where + " unit").isNotBlank();
            if (p.path("type").asText().equals("timeseries")) {
                assertThat(p.path("fieldConfig").path("defaults").path("custom").path("axisLabel").asText()).as(where + " axis label").isNotBlank();
            }
            if (p.path("targets").toString().contains("$tag_unit")) {
                // quantities: one unit per canonical unit, matched on the legend's "(unit)"
                assertThat(p.path("fieldConfig").path("overrides").findValuesAsText("value")).as(where + " unit overrides")
                        .contains("suffix: t", "suffix: MWh", "suffix: m³");
            }
        }));
    }

    @Test
    void surplusDashboardShowsOnlyOpenMatchesAndAlertsAsAnnotations() {
        JsonNode surplus = dashboards.get("surplus.json");
        JsonNode matches = Provisioning.panels(surplus).stream().filter(p -> p.path("title").asText().equals("Open matches")).findFirst().orElseThrow();

        assertThat(matches.path("transformations").get(0).path("id").asText()).isEqualTo("filterByValue");
        assertThat(matches.path("transformations").get(0).path("options").path("filters").get(0).path("fieldName").asText()).isEqualTo("open");
        assertThat(surplus.path("annotations").path("list").findValuesAsText("query")).anySatisfy(q -> assertThat(q).contains("loopflow_alert"));
    }

    @Test
    void windowVariablesOfferTheHourTheCalendarDayAndTheCalendarMonth() {
        for (String file : List.of("region.json", "site.json")) {
            JsonNode window = null;
            for (JsonNode v : dashboards.get(file).path("templating").path("list")) {
                if (v.path("name").asText().equals("window")) {
                    window = v;
                }
            }
            assertThat(window).as(file + " $window").isNotNull();
            assertThat(window.path("query").asText()).as(file).isEqualTo("PT1H,P1D,P1M");
            assertThat(window.path("options").findValuesAsText("value")).as(file).containsExactly("PT1H", "P1D", "P1M");
        }
    }

    @Test
    void siteDashboardMarksRestatedWindowsInATableAndAsAnnotations() {
        JsonNode site = dashboards.get("site.json");
        JsonNode table = Provisioning.panels(site).stream().filter(p -> p.path("title").asText().equals("Restated windows")).findFirst().orElseThrow();

        assertThat(table.path("type").asText()).isEqualTo("table");
        assertThat(table.path("targets").get(0).path("resultFormat").asText()).isEqualTo("table");
        assertThat(table.path("targets").get(0).path("query").asText()).contains("FROM \"loopflow_kpi\"", "\"revision\" > 0", "GROUP BY \"window\"");
        assertThat(site.path("annotations").path("list").findValuesAsText("query"))
                .anySatisfy(q -> assertThat(q).contains("\"revision\" > 0", "\"window\" = '$window'"));
    }

    /**
     * What Grafana's node graph needs, read in grafana/grafana's source (the snapshots searched were not tagged
     * v11.2.0; the behaviour below is the same in an older version, with useCategorizeFrames.ts, and a newer one,
     * with getGraphFrame):
     * <ul>
     *   <li>public/app/plugins/panel/nodeGraph/utils.ts {@code getNodeGraphDataFrames}: a frame is used when its
     *       refId (or name) is {@code edges}/{@code nodes}, its meta.preferredVisualisationType is {@code nodeGraph},
     *       or it has a field named {@code id};</li>
     *   <li>useCategorizeFrames.ts / utils.ts {@code getGraphFrame}: a frame with a field named exactly
     *       {@code source} is the edges frame;</li>
     *   <li>utils.ts {@code processNodes}: without a nodes frame, the nodes are built from the edges' {@code source}
     *       and {@code target} (title = the id) and a numeric {@code mainstat} of the edges is summed into their
     *       target node; {@code processEdges} throws "id field is required for edges data frame." without a field
     *       {@code id}; {@code getEdgeFields} matches {@code mainstat}, {@code secondarystat} and the prefix
     *       {@code detail__} case-insensitively; {@code statToString} appends {@code config.unit} verbatim, so no
     *       panel unit such as "short";</li>
     *   <li>packages/grafana-data/src/transformations/transformers/rename.ts {@code createRenamer} (organize and
     *       rename) only sets {@code config.displayName}, not the field name the node graph reads: the names must
     *       come from the query, as InfluxQL aliases (Grafana's InfluxQL backend names fields after the columns:
     *       pkg/tsdb/influxdb/influxql/converter/testdata/*.table.golden.jsonc);</li>
     *   <li>calculateField.ts {@code CalculateFieldMode.Index} ("index") adds a number field named {@code alias};
     *       {@code timeSeries: false} skips the join of ensureColumns.</li>
     * </ul>
     */
    @Test
    void nodeGraphIsFedAsGrafanasNodeGraphReadsItsFrames() {
        JsonNode region = dashboards.get("region.json");
        List<JsonNode> panels = Provisioning.panels(region);
        JsonNode graph = panels.stream().filter(p -> p.path("type").asText().equals("nodeGraph")).findFirst().orElseThrow();
        JsonNode target = graph.path("targets").get(0);

        assertThat(panels).extracting(p -> p.path("title").asText()).contains("Exchanges between sites", "Exchange network");
        assertThat(graph.path("targets")).hasSize(1);
        assertThat(target.path("refId").asText()).isEqualTo("edges");
        assertThat(target.path("resultFormat").asText()).isEqualTo("table");
        List<String> columns = new ArrayList<>();
        Matcher alias = ALIAS.matcher(target.path("query").asText().substring(0, target.path("query").asText().indexOf(" FROM ")));
        while (alias.find()) {
            columns.add(alias.group(1));
        }
        assertThat(columns).containsExactly("source", "target", "mainstat", "secondarystat", "detail__unit");
        assertThat(graph.path("transformations")).singleElement().satisfies(t -> {
            assertThat(t.path("id").asText()).isEqualTo("calculateField");
            assertThat(t.path("options").path("mode").asText()).isEqualTo("index");
            assertThat(t.path("options").path("alias").asText()).isEqualTo("id");
            assertThat(t.path("options").path("timeSeries").asBoolean(true)).isFalse();
            assertThat(t.path("options").path("replaceFields").asBoolean(true)).isFalse();
        });
        assertThat(graph.path("fieldConfig").path("defaults").has("unit")).as("statToString appends the unit verbatim").isFalse();
    }

    @Test
    void alertRuleForSurplusIsProvisionedAndProviderPointsAtTheDashboards() {
        assertThat(Provisioning.alertRules()).extracting(r -> r.path("uid").asText()).containsExactly("loopflow-surplus-available");
        assertThat(Provisioning.alertRules().get(0).path("condition").asText()).isEqualTo("C");
        assertThat(Provisioning.providers()).singleElement().satisfies(p ->
                assertThat(p.path("options").path("path").asText()).isEqualTo("/var/lib/grafana/dashboards/loopflow"));
    }
}
