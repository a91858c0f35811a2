package io.loopflow.streams.site;

import io.loopflow.core.json.JsonSerde;
import org.apache.kafka.common.serialization.Serde;

/**
 * The latest level (by {@code ts}, epoch ms) of one stock meter, in store
 * {@code loopflow-stock-levels} (key {@code site/meter}), canonical {@code unit}. Kept for the
 * surplus figures of CONTRACT.md section 5, and sent to the surplus application on
 * {@code loopflow.internal.stock-levels} (JSON, {@link #SERDE}) each time it changes.
 */
public record StockLevel(String site, String meter, String material, long ts, double value, String unit) {
    /** The value serde of {@code loopflow.internal.stock-levels}. */
    public static final Serde<StockLevel> SERDE = new JsonSerde<>(StockLevel.class);

    /** The key on {@code loopflow.internal.stock-levels}. */
    public String key() {
        return site + "/" + meter;
    }
}
