package io.loopflow.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.InfluxDBContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Grafana with this module's provisioning files against InfluxDB 2.7 with a DBRP mapping, as in
 * docker-compose (Docker hosts only; {@link DashboardQueriesIT} covers the queries without Docker): every
 * panel query that the scenario gives data for returns data through Grafana's own query API, the node graph's
 * with the field names it reads (the panel's transformations run in the browser and are not exercised here).
 */
@Testcontainers(disabledWithoutDocker = true)
class GrafanaProvisioningIT {
    private static final String TOKEN = "loopflow-it-token";
    private static final Network NETWORK = Network.newNetwork();
    private static final Instant BASE = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Container
    static final InfluxDBContainer<?> INFLUX = new InfluxDBContainer<>(DockerImageName.parse("influxdb:2.7"))
            .withOrganization("loopflow").withBucket("loopflow").withAdminToken(TOKEN)
            .withNetwork(NETWORK).withNetworkAliases("influxdb");

    @Container
    static final GenericContainer<?> GRAFANA = new GenericContainer<>(DockerImageName.parse("grafana/grafana:11.2.0"))
            .withNetwork(NETWORK)
            .dependsOn(INFLUX)
            .withEnv(Map.of("LOOPFLOW_INFLUX_URL", "http://influxdb:8086", "LOOPFLOW_INFLUX_DATABASE", "loopflow",
                    "LOOPFLOW_INFLUX_READ_TOKEN", TOKEN, "GF_AUTH_ANONYMOUS_ENABLED", "false", "GF_SECURITY_ADMIN_PASSWORD", "it-admin"))
            .withCopyFileToContainer(MountableFile.forHostPath(Provisioning.ROOT.resolve("provisioning")), "/etc/grafana/provisioning")
            .withCopyFileToContainer(MountableFile.forHostPath(Provisioning.DASHBOARDS), "/var/lib/grafana/dashboards/loopflow")
            .withExposedPorts(3000)
            .waitingFor(Wait.forHttp("/api/health").forStatusCode(200));

    @BeforeAll
    static void loadScenario() throws Exception {
        String influx = INFLUX.getUrl();
        JsonNode buckets = Provisioning.JSON.readTree(send(HttpRequest.newBuilder(URI.create(influx + "/api/v2/buckets?name=loopflow"))
                .header("Authorization", "Token " + TOKEN).GET().build()));
        String bucketId = buckets.path("buckets").get(0).path("id").asText();
        String orgId = buckets.path("buckets").get(0).path("orgID").asText();
        send(HttpRequest.newBuilder(URI.create(influx + "/api/v2/dbrps")).header("Authorization", "Token " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"orgID\":\"" + orgId + "\",\"bucketID\":\"" + bucketId
                        + "\",\"database\":\"loopflow\",\"retention_policy\":\"autogen\",\"default\":true}")).build());
        send(HttpRequest.newBuilder(URI.create(influx + "/api/v2/write?org=loopflow&bucket=loopflow&precision=ms"))
                .header("Authorization", "Token " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", Scenario.lineProtocol(BASE)))).build());
    }

    @Test
    void everyPanelWithScenarioDataReturnsDataThroughGrafana() throws Exception {
        Map<String, List<String>> expected = Expected.panels();
        int checked = 0;
        for (JsonNode dashboard : Provisioning.dashboards().values()) {
            for (JsonNode panel : Provisioning.panels(dashboard)) {
                for (JsonNode target : panel.path("targets")) {
                    String key = dashboard.path("uid").asText() + " / " + panel.path("title").asText() + " / " + target.path("refId").asText();
                    if (expected.getOrDefault(key, List.of()).isEmpty()) {
                        continue;
                    }
                    JsonNode frames = query(GrafanaMacros.expandVariables(target.path("query").asText(), selection(dashboard.path("uid").asText()),
                            Map.of("region", ".*", "site", ".*", "material", ".*")), target.path("resultFormat").asText());
                    assertThat(frames.findValues("values")).as(key).isNotEmpty();
                    assertThat(frames.findValues("values").stream().mapToInt(v -> v.size() > 1 ? v.get(1).size() : 0).sum()).as(key).isPositive();
                    if (panel.path("type").asText().equals("nodeGraph")) {
                        // the node graph reads field names, which Grafana's InfluxQL backend takes from the column aliases
                        assertThat(frames.findValues("fields").get(0).findValuesAsText("name")).as(key).contains("source", "target", "mainstat");
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(expected.values().stream().filter(v -> !v.isEmpty()).count());
    }

    private static Map<String, List<String>> selection(String dashboard) {
        return switch (dashboard) {
            case "loopflow-site" -> Map.of("region", List.of("kalundborg"), "site", List.of("asnaes"), "material", List.of("gypsum"), "window", List.of("PT1H"));
            case "loopflow-pipeline" -> Map.of();
            default -> Map.of("region", List.of("kalundborg"), "site", List.of(GrafanaMacros.ALL), "material", List.of(GrafanaMacros.ALL), "window", List.of("PT1H"));
        };
    }

    private static JsonNode query(String influxql, String format) throws Exception {
        ObjectNode body = Provisioning.JSON.createObjectNode();
        body.put("from", Long.toString(BASE.minus(Duration.ofHours(1)).toEpochMilli()));
        body.put("to", Long.toString(BASE.plus(Duration.ofHours(2)).toEpochMilli()));
        ArrayNode queries = body.putArray("queries");
        ObjectNode q = queries.addObject();
        q.put("refId", "A");
        q.putObject("datasource").put("uid", "loopflow-influxdb").put("type", "influxdb");
        q.put("rawQuery", true);
        q.put("query", influxql);
        q.put("resultFormat", format);
        q.put("intervalMs", 3_600_000);
        q.put("maxDataPoints", 100);
        String url = "http://" + GRAFANA.getHost() + ":" + GRAFANA.getMappedPort(3000) + "/api/ds/query";
        String auth = Base64.getEncoder().encodeToString("admin:it-admin".getBytes(StandardCharsets.UTF_8));
        String answer = send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic " + auth)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
        JsonNode result = Provisioning.JSON.readTree(answer).path("results").path("A");
        assertThat(result.path("error").isMissingNode()).as("Grafana error for %s: %s", influxql, result.path("error")).isTrue();
        return result.path("frames");
    }

    private static String send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s: %s", request.method(), request.uri(), r.body()).isBetween(200, 299);
        return r.body();
    }
}
