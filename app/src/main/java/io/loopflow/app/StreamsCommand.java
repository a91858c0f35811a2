package io.loopflow.app;

import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StreamProcessor;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code loopflow streams}: the stream processor and its HTTP API against an external Kafka. */
@Command(name = "streams", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run the stream processor: readings and descriptors from Kafka to flow totals and key figures "
                + "(loopflow.flows, loopflow.kpis) and the HTTP API. Instances with the same --application-id share the work.")
public final class StreamsCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsCommand.class);

    @Option(names = "--kafka-bootstrap", defaultValue = "${env:LOOPFLOW_KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers. Env LOOPFLOW_KAFKA_BOOTSTRAP.")
    String kafkaBootstrap;

    @Option(names = "--http-port", defaultValue = "${env:LOOPFLOW_HTTP_PORT:-8080}",
            description = "HTTP API port, 0 = free port, -1 = no HTTP. Env LOOPFLOW_HTTP_PORT.")
    int httpPort;

    @Option(names = "--http-host", defaultValue = "${env:LOOPFLOW_HTTP_HOST:-" + StreamProcessor.DEFAULT_HTTP_HOST + "}",
            description = "Interface of the HTTP API: 127.0.0.1 = this machine only, 0.0.0.0 = every interface. Env LOOPFLOW_HTTP_HOST.")
    String httpHost;

    @Option(names = "--state-dir", defaultValue = "${env:LOOPFLOW_STATE_DIR:-./loopflow-data/streams}",
            description = "Kafka Streams state directory. Env LOOPFLOW_STATE_DIR.")
    Path stateDir;

    @Option(names = "--application-id", defaultValue = "${env:LOOPFLOW_APPLICATION_ID:-" + ProcessorConfig.DEFAULT_APPLICATION_ID + "}",
            description = "Kafka Streams application id. Env LOOPFLOW_APPLICATION_ID.")
    String applicationId;

    @Mixin
    WindowOptions windows = new WindowOptions();

    @Option(names = "--gap-max", defaultValue = "${env:LOOPFLOW_GAP_MAX:-15m}", converter = DurationConverter.class,
            description = "Largest gap between two rate readings that is still integrated. Env LOOPFLOW_GAP_MAX.")
    Duration gapMax;

    @Option(names = "--commit-interval", defaultValue = "${env:LOOPFLOW_COMMIT_INTERVAL:-1s}", converter = DurationConverter.class,
            description = "Kafka Streams commit interval (provisional figures at most this often). Env LOOPFLOW_COMMIT_INTERVAL.")
    Duration commitInterval;

    @Option(names = "--stream-threads", defaultValue = "${env:LOOPFLOW_STREAM_THREADS:-1}",
            description = "Kafka Streams threads of each application; one works on whole partitions of loopflow.readings, so more "
                    + "than 1 needs that many partitions. Env LOOPFLOW_STREAM_THREADS.")
    int streamThreads;

    @Override
    public Integer call() throws InterruptedException {
        ProcessorConfig config = new ProcessorConfig(kafkaBootstrap, applicationId, stateDir, windows.flowWindow, windows.kpiWindows,
                windows.timeZoneOr(ProcessorConfig.DEFAULT_TIME_ZONE), windows.grace, windows.idleTimeout, windows.lagMax, windows.restateHorizon,
                gapMax, commitInterval, httpPort, streamThreads);
        // Prometheus' registry: its meters are also GET /metrics of the HTTP API.
        StreamProcessor processor = new StreamProcessor(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), httpHost);
        CountDownLatch stopped = RunUntilStopped.closeOnShutdown("LoopFlow streams", processor);
        try {
            processor.start();
        } catch (RuntimeException e) {
            processor.close();
            throw e;
        }
        if (processor.httpUrl() == null) {
            LOG.info("LoopFlow streams started: Kafka {}, no HTTP API", kafkaBootstrap);
        } else {
            LOG.info("LoopFlow streams started: Kafka {}, live page {}/, HTTP API {}/api, metrics {}/metrics", kafkaBootstrap,
                    processor.httpUrl(), processor.httpUrl(), processor.httpUrl());
        }
        return RunUntilStopped.await(stopped);
    }
}
