package io.loopflow.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** Command-line options of the benchmark mains ({@code --key value} or {@code --key=value}) and the run's environment. */
final class Options {
    private Options() {
    }

    /** The options in {@code args} over {@code defaults}; an unknown key or a key without a value throws. */
    static Map<String, String> parse(String[] args, Map<String, String> defaults) {
        Map<String, String> out = new HashMap<>(defaults);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'; options: " + defaults.keySet());
            }
            String key;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                key = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                key = a.substring(2);
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + key + " needs a value");
                }
                value = args[++i];
            }
            if (!defaults.containsKey(key)) {
                throw new IllegalArgumentException("unknown option --" + key + "; options: " + defaults.keySet());
            }
            out.put(key, value);
        }
        return out;
    }

    /** Deletes a benchmark's temporary data directory (Kafka logs, broker data, Streams state) once it is done. */
    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The bytes of the regular files under {@code dir}. */
    static long directorySize(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            long total = 0;
            for (Path p : paths.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    /** The first three fields of /proc/loadavg, or "n/a" off Linux. */
    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "n/a (" + e.getMessage() + ")";
        }
    }

    /** Date, JVM, cores and heap of this run, as Markdown list items. */
    static String environment() {
        Runtime rt = Runtime.getRuntime();
        return "- date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "\n"
                + "- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", " + ManagementFactory.getRuntimeMXBean().getInputArguments() + "\n"
                + "- machine: " + rt.availableProcessors() + " cores, max heap " + rt.maxMemory() / (1024 * 1024) + " MiB, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + "\n";
    }
}
