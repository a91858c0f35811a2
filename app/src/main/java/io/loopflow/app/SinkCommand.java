package io.loopflow.app;

import io.loopflow.sink.InfluxSink;
import io.loopflow.sink.SinkConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * {@code loopflow sink}: LoopFlow's output topics from Kafka to InfluxDB, for the Grafana dashboards, and
 * {@code GET /health} on {@code --health-port}: UP once the sink has started, while it is neither stalled
 * (InfluxDB refusing writes for longer than {@code --max-retry-time}) nor failed.
 */
@Command(name = "sink", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run the InfluxDB sink: flows, key figures, surplus and alerts from Kafka to an InfluxDB bucket.")
public final class SinkCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(SinkCommand.class);

    @Option(names = "--kafka-bootstrap", defaultValue = "${env:" + SinkConfig.ENV_KAFKA_BOOTSTRAP + ":-127.0.0.1:9092}",
            description = "Kafka bootstrap servers. Env LOOPFLOW_KAFKA_BOOTSTRAP.")
    String kafkaBootstrap;

    @Option(names = "--influx-url", defaultValue = "${env:" + SinkConfig.ENV_INFLUX_URL + ":-http://127.0.0.1:8086}",
            description = "InfluxDB URL. Env LOOPFLOW_INFLUX_URL.")
    String influxUrl;

    @Option(names = "--influx-org", defaultValue = "${env:" + SinkConfig.ENV_INFLUX_ORG + ":-loopflow}",
            description = "InfluxDB organisation. Env LOOPFLOW_INFLUX_ORG.")
    String org;

    @Option(names = "--influx-bucket", defaultValue = "${env:" + SinkConfig.ENV_INFLUX_BUCKET + ":-loopflow}",
            description = "InfluxDB bucket. Env LOOPFLOW_INFLUX_BUCKET.")
    String bucket;

    // A secret: taken from the environment, never shown in the help.
    @Option(names = "--influx-token", defaultValue = "${env:" + SinkConfig.ENV_INFLUX_TOKEN + ":-}", showDefaultValue = Visibility.NEVER,
            description = "InfluxDB write token; empty for a server without authentication. Env LOOPFLOW_INFLUX_TOKEN (preferred: "
                    + "a flag shows in the process list).")
    String token;

    @Option(names = "--group-id", defaultValue = "${env:LOOPFLOW_SINK_GROUP_ID:-" + SinkConfig.DEFAULT_GROUP_ID + "}",
            description = "Kafka consumer group of the sink. Env LOOPFLOW_SINK_GROUP_ID.")
    String groupId;

    @Option(names = "--flush-interval", defaultValue = "${env:LOOPFLOW_SINK_FLUSH_INTERVAL:-1s}", converter = DurationConverter.class,
            description = "Write a batch at least this often. Env LOOPFLOW_SINK_FLUSH_INTERVAL.")
    Duration flushInterval;

    @Option(names = "--batch-size", defaultValue = "${env:LOOPFLOW_SINK_BATCH_SIZE:-" + SinkConfig.DEFAULT_BATCH_SIZE + "}",
            description = "Points per write at most. Env LOOPFLOW_SINK_BATCH_SIZE.")
    int batchSize;

    @Option(names = "--max-retry-time", defaultValue = "${env:LOOPFLOW_SINK_MAX_RETRY_TIME:-1m}", converter = DurationConverter.class,
            description = "How long a failing write is retried before the sink reports itself stalled. Env LOOPFLOW_SINK_MAX_RETRY_TIME.")
    Duration maxRetryTime;

    @Option(names = "--lag-groups", defaultValue = "${env:" + SinkConfig.ENV_LAG_GROUPS + ":-loopflow-streams,loopflow-streams-surplus,"
            + "loopflow-alert-publisher,loopflow-sink}",
            description = "Consumer groups whose lag is written to InfluxDB every 10 s (loopflow_consumer_lag), comma-separated; the "
                    + "sink's own group is always included. Env LOOPFLOW_LAG_GROUPS.")
    String lagGroups;

    @Option(names = "--health-port", defaultValue = "${env:LOOPFLOW_HEALTH_PORT:-" + HealthServer.DEFAULT_PORT + "}",
            description = "Port of GET /health (UP while the sink runs, not stalled or failed), 0 = free port, -1 = off. "
                    + "Env LOOPFLOW_HEALTH_PORT.")
    int healthPort;

    @Option(names = "--health-host", defaultValue = "${env:LOOPFLOW_HEALTH_HOST:-" + HealthServer.DEFAULT_HOST + "}",
            description = "Interface of GET /health: 127.0.0.1 = this machine only, 0.0.0.0 = every interface. Env LOOPFLOW_HEALTH_HOST.")
    String healthHost;

    @Override
    public Integer call() throws InterruptedException {
        SinkConfig config = new SinkConfig(kafkaBootstrap, influxUrl, org, bucket, token, groupId, flushInterval, batchSize, maxRetryTime,
                SinkConfig.parseLagGroups(lagGroups));
        HealthServer.checkPort(healthPort);
        // Prometheus' registry: its meters are also GET /metrics on the health port.
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        InfluxSink sink = new InfluxSink(config, registry);
        AtomicBoolean started = new AtomicBoolean();
        HealthServer health = HealthServer.start(healthHost, healthPort,
                () -> started.get() && !sink.stalled() && sink.failure() == null, () -> health(sink, started.get()), registry);
        // Closed in reverse: the health endpoint, then the sink.
        AutoCloseable all = () -> {
            health.close();
            sink.close();
        };
        CountDownLatch stopped = RunUntilStopped.closeOnShutdown("LoopFlow sink", all);
        try {
            sink.start();
        } catch (RuntimeException e) {
            health.close();
            throw e;
        }
        started.set(true);
        LOG.info("LoopFlow sink started: Kafka {} -> InfluxDB {} (org {}, bucket {})", kafkaBootstrap, influxUrl, org, bucket);
        return RunUntilStopped.await(stopped);
    }

    private static Map<String, ?> health(InfluxSink sink, boolean started) {
        Map<String, Object> detail = new LinkedHashMap<>();
        Throwable failure = sink.failure();
        detail.put("state", failure != null ? "failed" : sink.stalled() ? "stalled" : started ? "running" : "starting");
        detail.put("pointsWritten", sink.pointsWritten());
        if (failure != null) {
            detail.put("error", String.valueOf(failure.getMessage()));
        }
        return detail;
    }
}
