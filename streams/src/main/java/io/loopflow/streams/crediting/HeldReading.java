package io.loopflow.streams.crediting;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An accepted reading held in a meter's history: event time {@code ts} (epoch ms), {@code value}
 * in the canonical unit (per hour for rates) and the optional plant {@code seq}. Its credit is not
 * stored: it is always {@link Credit#of} its predecessor in the history. Short JSON names keep the
 * changelog small.
 */
public record HeldReading(@JsonProperty("t") long ts, @JsonProperty("v") double value, @JsonProperty("s") Long seq) {
}
