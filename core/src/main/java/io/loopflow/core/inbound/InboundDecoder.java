package io.loopflow.core.inbound;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loopflow.core.Ids;
import io.loopflow.core.RejectReason;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.ValidationException;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.DemandDescriptor;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.units.Dimension;
import io.loopflow.core.units.Unit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decodes and validates one inbound MQTT message (CONTRACT.md sections 1-3) into accepted
 * readings, descriptor changes and rejections with the gateway-side reasons {@code malformed},
 * {@code invalid_field}, {@code non_finite} and {@code future_timestamp}. Pure: it reads only its
 * arguments and never throws for bad input.
 *
 * <p>A reading's {@code ts} must lie between {@code ingest.min-ts} (default {@link #DEFAULT_MIN_TS}:
 * a device whose clock was never set sends 1970 or year 0, which would open 1970 windows and turn the
 * next real counter reading into a credit of its whole value) and {@code ingest.max-future} ahead of
 * the gateway clock. A topic under {@code loopflow/v1/} that is none of section 2's is
 * {@code invalid_field} with the topic in the detail.
 *
 * <p>Where the contract is silent (docs/CONTRACT-NOTES.md): unknown fields in a reading are
 * ignored (data keeps flowing), unknown fields in a descriptor are rejected (a misspelt
 * {@code surplusThreshold} must not silently fall back to the default); an empty array is
 * {@code malformed}; each element of an array is accepted or rejected on its own.
 */
public final class InboundDecoder {
    /** Largest payload accepted, 256 KiB. */
    public static final int MAX_PAYLOAD_BYTES = 256 * 1024;
    /** Largest reading array accepted. */
    public static final int MAX_ARRAY = 1000;
    /** Default of {@code ingest.max-future}. */
    public static final Duration DEFAULT_MAX_FUTURE = Duration.ofMinutes(5);
    /** Default of {@code ingest.min-ts} (CONTRACT.md section 2). */
    public static final Instant DEFAULT_MIN_TS = Instant.parse("2000-01-01T00:00:00Z");

    // NaN and Infinity tokens are parsed so that they earn `non_finite`, not `malformed`.
    private static final ObjectMapper TREE = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    // JSON's number grammar (RFC 8259 section 6), the form a reading's value takes on MQTT.
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");
    // What Jackson reads as a non-finite number with ALLOW_NON_NUMERIC_NUMBERS, as on MQTT.
    private static final Set<String> NON_FINITE_TOKENS = Set.of("NaN", "Infinity", "+Infinity", "-Infinity", "INF", "+INF", "-INF");

    private final Duration maxFuture;
    private final Instant minTs;

    /** A decoder with {@code ingest.min-ts} at its default, {@link #DEFAULT_MIN_TS}. */
    public InboundDecoder(Duration maxFuture) {
        this(maxFuture, DEFAULT_MIN_TS);
    }

    /**
     * @param maxFuture {@code ingest.max-future}: how far ahead of the gateway clock a {@code ts} may be
     * @param minTs     {@code ingest.min-ts}: the earliest {@code ts} accepted
     */
    public InboundDecoder(Duration maxFuture, Instant minTs) {
        if (maxFuture == null || maxFuture.isNegative()) {
            throw new IllegalArgumentException("ingest.max-future must be a non-negative duration, got " + maxFuture);
        }
        if (minTs == null) {
            throw new IllegalArgumentException("ingest.min-ts is required");
        }
        this.maxFuture = maxFuture;
        this.minTs = minTs;
    }

    /** Decodes one message that arrived on {@code mqttTopic} at {@code receivedAt} (the gateway clock). */
    public Decoded decode(String mqttTopic, byte[] payload, Instant receivedAt) {
        InboundTopic topic;
        try {
            topic = InboundTopic.parse(mqttTopic);
        } catch (ValidationException e) {
            return Decoded.rejected(new Rejection(e.reason(), e.detail(), mqttTopic, Rejection.excerpt(payload), receivedAt, null, null));
        }
        if (topic.type() == InboundTopic.Type.READING) {
            return decodeReadings(topic, mqttTopic, payload, receivedAt);
        }
        try {
            return new Decoded(List.of(), List.of(), decodeDescriptor(topic, payload));
        } catch (ValidationException e) {
            return Decoded.rejected(rejection(topic, mqttTopic, e, payload, receivedAt));
        }
    }

    private Decoded decodeReadings(InboundTopic topic, String mqttTopic, byte[] payload, Instant receivedAt) {
        JsonNode root;
        try {
            root = parse(payload);
        } catch (ValidationException e) {
            return Decoded.rejected(rejection(topic, mqttTopic, e, payload, receivedAt));
        }
        if (root.isObject()) {
            try {
                return new Decoded(List.of(reading(topic, root, receivedAt)), List.of(), null);
            } catch (ValidationException e) {
                return Decoded.rejected(rejection(topic, mqttTopic, e, payload, receivedAt));
            }
        }
        if (!root.isArray()) {
            return Decoded.rejected(rejection(topic, mqttTopic,
                    new ValidationException(RejectReason.MALFORMED, "payload is a JSON " + root.getNodeType().name().toLowerCase()
                            + ", expected a reading object or an array of them"), payload, receivedAt));
        }
        if (root.isEmpty() || root.size() > MAX_ARRAY) {
            String why = root.isEmpty() ? "empty array: no readings" : "array of " + root.size() + " readings, at most " + MAX_ARRAY;
            return Decoded.rejected(rejection(topic, mqttTopic, new ValidationException(RejectReason.MALFORMED, why), payload, receivedAt));
        }
        List<ReadingRecord> accepted = new ArrayList<>(root.size());
        List<Rejection> rejected = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode element = root.get(i);
            try {
                if (!element.isObject()) {
                    throw new ValidationException(RejectReason.MALFORMED, "element is a JSON "
                            + element.getNodeType().name().toLowerCase() + ", expected a reading object");
                }
                accepted.add(reading(topic, element, receivedAt));
            } catch (ValidationException e) {
                // The element itself is the useful excerpt; the detail says where it stood.
                rejected.add(new Rejection(e.reason(), "reading [" + i + "]: " + e.detail(), mqttTopic,
                        Rejection.excerpt(element.toString().getBytes(StandardCharsets.UTF_8)),
                        receivedAt, topic.site(), topic.meter()));
            }
        }
        return new Decoded(accepted, rejected, null);
    }

    private ReadingRecord reading(InboundTopic topic, JsonNode node, Instant receivedAt) {
        Instant ts = timestamp(node.get("ts"));
        checkTime(ts, receivedAt);
        double value = finiteNumber("value", node.get("value"));
        Long seq = null;
        JsonNode s = node.get("seq");
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber() || !s.canConvertToLong() || s.asLong() < 0) {
                throw invalid("seq must be a non-negative integer, got " + s);
            }
            seq = s.asLong();
        }
        String unit = null;
        JsonNode u = node.get("unit");
        if (u != null && !u.isNull()) {
            if (!u.isTextual()) {
                throw invalid("unit must be a string, got " + u);
            }
            unit = u.asText();
        }
        return new ReadingRecord(topic.site(), topic.meter(), ts, value, seq, unit, receivedAt);
    }

    /**
     * Checks one reading of a site and meter named outside a topic, its fields as text: a row of a history
     * import file (CONTRACT.md section 8). The rules and reasons are those of a reading object on MQTT:
     * {@code site} and {@code meter} are ids (section 1) as in a topic; {@code ts} is RFC 3339 with offset or
     * integer epoch milliseconds, not before {@code ingest.min-ts} ({@code invalid_field}) nor more than
     * {@code ingest.max-future} after {@code receivedAt} ({@code future_timestamp}); {@code value} is a number
     * as JSON writes one ({@code 12.5}, {@code -3}, {@code 1.2e3}; anything else {@code invalid_field}), and
     * {@code NaN}, {@code Infinity} or a number too large for a double is {@code non_finite}; {@code seq}, when
     * present, a non-negative integer; {@code unit} any text (the stream processor checks it against the
     * meter). An empty {@code seq} or {@code unit} is absent.
     *
     * @param source the {@code source} of the accepted reading, e.g. {@code import:tickets.csv}
     * @return the reading as the gateway would write it, with {@code source}
     * @throws ValidationException with the rejection's reason and a detail saying what to fix
     */
    public ReadingRecord reading(ReadingText row, Instant receivedAt, String source) {
        String site = Ids.require("site", row.site());
        String meter = Ids.require("meter", row.meter());
        Instant ts = timestampText(row.ts());
        checkTime(ts, receivedAt);
        double value = numberText("value", row.value());
        Long seq = null;
        if (!isEmpty(row.seq())) {
            if (!DIGITS.matcher(row.seq()).matches() || row.seq().length() > 18) {
                throw invalid("seq must be a non-negative integer, got '" + abbreviate(row.seq()) + "'");
            }
            seq = Long.parseLong(row.seq());
        }
        String unit = isEmpty(row.unit()) ? null : row.unit();
        return new ReadingRecord(site, meter, ts, value, seq, unit, receivedAt, source);
    }

    private void checkTime(Instant ts, Instant receivedAt) {
        if (ts.isBefore(minTs)) {
            throw invalid("ts " + ts + " is before ingest.min-ts " + minTs + ": is the device's clock set?");
        }
        if (ts.isAfter(receivedAt.plus(maxFuture))) {
            throw new ValidationException(RejectReason.FUTURE_TIMESTAMP, "ts " + ts + " is more than " + maxFuture
                    + " ahead of the gateway clock " + receivedAt);
        }
    }

    /** {@link #timestamp(JsonNode)} for a {@code ts} given as text: an integer is epoch milliseconds, as in JSON. */
    static Instant timestampText(String ts) {
        if (isEmpty(ts)) {
            throw invalid("ts is required");
        }
        if (INTEGER.matcher(ts).matches()) {
            if (ts.startsWith("-") || ts.length() > 18) {
                throw invalid("ts as epoch milliseconds must be a non-negative integer, got " + abbreviate(ts));
            }
            return Instant.ofEpochMilli(Long.parseLong(ts));
        }
        return rfc3339(ts);
    }

    /**
     * A number written as text the way JSON writes one; {@code NaN} and {@code Infinity} (the spellings a
     * reading object may carry) and a number beyond the range of a double are {@code non_finite}.
     */
    private static double numberText(String field, String text) {
        if (isEmpty(text)) {
            throw invalid(field + " is required and must be a number");
        }
        if (NON_FINITE_TOKENS.contains(text)) {
            throw new ValidationException(RejectReason.NON_FINITE, field + " is " + text + ", must be finite");
        }
        if (!JSON_NUMBER.matcher(text).matches()) {
            String hint = text.indexOf(',') >= 0 ? " (a decimal point and no thousands separator, e.g. 1234.5)" : "";
            throw invalid(field + " must be a number, got '" + abbreviate(text) + "'" + hint);
        }
        double d = Double.parseDouble(text);
        if (!Double.isFinite(d)) {
            throw new ValidationException(RejectReason.NON_FINITE, field + " is " + abbreviate(text) + ", beyond the range of a double: must be finite");
        }
        return d;
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    /** RFC 3339 with offset (a space or lower-case t/z accepted, as RFC 3339 allows), or integer epoch milliseconds. */
    static Instant timestamp(JsonNode ts) {
        if (ts == null || ts.isNull()) {
            throw invalid("ts is required");
        }
        if (ts.isIntegralNumber()) {
            if (!ts.canConvertToLong() || ts.asLong() < 0) {
                throw invalid("ts as epoch milliseconds must be a non-negative integer, got " + ts);
            }
            return Instant.ofEpochMilli(ts.asLong());
        }
        if (!ts.isTextual()) {
            throw invalid("ts must be an RFC 3339 string with offset or integer epoch milliseconds, got " + ts);
        }
        return rfc3339(ts.asText());
    }

    private static Instant rfc3339(String text) {
        String normalised = text.length() > 10 && (text.charAt(10) == ' ' || text.charAt(10) == 't')
                ? text.substring(0, 10) + 'T' + text.substring(11) : text;
        if (normalised.endsWith("z")) {
            normalised = normalised.substring(0, normalised.length() - 1) + 'Z';
        }
        Instant fast = FastRfc3339.parse(normalised);
        if (fast != null) {
            return fast;
        }
        try {
            return OffsetDateTime.parse(normalised, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw invalid("ts '" + text + "' is not RFC 3339 with an offset (e.g. 2026-11-22T10:15:00Z)");
        }
    }

    private static double finiteNumber(String field, JsonNode n) {
        if (n == null || n.isNull()) {
            throw invalid(field + " is required and must be a number");
        }
        if (!n.isNumber()) {
            throw invalid(field + " must be a number, got " + n.getNodeType().name().toLowerCase() + " " + abbreviate(n.toString()));
        }
        double d = n.asDouble();
        if (!Double.isFinite(d)) {
            throw new ValidationException(RejectReason.NON_FINITE, field + " is " + n.asText() + ", must be finite");
        }
        return d;
    }

    private Decoded.DescriptorChange decodeDescriptor(InboundTopic topic, byte[] payload) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Topic<String, Object> target = (Topic) switch (topic.type()) {
            case SITE -> Topics.SITES;
            case METER -> Topics.METERS;
            case DEMAND -> Topics.DEMANDS;
            case MATERIAL -> Topics.MATERIALS;
            case READING -> throw new IllegalStateException("readings are not descriptors");
        };
        if (payload == null || payload.length == 0) {
            return new Decoded.DescriptorChange(target, topic.key(), null);
        }
        JsonNode root = parse(payload);
        if (!root.isObject()) {
            throw new ValidationException(RejectReason.MALFORMED, "descriptor must be a JSON object, got "
                    + root.getNodeType().name().toLowerCase());
        }
        ObjectNode o = (ObjectNode) root;
        Object value = switch (topic.type()) {
            case SITE -> site(o);
            case METER -> meter(o);
            case DEMAND -> demand(o);
            case MATERIAL -> material(o);
            case READING -> throw new IllegalStateException("readings are not descriptors");
        };
        return new Decoded.DescriptorChange(target, topic.key(), value);
    }

    static SiteDescriptor site(ObjectNode o) {
        onlyFields(o, "site", Set.of("name", "region", "lat", "lon"));
        String name = requiredName(o);
        String region = Ids.require("region", requiredText(o, "region"));
        Double lat = optionalNumber(o, "lat");
        Double lon = optionalNumber(o, "lon");
        if ((lat == null) != (lon == null)) {
            throw invalid("lat and lon go together: give both or neither");
        }
        if (lat != null && (lat < -90 || lat > 90)) {
            throw invalid("lat " + lat + " is outside -90..90");
        }
        if (lon != null && (lon < -180 || lon > 180)) {
            throw invalid("lon " + lon + " is outside -180..180");
        }
        return new SiteDescriptor(name, region, lat, lon);
    }

    static MaterialDescriptor material(ObjectNode o) {
        onlyFields(o, "material", Set.of("name", "dimension", "ewc", "surplusThreshold"));
        String name = requiredName(o);
        String dim = requiredText(o, "dimension");
        Dimension dimension;
        try {
            dimension = Dimension.ofWire(dim);
        } catch (IllegalArgumentException e) {
            throw invalid("dimension '" + dim + "' is not one of mass, energy, volume");
        }
        String ewc = optionalText(o, "ewc");
        Double threshold = optionalNumber(o, "surplusThreshold");
        if (threshold != null && threshold < 0) {
            throw invalid("surplusThreshold " + threshold + " must not be negative");
        }
        return new MaterialDescriptor(name, dimension, ewc, threshold);
    }

    static MeterDescriptor meter(ObjectNode o) {
        onlyFields(o, "meter", Set.of("material", "role", "kind", "unit", "to"));
        String material = Ids.require("material", requiredText(o, "material"));
        String roleText = requiredText(o, "role");
        Role role = Role.find(roleText).orElseThrow(() -> invalid("role '" + roleText
                + "' is not one of in.virgin, in.secondary, out.product, out.reuse, out.recovery, out.disposal, out.storage, stock"));
        String kindText = requiredText(o, "kind");
        MeterKind kind = MeterKind.find(kindText).orElseThrow(() -> invalid("kind '" + kindText
                + "' is not one of quantity, counter, rate, level"));
        String unitText = requiredText(o, "unit");
        Unit unit = Unit.ofSymbol(unitText).orElseThrow(() -> invalid("unit '" + unitText + "' is not a unit of the contract"));
        if (kind == MeterKind.RATE && !unit.isRate()) {
            throw invalid("a rate meter needs a rate unit (e.g. t/h), got amount unit " + unit);
        }
        if (kind != MeterKind.RATE && unit.isRate()) {
            throw invalid("a " + kind.wire() + " meter needs an amount unit (e.g. t), got rate unit " + unit);
        }
        if (role == Role.STOCK && kind != MeterKind.LEVEL) {
            throw invalid("role stock goes only with kind level");
        }
        if (kind == MeterKind.LEVEL && role != Role.STOCK) {
            throw invalid("kind level goes only with role stock (a level is not a flow)");
        }
        String to = optionalText(o, "to");
        if (to != null) {
            Ids.require("to site", to);
        }
        return new MeterDescriptor(material, role, kind, unit.symbol(), to);
    }

    static DemandDescriptor demand(ObjectNode o) {
        onlyFields(o, "demand", Set.of("quantity", "maxDistanceKm"));
        double quantity = finiteNumber("quantity", o.get("quantity"));
        double distance = finiteNumber("maxDistanceKm", o.get("maxDistanceKm"));
        if (quantity <= 0) {
            throw invalid("quantity " + quantity + " must be positive");
        }
        if (distance < 0) {
            throw invalid("maxDistanceKm " + distance + " must not be negative");
        }
        return new DemandDescriptor(quantity, distance);
    }

    private static JsonNode parse(byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw new ValidationException(RejectReason.MALFORMED, "empty payload");
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new ValidationException(RejectReason.MALFORMED, "payload of " + payload.length + " bytes, at most " + MAX_PAYLOAD_BYTES);
        }
        try (JsonParser parser = TREE.createParser(payload)) {
            JsonNode node = TREE.readTree(parser);
            if (node == null || node.isMissingNode()) {
                throw new ValidationException(RejectReason.MALFORMED, "no JSON value in payload");
            }
            if (parser.nextToken() != null) {
                throw new ValidationException(RejectReason.MALFORMED, "trailing content after the JSON value");
            }
            return node;
        } catch (IOException e) {
            throw new ValidationException(RejectReason.MALFORMED, "not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    private static void onlyFields(ObjectNode o, String what, Set<String> allowed) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw invalid("unknown field '" + abbreviate(f) + "' in " + what + " descriptor (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    /** The longest {@code name} of a site or material descriptor, in characters. */
    public static final int MAX_NAME_CHARS = 200;

    /** A descriptor's display name: required, at most {@link #MAX_NAME_CHARS} characters (a label, not a document). */
    private static String requiredName(ObjectNode o) {
        String name = requiredText(o, "name");
        if (name.length() > MAX_NAME_CHARS) {
            throw invalid("name must be at most " + MAX_NAME_CHARS + " characters, got " + name.length() + ": " + abbreviate(name));
        }
        return name;
    }

    private static String requiredText(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            throw invalid(field + " is required");
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            throw invalid(field + " must be a non-empty string, got " + abbreviate(n.toString()));
        }
        return n.asText();
    }

    private static String optionalText(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw invalid(field + " must be a string, got " + abbreviate(n.toString()));
        }
        return n.asText();
    }

    private static Double optionalNumber(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        return finiteNumber(field, n);
    }

    private static Rejection rejection(InboundTopic topic, String mqttTopic, ValidationException e, byte[] payload, Instant receivedAt) {
        boolean reading = topic.type() == InboundTopic.Type.READING;
        return new Rejection(e.reason(), e.detail(), mqttTopic, Rejection.excerpt(payload), receivedAt,
                topic.site(), reading || topic.type() == InboundTopic.Type.METER ? topic.meter() : null);
    }

    private static ValidationException invalid(String detail) {
        return new ValidationException(RejectReason.INVALID_FIELD, detail);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
