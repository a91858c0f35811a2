package io.loopflow.app.simulate;

import io.loopflow.core.model.MeterDescriptor;
import java.time.Instant;

/**
 * A meter of a simulated site: its descriptor and the value it reads at a simulated instant.
 * {@code value} gets the reading's timestamp and the instant the simulation started.
 */
public record SimulatedMeter(String site, String meter, MeterDescriptor descriptor, Signal value) {

    /** The value a meter reads at {@code ts}, a simulation that started at {@code start}. */
    @FunctionalInterface
    public interface Signal {
        double at(Instant ts, Instant start);
    }
}
