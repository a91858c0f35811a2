package io.loopflow.app;

import io.loopflow.app.simulate.KalundborgScenario;
import io.loopflow.app.simulate.Simulator;
import io.loopflow.app.simulate.SimulatorConfig;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.EmbeddedMqttBroker;
import io.loopflow.embedded.ServiceAccess;
import io.loopflow.embedded.TopicSetup;
import io.loopflow.ingest.Gateway;
import io.loopflow.ingest.GatewayConfig;
import io.loopflow.ingest.MqttLogin;
import io.loopflow.ingest.alerts.AlertPublisher;
import io.loopflow.ingest.alerts.AlertPublisherConfig;
import io.loopflow.sink.InfluxSink;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StreamProcessor;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one process on 127.0.0.1: embedded MQTT broker (HiveMQ CE) and Kafka
 * (KRaft), the topics of the contract, the stream processor with its HTTP API, one gateway and,
 * with {@code --simulate}, the Kalundborg simulator. Plants publish to {@link #mqttUri()}; figures
 * come out on Kafka ({@link #kafkaBootstrap()}) and over HTTP ({@link #apiUrl()}).
 *
 * <p>Components start in data-flow order and stop in the reverse order, so the gateway stops
 * taking messages and flushes to Kafka before Kafka goes, and Streams commits before Kafka goes.
 * The MQTT broker's drop counter is a Micrometer gauge ({@value #DROPPED_GAUGE}) and is logged
 * every status interval, as a warning when it is above 0.
 *
 * <p>Who may connect to the broker is decided by a {@link ServiceAccess} (CONTRACT.md section 7): the
 * gateway, the alert publisher and the simulator log in as {@value ServiceAccess#SERVICE_USER} with a
 * password drawn at random for this start; their client ids are refused to anyone else, so no other client
 * can take over or end their sessions. Plants are refused ({@code 0x88 server unavailable}) until the
 * gateway's session exists and is subscribed, which happens right after Kafka and the topics, before the
 * stream processor: from the first CONNECT the broker accepts, every QoS 1 reading it acknowledges is queued
 * for the gateway's session. The port itself is open from the broker's start (HiveMQ cannot open a listener
 * later), so a plant that tries early gets a refusal it retries on, never an acknowledgement that is lost.
 */
public final class LocalMode implements AutoCloseable {
    /** Micrometer gauge of the embedded broker's discarded messages. */
    public static final String DROPPED_GAUGE = "loopflow.mqtt.broker.dropped";

    private static final Logger LOG = LoggerFactory.getLogger(LocalMode.class);

    private final Deque<Named> started = new ConcurrentLinkedDeque<>();
    private final LocalConfig config;
    // Prometheus' registry: its meters are also GET /metrics of the HTTP API.
    private final MeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledExecutorService status = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loopflow-status");
        t.setDaemon(true);
        return t;
    });
    private EmbeddedMqttBroker mqtt;
    private EmbeddedKafka kafka;
    private final InfluxTarget influx;
    private final String httpHost;
    private Gateway gateway;
    private AlertPublisher alerts;
    private InfluxSink sink;
    private StreamProcessor processor;
    private Simulator simulator;
    private Duration startupTime;
    private volatile Duration plantsAdmittedAfter;
    private final ServiceAccess access = new ServiceAccess(Set.of(GatewayConfig.DEFAULT_CLIENT_ID,
            AlertPublisherConfig.DEFAULT_CLIENT_ID, SimulatorConfig.DEFAULT_CLIENT_ID));

    private record Named(String name, AutoCloseable resource) {
    }

    /** A local pipeline for {@code config}; nothing runs before {@link #start()}. */
    public LocalMode(LocalConfig config) {
        this(config, null);
    }

    /** A local pipeline for {@code config} that also writes history to {@code influx} (null: no sink). */
    public LocalMode(LocalConfig config, InfluxTarget influx) {
        this(config, influx, StreamProcessor.DEFAULT_HTTP_HOST);
    }

    /**
     * A local pipeline for {@code config} whose HTTP API listens on {@code httpHost} ({@code --http-host}; the
     * brokers stay on 127.0.0.1), writing history to {@code influx} (null: no sink).
     */
    public LocalMode(LocalConfig config, InfluxTarget influx, String httpHost) {
        this.config = config;
        this.influx = influx;
        this.httpHost = httpHost;
    }

    /** Starts and returns a local pipeline for {@code config}. */
    public static LocalMode start(LocalConfig config) {
        LocalMode local = new LocalMode(config);
        local.start();
        return local;
    }

    /**
     * Starts every component in data-flow order. On a failure, closes what had started and
     * rethrows. {@link #close()} may be called from another thread meanwhile (Ctrl-C during
     * start-up): the start then stops at the next component and throws {@link IllegalStateException}.
     */
    public void start() {
        long t0 = System.nanoTime();
        try {
            startAll(t0);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        startupTime = Duration.ofNanos(System.nanoTime() - t0);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("LoopFlow local was stopped during start-up");
        }
    }

    private void track(String name, AutoCloseable resource) {
        Named component = new Named(name, resource);
        started.push(component);
        if (closed.get()) {
            // close() ran while this component was starting and may have drained the list before it was added.
            if (started.removeFirstOccurrence(component)) {
                closeQuietly(component);
            }
            ensureOpen();
        }
    }

    private void startAll(long t0) {
        // The two brokers are independent and each takes seconds: start them side by side.
        CompletableFuture<EmbeddedKafka> kafkaStart = CompletableFuture.supplyAsync(
                () -> EmbeddedKafka.start(config.dataDir(), config.kafkaPort()));
        try {
            mqtt = EmbeddedMqttBroker.builder(config.dataDir()).port(config.mqttPort())
                    .filePersistence(config.mqttPersistence() == MqttPersistence.FILE).access(access).start();
            track("MQTT broker", mqtt);
        } finally {
            try {
                kafka = kafkaStart.join();
                track("Kafka", kafka);
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        Gauge.builder(DROPPED_GAUGE, mqtt, EmbeddedMqttBroker::droppedMessages)
                .description("QoS 1 and other messages the embedded MQTT broker discarded")
                .register(registry);

        ensureOpen();
        TopicSetup.ensureTopics(kafka.bootstrapServers(), config.partitions());

        // The one gateway of local mode reads through ordinary subscriptions: HiveMQ CE drains a shared
        // subscription's backlog far slower (docs: README, "Measured"). It starts before the stream processor,
        // whose start can take a minute after a crash, so that plants are admitted as early as possible.
        gateway = new Gateway(GatewayConfig.defaults(mqtt.uri(), kafka.bootstrapServers()).withShareGroup(GatewayConfig.NO_SHARE_GROUP)
                .withMinTs(config.minTs()).withLogin(serviceLogin()), registry);
        track("gateway", gateway);
        gateway.start();
        ensureOpen();
        access.admitPlants();
        plantsAdmittedAfter = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info("MQTT broker open to plants on {}: the gateway is subscribed ({} ms after the start)", mqtt.uri(),
                plantsAdmittedAfter.toMillis());

        ProcessorConfig streams = ProcessorConfig.defaults(kafka.bootstrapServers(), config.dataDir().resolve("streams"))
                .withFlowWindow(config.flowWindow())
                .withKpiWindows(config.kpiWindows())
                .withTimeZone(config.timeZone())
                .withLagMax(config.lagMax())
                .withRestateHorizon(config.restateHorizon())
                .withGrace(config.grace())
                .withIdleTimeout(config.idleTimeout())
                .withHttpPort(config.httpPort());
        // Local mode's brokers listen on 127.0.0.1 only; the HTTP API on --http-host (default 127.0.0.1 too).
        processor = new StreamProcessor(streams, registry, httpHost);
        track("stream processor", processor);
        processor.start();

        // Alerts go back to the plants over MQTT, on loopflow/v1/{site}/alerts.
        AlertPublisherConfig alertConfig = AlertPublisherConfig.defaults(mqtt.uri(), kafka.bootstrapServers()).withLogin(serviceLogin());
        alerts = new AlertPublisher(alertConfig, registry);
        track("alert publisher", alerts);
        try {
            alerts.start();
        } catch (MqttException e) {
            throw new IllegalStateException("alert publisher cannot connect to " + mqtt.uri() + ": " + e.getMessage(), e);
        }

        if (influx != null) {
            // The lag of the consumer groups this process really runs (the sink adds its own).
            sink = new InfluxSink(influx.sinkConfig(kafka.bootstrapServers()).withLagGroups(List.of(streams.applicationId(),
                    streams.applicationId() + StreamProcessor.SURPLUS_SUFFIX, alertConfig.groupId())), registry);
            track("InfluxDB sink", sink);
            sink.start();
        }

        if (config.simulate()) {
            SimulatorConfig sim = SimulatorConfig.realTime(mqtt.uri())
                    .withLogin(serviceLogin())
                    .withSpeed(config.simSpeed())
                    .withBackfill(config.simBackfill());
            simulator = new Simulator(sim, new KalundborgScenario(), Clock.systemUTC());
            track("simulator", simulator);
            try {
                simulator.start();
            } catch (MqttException e) {
                throw new IllegalStateException("simulator cannot publish to " + mqtt.uri() + ": " + e.getMessage(), e);
            }
        }
        ensureOpen();
        long period = config.statusInterval().toMillis();
        status.scheduleAtFixedRate(this::logStatus, period, period, TimeUnit.MILLISECONDS);
    }

    /** The login of this process's own MQTT clients. */
    private MqttLogin serviceLogin() {
        return new MqttLogin(ServiceAccess.SERVICE_USER, access.password());
    }

    private void logStatus() {
        long dropped = mqtt.droppedMessages();
        String line = "Status: gateway accepted " + gateway.accepted() + ", rejected " + gateway.rejected()
                + (simulator == null ? "" : ", simulator published " + simulator.published())
                + "; MQTT broker dropped " + dropped;
        if (dropped > 0) {
            LOG.warn("{} (messages lost inside the broker: see {})", line, EmbeddedMqttBroker.DROPPED_METRIC);
        } else {
            LOG.info(line);
        }
    }

    /** The embedded MQTT broker, {@code tcp://127.0.0.1:<port>}. */
    public String mqttUri() {
        return mqtt.uri();
    }

    /** The embedded Kafka, {@code 127.0.0.1:<port>}. */
    public String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    /** The stream processor's HTTP port. */
    public int httpPort() {
        return processor.httpPort();
    }

    /** The live page at the HTTP API's bound address, {@code http://<host>:<port>/}. */
    public String pageUrl() {
        return processor.httpUrl() + "/";
    }

    /** Base URL of the HTTP API at its bound address, {@code http://<host>:<port>/api}. */
    public String apiUrl() {
        return processor.httpUrl() + "/api";
    }

    /** Messages the embedded MQTT broker discarded. */
    public long droppedMessages() {
        return mqtt.droppedMessages();
    }

    /** The registry holding the gateway's meters and {@value #DROPPED_GAUGE}. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The gateway, for its counters. */
    public Gateway gateway() {
        return gateway;
    }

    /** The simulator when running with {@code --simulate}. */
    public Optional<Simulator> simulator() {
        return Optional.ofNullable(simulator);
    }

    /** Wall-clock time from the beginning of {@link #start} until plants were admitted to the MQTT broker. */
    public Duration plantsAdmittedAfter() {
        return plantsAdmittedAfter;
    }

    /** Who may connect to the embedded MQTT broker. */
    public ServiceAccess access() {
        return access;
    }

    /** Wall-clock time {@link #start} took. */
    public Duration startupTime() {
        return startupTime;
    }

    /** True once {@link #close()} has been called. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Stops everything in reverse start order; a component that fails to stop does not keep the others running. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        status.shutdownNow();
        Named next;
        while ((next = started.poll()) != null) {
            closeQuietly(next);
        }
        registry.close();
    }

    private static void closeQuietly(Named component) {
        try {
            component.resource().close();
        } catch (Exception e) {
            LOG.error("{} did not stop cleanly", component.name(), e);
        }
    }
}
