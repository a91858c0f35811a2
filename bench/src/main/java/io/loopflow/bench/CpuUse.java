package io.loopflow.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where a phase's CPU time went, by group of threads: the process's CPU time (every thread, the JIT compiler and GC
 * included) and each live Java thread's, read before and after the phase. Threads that ended during the phase are
 * not counted in their group (they fall under "other").
 */
final class CpuUse {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final long wallStart = System.nanoTime();
    private final long processStart = OS.getProcessCpuTime();
    private final Map<Long, Long> threadStart = threadTimes();
    private final Map<String, Long> nativeStart = nativeTicks();

    private CpuUse() {
    }

    static CpuUse start() {
        return new CpuUse();
    }

    private static Map<Long, Long> threadTimes() {
        Map<Long, Long> out = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t >= 0) {
                out.put(id, t);
            }
        }
        return out;
    }

    /** "process 12.3 core-s in 6.8 s (1.81 cores): group a 5.1, group b 2.0, ..., other 3.2" for the phase so far. */
    String summary() {
        double wall = (System.nanoTime() - wallStart) / 1e9;
        double process = (OS.getProcessCpuTime() - processStart) / 1e9;
        Map<String, Double> groups = new TreeMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long now = THREADS.getThreadCpuTime(info.getThreadId());
            if (now < 0) {
                continue;
            }
            double used = (now - threadStart.getOrDefault(info.getThreadId(), 0L)) / 1e9;
            groups.merge(group(info.getThreadName()), used, Double::sum);
        }
        double named = groups.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> sorted = groups.entrySet().stream().filter(e -> e.getValue() >= 0.05)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
        String parts = sorted.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
        // The JVM's own threads are not Java threads: their time comes from /proc (Linux), by what the thread names say.
        Map<String, Long> nativeNow = nativeTicks();
        Map<String, Double> natives = new TreeMap<>();
        nativeNow.forEach((key, ticks) -> {
            String g = nativeGroup(key.substring(key.indexOf(' ') + 1));
            if (g != null) {
                natives.merge(g, (ticks - nativeStart.getOrDefault(key, 0L)) / TICKS_PER_SECOND, Double::sum);
            }
        });
        double nativeNamed = natives.values().stream().mapToDouble(Double::doubleValue).sum();
        String nativeParts = natives.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "process %.1f core-s in %.1f s (%.2f cores): %s, %s, other native threads %.1f",
                process, wall, process / wall, parts, nativeParts.isEmpty() ? "JVM threads not readable from /proc" : nativeParts,
                process - named - nativeNamed);
    }

    /** Linux reports thread CPU time in /proc in clock ticks of USER_HZ, 100 per second on every mainstream kernel. */
    private static final double TICKS_PER_SECOND = 100.0;

    /** "tid comm" -> user + system clock ticks of each thread of this process, from /proc/self/task (empty elsewhere). */
    private static Map<String, Long> nativeTicks() {
        Map<String, Long> out = new HashMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return out;
        }
        for (java.io.File task : tasks) {
            try {
                String comm = java.nio.file.Files.readString(task.toPath().resolve("comm")).strip();
                String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.put(task.getName() + " " + comm, Long.parseLong(f[11]) + Long.parseLong(f[12]));
            } catch (java.nio.file.NoSuchFileException e) {
                // The thread ended between listing and reading: its time falls under "other", as for Java threads that end.
                continue;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The JVM's and RocksDB's own threads by name (Linux truncates names to 15 characters); null for Java threads. */
    private static String nativeGroup(String comm) {
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            return "JIT compilers";
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
            return "GC";
        }
        if (comm.startsWith("rocksdb:")) {
            return "RocksDB background";
        }
        return null;
    }

    /** Groups Kafka's and Kafka Streams' thread names by what they do. */
    private static String group(String name) {
        if (name.contains("-surplus-") && name.contains("StreamThread") && !name.contains("producer")) {
            return "surplus StreamThread";
        }
        if (name.contains("StreamThread") && !name.contains("producer")) {
            return "flows StreamThread";
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return "producer network threads";
        }
        if (name.startsWith("data-plane-kafka") || name.startsWith("kafka-") || name.startsWith("quorum-") || name.contains("coordinator")
                || name.startsWith("AddPartitionsTo") || name.startsWith("TxnMarker")
                || name.startsWith("ExpirationReaper") || name.startsWith("executor-") || name.startsWith("share-")) {
            return "Kafka broker";
        }
        if (name.contains("GlobalStreamThread")) {
            return "global stream threads";
        }
        if (name.equals("main")) {
            return "benchmark driver (main)";
        }
        return "other Java threads";
    }
}
