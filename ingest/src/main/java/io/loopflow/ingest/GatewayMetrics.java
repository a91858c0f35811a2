package io.loopflow.ingest;

import io.loopflow.core.RejectReason;
import io.loopflow.core.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The gateway's counters, incremented when Kafka has acknowledged a record:
 * {@code loopflow.gateway.readings.accepted}, {@code loopflow.gateway.readings.rejected{reason}},
 * {@code loopflow.gateway.descriptors{topic}}, {@code loopflow.gateway.kafka.failures} (sends that
 * failed, so their message was not acknowledged) and {@code loopflow.gateway.reconnects} (connections
 * dropped on purpose so that the broker redelivers), and {@code loopflow.gateway.messages.ignored{route}}
 * (acknowledged without a record: {@code alert}, LoopFlow's own alerts; {@code other_copy}, the copy of a
 * message that another subscription of the gateway delivers to be processed; counted on arrival) and
 * {@code loopflow.gateway.connections.lost} (the broker or the network ended the connection: another client
 * taking the session over shows here).
 * The Micrometer counters are shared by every
 * gateway of one registry; the per-gateway totals behind {@link Gateway#accepted()} are kept here.
 */
final class GatewayMetrics {
    private final MeterRegistry registry;
    private final Counter acceptedCounter;
    private final Map<RejectReason, Counter> rejectedCounters = new EnumMap<>(RejectReason.class);
    private final Map<String, Counter> descriptorCounters = new ConcurrentHashMap<>();
    private final Counter failures;
    private final Counter reconnects;
    private final Counter connectionsLost;
    private final Map<GatewaySubscriptions.Route, Counter> ignored = new EnumMap<>(GatewaySubscriptions.Route.class);
    private final LongAdder accepted = new LongAdder();
    private final Map<RejectReason, LongAdder> rejected = new EnumMap<>(RejectReason.class);
    private final Map<String, LongAdder> descriptors = new ConcurrentHashMap<>();
    private final LongAdder failureCount = new LongAdder();
    private final LongAdder reconnectCount = new LongAdder();

    GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.acceptedCounter = Counter.builder("loopflow.gateway.readings.accepted")
                .description("readings written to loopflow.readings").register(registry);
        // Registered up front (every reason, though the gateway produces only four) so a dashboard sees 0, not "no data".
        for (RejectReason r : RejectReason.values()) {
            rejectedCounters.put(r, Counter.builder("loopflow.gateway.readings.rejected").tag("reason", r.wire())
                    .description("inputs written to loopflow.rejected, by reason").register(registry));
            rejected.put(r, new LongAdder());
        }
        Topics.COMPACTED.forEach(t -> descriptorCounter(t.name()));
        this.failures = Counter.builder("loopflow.gateway.kafka.failures")
                .description("Kafka sends that failed; their MQTT message was not acknowledged").register(registry);
        this.reconnects = Counter.builder("loopflow.gateway.reconnects")
                .description("MQTT connections dropped by the gateway so that the broker redelivers").register(registry);
        this.connectionsLost = Counter.builder("loopflow.gateway.connections.lost")
                .description("MQTT connections the gateway lost (not dropped on purpose)").register(registry);
        for (GatewaySubscriptions.Route route : GatewaySubscriptions.Route.values()) {
            if (route != GatewaySubscriptions.Route.PROCESS) {
                ignored.put(route, Counter.builder("loopflow.gateway.messages.ignored").tag("route", route.name().toLowerCase(Locale.ROOT))
                        .description("MQTT messages acknowledged without a record (own alerts, second copies)").register(registry));
            }
        }
    }

    void connectionLost() {
        connectionsLost.increment();
    }

    void ignored(GatewaySubscriptions.Route route) {
        ignored.get(route).increment();
    }

    void written(KafkaRecords.Outbound out) {
        switch (out.kind()) {
            case READING -> {
                acceptedCounter.increment();
                accepted.increment();
            }
            case REJECTION -> {
                RejectReason reason = RejectReason.ofWire(out.tag());
                rejectedCounters.get(reason).increment();
                rejected.get(reason).increment();
            }
            case DESCRIPTOR -> {
                descriptorCounter(out.tag()).increment();
                descriptors.computeIfAbsent(out.tag(), t -> new LongAdder()).increment();
            }
        }
    }

    void sendFailed() {
        failures.increment();
        failureCount.increment();
    }

    void reconnected() {
        reconnects.increment();
        reconnectCount.increment();
    }

    long accepted() {
        return accepted.sum();
    }

    long rejected() {
        return rejected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** The counts of this gateway, for the periodic log line: {@code accepted=.. rejected=.. {reason=n} descriptors=..}. */
    String summary() {
        Map<String, Long> byReason = new TreeMap<>();
        rejected.forEach((r, n) -> {
            if (n.sum() > 0) {
                byReason.put(r.wire(), n.sum());
            }
        });
        String desc = descriptors.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue().sum()).collect(Collectors.joining(", ", "{", "}"));
        return "accepted=" + accepted() + " rejected=" + rejected() + " " + byReason + " descriptors=" + desc
                + " kafkaFailures=" + failureCount.sum() + " reconnects=" + reconnectCount.sum();
    }

    private Counter descriptorCounter(String topic) {
        return descriptorCounters.computeIfAbsent(topic, t -> Counter.builder("loopflow.gateway.descriptors").tag("topic", t)
                .description("descriptor changes written to their compacted topic").register(registry));
    }
}
