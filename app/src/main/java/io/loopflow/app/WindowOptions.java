package io.loopflow.app;

import io.loopflow.streams.window.KpiWindow;
import java.time.Duration;
import java.time.ZoneId;
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
            converter = KpiWindowConverter.class,
            description = "Key-figure windows, comma-separated: lengths shorter than a day (multiples of the flow window), "
                    + "1d (calendar day), 1mo (calendar month). Env LOOPFLOW_KPI_WINDOWS.")
    List<KpiWindow> kpiWindows;

    @Option(names = "--time-zone", defaultValue = "${env:LOOPFLOW_TIME_ZONE:-}", converter = TimeZoneConverter.class,
            description = "IANA time zone of the calendar windows (1d, 1mo), e.g. Europe/Copenhagen; default UTC (loopflow local "
                    + "--simulate: Europe/Copenhagen, the simulated region's). Env LOOPFLOW_TIME_ZONE.")
    ZoneId timeZone;

    @Option(names = "--lag-max", defaultValue = "${env:LOOPFLOW_LAG_MAX:-1h}", converter = DurationConverter.class,
            description = "A meter whose clock is further behind its site's newest no longer holds windows open; its readings "
                    + "restate them. Env LOOPFLOW_LAG_MAX.")
    Duration lagMax;

    @Option(names = "--restate-horizon", defaultValue = "${env:LOOPFLOW_RESTATE_HORIZON:-35d}", converter = DurationConverter.class,
            description = "How far back (event time) late data still restates closed windows; 0s: never. Env LOOPFLOW_RESTATE_HORIZON.")
    Duration restateHorizon;

    /** {@code --time-zone}, or {@code fallback} when it was not given. */
    ZoneId timeZoneOr(ZoneId fallback) {
        return timeZone != null ? timeZone : fallback;
    }

    @Option(names = "--grace", defaultValue = "${env:LOOPFLOW_GRACE:-5m}", converter = DurationConverter.class,
            description = "How long after its end a window waits for its active meters. Env LOOPFLOW_GRACE.")
    Duration grace;

    @Option(names = "--idle-timeout", defaultValue = "${env:LOOPFLOW_IDLE_TIMEOUT:-15m}", converter = DurationConverter.class,
            description = "Wall-clock time after which a silent meter stops holding windows open. Env LOOPFLOW_IDLE_TIMEOUT.")
    Duration idleTimeout;
}
