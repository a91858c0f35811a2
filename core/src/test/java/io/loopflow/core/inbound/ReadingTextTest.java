package io.loopflow.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopflow.core.RejectReason;
import io.loopflow.core.ValidationException;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link InboundDecoder#reading(ReadingText, Instant, String)}: a reading given as text, as a row of an import file. */
class ReadingTextTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:20:00Z");
    private static final String SOURCE = "import:tickets.csv";
    private final InboundDecoder decoder = new InboundDecoder(Duration.ofMinutes(5));

    private ReadingRecord read(String site, String meter, String ts, String value, String seq, String unit) {
        return decoder.reading(new ReadingText(site, meter, ts, value, seq, unit), NOW, SOURCE);
    }

    @Test
    void shouldAcceptWhatAReadingObjectWouldCarryWithTheSource() {
        ReadingRecord r = read("asnaes", "fly-ash-landfill", "2026-11-22T11:15:00+01:00", "24.3", "1041", "kg");

        assertThat(r).isEqualTo(new ReadingRecord("asnaes", "fly-ash-landfill", Instant.parse("2026-11-22T10:15:00Z"), 24.3, 1041L, "kg",
                NOW, SOURCE));
        assertThat(r.key()).isEqualTo("asnaes/fly-ash-landfill");
    }

    @Test
    void shouldTakeEpochMillisecondsTheRfc3339SpellingsAndEmptyOptionalFieldsAsAbsent() {
        long ms = Instant.parse("2026-11-22T10:15:00Z").toEpochMilli();

        assertThat(read("s", "m", Long.toString(ms), "-1.5e2", "", "").ts()).isEqualTo("2026-11-22T10:15:00Z");
        assertThat(read("s", "m", "2026-11-22 10:15:00z", "0", null, null)).satisfies(r -> {
            assertThat(r.ts()).isEqualTo("2026-11-22T10:15:00Z");
            assertThat(r.seq()).isNull();
            assertThat(r.unit()).isNull();
        });
        assertThat(read("s", "m", "2026-11-22T10:15:00Z", "-1.5e2", null, null).value()).isEqualTo(-150.0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "site id                | Asnaes | m | 2026-11-22T10:15:00Z | 1     | null | invalid_field    | invalid site id 'Asnaes'",
            "meter id               | s | m/1    | 2026-11-22T10:15:00Z | 1     | null | invalid_field    | invalid meter id 'm/1'",
            "ts missing             | s | m      | ''                   | 1     | null | invalid_field    | ts is required",
            "ts without offset      | s | m      | 2026-11-22T10:15:00  | 1     | null | invalid_field    | is not RFC 3339 with an offset",
            "ts a date              | s | m      | 22/11/2026           | 1     | null | invalid_field    | is not RFC 3339 with an offset",
            "ts negative millis     | s | m      | -5                   | 1     | null | invalid_field    | must be a non-negative integer",
            "ts before min-ts       | s | m      | 1970-01-01T00:00:00Z | 1     | null | invalid_field    | before ingest.min-ts",
            "ts in the future       | s | m      | 2026-11-22T10:26:00Z | 1     | null | future_timestamp | ahead of the gateway clock",
            "value missing          | s | m      | 2026-11-22T10:15:00Z | ''    | null | invalid_field    | value is required",
            "value text             | s | m      | 2026-11-22T10:15:00Z | n/a   | null | invalid_field    | value must be a number, got 'n/a'",
            "value decimal comma    | s | m      | 2026-11-22T10:15:00Z | '12,5'| null | invalid_field    | a decimal point and no thousands separator",
            "value with a space     | s | m      | 2026-11-22T10:15:00Z | ' 12' | null | invalid_field    | value must be a number, got ' 12'",
            "value NaN              | s | m      | 2026-11-22T10:15:00Z | NaN   | null | non_finite       | value is NaN, must be finite",
            "value Infinity         | s | m      | 2026-11-22T10:15:00Z | -Infinity | null | non_finite   | value is -Infinity",
            "value beyond a double  | s | m      | 2026-11-22T10:15:00Z | 1e999 | null | non_finite       | beyond the range of a double",
            "seq negative           | s | m      | 2026-11-22T10:15:00Z | 1     | -1   | invalid_field    | seq must be a non-negative integer, got '-1'",
            "seq fraction           | s | m      | 2026-11-22T10:15:00Z | 1     | 1.5  | invalid_field    | seq must be a non-negative integer",
    })
    void shouldRejectWithTheGatewaysReasons(String what, String site, String meter, String ts, String value, String seq, String reason,
                                            String detail) {
        assertThatThrownBy(() -> read(site, meter, ts, value, seq, null))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectReason.ofWire(reason));
                    assertThat(e.detail()).contains(detail);
                });
    }

    @Test
    void shouldGiveTheSameReasonsAsTheSameReadingOnMqtt() {
        // given the same bad values as JSON on a reading topic
        String topic = "loopflow/v1/s/meters/m/reading";
        String[][] cases = {
                {"1970-01-01T00:00:00Z", "1", "{\"ts\":\"1970-01-01T00:00:00Z\",\"value\":1}"},
                {"2026-11-22T10:26:00Z", "1", "{\"ts\":\"2026-11-22T10:26:00Z\",\"value\":1}"},
                {"2026-11-22T10:15:00Z", "NaN", "{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":NaN}"},
                {"not a time", "1", "{\"ts\":\"not a time\",\"value\":1}"},
        };
        for (String[] c : cases) {
            Rejection onMqtt = decoder.decode(topic, c[2].getBytes(java.nio.charset.StandardCharsets.UTF_8), NOW).rejections().get(0);
            assertThatThrownBy(() -> read("s", "m", c[0], c[1], null, null))
                    .isInstanceOfSatisfying(ValidationException.class, e -> {
                        assertThat(e.reason()).as(c[2]).isEqualTo(onMqtt.reason());
                        assertThat(e.detail()).as(c[2]).isEqualTo(onMqtt.detail());
                    });
        }
    }

    @Test
    void shouldWriteSourceOnlyWhenSetSoThatGatewayRecordsStayAsTheyWere() {
        ReadingRecord live = new ReadingRecord("s", "m", NOW, 1, null, null, NOW);
        ReadingRecord imported = read("s", "m", "2026-11-22T10:15:00Z", "1", null, null);
        Rejection mqtt = new Rejection(RejectReason.MALFORMED, "d", "loopflow/v1/s/x", "p", NOW, null, null);
        Rejection row = new Rejection(RejectReason.MALFORMED, "d", null, "p", NOW, null, null, "import:tickets.csv:7");

        assertThat(Json.writeString(live)).doesNotContain("source");
        assertThat(Json.writeString(mqtt)).doesNotContain("source");
        assertThat(Json.writeString(imported)).contains("\"source\":\"import:tickets.csv\"");
        assertThat(Json.writeString(row)).contains("\"source\":\"import:tickets.csv:7\"").doesNotContain("mqttTopic");
        assertThat(Json.read(Json.write(imported), ReadingRecord.class)).isEqualTo(imported);
        assertThat(Json.read(Json.write(row), Rejection.class)).isEqualTo(row);
        assertThat(Json.read(Json.write(live), ReadingRecord.class)).isEqualTo(live);
        assertThat(mqtt.key()).isEqualTo("loopflow/v1/s/x");
        assertThat(row.key()).isEqualTo("import:tickets.csv:7");
    }
}
