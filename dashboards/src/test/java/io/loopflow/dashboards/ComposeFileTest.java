package io.loopflow.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.app.Loopflow;
import io.loopflow.app.simulate.KalundborgScenario;
import io.loopflow.app.simulate.SimulatedMeter;
import io.loopflow.core.Ids;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.sink.SinkConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docker-compose.yml agrees with the application and the provisioning files: the loopflow services run
 * commands that exist and set only environment variables those commands read, ports and host names match
 * between services, health checks and start order are there, the topics are those of the catalogue,
 * Grafana gets every variable its provisioning files use, and Mosquitto's ACL confines each site.
 */
class ComposeFileTest {
    private static final Path REPO = Path.of("..");
    private static final JsonNode COMPOSE = Provisioning.read(Provisioning.YAML, REPO.resolve("docker-compose.yml"));
    private static final JsonNode SERVICES = COMPOSE.path("services");
    private static final String LOOPFLOW_IMAGE = "loopflow:local";
    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:(\\w+)");
    private static final Pattern EXPORTED = Pattern.compile("export (\\w+)=");

    @Test
    void theStackHasEveryServiceAndTheSimulatorOnlyInItsProfile() {
        assertThat(names(SERVICES)).containsExactlyInAnyOrder(
                "mosquitto", "kafka", "kafka-init", "influxdb", "gateway", "streams", "sink", "grafana", "simulator");
        assertThat(SERVICES.path("simulator").path("profiles").findValuesAsText("")).isEmpty();
        assertThat(SERVICES.path("simulator").path("profiles").get(0).asText()).isEqualTo("simulator");
        for (String name : names(SERVICES)) {
            if (!name.equals("simulator")) {
                assertThat(SERVICES.path(name).has("profiles")).as(name + " runs without a profile").isFalse();
            }
        }
    }

    @Test
    void loopflowServicesRunExistingCommandsWithTheEnvironmentTheyRead() {
        Map<String, CommandLine> commands = Loopflow.commandLine().getSubcommands();
        List<String> checked = new ArrayList<>();
        for (String name : names(SERVICES)) {
            JsonNode service = SERVICES.path(name);
            if (!LOOPFLOW_IMAGE.equals(service.path("image").asText())) {
                continue;
            }
            assertThat(service.path("build").path("dockerfile").asText()).as(name).isEqualTo("docker/Dockerfile");
            String command = subcommand(service);
            assertThat(commands).as("service %s runs `loopflow %s`, which the loopflow command must have", name, command).containsKey(command);
            Set<String> read = environmentRead(commands.get(command));
            assertThat(environment(service)).as("LOOPFLOW_* variables of service %s that `loopflow %s` reads", name, command)
                    .filteredOn(v -> v.startsWith("LOOPFLOW_")).isSubsetOf(read);
            checked.add(name);
        }
        assertThat(checked).containsExactlyInAnyOrder("gateway", "streams", "sink", "simulator");
    }

    @Test
    void sinkGetsEverySettingItNeedsAndTheInfluxDbThatIsSetUp() {
        JsonNode sink = SERVICES.path("sink");
        assertThat(environment(sink)).contains(SinkConfig.ENV_KAFKA_BOOTSTRAP, SinkConfig.ENV_INFLUX_URL, SinkConfig.ENV_INFLUX_ORG,
                SinkConfig.ENV_INFLUX_BUCKET, SinkConfig.ENV_INFLUX_TOKEN);
        JsonNode influx = SERVICES.path("influxdb").path("environment");
        assertThat(env(sink, SinkConfig.ENV_INFLUX_ORG)).isEqualTo(influx.path("DOCKER_INFLUXDB_INIT_ORG").asText());
        assertThat(env(sink, SinkConfig.ENV_INFLUX_BUCKET)).isEqualTo(influx.path("DOCKER_INFLUXDB_INIT_BUCKET").asText());
        URI url = URI.create(env(sink, SinkConfig.ENV_INFLUX_URL));
        assertThat(url.getHost()).isEqualTo("influxdb");
        assertThat(containerPorts(SERVICES.path("influxdb"))).contains(url.getPort());
        assertThat(entrypoint(sink)).contains("/tokens/sink.token");
        assertThat(volumes(sink)).contains("influx-tokens:/tokens:ro");
    }

    @Test
    void hostsAndPortsAgreeBetweenServices() {
        String advertised = SERVICES.path("kafka").path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText();
        for (String name : List.of("gateway", "streams", "sink", "kafka-init")) {
            String bootstrap = env(SERVICES.path(name), "LOOPFLOW_KAFKA_BOOTSTRAP");
            assertThat(advertised).as(name + " bootstrap " + bootstrap).contains("://" + bootstrap);
        }
        // LoopFlow's services log in on the plant listener, the one published on the host.
        for (String name : List.of("gateway", "simulator")) {
            URI mqtt = URI.create(env(SERVICES.path(name), "LOOPFLOW_MQTT_URI"));
            assertThat(mqtt.getHost()).as(name).isEqualTo("mosquitto");
            assertThat(mqtt.getPort()).as(name + " MQTT port").isEqualTo(1883);
        }
        assertThat(mosquittoListeners()).containsExactlyInAnyOrder(1883, 1884);
        assertThat(SERVICES.path("mosquitto").path("healthcheck").path("test").toString()).contains("\"-h\",\"127.0.0.1\",\"-p\",\"1884\"");
        assertThat(containerPorts(SERVICES.path("mosquitto"))).containsExactly(1883);

        JsonNode streams = SERVICES.path("streams");
        int http = Integer.parseInt(env(streams, "LOOPFLOW_HTTP_PORT"));
        assertThat(containerPorts(streams)).containsExactly(http);
        assertThat(streams.path("healthcheck").path("test").toString()).contains("localhost:" + http + "/api/health");
    }

    @Test
    void infrastructureHasHealthChecksAndServicesStartInOrder() {
        for (String name : List.of("mosquitto", "kafka", "influxdb", "streams", "grafana")) {
            assertThat(SERVICES.path(name).path("healthcheck").path("test").size()).as(name + " health check").isPositive();
        }
        assertThat(dependsOn("kafka-init")).containsEntry("kafka", "service_healthy");
        assertThat(dependsOn("gateway")).containsEntry("mosquitto", "service_healthy").containsEntry("kafka-init", "service_completed_successfully");
        assertThat(dependsOn("streams")).containsEntry("kafka-init", "service_completed_successfully");
        assertThat(dependsOn("sink")).containsEntry("kafka-init", "service_completed_successfully").containsEntry("influxdb", "service_healthy");
        assertThat(dependsOn("grafana")).containsEntry("influxdb", "service_healthy");
        assertThat(dependsOn("simulator")).containsEntry("mosquitto", "service_healthy").containsKey("gateway");
        // InfluxDB is healthy only once the init script has written the scoped tokens.
        assertThat(SERVICES.path("influxdb").path("healthcheck").path("test").toString()).contains("/tokens/sink.token", "/tokens/grafana.token");
    }

    @Test
    void kafkaInitCreatesEveryTopicOfTheCatalogueWithDescriptorTopicsCompacted() {
        JsonNode init = SERVICES.path("kafka-init");
        Set<String> plain = Set.of(env(init, "LOOPFLOW_TOPICS").split(" "));
        Set<String> compacted = Set.of(env(init, "LOOPFLOW_COMPACTED_TOPICS").split(" "));

        assertThat(compacted).containsExactlyInAnyOrderElementsOf(Topics.COMPACTED.stream().map(Topic::name).toList());
        Set<String> all = new HashSet<>(plain);
        all.addAll(compacted);
        assertThat(all).containsExactlyInAnyOrderElementsOf(Topics.ALL.stream().map(Topic::name).toList());
        assertThat(init.path("command").toString()).contains("cleanup.policy=compact", "--if-not-exists");
    }

    @Test
    void grafanaGetsItsProvisioningEveryVariableItUsesAndNoAnonymousAccess() throws IOException {
        JsonNode grafana = SERVICES.path("grafana");
        assertThat(volumes(grafana)).contains("./dashboards/grafana/provisioning:/etc/grafana/provisioning:ro",
                "./dashboards/grafana/dashboards:" + Provisioning.providers().get(0).path("options").path("path").asText() + ":ro");
        assertThat(env(grafana, "GF_AUTH_ANONYMOUS_ENABLED")).isEqualTo("false");

        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{(\\w+)}").matcher(Files.readString(Provisioning.DATASOURCES.resolve("loopflow-influxdb.yaml")));
        while (m.find()) {
            used.add(m.group(1));
        }
        assertThat(used).isNotEmpty();
        assertThat(environment(grafana)).containsAll(used);
        assertThat(env(grafana, "LOOPFLOW_INFLUX_DATABASE")).isEqualTo(env(SERVICES.path("influxdb"), "LOOPFLOW_INFLUX_DATABASE"));
        assertThat(URI.create(env(grafana, "LOOPFLOW_INFLUX_URL")).getHost()).isEqualTo("influxdb");
        assertThat(Files.readString(REPO.resolve("docker/influxdb/init-loopflow.sh"))).contains("v1 dbrp create", "--write-bucket", "--read-bucket");
    }

    @Test
    void mosquittoLetsEachSiteUserPublishOnlyUnderItsSiteAndTheGatewayReadAll() throws IOException {
        List<String> acl = Files.readAllLines(REPO.resolve("docker/mosquitto/acl"));
        List<String> rules = acl.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        int firstUser = rules.indexOf(rules.stream().filter(l -> l.startsWith("user ")).findFirst().orElseThrow());
        // before the first "user" line, rules apply to everyone: only the per-site pattern may grant writes
        assertThat(rules.subList(0, firstUser)).contains("pattern write loopflow/v1/%u/#").noneMatch(l -> l.startsWith("topic"));
        assertThat(rules.subList(0, firstUser)).filteredOn(l -> l.contains("write")).containsExactly("pattern write loopflow/v1/%u/#");
        assertThat(rules.subList(firstUser, rules.size())).containsSequence("user gateway", "topic read loopflow/v1/#");
        assertThat(rules.subList(firstUser, rules.size())).containsSequence("user simulator", "topic write loopflow/v1/#");

        String conf = Files.readString(REPO.resolve("docker/mosquitto/mosquitto.conf"));
        assertThat(conf).containsPattern("listener 1883\\s+protocol mqtt\\s+allow_anonymous false\\s+password_file \\S+\\s+acl_file /mosquitto/config/acl\\b");
        assertThat(conf).contains("max_queued_messages 0", "per_listener_settings true");
        // The login-free listener is for the health check inside the container: loopback only, $SYS only.
        assertThat(conf).containsPattern("listener 1884 127\\.0\\.0\\.1\\s+protocol mqtt\\s+allow_anonymous true\\s+acl_file /mosquitto/config/acl-internal\\b");
        assertThat(Files.readAllLines(REPO.resolve("docker/mosquitto/acl-internal"))).filteredOn(l -> !l.isBlank() && !l.startsWith("#"))
                .containsExactly("topic read $SYS/#");

        Set<String> users = new TreeSet<>();
        for (String line : Files.readAllLines(REPO.resolve("docker/mosquitto/credentials"))) {
            if (!line.startsWith("#") && line.contains(":")) {
                users.add(line.substring(0, line.indexOf(':')));
            }
        }
        assertThat(users).allSatisfy(u -> assertThat(Ids.isValid(u)).as(u + " is a valid site id").isTrue());
        assertThat(users).as("LoopFlow's own users get their passwords from the compose variables, not this file")
                .doesNotContain("gateway", "simulator");
        Set<String> simulatedSites = new TreeSet<>();
        for (SimulatedMeter meter : new KalundborgScenario().meters()) {
            simulatedSites.add(meter.site());
        }
        assertThat(users).as("a user for every site of the simulated region").containsAll(simulatedSites);
    }

    @Test
    void gatewayAndSimulatorLogInWithThePasswordsMosquittoIsGiven() throws IOException {
        JsonNode mosquitto = SERVICES.path("mosquitto");
        String start = Files.readString(REPO.resolve("docker/mosquitto/start.sh"));
        Map<String, String> users = Map.of("gateway", "LOOPFLOW_GATEWAY_MQTT_PASSWORD", "simulator", "LOOPFLOW_SIMULATOR_MQTT_PASSWORD");
        for (Map.Entry<String, String> user : users.entrySet()) {
            JsonNode service = SERVICES.path(user.getKey());
            assertThat(env(service, "LOOPFLOW_MQTT_USERNAME")).isEqualTo(user.getKey());
            // One compose variable feeds both the broker's password file and the service's login.
            assertThat(env(service, "LOOPFLOW_MQTT_PASSWORD")).startsWith("${" + user.getValue())
                    .isEqualTo(env(mosquitto, user.getValue()));
            assertThat(start).contains("echo \"" + user.getKey() + ":$" + user.getValue() + "\"");
        }
        assertThat(start).contains("mosquitto_passwd -U");
    }

    /** The environment variables a picocli command reads: those named in its options' {@code ${env:NAME...}} defaults. */
    private static Set<String> environmentRead(CommandLine command) {
        Set<String> names = new TreeSet<>();
        for (CommandLine.Model.OptionSpec option : command.getCommandSpec().options()) {
            if (option.defaultValueString(false) != null) {
                Matcher m = ENV_DEFAULT.matcher(option.defaultValueString(false));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    /** The loopflow subcommand a service runs: its {@code command}, or the word after the jar in its entrypoint. */
    private static String subcommand(JsonNode service) {
        if (service.has("command")) {
            return service.path("command").get(0).asText();
        }
        String[] words = entrypoint(service).split("\\s+");
        return words[words.length - 1];
    }

    private static String entrypoint(JsonNode service) {
        List<String> parts = new ArrayList<>();
        service.path("entrypoint").forEach(p -> parts.add(p.asText()));
        return String.join(" ", parts);
    }

    /** Names set in {@code environment} plus those exported by the entrypoint. */
    private static Set<String> environment(JsonNode service) {
        Set<String> names = new TreeSet<>(names(service.path("environment")));
        Matcher m = EXPORTED.matcher(entrypoint(service));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String env(JsonNode service, String name) {
        JsonNode v = service.path("environment").path(name);
        assertThat(v.isMissingNode()).as("environment " + name).isFalse();
        return v.asText();
    }

    private static List<String> volumes(JsonNode service) {
        List<String> out = new ArrayList<>();
        service.path("volumes").forEach(v -> out.add(v.asText()));
        return out;
    }

    private static List<Integer> containerPorts(JsonNode service) {
        List<Integer> out = new ArrayList<>();
        service.path("ports").forEach(p -> {
            String[] parts = p.asText().split(":");
            out.add(Integer.parseInt(parts[parts.length - 1]));
        });
        return out;
    }

    private static Map<String, String> dependsOn(String service) {
        Map<String, String> out = new TreeMap<>();
        JsonNode deps = SERVICES.path(service).path("depends_on");
        for (Iterator<Map.Entry<String, JsonNode>> it = deps.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().path("condition").asText());
        }
        return out;
    }

    private static Set<Integer> mosquittoListeners() {
        Set<Integer> ports = new TreeSet<>();
        try {
            Matcher m = Pattern.compile("(?m)^listener (\\d+)").matcher(Files.readString(REPO.resolve("docker/mosquitto/mosquitto.conf")));
            while (m.find()) {
                ports.add(Integer.parseInt(m.group(1)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ports;
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
