package io.loopflow.core;

import org.apache.kafka.common.serialization.Serde;

/** A Kafka topic of the catalogue: its name and the serdes of its keys and values. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    @Override
    public String toString() {
        return name;
    }
}
