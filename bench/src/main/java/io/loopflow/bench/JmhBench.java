package io.loopflow.bench;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the JMH microbenchmarks of {@code io.loopflow.bench.jmh} (their own warm-up, measurement and fork
 * settings) and reports each as ns/op and as a ratio to the baseline benchmark of the same class measured in
 * the same run: {@code DecodeBenchmark.inboundDecode} against {@code jacksonParseBaseline}, the line-protocol
 * benchmarks of {@code PointMapperBenchmark} against JSON serialisation of the same record. Writes a Markdown
 * table to stdout and to {@code --out} (default {@code bench/target/jmh-results.md}).
 */
public final class JmhBench {
    private static final Logger LOG = LoggerFactory.getLogger(JmhBench.class);
    /** Each measured benchmark and its same-run baseline (simple method names). */
    private static final Map<String, String> BASELINE_OF = Map.of(
            "inboundDecode", "jacksonParseBaseline",
            "flowLineProtocol", "flowJsonBaseline",
            "kpiLineProtocol", "kpiJsonBaseline");

    private JmhBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Options.parse(args, Map.of("out", "bench/target/jmh-results.md"));
        String loadBefore = Options.loadavg();
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("io\\.loopflow\\.bench\\.jmh\\..*")
                .build()).run();
        Map<String, Result<?>> byName = new LinkedHashMap<>();
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            byName.put(label.substring(label.lastIndexOf('.') + 1), r.getPrimaryResult());
        }
        StringBuilder b = new StringBuilder("## JMH microbenchmarks\n\n").append(Options.environment());
        b.append("- loadavg before: ").append(loadBefore).append("; after: ").append(Options.loadavg()).append('\n');
        b.append("- 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement, average time\n\n");
        b.append("| benchmark | ns/op | ± (99.9 %) | baseline | baseline ns/op | ratio |\n|---|---:|---:|---|---:|---:|\n");
        byName.forEach((name, r) -> {
            String base = BASELINE_OF.get(name);
            if (base == null) {
                return;
            }
            Result<?> br = byName.get(base);
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %s | %s | %s |%n", name, r.getScore(), r.getScoreError(), base,
                    br == null ? "" : String.format(Locale.ROOT, "%.1f", br.getScore()),
                    br == null ? "" : String.format(Locale.ROOT, "%.2f", r.getScore() / br.getScore())));
        });
        Path out = Path.of(opts.get("out"));
        Report.publish(out, b.toString());
    }
}
