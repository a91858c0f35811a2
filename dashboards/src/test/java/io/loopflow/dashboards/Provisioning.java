package io.loopflow.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The Grafana provisioning files of this module ({@code grafana/}), as Grafana reads them. */
final class Provisioning {
    static final Path ROOT = Path.of("grafana");
    static final Path DASHBOARDS = ROOT.resolve("dashboards");
    static final Path DATASOURCES = ROOT.resolve("provisioning/datasources");
    static final Path ALERTING = ROOT.resolve("provisioning/alerting");
    static final Path PROVIDERS = ROOT.resolve("provisioning/dashboards");
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Provisioning() {
    }

    /** Dashboard file name -> dashboard JSON. */
    static Map<String, JsonNode> dashboards() {
        Map<String, JsonNode> out = new TreeMap<>();
        for (Path p : files(DASHBOARDS, ".json")) {
            out.put(p.getFileName().toString(), read(JSON, p));
        }
        return out;
    }

    /** Every provisioned datasource entry. */
    static List<JsonNode> datasources() {
        List<JsonNode> out = new ArrayList<>();
        for (Path p : files(DATASOURCES, ".yaml")) {
            read(YAML, p).path("datasources").forEach(out::add);
        }
        return out;
    }

    /** Every provisioned alert rule. */
    static List<JsonNode> alertRules() {
        List<JsonNode> out = new ArrayList<>();
        for (Path p : files(ALERTING, ".yaml")) {
            for (JsonNode group : read(YAML, p).path("groups")) {
                group.path("rules").forEach(out::add);
            }
        }
        return out;
    }

    /** Every dashboard provider. */
    static List<JsonNode> providers() {
        List<JsonNode> out = new ArrayList<>();
        for (Path p : files(PROVIDERS, ".yaml")) {
            read(YAML, p).path("providers").forEach(out::add);
        }
        return out;
    }

    /** The panels of a dashboard, rows' nested panels included. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            out.add(p);
            p.path("panels").forEach(out::add);
        }
        return out;
    }

    static JsonNode read(ObjectMapper mapper, Path p) {
        try {
            return mapper.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    private static List<Path> files(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir.toAbsolutePath(), e);
        }
    }
}
