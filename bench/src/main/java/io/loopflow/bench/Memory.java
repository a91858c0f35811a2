package io.loopflow.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The memory figures the benchmarks report: heap used after a full GC, and the process's resident set. */
final class Memory {
    private static final Logger LOG = LoggerFactory.getLogger(Memory.class);

    private Memory() {
    }

    /** Used heap after {@code System.gc()}, in bytes: the whole JVM (an embedded Kafka broker included). */
    static long heapAfterGc() {
        ManagementFactory.getMemoryMXBean().gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Heap committed by the JVM, in bytes: part of the resident set however little of it is in use. */
    static long heapCommitted() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    /** The process's resident set (/proc/self/status VmRSS) in bytes, RocksDB's off-heap state included; -1 off Linux. */
    static long rss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(-1L);
        } catch (IOException e) {
            LOG.warn("cannot read /proc/self/status: {}", e.toString());
            return -1;
        }
    }
}
