package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.RejectReason;
import io.loopflow.core.Topics;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.Rejection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.junit.jupiter.api.Test;

class RejectingDeserializationHandlerTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RejectingDeserializationHandler handler = new RejectingDeserializationHandler();

    private static ConsumerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ConsumerRecord<>(topic, 2, 17, 1_700_000_000_000L, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
                new RecordHeaders(), Optional.empty());
    }

    @Test
    void shouldTurnAnUndeserializableReadingIntoAMalformedRejectionAndResume() {
        handler.configure(Map.of(RejectingDeserializationHandler.COUNTERS_CONFIG, new StreamsCounters(registry)));

        DeserializationExceptionHandler.Response response = handler.handleError(null, record("loopflow.readings", "s1/m1", "{oops"),
                new SerializationException("record on loopflow.readings is not a valid ReadingRecord", new IllegalStateException("bad json")));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(pr -> {
            ProducerRecord<byte[], byte[]> r = pr;
            assertThat(r.topic()).isEqualTo(Topics.REJECTED.name());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("s1/m1");
            Rejection rejection = Json.read(r.value(), Rejection.class);
            assertThat(rejection.reason()).isEqualTo(RejectReason.MALFORMED);
            assertThat(rejection.mqttTopic()).isEqualTo("loopflow/v1/s1/meters/m1/reading");
            assertThat(rejection.payload()).isEqualTo("{oops");
            assertThat(rejection.detail()).contains("loopflow.readings-2@17").contains("bad json");
            assertThat(rejection.site()).isEqualTo("s1");
            assertThat(rejection.meter()).isEqualTo("m1");
        });
        assertThat(registry.find("loopflow.streams.deserialization.errors").tag("topic", "loopflow.readings").counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldKeyARejectionByTheKafkaTopicWhenTheKeyIsNoIdPath() {
        handler.configure(Map.of());

        Rejection rejection = RejectingDeserializationHandler.rejection(record("loopflow.meters", "Not An Id", "[]"),
                new SerializationException("bad"));

        assertThat(rejection.key()).isEqualTo("loopflow.meters");
        assertThat(rejection.site()).isNull();
    }

    @Test
    void shouldOnlyCountUndeserializableMaterialsOnTheGlobalThread() {
        handler.configure(Map.of(RejectingDeserializationHandler.COUNTERS_CONFIG, new StreamsCounters(registry)));

        DeserializationExceptionHandler.Response response = handler.handleError(null, record("loopflow.materials", "gypsum", "{"),
                new SerializationException("bad"));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
        assertThat(registry.find("loopflow.streams.deserialization.errors").tag("topic", "loopflow.materials").counter().count()).isEqualTo(1.0);
    }
}
