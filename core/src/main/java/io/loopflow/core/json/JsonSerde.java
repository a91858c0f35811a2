package io.loopflow.core.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    // Bound once: ObjectMapper.readValue(bytes, Class) resolves the type on every call, a cost per record.
    private final ObjectReader reader;
    private final ObjectWriter writer;

    public JsonSerde(Class<T> type) {
        this.type = type;
        this.reader = Json.MAPPER.readerFor(type);
        this.writer = Json.MAPPER.writerFor(type);
    }

    public Class<T> type() {
        return type;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                return writer.writeValueAsBytes(value);
            } catch (JsonProcessingException e) {
                throw new SerializationException("cannot write a " + type.getSimpleName() + " for " + topic, e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return reader.readValue(bytes);
            } catch (JsonProcessingException e) {
                // The parser's own words (what and where), as Json.read gives them, for the rejection's detail.
                throw new SerializationException("record on " + topic + " is not a valid " + type.getSimpleName(),
                        new UncheckedIOException("not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e));
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("record on " + topic + " is not a valid " + type.getSimpleName(), e);
            }
        };
    }
}
