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
 * Grafana gets every variable its provisioning files use, and Mosquitto's ACL confines each site. And it has no
 * working default secret, the simulator's MQTT user only with its profile, LoopFlow's services on a listener of
 * their own that is not published, and plants on TLS. (MosquittoAccessIT runs the Mosquitto part for real.)
 */
class ComposeFileTest {
    private static final Path REPO = Path.of("..");
    private static final JsonNode COMPOSE = Provisioning.read(Provisioning.YAML, REPO.resolve("docker-compose.yml"));
    private static final JsonNode SERVICES = COMPOSE.path("services");
    private static final String LOOPFLOW_IMAGE = "loopflow:local";
    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:(\\w+)");
    private static final Pattern EXPORTED = Pattern.compile("export (\\w+)=");
    /** A compose variable reference: name, then what follows it up to the closing brace (":?message", ":-default", ...). */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)([^}]*)}");
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(PASSWORD|TOKEN|SECRET|_KEY)\\b.*");
    /**
     * Variables the HTTP servers' change adds to `loopflow streams` (--http-host) and to the gateway's and the sink's
     * health endpoint (--health-host), set to 0.0.0.0 in compose because outside compose they bind 127.0.0.1. They
     * are accepted here until the commands read them; once they do, this list no longer matters and can go.
     */
    private static final int PLANT_TLS_PORT = 8883;
    private static final int PLANT_PORT = 1883;
    private static final int SERVICES_PORT = 1885;
    private static final int HEALTH_PORT = 1884;

    @Test
    void theStackHasEveryServiceAndTheSimulatorOnlyInItsProfile() {
        assertThat(names(SERVICES)).containsExactlyInAnyOrder(
                "mosquitto", "kafka", "kafka-init", "influxdb", "gateway", "streams", "sink", "grafana", "simulator-login", "simulator");
        for (String name : List.of("simulator", "simulator-login")) {
            assertThat(texts(SERVICES.path(name).path("profiles"))).as(name + "'s profiles").containsExactly("simulator");
        }
        for (String name : names(SERVICES)) {
            if (!name.startsWith("simulator")) {
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
            Set<String> read = new TreeSet<>(environmentRead(commands.get(command)));
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
        // LoopFlow's services log in on a listener of their own, which is not published on the host.
        for (String name : List.of("gateway", "simulator")) {
            URI mqtt = URI.create(env(SERVICES.path(name), "LOOPFLOW_MQTT_URI"));
            assertThat(mqtt.getScheme() + "://" + mqtt.getHost()).as(name).isEqualTo("tcp://mosquitto");
            assertThat(mqtt.getPort()).as(name + " MQTT port").isEqualTo(SERVICES_PORT);
        }
        assertThat(SERVICES.path("simulator-login").path("healthcheck").path("test").toString())
                .contains("-h mosquitto -p " + SERVICES_PORT + " ");
        assertThat(mosquittoListeners()).containsExactlyInAnyOrder(PLANT_TLS_PORT, PLANT_PORT, SERVICES_PORT, HEALTH_PORT);
        assertThat(SERVICES.path("mosquitto").path("healthcheck").path("test").toString())
                .contains("\"-h\",\"127.0.0.1\",\"-p\",\"" + HEALTH_PORT + "\"");
        // Plants: TLS on the host's interfaces, plain MQTT on its loopback only (trials from that machine).
        assertThat(texts(SERVICES.path("mosquitto").path("ports")))
                .containsExactlyInAnyOrder(PLANT_TLS_PORT + ":" + PLANT_TLS_PORT, "127.0.0.1:" + PLANT_PORT + ":" + PLANT_PORT);
        for (String name : names(SERVICES)) {
            assertThat(containerPorts(SERVICES.path(name))).as(name + " publishes neither the services' nor the health-check listener")
                    .doesNotContain(SERVICES_PORT, HEALTH_PORT);
        }
        assertThat(SERVICES.path("mosquitto").has("network_mode")).as("host networking would publish every listener").isFalse();

        JsonNode streams = SERVICES.path("streams");
        int http = Integer.parseInt(env(streams, "LOOPFLOW_HTTP_PORT"));
        assertThat(containerPorts(streams)).containsExactly(http);
        assertThat(streams.path("healthcheck").path("test").toString()).contains("localhost:" + http + "/api/health");
    }

    @Test
    void streamProcessorRunsOnAFixedHeapTouchedAtStart() {
        // A heap that grows and shrinks under the processor's allocation rate costs seconds of page faults each time it
        // grows (streams/README.md): the default is a fixed heap, resident from the start.
        String options = env(SERVICES.path("streams"), "JAVA_TOOL_OPTIONS");
        Matcher m = Pattern.compile("\\$\\{LOOPFLOW_STREAMS_JAVA_OPTS:-(.*)}").matcher(options);
        assertThat(m.matches()).as(options).isTrue();
        List<String> flags = List.of(m.group(1).split(" "));
        assertThat(flags).contains("-XX:+AlwaysPreTouch");
        String xms = flags.stream().filter(f -> f.startsWith("-Xms")).findFirst().orElseThrow();
        String xmx = flags.stream().filter(f -> f.startsWith("-Xmx")).findFirst().orElseThrow();
        assertThat(xms.substring(4)).as("initial heap = maximum heap").isEqualTo(xmx.substring(4));
    }

    @Test
    void httpEndpointsListenOnEveryInterfaceOfTheirContainer() {
        // Outside compose they bind 127.0.0.1; in a container that would hide them from the published port and from
        // the other containers.
        assertThat(env(SERVICES.path("streams"), "LOOPFLOW_HTTP_HOST")).isEqualTo("0.0.0.0");
        for (String name : List.of("gateway", "sink")) {
            assertThat(env(SERVICES.path(name), "LOOPFLOW_HEALTH_HOST")).as(name).isEqualTo("0.0.0.0");
        }
    }

    @Test
    void everySecretIsRequiredWithoutADefault() throws IOException {
        String raw = Files.readString(REPO.resolve("docker-compose.yml"));
        Map<String, String> references = new TreeMap<>();
        Matcher m = VARIABLE.matcher(raw);
        while (m.find()) {
            references.merge(m.group(1), m.group(2), (a, b) -> a.equals(b) ? a : a + " | " + b);
        }
        // Every variable whose name says secret is required everywhere it is used: ${NAME:?message}, no default.
        Map<String, String> secrets = new TreeMap<>(references);
        secrets.keySet().removeIf(name -> !SECRET_NAME.matcher(name).matches());
        assertThat(secrets).isNotEmpty().allSatisfy((name, how) -> assertThat(how).as("${%s...}", name).startsWith(":?").doesNotContain("|"));
        // Every environment entry that carries a secret takes it from such a variable (or from the tokens volume).
        List<String> secretEntries = new ArrayList<>();
        for (String name : names(SERVICES)) {
            JsonNode environment = SERVICES.path(name).path("environment");
            for (String key : names(environment)) {
                if (SECRET_NAME.matcher(key).matches()) {
                    secretEntries.add(name + "." + key);
                    assertThat(environment.path(key).asText()).as("%s of service %s", key, name).matches("\\$\\{\\w+:\\?[^}]+}");
                }
            }
        }
        assertThat(secretEntries).contains("mosquitto.LOOPFLOW_GATEWAY_MQTT_PASSWORD", "gateway.LOOPFLOW_MQTT_PASSWORD",
                "simulator.LOOPFLOW_MQTT_PASSWORD", "simulator-login.LOOPFLOW_PROFILE_LOGIN_PASSWORD", "influxdb.DOCKER_INFLUXDB_INIT_PASSWORD",
                "influxdb.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN", "grafana.GF_SECURITY_ADMIN_PASSWORD");
        assertThat(references).containsKeys("LOOPFLOW_GATEWAY_MQTT_PASSWORD", "LOOPFLOW_SIMULATOR_MQTT_PASSWORD", "INFLUXDB_ADMIN_PASSWORD",
                "INFLUXDB_ADMIN_TOKEN", "GRAFANA_ADMIN_PASSWORD");
        // The only defaults left are not secrets: where the TLS certificate is, the region's time zone, the processor's JVM options.
        Map<String, String> withDefault = new TreeMap<>(references);
        withDefault.values().removeIf(how -> how.startsWith(":?"));
        assertThat(withDefault).containsOnlyKeys("LOOPFLOW_MQTT_TLS_DIR", "LOOPFLOW_TIME_ZONE", "LOOPFLOW_STREAMS_JAVA_OPTS");
        assertThat(raw).doesNotContainIgnoringCase("change-me");
        // The plants' users come without passwords: make-env.sh gives each a random one, start.sh refuses an empty one.
        assertThat(Files.readAllLines(REPO.resolve("docker/mosquitto/credentials.example")))
                .filteredOn(l -> !l.startsWith("#") && !l.isBlank()).isNotEmpty().allSatisfy(l -> assertThat(l).endsWith(":"));
        assertThat(Files.readString(REPO.resolve("docker/mosquitto/start.sh"))).contains("is shorter than $min_password characters");
        assertThat(Files.readString(REPO.resolve(".gitignore"))).contains("/.env", "/docker/mosquitto/credentials", "/docker/tls/ca/",
                "/docker/tls/mosquitto/");
    }

    @Test
    void simulatorUserExistsOnlyWithItsProfile() throws IOException {
        // Mosquitto itself never gets the simulator's password: no simulator user without the profile.
        assertThat(environment(SERVICES.path("mosquitto"))).doesNotContain("LOOPFLOW_SIMULATOR_MQTT_PASSWORD");
        assertThat(Files.readString(REPO.resolve("docker/mosquitto/start.sh"))).doesNotContain("simulator:").doesNotContain("SIMULATOR");
        for (String name : names(SERVICES)) {
            boolean usesIt = SERVICES.path(name).path("environment").toString().contains("${LOOPFLOW_SIMULATOR_MQTT_PASSWORD:");
            if (usesIt) {
                assertThat(texts(SERVICES.path(name).path("profiles"))).as(name + " gets the simulator's password").containsExactly("simulator");
            }
        }
        // The profile's simulator-login hands it over, through the folder Mosquitto reads profile logins from.
        JsonNode login = SERVICES.path("simulator-login");
        assertThat(env(login, "LOOPFLOW_PROFILE_LOGIN_USER")).isEqualTo("simulator");
        assertThat(entrypoint(login)).endsWith("/profile-login.sh");
        assertThat(volumes(login)).contains("mosquitto-profile-logins:/mosquitto/profile-logins");
        assertThat(volumes(SERVICES.path("mosquitto"))).contains("mosquitto-profile-logins:/mosquitto/profile-logins:ro");
        assertThat(dependsOn("simulator")).containsEntry("simulator-login", "service_healthy");
        // On the services' listener only.
        assertThat(rules("docker/mosquitto/acl")).noneMatch(l -> l.equals("user simulator") || l.equals("user gateway"));
        assertThat(rules("docker/mosquitto/acl-services")).containsSequence("user simulator", "topic write loopflow/v1/#");
    }

    @Test
    void plantsUseTlsFromAMountedFolderAndTheirClientIdIsTheirUserName() throws IOException {
        String conf = Files.readString(REPO.resolve("docker/mosquitto/mosquitto.conf"));
        for (int port : List.of(PLANT_TLS_PORT, PLANT_PORT)) {
            String listener = listener(conf, port);
            assertThat(listener).as("listener %d", port).contains("allow_anonymous false\n", "use_username_as_clientid true\n",
                    "password_file /mosquitto/data/passwd\n", "acl_file /mosquitto/config/acl\n");
        }
        assertThat(listener(conf, PLANT_TLS_PORT)).contains("certfile /mosquitto/data/tls/server.crt\n", "keyfile /mosquitto/data/tls/server.key\n");
        assertThat(volumes(SERVICES.path("mosquitto"))).contains("${LOOPFLOW_MQTT_TLS_DIR:-./docker/tls/mosquitto}:/mosquitto/tls:ro");
        assertThat(listener(conf, SERVICES_PORT)).contains("allow_anonymous false\n", "password_file /mosquitto/data/passwd-services\n",
                "acl_file /mosquitto/config/acl-services\n").doesNotContain("use_username_as_clientid");
        // A plant's client id is its user name, and no plant user may be named like a service's client id.
        assertThat(env(SERVICES.path("gateway"), "LOOPFLOW_CLIENT_ID")).startsWith("loopflow-");
        assertThat(env(SERVICES.path("simulator"), "LOOPFLOW_SIM_CLIENT_ID")).startsWith("loopflow-");
        assertThat(Files.readString(REPO.resolve("docker/mosquitto/start.sh"))).contains("case \"$user\" in loopflow-*) fail");
        assertThat(Files.readString(REPO.resolve("docker/tls/make-trial-ca.sh"))).contains("openssl", "DNS:mosquitto");
    }


    @Test
    void infrastructureHasHealthChecksAndServicesStartInOrder() {
        for (String name : List.of("mosquitto", "kafka", "influxdb", "streams", "grafana", "simulator-login")) {
            assertThat(SERVICES.path(name).path("healthcheck").path("test").size()).as(name + " health check").isPositive();
        }
        assertThat(dependsOn("kafka-init")).containsEntry("kafka", "service_healthy");
        assertThat(dependsOn("gateway")).containsEntry("mosquitto", "service_healthy").containsEntry("kafka-init", "service_completed_successfully");
        assertThat(dependsOn("streams")).containsEntry("kafka-init", "service_completed_successfully");
        assertThat(dependsOn("sink")).containsEntry("kafka-init", "service_completed_successfully").containsEntry("influxdb", "service_healthy");
        assertThat(dependsOn("grafana")).containsEntry("influxdb", "service_healthy");
        // The simulator starts once its login is on the broker (simulator-login's health check logs in with it).
        assertThat(dependsOn("simulator")).containsEntry("simulator-login", "service_healthy").containsKey("gateway");
        assertThat(dependsOn("simulator-login")).containsKey("mosquitto");
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
        assertThat(init.path("command").toString()).contains("cleanup.policy=compact", "--if-not-exists")
                .contains("--topic " + Topics.IMPORTS.name() + " --partitions 1 --replication-factor 1 --config cleanup.policy=compact")
                .contains("--topic " + Topics.STOCK_LEVELS + " --partitions $$LOOPFLOW_PARTITIONS --replication-factor 1");
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
        List<String> rules = rules("docker/mosquitto/acl");
        int firstUser = rules.indexOf(rules.stream().filter(l -> l.startsWith("user ")).findFirst().orElseThrow());
        // before the first "user" line, rules apply to everyone: only the per-site pattern may grant writes
        assertThat(rules.subList(0, firstUser)).contains("pattern write loopflow/v1/%u/#").noneMatch(l -> l.startsWith("topic"));
        assertThat(rules.subList(0, firstUser)).filteredOn(l -> l.contains("write")).containsExactly("pattern write loopflow/v1/%u/#");
        List<String> services = rules("docker/mosquitto/acl-services");
        assertThat(services).containsSequence("user gateway", "topic read loopflow/v1/#");
        assertThat(services).noneMatch(l -> l.startsWith("pattern")).first().isEqualTo("user gateway");

        String conf = Files.readString(REPO.resolve("docker/mosquitto/mosquitto.conf"));
        assertThat(conf).contains("max_queued_messages 0", "per_listener_settings true");
        // The login-free listener is for the health check inside the container: loopback only, $SYS only.
        assertThat(conf).containsPattern("listener 1884 127\\.0\\.0\\.1\\s+protocol mqtt\\s+allow_anonymous true\\s+acl_file /mosquitto/config/acl-internal\\b");
        assertThat(Files.readAllLines(REPO.resolve("docker/mosquitto/acl-internal"))).filteredOn(l -> !l.isBlank() && !l.startsWith("#"))
                .containsExactly("topic read $SYS/#");

        Set<String> users = new TreeSet<>();
        for (String line : Files.readAllLines(REPO.resolve("docker/mosquitto/credentials.example"))) {
            if (!line.startsWith("#") && line.contains(":")) {
                users.add(line.substring(0, line.indexOf(':')));
            }
        }
        assertThat(users).allSatisfy(u -> assertThat(Ids.isValid(u)).as(u + " is a valid site id").isTrue());
        assertThat(users).as("LoopFlow's own users exist on the services' listener only").doesNotContain("gateway", "simulator")
                .noneMatch(u -> u.startsWith("loopflow-"));
        Set<String> simulatedSites = new TreeSet<>();
        for (SimulatedMeter meter : new KalundborgScenario().meters()) {
            simulatedSites.add(meter.site());
        }
        assertThat(users).as("a user for every site of the simulated region").containsAll(simulatedSites);
    }

    @Test
    void gatewayAndSimulatorLogInWithThePasswordsMosquittoIsGiven() throws IOException {
        String start = Files.readString(REPO.resolve("docker/mosquitto/start.sh"));
        // One compose variable feeds both the broker's password file and the service's login.
        JsonNode gateway = SERVICES.path("gateway");
        assertThat(env(gateway, "LOOPFLOW_MQTT_USERNAME")).isEqualTo("gateway");
        assertThat(env(gateway, "LOOPFLOW_MQTT_PASSWORD")).startsWith("${LOOPFLOW_GATEWAY_MQTT_PASSWORD:?")
                .isEqualTo(env(SERVICES.path("mosquitto"), "LOOPFLOW_GATEWAY_MQTT_PASSWORD"));
        assertThat(start).contains("printf 'gateway:%s\\n' \"$LOOPFLOW_GATEWAY_MQTT_PASSWORD\"", "mosquitto_passwd -U");
        JsonNode simulator = SERVICES.path("simulator");
        assertThat(env(simulator, "LOOPFLOW_MQTT_USERNAME")).isEqualTo(env(SERVICES.path("simulator-login"), "LOOPFLOW_PROFILE_LOGIN_USER"));
        assertThat(env(simulator, "LOOPFLOW_MQTT_PASSWORD")).startsWith("${LOOPFLOW_SIMULATOR_MQTT_PASSWORD:?")
                .isEqualTo(env(SERVICES.path("simulator-login"), "LOOPFLOW_PROFILE_LOGIN_PASSWORD"));
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

    /** The lines of {@code conf} from "listener {port}" to the next blank line. */
    private static String listener(String conf, int port) {
        Matcher m = Pattern.compile("(?m)^listener " + port + "\\b.*\\n((?:.+\\n)*)").matcher(conf);
        assertThat(m.find()).as("listener " + port).isTrue();
        return m.group(1);
    }

    /** The rules of a Mosquitto ACL file: lines without comments and blanks. */
    private static List<String> rules(String file) throws IOException {
        return Files.readAllLines(REPO.resolve(file)).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
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
