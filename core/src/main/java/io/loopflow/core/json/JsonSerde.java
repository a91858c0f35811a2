package io.loopflow.core.json;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one record type over {@link Json#MAPPER}. A null value (a tombstone) stays
 * null both ways; bytes that are not a valid {@code T} throw {@link SerializationException}
 * naming the type, so the deserialization handler can route the record instead of guessing.
 */
public final class JsonSerde<T> implements Serde<T> {
    private final Class<T> type;

    public JsonSerde(Class<T> type) {
        this.type = type;
    }

    public Class<T> type() {
        return type;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : Json.write(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return Json.read(bytes, type);
            } catch (RuntimeException e) {
                throw new SerializationException("record on " + topic + " is not a valid " + type.getSimpleName(), e);
            }
        };
    }
}
