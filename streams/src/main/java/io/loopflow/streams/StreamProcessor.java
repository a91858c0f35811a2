package io.loopflow.streams;

import io.loopflow.core.Topics;
import io.loopflow.streams.http.KpiHttpServer;
import io.loopflow.streams.view.LiveView;
import io.loopflow.streams.surplus.SurplusConfig;
import io.loopflow.streams.surplus.SurplusTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link LoopflowTopology} and {@link SurplusTopology} as two Kafka Streams applications
 * (exactly-once v2; the second, {@code <application-id>-surplus}, reads the first one's
 * {@code loopflow.flows}) and the HTTP API and live page of {@link KpiHttpServer}, which answer from a
 * {@link LiveView} of the output topics (every site, whichever instance is asked); {@code /metrics} when the
 * registry is a {@link PrometheusMeterRegistry}. Reads the input topics of the
 * topologies, writes {@code loopflow.flows}, {@code loopflow.kpis}, {@code loopflow.rejected},
 * {@code loopflow.surplus}, {@code loopflow.alerts} and {@code loopflow.dataquality}. A stream thread
 * that dies shuts its client down (health turns {@code DOWN}) rather than being silently replaced.
 */
public final class StreamProcessor implements AutoCloseable {
    /** How long {@link #start()} waits for {@code RUNNING}. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** Appended to {@code streams.application-id} for the surplus application. */
    public static final String SURPLUS_SUFFIX = "-surplus";
    private static final Logger LOG = LoggerFactory.getLogger(StreamProcessor.class);

    private final ProcessorConfig config;
    private final StreamsCounters counters;
    private final String httpHost;
    private final SurplusConfig surplusConfig;
    private KafkaStreams streams;
    private KafkaStreams surplusStreams;
    private KpiHttpServer http;
    private LiveView view;
    private boolean closed;

    /** Default interface of the HTTP API: this machine only. */
    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";

    /** A processor counting into Micrometer's global registry, HTTP on {@value #DEFAULT_HTTP_HOST}. */
    public StreamProcessor(ProcessorConfig config) {
        this(config, Metrics.globalRegistry, DEFAULT_HTTP_HOST);
    }

    /**
     * @param registry where the counters of {@link StreamsCounters} go
     * @param httpHost interface the HTTP API binds to ({@code 0.0.0.0}: all)
     */
    public StreamProcessor(ProcessorConfig config, MeterRegistry registry, String httpHost) {
        this(config, SurplusConfig.defaults(), registry, httpHost);
    }

    /**
     * @param surplus  surplus horizon, default threshold and re-evaluation period
     * @param registry where the counters of {@link StreamsCounters} go
     * @param httpHost interface the HTTP API binds to ({@code 0.0.0.0}: all)
     */
    public StreamProcessor(ProcessorConfig config, SurplusConfig surplus, MeterRegistry registry, String httpHost) {
        SurplusConfig.checkStorageWindows(surplus.horizon(), config.flowWindow(), "streams.flow-window");
        this.config = config;
        this.surplusConfig = surplus;
        this.counters = new StreamsCounters(registry);
        this.httpHost = httpHost;
    }

    /** Starts Kafka Streams and the HTTP API; returns once Kafka Streams is {@code RUNNING}. */
    public synchronized void start() {
        if (streams != null) {
            throw new IllegalStateException("already started");
        }
        StartupCheck.run(config);
        StartupCheck.ensureStockLevelsTopic(config);
        CountDownLatch running = new CountDownLatch(2);
        streams = client("flows", LoopflowTopology.build(config, counters), LoopflowTopology.streamsProperties(config, counters), running);
        Properties surplusProps = LoopflowTopology.streamsProperties(config, counters);
        surplusProps.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId() + SURPLUS_SUFFIX);
        // The flow application already rejects bad records of the topics both read: one rejection per record.
        surplusProps.put(RejectingDeserializationHandler.LOG_ONLY_TOPICS_CONFIG, Set.of(Topics.SITES.name(), Topics.MATERIALS.name()));
        surplusStreams = client("surplus", SurplusTopology.build(surplusConfig), surplusProps, running);
        if (config.httpPort() >= 0) {
            try {
                // The view reads the output topics whole, so this instance answers for every site, whoever computes it.
                view = new LiveView(config.kafkaBootstrap(), lagGroups(config), surplusConfig.defaultThreshold(), counters.registry(),
                        Clock.systemUTC());
                view.start();
                http = KpiHttpServer.start(httpHost, config.httpPort(), new Health(), view,
                        counters.registry() instanceof PrometheusMeterRegistry p ? p : null, Clock.systemUTC());
            } catch (RuntimeException e) {
                close();
                throw new IllegalStateException("HTTP API (--http-host, --http-port) cannot listen on " + httpHost + ":" + config.httpPort()
                        + ": " + e.getMessage(), e);
            }
        }
        streams.start();
        surplusStreams.start();
        boolean ok;
        try {
            ok = running.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting", e);
        }
        if (!ok) {
            String states = streams.state() + ", surplus " + surplusStreams.state();
            close();
            throw new IllegalStateException("Kafka Streams not RUNNING after " + START_TIMEOUT + " (state " + states + ")");
        }
    }

    private static KafkaStreams client(String name, Topology topology, Properties props, CountDownLatch running) {
        KafkaStreams client = new KafkaStreams(topology, props);
        boolean[] counted = {false};
        client.setStateListener((next, previous) -> {
            LOG.info("Kafka Streams ({}) {} -> {}", name, previous, next);
            if (next == KafkaStreams.State.RUNNING && !counted[0]) {
                counted[0] = true;
                running.countDown();
            }
        });
        client.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread ({}) failed; shutting that client down", name, e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        return client;
    }

    /** The HTTP API's port, or -1 when it is off or not started. */
    public synchronized int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** The HTTP API's bound address, {@code http://<host>:<port>}, or null when it is off or not started. */
    public synchronized String httpUrl() {
        return http == null ? null : http.url();
    }

    /** Kafka Streams' state, or null before {@link #start()}. */
    public synchronized KafkaStreams.State state() {
        return streams == null ? null : streams.state();
    }

    /** Active tasks of the flow application on this instance (0 before {@link #start()}): how much of the work it holds. */
    public synchronized int activeTasks() {
        return streams == null ? 0 : streams.metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
    }

    /** Kafka Streams' metrics of the flow application (its threads and clients), empty before {@link #start()}. */
    public synchronized Map<MetricName, ? extends Metric> flowMetrics() {
        return streams == null ? Map.of() : streams.metrics();
    }

    /** The surplus application's state, or null before {@link #start()}. */
    public synchronized KafkaStreams.State surplusState() {
        return surplusStreams == null ? null : surplusStreams.state();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (http != null) {
            http.close();
        }
        if (view != null) {
            view.close();
        }
        // Leave the group: Kafka Streams stays a member by default, and a restart then waits out the session timeout.
        for (KafkaStreams client : new KafkaStreams[] {surplusStreams, streams}) {
            if (client != null) {
                client.close(CloseOptions.timeout(Duration.ofSeconds(30))
                        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            }
        }
    }

    /**
     * The consumer groups whose lag the live page shows: this processor's two applications, and the alert publisher and
     * sink under their default group ids (a group that never committed shows nothing).
     */
    private static List<String> lagGroups(ProcessorConfig config) {
        return List.of(config.applicationId(), config.applicationId() + SURPLUS_SUFFIX, "loopflow-alert-publisher", "loopflow-sink");
    }

    /** The processor's state for {@code /api/health}. */
    private final class Health implements KpiHttpServer.Health {
        @Override
        public String state() {
            KafkaStreams s = streams;
            KafkaStreams u = surplusStreams;
            if (s == null || u == null) {
                return "NOT_STARTED";
            }
            // One word when both agree, so a healthy processor reads RUNNING.
            return s.state() == u.state() ? s.state().name() : s.state().name() + " (surplus " + u.state().name() + ")";
        }

        @Override
        public boolean up() {
            KafkaStreams s = streams;
            KafkaStreams u = surplusStreams;
            return s != null && u != null && s.state().isRunningOrRebalancing() && u.state().isRunningOrRebalancing();
        }
    }
}
