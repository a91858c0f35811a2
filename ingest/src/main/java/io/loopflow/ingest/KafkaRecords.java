package io.loopflow.ingest;

import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.inbound.Decoded;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Maps what one MQTT message decoded to onto the Kafka records of CONTRACT.md section 6. Pure:
 * <ul>
 *   <li>each accepted reading to {@code loopflow.readings}, key {@code site/meter};</li>
 *   <li>each rejection to {@code loopflow.rejected}, key {@link Rejection#key()};</li>
 *   <li>a descriptor change to its compacted topic under its id path, a null value (tombstone)
 *       for an empty retained payload.</li>
 * </ul>
 * Every record carries the gateway's {@code receivedAt} as its Kafka timestamp: the stream
 * processor relies on it. Values are serialised here, with the topic's own serde, so that a value
 * that cannot be written fails while the message is in hand rather than inside the producer.
 */
final class KafkaRecords {

    /** What a record is, for counting once Kafka has it: a reading, a rejection (tag: reason), a descriptor (tag: topic). */
    enum Kind { READING, REJECTION, DESCRIPTOR }

    /** One record to send, with what to count when Kafka acknowledges it. */
    record Outbound(ProducerRecord<String, byte[]> record, Kind kind, String tag) {
    }

    private KafkaRecords() {
    }

    static List<Outbound> of(Decoded decoded, Instant receivedAt) {
        List<Outbound> out = new ArrayList<>(decoded.readings().size() + decoded.rejections().size() + 1);
        for (ReadingRecord r : decoded.readings()) {
            out.add(new Outbound(record(Topics.READINGS, r.key(), r, receivedAt), Kind.READING, Topics.READINGS.name()));
        }
        for (Rejection r : decoded.rejections()) {
            out.add(rejection(r));
        }
        Decoded.DescriptorChange d = decoded.descriptor();
        if (d != null) {
            out.add(new Outbound(record(d.topic(), d.key(), d.value(), receivedAt), Kind.DESCRIPTOR, d.topic().name()));
        }
        return out;
    }

    static Outbound rejection(Rejection r) {
        return new Outbound(record(Topics.REJECTED, r.key(), r, r.receivedAt()), Kind.REJECTION, r.reason().wire());
    }

    private static <V> ProducerRecord<String, byte[]> record(Topic<String, V> topic, String key, V value, Instant timestamp) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        return new ProducerRecord<>(topic.name(), null, timestamp.toEpochMilli(), key, bytes);
    }
}
