package io.loopflow.streams;

import io.loopflow.core.Ids;
import io.loopflow.core.RejectReason;
import io.loopflow.core.Topics;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.model.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles an input record that does not deserialize (corrupt JSON, a field of the wrong type):
 * logs it, counts it ({@code loopflow.streams.deserialization.errors{topic}}), writes a
 * {@code malformed} {@link Rejection} for it to {@code loopflow.rejected} (through Kafka Streams'
 * dead-letter records, so in the same transaction as the offset commit) and continues. The
 * rejection's key and {@code mqttTopic} are rebuilt from the Kafka key when it is a valid id path;
 * otherwise {@code mqttTopic} is the Kafka topic. Records of the global material topic are logged
 * and counted only (the global thread has no producer).
 *
 * <p>Configured by Kafka Streams from its properties; the counters come from property
 * {@link #COUNTERS_CONFIG} (a {@link StreamsCounters} instance), and are optional.
 */
public final class RejectingDeserializationHandler implements DeserializationExceptionHandler {
    /** Property holding the {@link StreamsCounters} instance. */
    public static final String COUNTERS_CONFIG = "loopflow.streams.counters";
    /**
     * Property holding a {@code Set<String>} of topics whose bad records are only logged and counted:
     * set by an application that reads a topic another application of the same processor already
     * rejects records of (the surplus application reads {@code loopflow.readings} too), so that
     * one bad record gives one rejection, not two.
     */
    public static final String LOG_ONLY_TOPICS_CONFIG = "loopflow.streams.log-only-topics";
    private static final Logger LOG = LoggerFactory.getLogger(RejectingDeserializationHandler.class);

    private StreamsCounters counters;
    private Set<String> logOnly = Set.of(Topics.MATERIALS.name());

    @Override
    public void configure(Map<String, ?> configs) {
        Object c = configs.get(COUNTERS_CONFIG);
        counters = c instanceof StreamsCounters sc ? sc : null;
        if (configs.get(LOG_ONLY_TOPICS_CONFIG) instanceof Set<?> topics) {
            Set<String> all = new HashSet<>(logOnly);
            topics.forEach(t -> all.add(String.valueOf(t)));
            logOnly = Set.copyOf(all);
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        LOG.warn("skipping record {} that does not deserialize: {}", where, exception.getMessage());
        if (counters != null) {
            counters.deserializationError(record.topic());
        }
        if (logOnly.contains(record.topic())) {
            return Response.resume();
        }
        Rejection rejection = rejection(record, exception);
        byte[] key = rejection.key().getBytes(StandardCharsets.UTF_8);
        byte[] value = Topics.REJECTED.valueSerde().serializer().serialize(Topics.REJECTED.name(), rejection);
        return Response.resume(List.of(new ProducerRecord<>(Topics.REJECTED.name(), key, value)));
    }

    /** The rejection record for an undeserializable {@code record}. */
    static Rejection rejection(ConsumerRecord<byte[], byte[]> record, Exception exception) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        String site = null;
        String meter = null;
        String mqttTopic = record.topic();
        if (key != null) {
            String[] parts = key.split("/", -1);
            boolean sitePath = parts.length == 1 && Ids.isValid(parts[0]);
            boolean siteMeterPath = parts.length == 2 && Ids.isValid(parts[0]) && Ids.isValid(parts[1]);
            if (record.topic().equals(Topics.READINGS.name()) && siteMeterPath) {
                site = parts[0];
                meter = parts[1];
                mqttTopic = InboundTopic.reading(site, meter);
            } else if (record.topic().equals(Topics.METERS.name()) && siteMeterPath) {
                site = parts[0];
                meter = parts[1];
                mqttTopic = InboundTopic.meterMeta(site, meter);
            } else if (record.topic().equals(Topics.SITES.name()) && sitePath) {
                site = parts[0];
                mqttTopic = InboundTopic.siteMeta(site);
            }
        }
        Throwable cause = exception.getCause() != null ? exception.getCause() : exception;
        String detail = "record " + record.topic() + "-" + record.partition() + "@" + record.offset() + " does not deserialize: "
                + cause.getMessage();
        return new Rejection(RejectReason.MALFORMED, detail, mqttTopic, Rejection.excerpt(record.value()),
                Instant.ofEpochMilli(Math.max(0, record.timestamp())), site, meter);
    }
}
