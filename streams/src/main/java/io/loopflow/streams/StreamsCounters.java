package io.loopflow.streams;

import io.loopflow.core.RejectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The stream processor's Micrometer counters: {@code loopflow.streams.rejected{reason}} (readings
 * rejected on {@code loopflow.rejected}), {@code loopflow.streams.rate.gaps} (rate intervals longer
 * than {@code gap.max}, credited 0), {@code loopflow.streams.region.dropped{cause}} (site figures a
 * region could not take: its window had closed, or a unit conflict) and
 * {@code loopflow.streams.deserialization.errors{topic}}.
 */
public final class StreamsCounters {
    private final MeterRegistry registry;

    public StreamsCounters(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void rejected(RejectReason reason) {
        Counter.builder("loopflow.streams.rejected").tag("reason", reason.wire()).register(registry).increment();
    }

    /** A late reading credited to a closed window, which is published again ({@code loopflow.streams.restated}). */
    public void restated() {
        registry.counter("loopflow.streams.restated").increment();
    }

    public void rateGap() {
        registry.counter("loopflow.streams.rate.gaps").increment();
    }

    public void regionDropped(String cause) {
        Counter.builder("loopflow.streams.region.dropped").tag("cause", cause).register(registry).increment();
    }

    public void deserializationError(String topic) {
        Counter.builder("loopflow.streams.deserialization.errors").tag("topic", topic).register(registry).increment();
    }
}
