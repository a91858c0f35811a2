package io.loopflow.streams.site;

/**
 * The latest level (by {@code ts}, epoch ms) of one stock meter, in store
 * {@code loopflow-stock-levels} (key {@code site/meter}), canonical {@code unit}. Kept for the
 * surplus figures of CONTRACT.md section 5.
 */
public record StockLevel(String site, String meter, String material, long ts, double value, String unit) {
}
