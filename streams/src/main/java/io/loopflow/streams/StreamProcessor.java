package io.loopflow.streams;

import io.loopflow.core.model.KpiRecord;
import io.loopflow.streams.http.KpiHttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link LoopflowTopology} with Kafka Streams (exactly-once v2) and the HTTP API of
 * {@link KpiHttpServer}. Reads the input topics of the topology, writes {@code loopflow.flows},
 * {@code loopflow.kpis} and {@code loopflow.rejected}. A stream thread that dies shuts the client
 * down (health turns {@code DOWN}) rather than being silently replaced.
 */
public final class StreamProcessor implements AutoCloseable {
    /** How long {@link #start()} waits for {@code RUNNING}. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Logger LOG = LoggerFactory.getLogger(StreamProcessor.class);

    private final ProcessorConfig config;
    private final StreamsCounters counters;
    private final String httpHost;
    private KafkaStreams streams;
    private KpiHttpServer http;
    private boolean closed;

    /** A processor counting into Micrometer's global registry, HTTP on all interfaces. */
    public StreamProcessor(ProcessorConfig config) {
        this(config, Metrics.globalRegistry, "0.0.0.0");
    }

    /**
     * @param registry where the counters of {@link StreamsCounters} go
     * @param httpHost interface the HTTP API binds to ({@code 0.0.0.0}: all)
     */
    public StreamProcessor(ProcessorConfig config, MeterRegistry registry, String httpHost) {
        this.config = config;
        this.counters = new StreamsCounters(registry);
        this.httpHost = httpHost;
    }

    /** Starts Kafka Streams and the HTTP API; returns once Kafka Streams is {@code RUNNING}. */
    public synchronized void start() {
        if (streams != null) {
            throw new IllegalStateException("already started");
        }
        CountDownLatch running = new CountDownLatch(1);
        streams = new KafkaStreams(LoopflowTopology.build(config, counters), LoopflowTopology.streamsProperties(config, counters));
        streams.setStateListener((next, previous) -> {
            LOG.info("Kafka Streams {} -> {}", previous, next);
            if (next == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; shutting the stream processor down", e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        if (config.httpPort() >= 0) {
            try {
                http = KpiHttpServer.start(httpHost, config.httpPort(), new Source());
            } catch (IOException e) {
                close();
                throw new UncheckedIOException("cannot start the HTTP API on port " + config.httpPort(), e);
            }
        }
        streams.start();
        boolean ok;
        try {
            ok = running.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting", e);
        }
        if (!ok) {
            KafkaStreams.State state = streams.state();
            close();
            throw new IllegalStateException("Kafka Streams not RUNNING after " + START_TIMEOUT + " (state " + state + ")");
        }
    }

    /** The HTTP API's port, or -1 when it is off or not started. */
    public synchronized int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** Kafka Streams' state, or null before {@link #start()}. */
    public synchronized KafkaStreams.State state() {
        return streams == null ? null : streams.state();
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
        if (streams != null) {
            // Leave the group: Kafka Streams stays a member by default, and a restart then waits out the session timeout.
            streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
    }

    /** The HTTP API's view of this processor. */
    private final class Source implements KpiHttpServer.Source {
        @Override
        public String state() {
            KafkaStreams s = streams;
            return s == null ? "NOT_STARTED" : s.state().name();
        }

        @Override
        public boolean up() {
            KafkaStreams s = streams;
            return s != null && s.state().isRunningOrRebalancing();
        }

        @Override
        public List<KpiRecord> kpis() {
            KafkaStreams s = streams;
            if (s == null) {
                throw new IllegalStateException("not started");
            }
            try {
                ReadOnlyKeyValueStore<String, KpiRecord> store = s.store(
                        StoreQueryParameters.fromNameAndType(StoreNames.KPIS_LATEST, QueryableStoreTypes.keyValueStore()));
                List<KpiRecord> out = new ArrayList<>();
                try (KeyValueIterator<String, KpiRecord> it = store.all()) {
                    while (it.hasNext()) {
                        KeyValue<String, KpiRecord> kv = it.next();
                        out.add(kv.value);
                    }
                }
                return out;
            } catch (InvalidStateStoreException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }
}
