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
        return String.format(Locale.ROOT, "process %.1f core-s in %.1f s (%.2f cores): %s, JIT compiler, GC and other native threads %.1f",
                process, wall, process / wall, parts, process - named);
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
