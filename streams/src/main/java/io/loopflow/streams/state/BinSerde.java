package io.loopflow.streams.state;

import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka {@link Serde} of {@link Bin}-encoded values with the {@link StateFormat} version byte,
 * for the region processor's stores and its repartition topic. A value of another format fails
 * with {@link StateFormat.StateFormatException} naming {@code what}.
 */
public final class BinSerde<T> implements Serde<T> {
    private final String what;
    private final BiConsumer<Bin.Writer, T> write;
    private final Function<Bin.Reader, T> read;

    public BinSerde(String what, BiConsumer<Bin.Writer, T> write, Function<Bin.Reader, T> read) {
        this.what = what;
        this.write = write;
        this.read = read;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            Bin.Writer w = Bin.Writer.value();
            write.accept(w, value);
            return w.bytes();
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read.apply(Bin.Reader.value(bytes, what));
    }
}
