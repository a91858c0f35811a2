package io.loopflow.streams;

import io.loopflow.streams.window.KpiWindow;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Configuration of the stream processor, validated once at construction; a bad value throws
 * {@link IllegalArgumentException} naming its key.
 *
 * <table>
 *   <caption>Keys and defaults</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code streams.kafka-bootstrap}</td><td>(required)</td><td>Kafka bootstrap servers</td></tr>
 *   <tr><td>{@code streams.application-id}</td><td>{@code loopflow-streams}</td><td>Kafka Streams application id: consumer group and prefix of internal topics</td></tr>
 *   <tr><td>{@code streams.state-dir}</td><td>(required)</td><td>local state directory (RocksDB stores)</td></tr>
 *   <tr><td>{@code streams.flow-window}</td><td>1 min</td><td>size of flow windows ({@code loopflow.flows})</td></tr>
 *   <tr><td>{@code streams.kpi-windows}</td><td>1 h, 1 d</td><td>key-figure windows: fixed lengths shorter than a day (multiples of the flow window), 1 d (calendar day), 1 mo (calendar month)</td></tr>
 *   <tr><td>{@code streams.time-zone}</td><td>UTC</td><td>IANA time zone of the calendar windows</td></tr>
 *   <tr><td>{@code streams.grace}</td><td>5 min</td><td>how far past a window's end every active meter's clock must be before it closes</td></tr>
 *   <tr><td>{@code streams.idle-timeout}</td><td>15 min</td><td>wall-clock time after which a silent meter stops holding windows open</td></tr>
 *   <tr><td>{@code streams.lag-max}</td><td>1 h</td><td>how far a meter's clock may be behind its site's newest and still hold windows open</td></tr>
 *   <tr><td>{@code streams.restate-horizon}</td><td>35 d</td><td>how far back (event time) late data still restates closed windows; 0: never</td></tr>
 *   <tr><td>{@code streams.gap-max}</td><td>15 min</td><td>longest gap between two rate readings that is still integrated</td></tr>
 *   <tr><td>{@code streams.commit-interval}</td><td>1 s</td><td>Kafka Streams commit interval; also how often provisional records are published</td></tr>
 *   <tr><td>{@code streams.http-port}</td><td>8080</td><td>port of the HTTP API; 0 picks a free port, -1 disables it</td></tr>
 *   <tr><td>{@code streams.threads}</td><td>1</td><td>stream threads of each application; a thread works on whole input partitions</td></tr>
 * </table>
 *
 * <p>Fixed key-figure windows must be multiples of the flow window, and with calendar windows the
 * flow window must divide 15 minutes (every zone's offset is a multiple of it), so that a flow
 * window never straddles the end of a key-figure window: closing a key-figure window closes the
 * flow windows it holds.
 */
public record ProcessorConfig(String kafkaBootstrap, String applicationId, Path stateDir, Duration flowWindow,
                              List<KpiWindow> kpiWindows, ZoneId timeZone, Duration grace, Duration idleTimeout, Duration lagMax,
                              Duration restateHorizon, Duration gapMax, Duration commitInterval, int httpPort, int streamThreads) {

    public static final String DEFAULT_APPLICATION_ID = "loopflow-streams";
    public static final Duration DEFAULT_FLOW_WINDOW = Duration.ofMinutes(1);
    /** The longest {@code streams.commit-interval}: three of it is the transaction timeout, within a broker's 15 min. */
    public static final Duration MAX_COMMIT_INTERVAL = Duration.ofMinutes(5);
    public static final List<KpiWindow> DEFAULT_KPI_WINDOWS = List.of(KpiWindow.of(Duration.ofHours(1)), KpiWindow.DAY);
    public static final ZoneId DEFAULT_TIME_ZONE = ZoneOffset.UTC;
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(15);
    public static final Duration DEFAULT_LAG_MAX = Duration.ofHours(1);
    public static final Duration DEFAULT_RESTATE_HORIZON = Duration.ofDays(35);
    public static final Duration DEFAULT_GAP_MAX = Duration.ofMinutes(15);
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_STREAM_THREADS = 1;
    private static final Duration CALENDAR_STEP = Duration.ofMinutes(15);

    /**
     * How often the processors publish what changed (provisional figures, restated finals, region progress), each time
     * asking Kafka Streams to commit at once: half the commit interval, so that a reading is in a figure that consumers
     * can read ({@code read_committed}) within about half a commit interval plus one commit, instead of waiting for the
     * punctuation and then for Kafka Streams' own commit timer, up to two intervals. Kafka Streams still commits every
     * commit interval besides.
     */
    public Duration publishInterval() {
        return commitInterval.dividedBy(2).compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : commitInterval.dividedBy(2);
    }

    public ProcessorConfig {
        require(kafkaBootstrap != null && !kafkaBootstrap.isBlank(), "streams.kafka-bootstrap must be set");
        require(applicationId != null && applicationId.matches("[A-Za-z0-9._-]+"),
                "streams.application-id must be 1 or more of A-Z a-z 0-9 . _ -, got " + applicationId);
        require(stateDir != null, "streams.state-dir must be set");
        positive("streams.flow-window", flowWindow);
        require(kpiWindows != null && !kpiWindows.isEmpty(), "streams.kpi-windows must name at least one window");
        kpiWindows = List.copyOf(kpiWindows);
        require(kpiWindows.stream().distinct().count() == kpiWindows.size(), "streams.kpi-windows must not repeat a window, got " + kpiWindows);
        for (KpiWindow w : kpiWindows) {
            require(w.calendar() || w.fixedMs() % flowWindow.toMillis() == 0,
                    "streams.kpi-windows must be multiples of streams.flow-window (" + flowWindow + "), got " + w);
            require(!w.calendar() || CALENDAR_STEP.toMillis() % flowWindow.toMillis() == 0,
                    "streams.flow-window must divide 15 minutes when streams.kpi-windows has calendar windows (1d, 1mo), got " + flowWindow);
        }
        require(timeZone != null, "streams.time-zone must be set (an IANA id such as Europe/Copenhagen)");
        require(grace != null && !grace.isNegative(), "streams.grace must not be negative");
        positive("streams.idle-timeout", idleTimeout);
        positive("streams.lag-max", lagMax);
        require(restateHorizon != null && !restateHorizon.isNegative(), "streams.restate-horizon must not be negative, got " + restateHorizon);
        positive("streams.gap-max", gapMax);
        positive("streams.commit-interval", commitInterval);
        // A transaction spans a commit interval; its timeout (LoopflowTopology: three intervals) must stay within the
        // broker's transaction.max.timeout.ms, 15 min by default.
        require(commitInterval.compareTo(MAX_COMMIT_INTERVAL) <= 0,
                "streams.commit-interval must be at most " + MAX_COMMIT_INTERVAL + " (a transaction lasts about one), got " + commitInterval);
        require(httpPort >= -1 && httpPort <= 65535, "streams.http-port must be -1 (off), 0 (free port) or 1..65535, got " + httpPort);
        require(streamThreads >= 1 && streamThreads <= 64, "streams.threads must be 1..64, got " + streamThreads);
    }

    /** The documented defaults for {@code kafkaBootstrap} and {@code stateDir}. */
    public static ProcessorConfig defaults(String kafkaBootstrap, Path stateDir) {
        return new ProcessorConfig(kafkaBootstrap, DEFAULT_APPLICATION_ID, stateDir, DEFAULT_FLOW_WINDOW, DEFAULT_KPI_WINDOWS,
                DEFAULT_TIME_ZONE, DEFAULT_GRACE, DEFAULT_IDLE_TIMEOUT, DEFAULT_LAG_MAX, DEFAULT_RESTATE_HORIZON, DEFAULT_GAP_MAX,
                DEFAULT_COMMIT_INTERVAL, DEFAULT_HTTP_PORT, DEFAULT_STREAM_THREADS);
    }

    public ProcessorConfig withKafkaBootstrap(String v) {
        return new ProcessorConfig(v, applicationId, stateDir, flowWindow, kpiWindows, timeZone, grace, idleTimeout, lagMax, restateHorizon, gapMax, commitInterval, httpPort, streamThreads);
    }

    public ProcessorConfig withApplicationId(String v) {
        return new ProcessorConfig(kafkaBootstrap, v, stateDir, flowWindow, kpiWindows, timeZone, grace, idleTimeout, lagMax, restateHorizon, gapMax, commitInterval, httpPort, streamThreads);
    }

    public ProcessorConfig withStateDir(Path v) {
        return new ProcessorConfig(kafkaBootstrap, applicationId, v, flowWindow, kpiWindows, timeZone, grace, idleTimeout, lagMax, restateHorizon, gapMax, commitInterval, httpPort, streamThreads);
    }

    public ProcessorConfig withFlowWindow(Duration v) {
        return new ProcessorConfig(kafkaBootstrap, applicationId, stateDir, v, kpiWindows, timeZone, grace, idleTimeout, lagMax, restateHorizon, gapMax, commitInterval, httpPort, streamThreads);
    }

    public ProcessorConfig withKpiWindows(List<KpiWindow> v) {
        return new ProcessorConfig(kafkaBootstrap, applicationId, stateDir, flowWindow, v, timeZone, grace, idleTimeout, lagMax, restateHorizon, gapMax, commitInterval, httpPort, streamThreads);
    }

    /** Fixed and calendar windows of these lengths ({@link KpiWindow#of}). */
    public ProcessorConfig withKpiWindowLengths(List<Duration> v) {
        return withKpiWindows(v.stream().map(KpiWindow::of).toList());
    }

    public ProcessorConfig withTimeZone(ZoneId v) {
        return new ProcessorConfig(kafkaBootstrap, applicationId, stateDir, flowWindow, kpiWindows, v, grace, idleTimeout, lagMax, restateHorizon, gapMax, commitInterval, httpPort, streamThreads);
    }

    public ProcessorConfig withGrace(Duration v) {
        return new ProcessorConfig(kafkaBootstrap, applicationId, stateDir, flowWindow, kpiWindows, timeZone, v, idleTimeout, lagMax, restateHorizon, gapMax, commitInterval, httpPort, streamThreads);
    }

    public ProcessorConfig withIdleTimeout(Duration v) {
        return new ProcessorConfig(kafkaBootstrap, applicationId, stateDir, flowWindow, kpiWindows, timeZone, grace, v, lagMax, restateHorizon, gapMax, commitInterval, httpPort, streamThreads);
    }

    public ProcessorConfig withLagMax(Duration v) {
        return new ProcessorConfig(kafkaBootstrap, applicationId, stateDir, flowWindow, kpiWindows, timeZone, grace, idleTimeout, v, restateHorizon, gapMax, commitInterval, httpPort, streamThreads);
    }

    public ProcessorConfig withRestateHorizon(Duration v) {
        return new ProcessorConfig(kafkaBootstrap, applicationId, stateDir, flowWindow, kpiWindows, timeZone, grace, idleTimeout, lagMax, v, gapMax, commitInterval, httpPort, streamThreads);
    }

    public ProcessorConfig withGapMax(Duration v) {
        return new ProcessorConfig(kafkaBootstrap, applicationId, stateDir, flowWindow, kpiWindows, timeZone, grace, idleTimeout, lagMax, restateHorizon, v, commitInterval, httpPort, streamThreads);
    }

    public ProcessorConfig withCommitInterval(Duration v) {
        return new ProcessorConfig(kafkaBootstrap, applicationId, stateDir, flowWindow, kpiWindows, timeZone, grace, idleTimeout, lagMax, restateHorizon, gapMax, v, httpPort, streamThreads);
    }

    public ProcessorConfig withHttpPort(int v) {
        return new ProcessorConfig(kafkaBootstrap, applicationId, stateDir, flowWindow, kpiWindows, timeZone, grace, idleTimeout, lagMax, restateHorizon, gapMax, commitInterval, v, streamThreads);
    }

    /** Kafka Streams' {@code num.stream.threads} of each of the processor's applications; more than 1 pays with more input partitions. */
    public ProcessorConfig withStreamThreads(int v) {
        return new ProcessorConfig(kafkaBootstrap, applicationId, stateDir, flowWindow, kpiWindows, timeZone, grace, idleTimeout, lagMax, restateHorizon, gapMax, commitInterval, httpPort, v);
    }

    private static void positive(String key, Duration d) {
        require(d != null && !d.isNegative() && !d.isZero() && d.toMillis() > 0, key + " must be a positive duration of at least 1 ms, got " + d);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
