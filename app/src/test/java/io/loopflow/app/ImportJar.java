package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/loopflow.jar import ...} as a separate process, as a user runs it (failsafe runs after
 * {@code package}, so the jar exists; if it does not, the test fails). Output and errors go to one file.
 */
final class ImportJar {
    static final Path JAR = Path.of("target", "loopflow.jar");

    /** A finished run: its exit status and what it printed. */
    record Run(int exit, String output) {
    }

    private ImportJar() {
    }

    /** Starts {@code loopflow import args...}; what it prints goes to {@code output}. */
    static Process start(Path output, String... args) throws IOException {
        assertThat(JAR).as("the shaded jar, built by `mvn package`").isRegularFile();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", JAR.toAbsolutePath().toString(), "import"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** Runs {@code loopflow import args...} to its end (at most two minutes). */
    static Run run(Path dir, String... args) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "import-", ".out");
        Process p = start(output, args);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("loopflow import did not end within 2 minutes:\n" + Files.readString(output, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
