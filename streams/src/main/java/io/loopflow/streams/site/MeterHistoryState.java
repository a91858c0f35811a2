package io.loopflow.streams.site;

import io.loopflow.streams.crediting.HeldReading;
import java.util.List;

/**
 * The held readings of one meter, in store {@code loopflow-meter-history} (key {@code site/meter}),
 * in {@code ts} order: see {@link io.loopflow.streams.crediting.MeterHistory}.
 */
public record MeterHistoryState(List<HeldReading> readings) {

    public static final MeterHistoryState EMPTY = new MeterHistoryState(List.of());

    public MeterHistoryState {
        readings = readings == null ? List.of() : List.copyOf(readings);
    }
}
