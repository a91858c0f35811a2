package io.loopflow.app;

import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StreamProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code loopflow local}: builds a {@link LocalConfig} from flags and environment and runs {@link LocalMode}. */
@Command(name = "local", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run the whole pipeline in one process on 127.0.0.1: embedded MQTT broker and Kafka, gateway, "
                + "stream processor and HTTP API.")
public final class LocalCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCommand.class);

    @Option(names = "--mqtt-port", defaultValue = "${env:LOOPFLOW_MQTT_PORT:-1883}",
            description = "MQTT port of the embedded broker, 0 = free port. Env LOOPFLOW_MQTT_PORT.")
    int mqttPort;

    @Option(names = "--kafka-port", defaultValue = "${env:LOOPFLOW_KAFKA_PORT:-9092}",
            description = "Kafka port of the embedded broker, 0 = free port. Env LOOPFLOW_KAFKA_PORT.")
    int kafkaPort;

    @Option(names = "--http-port", defaultValue = "${env:LOOPFLOW_HTTP_PORT:-8080}",
            description = "HTTP API port, 0 = free port. Env LOOPFLOW_HTTP_PORT.")
    int httpPort;

    @Option(names = "--http-host", defaultValue = "${env:LOOPFLOW_HTTP_HOST:-" + StreamProcessor.DEFAULT_HTTP_HOST + "}",
            description = "Interface of the HTTP API: 127.0.0.1 = this machine only, 0.0.0.0 = every interface (the brokers stay on "
                    + "127.0.0.1). Env LOOPFLOW_HTTP_HOST.")
    String httpHost;

    @Option(names = "--data-dir", defaultValue = "${env:LOOPFLOW_DATA_DIR:-./loopflow-data}",
            description = "Kafka logs, Streams state, MQTT broker data. Env LOOPFLOW_DATA_DIR.")
    Path dataDir;

    @Mixin
    WindowOptions windows = new WindowOptions();

    @Option(names = "--mqtt-persistence", defaultValue = "${env:LOOPFLOW_MQTT_PERSISTENCE:-memory}",
            description = "memory (~62k msg/s; queued messages lost if the process crashes) or file (~12k msg/s; survives "
                    + "a crash). Env LOOPFLOW_MQTT_PERSISTENCE.")
    MqttPersistence mqttPersistence;

    @Option(names = "--partitions", defaultValue = "${env:LOOPFLOW_PARTITIONS:-1}",
            description = "Partitions of each topic created at first start (existing topics are left alone). Env LOOPFLOW_PARTITIONS.")
    int partitions;

    @Option(names = "--status-interval", defaultValue = "${env:LOOPFLOW_STATUS_INTERVAL:-30s}", converter = DurationConverter.class,
            description = "Period of the status line (counts, broker drops). Env LOOPFLOW_STATUS_INTERVAL.")
    Duration statusInterval;

    @Option(names = "--simulate", defaultValue = "${env:LOOPFLOW_SIMULATE:-false}",
            description = "Also publish the simulated Kalundborg region to the embedded broker. Env LOOPFLOW_SIMULATE.")
    boolean simulate;

    @Option(names = "--sim-speed", defaultValue = "${env:LOOPFLOW_SIM_SPEED:-1}",
            description = "Simulated seconds per wall second while the simulated clock is behind (see --sim-backfill); "
                    + "0 = full speed. Env LOOPFLOW_SIM_SPEED.")
    double simSpeed;

    @Option(names = "--sim-backfill", defaultValue = "${env:LOOPFLOW_SIM_BACKFILL:-0s}", converter = DurationConverter.class,
            description = "Start the simulated clock this far in the past and catch up at --sim-speed. Env LOOPFLOW_SIM_BACKFILL.")
    Duration simBackfill;

    @Option(names = "--min-ts", defaultValue = "${env:LOOPFLOW_MIN_TS:-2000-01-01T00:00:00Z}", converter = MinTsConverter.class,
            description = "Earliest reading ts accepted (RFC 3339 or a date); older ones, from a device whose clock was never "
                    + "set, are rejected as invalid_field. Env LOOPFLOW_MIN_TS.")
    Instant minTs;

    @Option(names = "--influx-url", defaultValue = "${env:LOOPFLOW_INFLUX_URL:-}",
            description = "Also write history to this InfluxDB (v2 write API, e.g. http://127.0.0.1:8086); empty: no sink. "
                    + "Env LOOPFLOW_INFLUX_URL.")
    String influxUrl;

    @Option(names = "--influx-org", defaultValue = "${env:LOOPFLOW_INFLUX_ORG:-loopflow}",
            description = "InfluxDB organisation, with --influx-url. Env LOOPFLOW_INFLUX_ORG.")
    String influxOrg;

    @Option(names = "--influx-bucket", defaultValue = "${env:LOOPFLOW_INFLUX_BUCKET:-loopflow}",
            description = "InfluxDB bucket, with --influx-url. Env LOOPFLOW_INFLUX_BUCKET.")
    String influxBucket;

    // A secret: taken from the environment, never shown in the help.
    @Option(names = "--influx-token", defaultValue = "${env:LOOPFLOW_INFLUX_TOKEN:-}", showDefaultValue = CommandLine.Help.Visibility.NEVER,
            description = "InfluxDB write token, with --influx-url. Env LOOPFLOW_INFLUX_TOKEN (preferred: a flag shows in the process list).")
    String influxToken;

    @Override
    public Integer call() throws InterruptedException {
        LocalConfig config = new LocalConfig(mqttPort, kafkaPort, httpPort, dataDir, windows.flowWindow, windows.kpiWindows,
                windows.grace, windows.idleTimeout, mqttPersistence, partitions, statusInterval, simulate, simSpeed, simBackfill, minTs,
                windows.timeZoneOr(simulate ? LocalConfig.SIMULATED_REGION_ZONE : ProcessorConfig.DEFAULT_TIME_ZONE), windows.lagMax,
                windows.restateHorizon);
        LOG.info("Starting LoopFlow local (data in {}, flow window {}, kpi windows {} in {}, grace {}, idle timeout {}, "
                        + "MQTT persistence {}, {} partition(s))",
                config.dataDir(), DurationConverter.format(config.flowWindow()),
                config.kpiWindows().stream().map(KpiWindowConverter::format).toList(), config.timeZone(), DurationConverter.format(config.grace()),
                DurationConverter.format(config.idleTimeout()), config.mqttPersistence().name().toLowerCase(Locale.ROOT),
                config.partitions());
        InfluxTarget influx = influxUrl == null || influxUrl.isBlank() ? null
                : new InfluxTarget(influxUrl, influxOrg, influxBucket, influxToken);
        LocalMode local = new LocalMode(config, influx, httpHost);
        CountDownLatch stopped = RunUntilStopped.closeOnShutdown("LoopFlow local", local);
        try {
            local.start();
        } catch (IllegalStateException e) {
            if (local.isClosed()) {
                // Ctrl-C during start-up: the shutdown hook is stopping what had started.
                LOG.info("LoopFlow local stopped during start-up");
                return RunUntilStopped.await(stopped);
            }
            throw e;
        }
        LOG.info("MQTT broker:     {}", local.mqttUri());
        LOG.info("Kafka bootstrap: {}", local.kafkaBootstrap());
        LOG.info("Live page:       {}  (metrics: {}metrics)", local.pageUrl(), local.pageUrl());
        LOG.info("HTTP API:        {}/kpis?window=PT1H  (health: {}/health)", local.apiUrl(), local.apiUrl());
        LOG.info("Surplus:         {}/surplus  {}/matches  {}/alerts?active=true", local.apiUrl(), local.apiUrl(), local.apiUrl());
        LOG.info("Alerts (MQTT):   loopflow/v1/{site}/alerts, e.g. mosquitto_sub -V mqttv5 -h 127.0.0.1 -p {} -t 'loopflow/v1/+/alerts' -v",
                local.mqttUri().substring(local.mqttUri().lastIndexOf(':') + 1));
        if (influx != null) {
            LOG.info("InfluxDB sink:   {}", influx);
        }
        LOG.info("LoopFlow local started in {} ms", local.startupTime().toMillis());
        return RunUntilStopped.await(stopped);
    }
}
