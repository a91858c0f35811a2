package io.loopflow.app;

import io.loopflow.ingest.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 */
public record LocalConfig(int mqttPort, int kafkaPort, int httpPort, Path dataDir, Duration flowWindow,
                          List<Duration> kpiWindows, Duration grace, Duration idleTimeout, MqttPersistence mqttPersistence,
                          int partitions, Duration statusInterval, boolean simulate, double simSpeed, Duration simBackfill,
                          Instant minTs) {

    public LocalConfig {
        port("--mqtt-port", mqttPort);
        port("--kafka-port", kafkaPort);
        port("--http-port", httpPort);
        Objects.requireNonNull(dataDir, "--data-dir");
        dataDir = dataDir.toAbsolutePath().normalize();
        positive("--flow-window", flowWindow);
        if (kpiWindows == null || kpiWindows.isEmpty()) {
            throw new IllegalArgumentException("--kpi-windows must name at least one window");
        }
        kpiWindows = List.copyOf(kpiWindows);
        kpiWindows.forEach(w -> positive("--kpi-windows", w));
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
    }

    /** With {@code --min-ts} at its default, 2000-01-01T00:00:00Z. */
    public LocalConfig(int mqttPort, int kafkaPort, int httpPort, Path dataDir, Duration flowWindow, List<Duration> kpiWindows,
                       Duration grace, Duration idleTimeout, MqttPersistence mqttPersistence, int partitions, Duration statusInterval,
                       boolean simulate, double simSpeed, Duration simBackfill) {
        this(mqttPort, kafkaPort, httpPort, dataDir, flowWindow, kpiWindows, grace, idleTimeout, mqttPersistence, partitions,
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
