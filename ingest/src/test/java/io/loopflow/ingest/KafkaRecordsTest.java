package io.loopflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.RejectReason;
import io.loopflow.core.Topics;
import io.loopflow.core.inbound.Decoded;
import io.loopflow.core.inbound.InboundDecoder;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class KafkaRecordsTest {
    private static final Instant RECEIVED = Instant.parse("2026-11-22T10:20:00.123Z");
    private final InboundDecoder decoder = new InboundDecoder(Duration.ofMinutes(5));

    private List<KafkaRecords.Outbound> map(String topic, String payload) {
        return KafkaRecords.of(decoder.decode(topic, payload.getBytes(StandardCharsets.UTF_8), RECEIVED), RECEIVED);
    }

    private static String text(ProducerRecord<String, byte[]> r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteEachReadingToReadingsUnderSiteSlashMeterStampedWithReceivedAt() {
        List<KafkaRecords.Outbound> out = map("loopflow/v1/asnaes/meters/gyp-1/reading",
                "[{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":12.5,\"seq\":1041},{\"ts\":\"2026-11-22T10:16:00Z\",\"value\":13,\"seq\":1042}]");

        assertThat(out).hasSize(2).allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo(KafkaRecords.Kind.READING);
            assertThat(o.record().topic()).isEqualTo("loopflow.readings");
            assertThat(o.record().key()).isEqualTo("asnaes/gyp-1");
            assertThat(o.record().timestamp()).isEqualTo(RECEIVED.toEpochMilli());
        });
        assertThat(Topics.READINGS.valueSerde().deserializer().deserialize("loopflow.readings", out.get(0).record().value()))
                .isEqualTo(new ReadingRecord("asnaes", "gyp-1", Instant.parse("2026-11-22T10:15:00Z"), 12.5, 1041L, null, RECEIVED));
        assertThat(text(out.get(1).record()))
                .isEqualTo("{\"site\":\"asnaes\",\"meter\":\"gyp-1\",\"ts\":\"2026-11-22T10:16:00Z\",\"value\":13.0,\"seq\":1042,"
                        + "\"receivedAt\":\"2026-11-22T10:20:00.123Z\"}");
    }

    @Test
    void shouldWriteGoodAndBadElementsOfOneArrayToTheirOwnTopics() {
        List<KafkaRecords.Outbound> out = map("loopflow/v1/asnaes/meters/gyp-1/reading",
                "[{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":1},{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":NaN}]");

        assertThat(out).extracting(o -> o.record().topic()).containsExactly("loopflow.readings", "loopflow.rejected");
        KafkaRecords.Outbound rejected = out.get(1);
        assertThat(rejected.kind()).isEqualTo(KafkaRecords.Kind.REJECTION);
        assertThat(rejected.tag()).isEqualTo("non_finite");
        assertThat(rejected.record().key()).isEqualTo("asnaes/gyp-1");
        assertThat(rejected.record().timestamp()).isEqualTo(RECEIVED.toEpochMilli());
        Rejection r = Topics.REJECTED.valueSerde().deserializer().deserialize("loopflow.rejected", rejected.record().value());
        assertThat(r.reason()).isEqualTo(RejectReason.NON_FINITE);
        assertThat(r.mqttTopic()).isEqualTo("loopflow/v1/asnaes/meters/gyp-1/reading");
    }

    @Test
    void shouldKeyARejectionWithoutSiteAndMeterByItsMqttTopic() {
        List<KafkaRecords.Outbound> out = map("loopflow/v1/Bad Site/meters/m/reading", "{\"ts\":1,\"value\":1}");

        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.record().topic()).isEqualTo("loopflow.rejected");
            assertThat(o.record().key()).isEqualTo("loopflow/v1/Bad Site/meters/m/reading");
            assertThat(o.tag()).isEqualTo("invalid_field");
        });
    }

    @Test
    void shouldWriteADescriptorToItsCompactedTopicUnderItsIdPath() {
        List<KafkaRecords.Outbound> out = map("loopflow/v1/asnaes/meters/gyp-1/meta",
                "{\"material\":\"gypsum\",\"role\":\"out.storage\",\"kind\":\"counter\",\"unit\":\"t\"}");

        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(KafkaRecords.Kind.DESCRIPTOR);
            assertThat(o.tag()).isEqualTo("loopflow.meters");
            assertThat(o.record().topic()).isEqualTo("loopflow.meters");
            assertThat(o.record().key()).isEqualTo("asnaes/gyp-1");
            assertThat(Topics.METERS.valueSerde().deserializer().deserialize("loopflow.meters", o.record().value()))
                    .isEqualTo(new MeterDescriptor("gypsum", Role.OUT_STORAGE, MeterKind.COUNTER, "t", null));
        });
    }

    @Test
    void shouldWriteAnEmptyRetainedPayloadAsATombstone() {
        List<KafkaRecords.Outbound> out = KafkaRecords.of(decoder.decode("loopflow/v1/materials/gypsum", new byte[0], RECEIVED), RECEIVED);

        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.record().topic()).isEqualTo("loopflow.materials");
            assertThat(o.record().key()).isEqualTo("gypsum");
            assertThat(o.record().value()).isNull();
        });
    }

    @Test
    void shouldMapNothingToNoRecords() {
        assertThat(KafkaRecords.of(new Decoded(List.of(), List.of(), null), RECEIVED)).isEmpty();
    }
}
