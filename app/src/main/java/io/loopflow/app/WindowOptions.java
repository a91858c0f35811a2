package io.loopflow.app;

import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The window flags shared by {@code loopflow local} and {@code loopflow streams} (CONTRACT.md
 * section 6): flow window, key-figure windows, grace and idle timeout, each also from its
 * {@code LOOPFLOW_*} environment variable. Validated where they are used ({@code LocalConfig},
 * {@code ProcessorConfig}), which name the flag or key in their errors.
 */
final class WindowOptions {
    @Option(names = "--flow-window", defaultValue = "${env:LOOPFLOW_FLOW_WINDOW:-1m}", converter = DurationConverter.class,
            description = "Flow window size. Env LOOPFLOW_FLOW_WINDOW.")
    Duration flowWindow;

    @Option(names = "--kpi-windows", defaultValue = "${env:LOOPFLOW_KPI_WINDOWS:-1h,1d}", split = ",",
            converter = DurationConverter.class,
            description = "Key-figure window sizes, comma-separated multiples of the flow window. Env LOOPFLOW_KPI_WINDOWS.")
    List<Duration> kpiWindows;

    @Option(names = "--grace", defaultValue = "${env:LOOPFLOW_GRACE:-5m}", converter = DurationConverter.class,
            description = "How long after its end a window waits for its active meters. Env LOOPFLOW_GRACE.")
    Duration grace;

    @Option(names = "--idle-timeout", defaultValue = "${env:LOOPFLOW_IDLE_TIMEOUT:-15m}", converter = DurationConverter.class,
            description = "Wall-clock time after which a silent meter stops holding windows open. Env LOOPFLOW_IDLE_TIMEOUT.")
    Duration idleTimeout;
}
