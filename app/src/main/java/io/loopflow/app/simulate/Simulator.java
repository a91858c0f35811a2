package io.loopflow.app.simulate;

import io.loopflow.ingest.MqttReasons;
import io.loopflow.ingest.TcpNoDelaySocketFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the {@link KalundborgScenario} to an MQTT broker like a set of plants would: retained
 * descriptors once at start, then one QoS 1 reading per meter per round, paced by {@link Pacing}.
 *
 * <p>Writes {@code loopflow/v1/...} topics only; reads nothing. The number of QoS 1 messages in
 * flight is bounded by a window (Paho v5 has no max-inflight setting and fails a publish past the
 * broker's Receive Maximum with error 32202). Sockets have TCP_NODELAY; nothing is persisted to
 * disk (MemoryPersistence: a simulator has nothing worth keeping).
 */
public final class Simulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Simulator.class);
    private static final long CONNECT_TIMEOUT_MS = 30_000;

    private final SimulatorConfig config;
    private final KalundborgScenario scenario;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private MqttAsyncClient client;
    private Semaphore window;
    private int windowSize;
    private Pacing pacing;
    private long round;
    private volatile Instant simulatedClock;
    private long lastReportCount;
    private Instant lastReportAt;

    public Simulator(SimulatorConfig config, KalundborgScenario scenario, Clock clock) {
        this.config = config;
        this.scenario = scenario;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loopflow-simulator");
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects, publishes the retained descriptors (waiting for each PUBACK) and starts the rounds. */
    public void start() throws MqttException {
        client = new MqttAsyncClient(config.mqttUri(), config.clientId(), new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(true);
        if (config.mqttUri().startsWith("tcp://")) {
            // Only for plain TCP: an ssl:// URI needs Paho's SSLSocketFactory.
            options.setSocketFactory(new TcpNoDelaySocketFactory());
        }
        config.login().applyTo(options);
        IMqttToken connected = client.connect(options);
        connected.waitForCompletion(CONNECT_TIMEOUT_MS);
        windowSize = Math.min(config.window(), brokerReceiveMaximum(connected));
        window = new Semaphore(windowSize);

        for (Publication p : scenario.descriptors()) {
            IMqttToken token = client.publish(p.topic(), message(p));
            token.waitForCompletion(CONNECT_TIMEOUT_MS);
            Optional<String> refused = MqttReasons.refusal(token);
            if (refused.isPresent()) {
                throw new IllegalStateException("the broker " + config.mqttUri() + " refused the descriptor on " + p.topic()
                        + config.login().asUser() + ": " + refused.get()
                        + "; the simulator's user must be allowed to publish for every simulated site");
            }
        }
        Instant now = clock.instant();
        pacing = new Pacing(now, now.minus(config.backfill()), config.interval(), config.speed());
        lastReportAt = now;
        LOG.info("Simulator publishing {} meters of region '{}' to {} every {} of simulated time ({}{})",
                scenario.meters().size(), KalundborgScenario.REGION, config.mqttUri(), config.interval(),
                config.fullSpeed() ? "full speed" : "speed " + config.speed(),
                config.backfill().isZero() ? "" : ", starting " + config.backfill() + " in the past");
        scheduler.execute(this::round);
        Duration report = config.fullSpeed() ? Duration.ofSeconds(10) : Duration.ofSeconds(60);
        scheduler.scheduleAtFixedRate(this::report, report.toMillis(), report.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static int brokerReceiveMaximum(IMqttToken connack) {
        MqttProperties properties = connack.getResponseProperties();
        Integer max = properties == null ? null : properties.getReceiveMaximum();
        // MQTT 5: an absent Receive Maximum means 65,535.
        return max == null ? 65_535 : max;
    }

    private void round() {
        if (closed.get()) {
            return;
        }
        Instant ts = pacing.timestamp(round);
        List<Publication> readings = scenario.readings(ts, pacing.simStart(), ts.toEpochMilli());
        for (Publication p : readings) {
            if (!publish(p)) {
                return;
            }
        }
        simulatedClock = ts;
        round++;
        long delayNanos = Duration.between(clock.instant(), pacing.due(round)).toNanos();
        if (!closed.get()) {
            scheduler.schedule(this::round, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        }
    }

    /** Publishes one reading inside the window; false once the simulator is closing. */
    private boolean publish(Publication p) {
        try {
            while (!window.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                if (closed.get()) {
                    return false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            client.publish(p.topic(), message(p), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    window.release();
                    Optional<String> refused = MqttReasons.refusal(token);
                    if (refused.isPresent()) {
                        // Acknowledged but not accepted, e.g. an ACL that confines this user to one site.
                        countFailure(p, new IllegalStateException("the broker refused it" + config.login().asUser() + ": " + refused.get()));
                    } else {
                        published.incrementAndGet();
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    window.release();
                    countFailure(p, cause);
                }
            });
        } catch (MqttException e) {
            window.release();
            countFailure(p, e);
        }
        return true;
    }

    private void countFailure(Publication p, Throwable cause) {
        long n = failed.incrementAndGet();
        // The broker may be restarting: say so, but not once per reading.
        if (n == 1 || n % 1000 == 0) {
            LOG.warn("Simulator could not publish to {} ({} failures so far): {}", p.topic(), n, cause.toString());
        }
    }

    private void report() {
        Instant now = clock.instant();
        long count = published.get();
        double seconds = Math.max(1, Duration.between(lastReportAt, now).toMillis()) / 1000.0;
        LOG.info("Simulator: {} readings acknowledged ({} /s), {} failed, simulated clock at {}",
                count, Math.round((count - lastReportCount) / seconds), failed.get(), simulatedClock);
        lastReportCount = count;
        lastReportAt = now;
    }

    /** Readings the broker acknowledged (PUBACK) so far. */
    public long published() {
        return published.get();
    }

    /** Readings that could not be published (not connected, broker refused). */
    public long failed() {
        return failed.get();
    }

    /** The timestamp of the last round published, null before the first. */
    public Instant simulatedClock() {
        return simulatedClock;
    }

    /** Stops the rounds, waits briefly for outstanding PUBACKs and disconnects. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
            if (client != null) {
                if (client.isConnected()) {
                    // Let in-flight readings be acknowledged before the connection goes.
                    if (!window.tryAcquire(windowSize, 5, TimeUnit.SECONDS)) {
                        LOG.warn("Simulator closing with readings still unacknowledged");
                    }
                    client.disconnect(5_000).waitForCompletion(5_000);
                }
                client.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (MqttException e) {
            LOG.warn("Simulator did not disconnect cleanly: {}", e.toString());
        }
        LOG.info("Simulator stopped after {} readings ({} failed)", published.get(), failed.get());
    }

    private static MqttMessage message(Publication p) {
        MqttMessage m = new MqttMessage(p.payload());
        m.setQos(1);
        m.setRetained(p.retained());
        return m;
    }
}
