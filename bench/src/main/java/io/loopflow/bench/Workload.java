package io.loopflow.bench;

import io.loopflow.core.Topics;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.units.Dimension;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The readings every benchmark publishes: {@code n} readings of {@value #METERS} meters spread over
 * {@value #SITES} sites of one region, reading {@code i} belonging to meter {@code i % 100} with {@code seq}
 * {@code i / 100}, so (meter, seq) names a reading and loss or duplication can be checked per meter. Payloads are
 * the contract's reading object ({@code {"ts": "...Z", "value": ..., "seq": ...}}, about 60 bytes), one second
 * apart per meter in event time and ending at {@link #end()}, by default the time of construction, so the gateway
 * accepts every one.
 *
 * <p>The meters' descriptors are part of the workload: one material ({@value #MATERIAL}, mass), every flow role
 * (meter {@code m} has role {@code m / 10 % 7} of the flow roles, so a site has one or two meters per role) and
 * the kinds counter, quantity and rate in turn ({@code m % 3}). No level meter: every reading feeds a flow window.
 */
final class Workload {
    static final int METERS = 100;
    static final int SITES = 10;
    static final String MATERIAL = "gypsum";
    private static final List<Role> FLOW_ROLES = Arrays.stream(Role.values()).filter(Role::isFlow).toList();
    private static final MeterKind[] KINDS = {MeterKind.COUNTER, MeterKind.QUANTITY, MeterKind.RATE};

    private final int n;
    private final String prefix;
    private final Instant end;
    private final String[] topics = new String[METERS];
    private final byte[][] payloads;

    /** {@code n} readings of sites {@code site-0..9}, ending now. */
    Workload(int n) {
        this(n, "", Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * @param prefix names this workload's sites ({@code <prefix>site-0..9}) and region ({@code <prefix>bench-region}),
     *               so that the workloads of one run share no flow window and no region
     * @param end    event time of each meter's last reading
     */
    Workload(int n, String prefix, Instant end) {
        if (n < METERS || n % METERS != 0) {
            throw new IllegalArgumentException("n must be a positive multiple of " + METERS + ", got " + n);
        }
        this.n = n;
        this.prefix = prefix;
        this.end = end;
        for (int m = 0; m < METERS; m++) {
            topics[m] = InboundTopic.reading(site(m), meter(m));
        }
        payloads = new byte[n][];
        for (int i = 0; i < n; i++) {
            payloads[i] = payload(ts(i), value(i), seq(i));
        }
    }

    /** The contract's reading payload. */
    private static byte[] payload(Instant ts, double value, long seq) {
        return ("{\"ts\": \"" + ts + "\", \"value\": " + value + ", \"seq\": " + seq + "}").getBytes(StandardCharsets.UTF_8);
    }

    int size() {
        return n;
    }

    /** The site of meter {@code meterIndex} (and, for {@code 0..9}, site number {@code meterIndex}). */
    String site(int meterIndex) {
        return prefix + "site-" + (meterIndex % SITES);
    }

    String region() {
        return prefix + "bench-region";
    }

    static String meter(int meterIndex) {
        return "m-" + meterIndex;
    }

    static int meterIndex(int i) {
        return i % METERS;
    }

    static long seq(int i) {
        return i / METERS;
    }

    /** Event time of each meter's last reading. */
    Instant end() {
        return end;
    }

    /** Reading {@code i}'s event time: one second apart per meter, the last one at {@link #end()}. */
    Instant ts(int i) {
        long perMeter = n / METERS;
        return end.minusSeconds(perMeter - 1 - seq(i));
    }

    /** A counter-like value that grows with {@code seq}. */
    static double value(int i) {
        return 1000.0 + seq(i) * 0.5 + meterIndex(i) * 0.001;
    }

    String topic(int i) {
        return topics[meterIndex(i)];
    }

    byte[] payload(int i) {
        return payloads[i];
    }

    /**
     * A reading of meter {@code meterIndex} after the workload's last one, stamped {@code ts}, with the next
     * {@code seq}: it moves the meter's clock on without being one of the workload's readings ({@link #index} is -1
     * for it).
     */
    byte[] nextPayload(int meterIndex, Instant ts) {
        return payload(ts, value(n + meterIndex), seq(n + meterIndex));
    }

    /**
     * Writes the workload's material, site and meter descriptors to their topics through {@code producer} (which should
     * partition by site, as the gateway does) and waits until Kafka has them all.
     */
    void describe(KafkaProducer<String, byte[]> producer) throws Exception {
        producer.send(new ProducerRecord<>(Topics.MATERIALS.name(), MATERIAL, Json.write(material()))).get(30, TimeUnit.SECONDS);
        for (int s = 0; s < SITES; s++) {
            producer.send(new ProducerRecord<>(Topics.SITES.name(), site(s), Json.write(siteDescriptor(s))));
        }
        for (int m = 0; m < METERS; m++) {
            producer.send(new ProducerRecord<>(Topics.METERS.name(), site(m) + "/" + meter(m), Json.write(meterDescriptor(m))));
        }
        producer.flush();
    }

    /** What the gateway writes to {@code loopflow.readings} for reading {@code i}. */
    ReadingRecord record(int i, Instant receivedAt) {
        int m = meterIndex(i);
        return new ReadingRecord(site(m), meter(m), ts(i), value(i), seq(i), null, receivedAt);
    }

    static MaterialDescriptor material() {
        return new MaterialDescriptor("FGD gypsum", Dimension.MASS, "10 01 05", 50.0);
    }

    /** Site number {@code s} (0..9): in {@link #region()}, 1 km or so from its neighbours. */
    SiteDescriptor siteDescriptor(int s) {
        return new SiteDescriptor("Bench site " + s, region(), 55.6 + s * 0.01, 11.1 + s * 0.01);
    }

    static MeterDescriptor meterDescriptor(int meterIndex) {
        MeterKind kind = KINDS[meterIndex % KINDS.length];
        return new MeterDescriptor(MATERIAL, role(meterIndex), kind, kind == MeterKind.RATE ? "t/h" : "t", null);
    }

    static Role role(int meterIndex) {
        return FLOW_ROLES.get((meterIndex / SITES) % FLOW_ROLES.size());
    }

    /** The index of the reading of meter id {@code meter} with {@code seq}, or -1 when it is not one of ours. */
    int index(String meter, long seq) {
        if (meter == null || !meter.startsWith("m-") || seq < 0 || seq >= n / METERS) {
            return -1;
        }
        int m;
        try {
            m = Integer.parseInt(meter, 2, meter.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
        return m < 0 || m >= METERS ? -1 : (int) (seq * METERS + m);
    }

    /** The index of an MQTT reading message (topic and payload as published), or -1. */
    int index(String mqttTopic, byte[] payload) {
        String meter = InboundTopic.parse(mqttTopic).meter();
        String text = new String(payload, StandardCharsets.UTF_8);
        int at = text.indexOf("\"seq\": ");
        if (at < 0) {
            return -1;
        }
        int from = at + 7;
        int to = from;
        while (to < text.length() && Character.isDigit(text.charAt(to))) {
            to++;
        }
        return index(meter, Long.parseLong(text, from, to, 10));
    }

    /** A paced phase's reading count: {@code seconds} at {@code perSecond}, at most {@code max}, a multiple of {@value #METERS}. */
    static int pacedCount(double perSecond, int seconds, int max) {
        int count = (int) Math.min(max, perSecond * seconds);
        return Math.max(METERS, count / METERS * METERS);
    }
}
