package io.loopflow.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * How a Kafka Streams application got through its records: reads the stream threads' {@code process-total} (Kafka
 * Streams' thread metrics, summed over threads) every 10 ms on a scheduled daemon thread, from {@link #start} until
 * {@link #stop}. It tells when the first and the last record were processed, apart from when the group's committed
 * offsets showed it (which waits for the next commits), and the records processed in each 250 ms step, which shows
 * stalls that a mean rate hides, with the CPU time its stream threads used in each step (busy or waiting).
 */
final class Progress {
    private static final long SAMPLE_MS = 10;
    private static final long STEP_MS = 250;

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;
    private final long startNanos = System.nanoTime();
    private final List<Long> steps = new ArrayList<>();
    private final List<Long> cpuSteps = new ArrayList<>();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Pattern streamThread;
    private long[] streamThreadIds;
    private List<Thread> streamThreads = List.of();
    /** Where the stream threads were at each sample (see {@link #where}) from the first record processed, and when. */
    private final List<String> whereSamples = new ArrayList<>();
    private final List<Long> whereNanos = new ArrayList<>();
    private final List<Metric> processTotals = new ArrayList<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-progress");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> sampling;
    private long nextStep = startNanos + STEP_MS * 1_000_000;
    private long firstNanos;
    private long lastNanos;
    private long lastTotal;

    private Progress(Supplier<Map<MetricName, ? extends Metric>> metrics, String applicationId) {
        this.metrics = metrics;
        // <application.id>-<client uuid>-StreamThread-<n>: not the threads of another application whose id starts alike
        this.streamThread = Pattern.compile(Pattern.quote(applicationId) + "-[0-9a-f]{8}-[0-9a-f-]+-StreamThread-\\d+");
    }

    /** Starts sampling now the application {@code applicationId}; the times it reports count from now. */
    static Progress start(Supplier<Map<MetricName, ? extends Metric>> metrics, String applicationId) {
        Progress p = new Progress(metrics, applicationId);
        p.sampling = p.sampler.scheduleAtFixedRate(p::sample, 0, SAMPLE_MS, TimeUnit.MILLISECONDS);
        return p;
    }

    private synchronized void sample() {
        long total = processed();
        long now = System.nanoTime();
        if (total > 0 && firstNanos == 0) {
            firstNanos = now;
        }
        if (total > lastTotal) {
            lastTotal = total;
            lastNanos = now;
        }
        if (firstNanos != 0 && streamThreadIds != null) {
            // A wall-clock sample of each stream thread (safepoint-biased, but it sees a thread that waits, which CPU
            // profilers do not), from the first record processed on; the samples after the last one are dropped in stop().
            for (Thread t : streamThreads) {
                whereSamples.add(where(t.getStackTrace()));
                whereNanos.add(now);
            }
        }
        if (now >= nextStep) {
            steps.add(total);
            cpuSteps.add(streamThreadCpu());
            nextStep += STEP_MS * 1_000_000;
        }
    }

    /** The stream thread's phase in one stack (outermost Kafka Streams phase that is on it), and what it was doing in it. */
    static String where(StackTraceElement[] stack) {
        String phase = "other";
        for (int i = stack.length - 1; i >= 0; i--) {
            String m = stack[i].getClassName() + "." + stack[i].getMethodName();
            if (m.endsWith("StreamThread.pollPhase")) {
                phase = "poll";
                break;
            } else if (m.endsWith("TaskManager.commit") || m.endsWith("TaskExecutor.commitTasksAndMaybeUpdateCommittableOffsets")
                    || m.endsWith("TaskManager.commitTasksAndMaybeUpdateCommittableOffsets")) {
                phase = "commit";
                break;
            } else if (m.endsWith("TaskManager.punctuate")) {
                phase = "punctuate";
                break;
            } else if (m.endsWith("TaskManager.process")) {
                phase = "process";
                break;
            }
        }
        // In a commit or a punctuation, the outermost producer call and the outermost LoopFlow or store call tell what it waits for.
        String detail = "";
        for (int i = stack.length - 1; i >= 0 && !phase.equals("process"); i--) {
            String c = stack[i].getClassName();
            if (stack[i].getMethodName().equals("punctuate") && c.startsWith("io.loopflow.") && !c.contains("$$Lambda") && i > 0) {
                // which step of the processor's punctuation: the method it called
                String inner = stack[i - 1].getClassName();
                detail = " in " + c.substring(c.lastIndexOf('.') + 1) + " > " + inner.substring(inner.lastIndexOf('.') + 1) + "."
                        + stack[i - 1].getMethodName();
                break;
            }
            if (phase.equals("punctuate")) {
                continue;
            }
            if (c.startsWith("org.apache.kafka.clients.producer.") || c.endsWith(".StreamsProducer") || c.endsWith(".RecordCollectorImpl")
                    || c.startsWith("io.loopflow.") || c.endsWith("CachingKeyValueStore")) {
                detail = " in " + c.substring(c.lastIndexOf('.') + 1) + "." + stack[i].getMethodName();
                break;
            }
        }
        String top = stack.length == 0 ? "?" : stack[0].getClassName().substring(stack[0].getClassName().lastIndexOf('.') + 1) + "."
                + stack[0].getMethodName();
        // A thread parked, in epoll or in Object.wait at the top of its stack is waiting, not using the CPU.
        boolean waiting = top.startsWith("EPoll.wait") || top.startsWith("Unsafe.park") || top.startsWith("Object.wait");
        return phase + detail + (waiting ? ", waiting (" + top + ")" : ", running");
    }

    /** The samples up to the last record processed, by where the thread was. */
    private Map<String, Integer> whereUntilLast() {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < whereSamples.size(); i++) {
            if (whereNanos.get(i) <= lastNanos) {
                counts.merge(whereSamples.get(i), 1, Integer::sum);
            }
        }
        return counts;
    }

    private long streamThreadCpu() {
        if (streamThreadIds == null) {
            streamThreads = Thread.getAllStackTraces().keySet().stream().filter(t -> streamThread.matcher(t.getName()).matches()).toList();
            streamThreadIds = streamThreads.stream().mapToLong(Thread::getId).toArray();
        }
        long ns = 0;
        for (long id : streamThreadIds) {
            ns += Math.max(0, threads.getThreadCpuTime(id));
        }
        return ns;
    }

    private long processed() {
        // The metric objects are looked up once (building the map of all of Kafka Streams' metrics every 10 ms took CPU from
        // the processor on 2 cores); a thread's metrics exist from its start, before RUNNING.
        if (processTotals.isEmpty()) {
            for (Map.Entry<MetricName, ? extends Metric> e : metrics.get().entrySet()) {
                if (e.getKey().group().equals("stream-thread-metrics") && e.getKey().name().equals("process-total")) {
                    processTotals.add(e.getValue());
                }
            }
        }
        double total = 0;
        for (Metric m : processTotals) {
            if (m.metricValue() instanceof Double d) {
                total += d;
            }
        }
        return (long) total;
    }

    /** Stops sampling and sums up: what the processor's rows report beside their rate. */
    Summary stop() throws InterruptedException {
        if (sampling.isDone()) {
            // A periodic task ends early only by throwing: say why rather than report a truncated series.
            try {
                sampling.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("progress sampling failed", e.getCause());
            }
        }
        sampler.shutdown();
        if (!sampler.awaitTermination(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("progress sampler did not stop within 5 s");
        }
        synchronized (this) {
            List<Long> perStep = new ArrayList<>();
            List<Long> cpuPerStep = new ArrayList<>();
            long before = 0;
            long cpuBefore = cpuSteps.isEmpty() ? 0 : cpuSteps.get(0);
            for (int i = 0; i < steps.size(); i++) {
                perStep.add(steps.get(i) - before);
                before = steps.get(i);
                cpuPerStep.add((cpuSteps.get(i) - cpuBefore) / 1_000_000);
                cpuBefore = cpuSteps.get(i);
            }
            return new Summary(firstNanos == 0 ? Double.NaN : (firstNanos - startNanos) / 1e9,
                    lastNanos == 0 ? Double.NaN : (lastNanos - startNanos) / 1e9, lastTotal, perStep, cpuPerStep,
                    streamThreadIds == null ? 0 : streamThreadIds.length, whereUntilLast(), (int) whereNanos.stream().filter(n -> n <= lastNanos).count());
        }
    }

    /**
     * Seconds from the start to the first and to the last record processed, records processed in all (readings and the
     * region stage's repartition records, descriptors), and records processed in each 250 ms step.
     */
    record Summary(double first, double last, long records, List<Long> perStep, List<Long> cpuMsPerStep, int streamThreads,
                   Map<String, Integer> where, int whereSamples) {

        String describe(double caughtUp, int readings) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "first record processed %.2f s after RUNNING, last %.2f s, lag 0 seen at %.2f s (so %.2f s waiting "
                            + "for commits); %,d records processed (%,d readings); %s readings/s from the first to the last "
                            + "record processed; records processed per 250 ms step:",
                    first, last, caughtUp, caughtUp - last, records, readings, IngestBench.fmt0(readings / (last - first))));
            // The steps that ended before the last record: the final, partial step and the idle ones after it are not shown.
            for (int i = 0; i < perStep.size() && (i + 1) * STEP_MS / 1000.0 <= last; i++) {
                sb.append(' ').append(perStep.get(i));
            }
            sb.append("; CPU ms of its ").append(streamThreads).append(" stream thread(s) per step (the first from the first sample):");
            for (int i = 0; i < cpuMsPerStep.size() && (i + 1) * STEP_MS / 1000.0 <= last; i++) {
                sb.append(' ').append(cpuMsPerStep.get(i));
            }
            if (whereSamples > 0) {
                sb.append("; where its stream thread(s) were, ").append(whereSamples).append(" samples every 10 ms from the first to the last "
                        + "record processed:");
                where.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).forEach(e -> sb.append(
                        String.format(Locale.ROOT, " %s %.0f %%;", e.getKey(), 100.0 * e.getValue() / whereSamples)));
            }
            return sb.toString();
        }
    }
}
