package io.loopflow.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.RejectReason;
import io.loopflow.core.Topics;
import io.loopflow.core.model.DemandDescriptor;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.units.Dimension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InboundDecoderTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:20:00Z");
    private static final String READING = "loopflow/v1/asnaes/meters/gypsum-out/reading";
    private final InboundDecoder decoder = new InboundDecoder(Duration.ofMinutes(5));

    private Decoded decode(String topic, String payload) {
        return decoder.decode(topic, payload.getBytes(StandardCharsets.UTF_8), NOW);
    }

    private Rejection onlyRejection(Decoded decoded) {
        assertThat(decoded.readings()).isEmpty();
        assertThat(decoded.rejections()).hasSize(1);
        return decoded.rejections().get(0);
    }

    @Nested
    class Readings {
        @Test
        void shouldAcceptAReadingWithRfc3339TimestampSeqAndUnit() {
            Decoded d = decode(READING, "{\"ts\":\"2026-11-22T11:15:00+01:00\",\"value\":12.5,\"seq\":1041,\"unit\":\"kg\"}");

            assertThat(d.rejections()).isEmpty();
            assertThat(d.readings()).containsExactly(new ReadingRecord("asnaes", "gypsum-out",
                    Instant.parse("2026-11-22T10:15:00Z"), 12.5, 1041L, "kg", NOW));
            assertThat(d.readings().get(0).key()).isEqualTo("asnaes/gypsum-out");
        }

        @Test
        void shouldAcceptEpochMillisAndTheRfc3339SpellingsWithSpaceAndLowerCase() {
            long ms = Instant.parse("2026-11-22T10:15:00Z").toEpochMilli();

            assertThat(decode(READING, "{\"ts\":" + ms + ",\"value\":1}").readings().get(0).ts()).isEqualTo("2026-11-22T10:15:00Z");
            assertThat(decode(READING, "{\"ts\":\"2026-11-22 10:15:00z\",\"value\":1}").readings().get(0).ts()).isEqualTo("2026-11-22T10:15:00Z");
            assertThat(decode(READING, "{\"ts\":\"2026-11-22t10:15:00.250Z\",\"value\":1}").readings().get(0).ts()).isEqualTo("2026-11-22T10:15:00.250Z");
        }

        @Test
        void shouldIgnoreUnknownFieldsOfAReadingSoDataKeepsFlowing() {
            Decoded d = decode(READING, "{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":3,\"quality\":\"good\"}");

            assertThat(d.rejections()).isEmpty();
            assertThat(d.readings()).hasSize(1);
        }

        @Test
        void shouldAcceptEachGoodElementOfAnArrayAndRejectEachBadOneOnItsOwn() {
            Decoded d = decode(READING, "[{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":1,\"seq\":1},"
                    + "{\"ts\":\"2026-11-22T10:16:00Z\",\"value\":\"2\",\"seq\":2},"
                    + "{\"ts\":\"2026-11-22T10:17:00Z\",\"value\":3,\"seq\":3},"
                    + "42]");

            assertThat(d.readings()).extracting(ReadingRecord::seq).containsExactly(1L, 3L);
            assertThat(d.rejections()).extracting(Rejection::reason).containsExactly(RejectReason.INVALID_FIELD, RejectReason.MALFORMED);
            assertThat(d.rejections().get(0).detail()).startsWith("reading [1]: value must be a number");
            assertThat(d.rejections().get(0).payload()).contains("\"value\":\"2\"");
            assertThat(d.rejections().get(1).detail()).startsWith("reading [3]: element is a JSON number");
        }

        @Test
        void shouldAcceptAnArrayOfExactlyOneThousand() {
            String array = IntStream.range(0, 1000).mapToObj(i -> "{\"ts\":" + (1_700_000_000_000L + i) + ",\"value\":" + i + "}")
                    .collect(Collectors.joining(",", "[", "]"));

            assertThat(decode(READING, array).readings()).hasSize(1000);
        }

        @Test
        void shouldRejectAnArrayOverOneThousandAsMalformed() {
            String array = IntStream.range(0, 1001).mapToObj(i -> "{\"ts\":" + (1_700_000_000_000L + i) + ",\"value\":1}")
                    .collect(Collectors.joining(",", "[", "]"));

            Rejection r = onlyRejection(decode(READING, array));

            assertThat(r.reason()).isEqualTo(RejectReason.MALFORMED);
            assertThat(r.detail()).isEqualTo("array of 1001 readings, at most 1000");
            assertThat(r.payload()).hasSizeLessThanOrEqualTo(Rejection.PAYLOAD_LIMIT);
        }

        @Test
        void shouldRejectAPayloadOver256KiBAsMalformed() {
            String pad = " ".repeat(InboundDecoder.MAX_PAYLOAD_BYTES);

            Rejection r = onlyRejection(decode(READING, "{\"ts\":1,\"value\":1}" + pad));

            assertThat(r.reason()).isEqualTo(RejectReason.MALFORMED);
            assertThat(r.detail()).contains("at most 262144");
            assertThat(r.payload().getBytes(StandardCharsets.UTF_8)).hasSize(Rejection.PAYLOAD_LIMIT);
        }

        @ParameterizedTest
        @ValueSource(strings = {"not json", "{\"ts\":", "\"a string\"", "12", "null", "[]", "{\"ts\":1,\"value\":1} trailing",
            "{\"ts\":1,\"value\":1,\"value\":2}"})
        void shouldRejectWhatIsNotAReadingObjectOrArrayAsMalformed(String payload) {
            Rejection r = onlyRejection(decode(READING, payload));

            assertThat(r.reason()).isEqualTo(RejectReason.MALFORMED);
            assertThat(r.mqttTopic()).isEqualTo(READING);
            assertThat(r.site()).isEqualTo("asnaes");
            assertThat(r.meter()).isEqualTo("gypsum-out");
            assertThat(r.payload()).isEqualTo(payload);
            assertThat(r.receivedAt()).isEqualTo(NOW);
        }

        @Test
        void shouldRejectAnEmptyPayloadOnAReadingTopicAsMalformed() {
            assertThat(onlyRejection(decode(READING, "")).reason()).isEqualTo(RejectReason.MALFORMED);
        }

        @Test
        void shouldRejectInvalidUtf8AsMalformed() {
            byte[] bad = {'{', '"', 't', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

            assertThat(onlyRejection(decoder.decode(READING, bad, NOW)).reason()).isEqualTo(RejectReason.MALFORMED);
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', value = {
            "{\"value\":1}                                           | ts is required",
            "{\"ts\":\"2026-11-22T10:15:00\",\"value\":1}            | is not RFC 3339 with an offset",
            "{\"ts\":\"yesterday\",\"value\":1}                      | is not RFC 3339 with an offset",
            "{\"ts\":1.5e12,\"value\":1}                             | ts must be an RFC 3339 string",
            "{\"ts\":-5,\"value\":1}                                 | must be a non-negative integer",
            "{\"ts\":true,\"value\":1}                               | ts must be an RFC 3339 string",
            "{\"ts\":\"2026-11-22T10:15:00Z\"}                       | value is required",
            "{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":null}        | value is required",
            "{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":\"12.5\"}    | value must be a number, got string",
            "{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":\"NaN\"}     | value must be a number, got string",
            "{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":true}        | value must be a number, got boolean",
            "{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":1,\"seq\":-1}| seq must be a non-negative integer",
            "{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":1,\"seq\":1.5}| seq must be a non-negative integer",
            "{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":1,\"unit\":7}| unit must be a string"})
        void shouldRejectAMissingOrMistypedFieldAsInvalidFieldSayingWhich(String payload, String detail) {
            Rejection r = onlyRejection(decode(READING, payload));

            assertThat(r.reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(r.detail()).contains(detail);
        }

        @ParameterizedTest
        @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1e400", "-1e400"})
        void shouldRejectNonFiniteValues(String value) {
            Rejection r = onlyRejection(decode(READING, "{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":" + value + "}"));

            assertThat(r.reason()).isEqualTo(RejectReason.NON_FINITE);
            assertThat(r.detail()).startsWith("value is").endsWith("must be finite");
        }

        @Test
        void shouldRejectATimestampMoreThanMaxFutureAheadOfTheGatewayClock() {
            Rejection r = onlyRejection(decode(READING, "{\"ts\":\"2026-11-22T10:25:00.001Z\",\"value\":1}"));

            assertThat(r.reason()).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
            assertThat(r.detail()).contains("more than PT5M ahead");
            assertThat(decode(READING, "{\"ts\":\"2026-11-22T10:25:00Z\",\"value\":1}").readings())
                    .as("exactly max-future ahead is accepted").hasSize(1);
        }

        @ParameterizedTest
        @ValueSource(strings = {"1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "1999-12-31T23:59:59.999Z", "0"})
        void shouldRejectATimestampBeforeMinTsAsInvalidFieldAsFromADeviceWhoseClockWasNeverSet(String ts) {
            String json = ts.equals("0") ? "0" : "\"" + ts + "\"";

            Rejection r = onlyRejection(decode(READING, "{\"ts\":" + json + ",\"value\":5000}"));

            assertThat(r.reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(r.detail()).contains("is before ingest.min-ts 2000-01-01T00:00:00Z");
            assertThat(r.key()).isEqualTo("asnaes/gypsum-out");
        }

        @Test
        void shouldAcceptATimestampExactlyAtMinTsAndHonourAConfiguredMinTs() {
            assertThat(decode(READING, "{\"ts\":\"2000-01-01T00:00:00Z\",\"value\":1}").readings()).hasSize(1);

            InboundDecoder strict = new InboundDecoder(Duration.ofMinutes(5), Instant.parse("2026-01-01T00:00:00Z"));
            Decoded d = strict.decode(READING, "[{\"ts\":\"2025-12-31T23:59:59Z\",\"value\":1},{\"ts\":\"2026-01-01T00:00:00Z\",\"value\":2}]"
                    .getBytes(StandardCharsets.UTF_8), NOW);

            assertThat(d.readings()).extracting(ReadingRecord::value).containsExactly(2.0);
            assertThat(d.rejections()).singleElement().satisfies(r -> {
                assertThat(r.reason()).isEqualTo(RejectReason.INVALID_FIELD);
                assertThat(r.detail()).isEqualTo("reading [0]: ts 2025-12-31T23:59:59Z is before ingest.min-ts 2026-01-01T00:00:00Z: "
                        + "is the device's clock set?");
            });
        }

        @ParameterizedTest
        @ValueSource(strings = {"loopflow/v1/asnaes/meters/m1/readings", "loopflow/v1/asnaes/meter/m1/reading",
            "loopflow/v1/asnaes/readings", "loopflow/v1/asnaes/meters/m1", "loopflow/v1/asnaes/meters/m1/reading/x", "loopflow/v1",
            "loopflow/v1/", "loopflow/v2/asnaes/meters/m1/reading"})
        void shouldRejectATopicThatIsNoneOfTheInboundTopicsAsInvalidFieldNamingIt(String topic) {
            Rejection r = onlyRejection(decode(topic, "{\"ts\":\"2026-11-22T10:15:00Z\",\"value\":1}"));

            assertThat(r.reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(r.detail()).startsWith("not a LoopFlow v1 inbound topic: " + topic + " (expected ");
            assertThat(r.mqttTopic()).isEqualTo(topic);
            assertThat(r.key()).isEqualTo(topic);
        }

        @ParameterizedTest
        @ValueSource(strings = {"loopflow/v1/Asnaes/meters/m1/reading", "loopflow/v1/asnaes/meters/M 1/reading",
            "loopflow/v1/asnaes/meters//reading", "loopflow/v1/materials/meters/m1/reading"})
        void shouldRejectAnInvalidIdInTheTopicAsInvalidField(String topic) {
            Rejection r = onlyRejection(decode(topic, "{\"ts\":1,\"value\":1}"));

            assertThat(r.reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(r.mqttTopic()).isEqualTo(topic);
            assertThat(r.key()).isEqualTo(topic);
        }
    }

    @Nested
    class Descriptors {
        @Test
        void shouldDecodeASiteDescriptor() {
            Decoded d = decode("loopflow/v1/asnaes/site", "{\"name\":\"Asnaes Power Station\",\"region\":\"kalundborg\",\"lat\":55.66,\"lon\":11.09}");

            assertThat(d.rejections()).isEmpty();
            assertThat(d.descriptor().topic()).isEqualTo(Topics.SITES);
            assertThat(d.descriptor().key()).isEqualTo("asnaes");
            assertThat(d.descriptor().value()).isEqualTo(new SiteDescriptor("Asnaes Power Station", "kalundborg", 55.66, 11.09));
        }

        @Test
        void shouldDecodeMeterMaterialAndDemandDescriptors() {
            assertThat(decode("loopflow/v1/asnaes/meters/gypsum-out/meta",
                    "{\"material\":\"gypsum\",\"role\":\"out.reuse\",\"kind\":\"counter\",\"unit\":\"t\",\"to\":\"gyproc\"}").descriptor())
                    .isEqualTo(new Decoded.DescriptorChange(cast(Topics.METERS), "asnaes/gypsum-out",
                            new MeterDescriptor("gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t", "gyproc")));
            assertThat(decode("loopflow/v1/materials/gypsum",
                    "{\"name\":\"FGD gypsum\",\"dimension\":\"mass\",\"ewc\":\"10 01 05\",\"surplusThreshold\":50}").descriptor())
                    .isEqualTo(new Decoded.DescriptorChange(cast(Topics.MATERIALS), "gypsum",
                            new MaterialDescriptor("FGD gypsum", Dimension.MASS, "10 01 05", 50.0)));
            assertThat(decode("loopflow/v1/gyproc/demands/gypsum", "{\"quantity\":40,\"maxDistanceKm\":60}").descriptor())
                    .isEqualTo(new Decoded.DescriptorChange(cast(Topics.DEMANDS), "gyproc/gypsum", new DemandDescriptor(40, 60)));
        }

        @Test
        void shouldRefuseANameLongerThanALabel() {
            String longest = "A".repeat(InboundDecoder.MAX_NAME_CHARS);
            assertThat(decode("loopflow/v1/asnaes/site", "{\"name\":\"" + longest + "\",\"region\":\"kalundborg\"}").rejections()).isEmpty();
            assertThat(decode("loopflow/v1/materials/gypsum", "{\"name\":\"" + longest + "\",\"dimension\":\"mass\"}").rejections())
                    .isEmpty();

            // 70,000 characters: past what a store string holds (64 KiB), within the 256 KiB payload
            Decoded site = decode("loopflow/v1/asnaes/site", "{\"name\":\"" + "A".repeat(70_000) + "\",\"region\":\"kalundborg\"}");
            Decoded material = decode("loopflow/v1/materials/gypsum", "{\"name\":\"" + longest + "B\",\"dimension\":\"mass\"}");

            assertThat(site.descriptor()).isNull();
            assertThat(site.rejections()).singleElement().satisfies(r -> {
                assertThat(r.reason()).isEqualTo(RejectReason.INVALID_FIELD);
                assertThat(r.detail()).startsWith("name must be at most 200 characters, got 70000: AAAA").hasSizeLessThan(200);
            });
            assertThat(material.descriptor()).isNull();
            assertThat(material.rejections()).singleElement().satisfies(r -> assertThat(r.detail()).startsWith("name must be at most 200 characters, got 201"));
        }

        @Test
        void shouldTurnAnEmptyRetainedPayloadIntoATombstone() {
            Decoded d = decode("loopflow/v1/asnaes/meters/gypsum-out/meta", "");

            assertThat(d.rejections()).isEmpty();
            assertThat(d.descriptor().topic()).isEqualTo(Topics.METERS);
            assertThat(d.descriptor().key()).isEqualTo("asnaes/gypsum-out");
            assertThat(d.descriptor().value()).isNull();
        }

        @ParameterizedTest(name = "{1}")
        @CsvSource(delimiter = '|', value = {
            "loopflow/v1/asnaes/site | {\"name\":\"A\"} | region is required",
            "loopflow/v1/asnaes/site | {\"name\":\"A\",\"region\":\"Kalundborg\"} | invalid region id",
            "loopflow/v1/asnaes/site | {\"name\":\"A\",\"region\":\"k\",\"lat\":55} | lat and lon go together",
            "loopflow/v1/asnaes/site | {\"name\":\"A\",\"region\":\"k\",\"lat\":95,\"lon\":1} | lat 95.0 is outside",
            "loopflow/v1/asnaes/site | {\"name\":\"A\",\"region\":\"k\",\"latitude\":55} | unknown field 'latitude'",
            "loopflow/v1/asnaes/meters/m/meta | {\"material\":\"gypsum\",\"role\":\"out.reuse\",\"kind\":\"rate\",\"unit\":\"t\"} | a rate meter needs a rate unit",
            "loopflow/v1/asnaes/meters/m/meta | {\"material\":\"gypsum\",\"role\":\"out.reuse\",\"kind\":\"counter\",\"unit\":\"t/h\"} | needs an amount unit",
            "loopflow/v1/asnaes/meters/m/meta | {\"material\":\"gypsum\",\"role\":\"stock\",\"kind\":\"counter\",\"unit\":\"t\"} | role stock goes only with kind level",
            "loopflow/v1/asnaes/meters/m/meta | {\"material\":\"gypsum\",\"role\":\"out.storage\",\"kind\":\"level\",\"unit\":\"t\"} | kind level goes only with role stock",
            "loopflow/v1/asnaes/meters/m/meta | {\"material\":\"gypsum\",\"role\":\"out.reuse\",\"kind\":\"counter\",\"unit\":\"tonnes\"} | unit 'tonnes' is not a unit",
            "loopflow/v1/asnaes/meters/m/meta | {\"material\":\"gypsum\",\"role\":\"output\",\"kind\":\"counter\",\"unit\":\"t\"} | role 'output' is not one of",
            "loopflow/v1/materials/gypsum | {\"name\":\"G\",\"dimension\":\"weight\"} | dimension 'weight' is not one of",
            "loopflow/v1/materials/gypsum | {\"name\":\"G\",\"dimension\":\"mass\",\"surplusThreshhold\":5} | unknown field 'surplusThreshhold'",
            "loopflow/v1/materials/gypsum | {\"name\":\"G\",\"dimension\":\"mass\",\"surplusThreshold\":-5} | must not be negative",
            "loopflow/v1/gyproc/demands/gypsum | {\"quantity\":0,\"maxDistanceKm\":60} | quantity 0.0 must be positive",
            "loopflow/v1/gyproc/demands/gypsum | {\"quantity\":40} | maxDistanceKm is required"})
        void shouldRejectAnInvalidDescriptorAsInvalidFieldSayingWhy(String topic, String payload, String detail) {
            Decoded d = decode(topic, payload);

            assertThat(d.descriptor()).isNull();
            Rejection r = onlyRejection(d);
            assertThat(r.reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(r.detail()).contains(detail);
            assertThat(r.mqttTopic()).isEqualTo(topic);
        }

        @Test
        void shouldRejectANonObjectDescriptorAsMalformed() {
            assertThat(onlyRejection(decode("loopflow/v1/asnaes/site", "[1,2]")).reason()).isEqualTo(RejectReason.MALFORMED);
        }

        @Test
        void shouldNotAcceptMaterialsAsASiteId() {
            Decoded asMaterial = decode("loopflow/v1/materials/site", "{\"name\":\"S\",\"dimension\":\"mass\"}");
            assertThat(asMaterial.descriptor().topic()).as("materials/{x} is always a material").isEqualTo(Topics.MATERIALS);

            Rejection r = onlyRejection(decode("loopflow/v1/materials/meters/m/meta", "{}"));
            assertThat(r.detail()).contains("'materials' is reserved");
        }
    }

    @Test
    void shouldKeepTheFirst4KiBOfAPayloadWithoutSplittingACharacter() {
        byte[] payload = ("x".repeat(4095) + "\u00e9\u00e9").getBytes(StandardCharsets.UTF_8);

        String excerpt = Rejection.excerpt(payload);

        assertThat(excerpt).isEqualTo("x".repeat(4095));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static io.loopflow.core.Topic<String, Object> cast(io.loopflow.core.Topic<String, ?> t) {
        return (io.loopflow.core.Topic) t;
    }
}
