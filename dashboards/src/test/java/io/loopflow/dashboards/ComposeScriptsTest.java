package io.loopflow.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's scripts of docker-compose, run for real: {@code docker/make-env.sh} writes a random value for every
 * variable docker-compose.yml requires and a password for every plant user, and never replaces an existing file
 * without {@code --force}; {@code docker/tls/make-trial-ca.sh} makes a CA and a server certificate that openssl
 * verifies for the names plants use. (MosquittoAccessIT runs Mosquitto with what they write.)
 */
class ComposeScriptsTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern REQUIRED = Pattern.compile("\\$\\{(\\w+):\\?");

    @TempDir
    Path dir;

    @Test
    void makeEnvWritesARandomSecretForEveryRequiredVariableAndEveryPlantUser() throws Exception {
        Result r = makeEnv();

        assertThat(r.exit()).as(r.output()).isZero();
        Map<String, String> env = keyValues(dir.resolve(".env"), '=');
        assertThat(env.keySet()).containsExactlyInAnyOrderElementsOf(requiredVariables());
        assertThat(env.values()).allSatisfy(v -> assertThat(v).matches("[0-9a-f]{48}"));
        assertThat(new TreeSet<>(env.values())).as("no two secrets alike").hasSameSizeAs(env.values());
        Map<String, String> plants = keyValues(dir.resolve("credentials"), ':');
        assertThat(plants.keySet()).containsExactlyElementsOf(keyValues(REPO.resolve("docker/mosquitto/credentials.example"), ':').keySet());
        assertThat(plants.values()).allSatisfy(v -> assertThat(v).matches("[0-9a-f]{48}"));
        for (Path file : List.of(dir.resolve(".env"), dir.resolve("credentials"))) {
            assertThat(Files.getPosixFilePermissions(file)).as(file + " readable by its owner only")
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
    }

    @Test
    void makeEnvNeverReplacesWhatExistsButAddsWhatIsMissingAndReplacesOnlyWithForce() throws Exception {
        assertThat(makeEnv().exit()).isZero();
        Map<String, String> first = keyValues(dir.resolve(".env"), '=');
        String credentials = Files.readString(dir.resolve("credentials"));
        // An .env of an older version, without one of the variables, and with a value the operator chose.
        List<String> kept = new ArrayList<>();
        String dropped = "INFLUXDB_ADMIN_TOKEN";
        first.forEach((k, v) -> {
            if (!k.equals(dropped)) {
                kept.add(k + "=" + (k.equals("GRAFANA_ADMIN_PASSWORD") ? "the-operator-chose-this" : v));
            }
        });
        Files.write(dir.resolve(".env"), kept);

        Result again = makeEnv();

        assertThat(again.exit()).isZero();
        assertThat(again.output()).contains("exists: kept; added " + dropped, "credentials exists: kept");
        Map<String, String> second = keyValues(dir.resolve(".env"), '=');
        assertThat(second).containsEntry("GRAFANA_ADMIN_PASSWORD", "the-operator-chose-this").containsKey(dropped);
        assertThat(second.get(dropped)).isNotEqualTo(first.get(dropped)).matches("[0-9a-f]{48}");
        assertThat(Files.readString(dir.resolve("credentials"))).isEqualTo(credentials);

        Result forced = makeEnv("--force");

        assertThat(forced.exit()).isZero();
        Map<String, String> third = keyValues(dir.resolve(".env"), '=');
        assertThat(third.keySet()).containsExactlyInAnyOrderElementsOf(requiredVariables());
        assertThat(third.get("GRAFANA_ADMIN_PASSWORD")).isNotEqualTo("the-operator-chose-this");
        assertThat(Files.readString(dir.resolve("credentials"))).isNotEqualTo(credentials);
    }

    @Test
    void trialCaSignsAServerCertificateForTheNamesPlantsUseAndIsNotReplacedWithoutForce() throws Exception {
        Result made = run(REPO.resolve("docker/tls/make-trial-ca.sh").toString(), "--out", dir.toString(), "broker.example.org", "10.1.2.3");

        assertThat(made.exit()).as(made.output()).isZero();
        Path ca = dir.resolve("ca/ca.crt");
        Path server = dir.resolve("mosquitto/server.crt");
        assertThat(run("openssl", "verify", "-CAfile", ca.toString(), server.toString()).output()).contains(": OK");
        Result text = run("openssl", "x509", "-in", server.toString(), "-noout", "-text");
        assertThat(text.output()).contains("DNS:localhost", "IP Address:127.0.0.1", "DNS:mosquitto", "DNS:broker.example.org",
                "IP Address:10.1.2.3", "TLS Web Server Authentication", "CA:FALSE");
        assertThat(run("openssl", "x509", "-in", ca.toString(), "-noout", "-text").output()).contains("CA:TRUE");
        assertThat(Files.getPosixFilePermissions(dir.resolve("mosquitto/server.key"))).doesNotContain(PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_READ);
        assertThat(dir.resolve("mosquitto/ca.key")).as("the CA's key stays out of the folder the broker mounts").doesNotExist();
        String before = Files.readString(server);

        Result again = run(REPO.resolve("docker/tls/make-trial-ca.sh").toString(), "--out", dir.toString());

        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.output()).contains("exists: kept, nothing written");
        assertThat(Files.readString(server)).isEqualTo(before);
        assertThat(run(REPO.resolve("docker/tls/make-trial-ca.sh").toString(), "--force", "--out", dir.toString()).exit()).isZero();
        assertThat(Files.readString(server)).isNotEqualTo(before);
    }

    /** The variables docker-compose.yml refuses to start without. */
    private static Set<String> requiredVariables() throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = REQUIRED.matcher(Files.readString(REPO.resolve("docker-compose.yml")));
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).isNotEmpty();
        return names;
    }

    private Result makeEnv(String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(REPO.resolve("docker/make-env.sh").toString(), "--no-trial-tls",
                "--env-file", dir.resolve(".env").toString(), "--credentials", dir.resolve("credentials").toString()));
        command.addAll(List.of(extra));
        return run(command.toArray(String[]::new));
    }

    private static Map<String, String> keyValues(Path file, char separator) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int at = line.indexOf(separator);
            if (!line.startsWith("#") && at > 0) {
                out.put(line.substring(0, at), line.substring(at + 1));
            }
        }
        return out;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
