package io.loopflow.app;

import io.loopflow.ingest.GatewayConfig;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.surplus.SurplusConfig;
import io.loopflow.streams.window.KpiWindow;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of {@code loopflow local}, validated once: a bad value fails at start naming its
 * flag. Ports of 0 pick a free port. See README.md for each flag and its environment variable.
 *
 * @param mqttPort        {@code --mqtt-port}, embedded MQTT broker on 127.0.0.1 (default 1883)
 * @param kafkaPort       {@code --kafka-port}, embedded Kafka broker on 127.0.0.1 (default 9092)
 * @param httpPort        {@code --http-port}, HTTP API of the stream processor (default 8080)
 * @param dataDir         {@code --data-dir}, Kafka logs, Streams state and HiveMQ data (default ./loopflow-data)
 * @param flowWindow      {@code --flow-window} (default 1 min)
 * @param kpiWindows      {@code --kpi-windows} (default 1 h, 1 d)
 * @param grace           {@code --grace} (default 5 min)
 * @param idleTimeout     {@code --idle-timeout} (default 15 min)
 * @param mqttPersistence {@code --mqtt-persistence} (default memory)
 * @param partitions      {@code --partitions} of each topic created (default 1)
 * @param statusInterval  {@code --status-interval}, period of the status line (default 30 s)
 * @param simulate        {@code --simulate}: also run the Kalundborg simulator against the embedded broker
 * @param simSpeed        {@code --sim-speed}: simulated seconds per wall second while behind, 0 = full speed (default 1)
 * @param simBackfill     {@code --sim-backfill}: how far in the past the simulated clock starts (default 0)
 * @param minTs           {@code --min-ts}: the earliest reading {@code ts} the gateway accepts (default 2000-01-01T00:00:00Z)
 * @param timeZone        {@code --time-zone} of the calendar windows (default UTC; with {@code --simulate} Europe/Copenhagen)
 * @param lagMax          {@code --lag-max} (default 1 h)
 * @param restateHorizon  {@code --restate-horizon} (default 35 d)
 */
public record LocalConfig(int mqttPort, int kafkaPort, int httpPort, Path dataDir, Duration flowWindow,
                          List<KpiWindow> kpiWindows, Duration grace, Duration idleTimeout, MqttPersistence mqttPersistence,
                          int partitions, Duration statusInterval, boolean simulate, double simSpeed, Duration simBackfill,
                          Instant minTs, ZoneId timeZone, Duration lagMax, Duration restateHorizon) {

    /** The time zone of the simulated region (Kalundborg). */
    public static final ZoneId SIMULATED_REGION_ZONE = ZoneId.of("Europe/Copenhagen");

    public LocalConfig {
        port("--mqtt-port", mqttPort);
        port("--kafka-port", kafkaPort);
        port("--http-port", httpPort);
        Objects.requireNonNull(dataDir, "--data-dir");
        dataDir = dataDir.toAbsolutePath().normalize();
        positive("--flow-window", flowWindow);
        // The stream processor checks it too; here it fails before a broker starts.
        SurplusConfig.checkStorageWindows(SurplusConfig.DEFAULT_HORIZON, flowWindow, "--flow-window");
        if (kpiWindows == null || kpiWindows.isEmpty()) {
            throw new IllegalArgumentException("--kpi-windows must name at least one window");
        }
        kpiWindows = List.copyOf(kpiWindows);
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("--grace must not be negative, got " + grace);
        }
        positive("--idle-timeout", idleTimeout);
        Objects.requireNonNull(mqttPersistence, "--mqtt-persistence");
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
        }
        positive("--status-interval", statusInterval);
        if (!(simSpeed == 0 || simSpeed >= 1) || Double.isInfinite(simSpeed)) {
            throw new IllegalArgumentException("--sim-speed must be 0 (full speed) or at least 1, got " + simSpeed);
        }
        if (simBackfill == null || simBackfill.isNegative()) {
            throw new IllegalArgumentException("--sim-backfill must not be negative, got " + simBackfill);
        }
        if (minTs == null || minTs.isAfter(Instant.now())) {
            throw new IllegalArgumentException("--min-ts must not be in the future (every reading would be rejected), got " + minTs);
        }
        Objects.requireNonNull(timeZone, "--time-zone");
        positive("--lag-max", lagMax);
        if (restateHorizon == null || restateHorizon.isNegative()) {
            throw new IllegalArgumentException("--restate-horizon must not be negative, got " + restateHorizon);
        }
    }

    /** With fixed and calendar windows of these lengths, and the documented defaults of the window settings after them. */
    public LocalConfig(int mqttPort, int kafkaPort, int httpPort, Path dataDir, Duration flowWindow, List<Duration> kpiWindowLengths,
                       Duration grace, Duration idleTimeout, MqttPersistence mqttPersistence, int partitions, Duration statusInterval,
                       boolean simulate, double simSpeed, Duration simBackfill, Instant minTs) {
        this(mqttPort, kafkaPort, httpPort, dataDir, flowWindow, windows(kpiWindowLengths), grace, idleTimeout, mqttPersistence, partitions,
                statusInterval, simulate, simSpeed, simBackfill, minTs, simulate ? SIMULATED_REGION_ZONE : ProcessorConfig.DEFAULT_TIME_ZONE,
                ProcessorConfig.DEFAULT_LAG_MAX, ProcessorConfig.DEFAULT_RESTATE_HORIZON);
    }

    private static List<KpiWindow> windows(List<Duration> lengths) {
        if (lengths == null || lengths.isEmpty()) {
            throw new IllegalArgumentException("--kpi-windows must name at least one window");
        }
        try {
            return lengths.stream().map(KpiWindow::of).toList();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--kpi-windows: " + e.getMessage(), e);
        }
    }

    /** With {@code --min-ts} at its default, 2000-01-01T00:00:00Z. */
    public LocalConfig(int mqttPort, int kafkaPort, int httpPort, Path dataDir, Duration flowWindow, List<Duration> kpiWindowLengths,
                       Duration grace, Duration idleTimeout, MqttPersistence mqttPersistence, int partitions, Duration statusInterval,
                       boolean simulate, double simSpeed, Duration simBackfill) {
        this(mqttPort, kafkaPort, httpPort, dataDir, flowWindow, kpiWindowLengths, grace, idleTimeout, mqttPersistence, partitions,
                statusInterval, simulate, simSpeed, simBackfill, GatewayConfig.DEFAULT_MIN_TS);
    }

    private static void port(String flag, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(flag + " must be 0 (free port) or 1..65535, got " + port);
        }
    }

    private static void positive(String flag, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(flag + " must be a positive duration, got " + d);
        }
    }
}
