package io.loopflow.bench;

import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.model.ReadingRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The readings every benchmark publishes: {@code n} readings of {@value #METERS} meters spread over
 * {@value #SITES} sites, reading {@code i} belonging to meter {@code i % 100} with {@code seq} {@code i / 100},
 * so (meter, seq) names a reading and loss or duplication can be checked per meter. Payloads are the
 * contract's reading object ({@code {"ts": "...Z", "value": ..., "seq": ...}}, about 60 bytes), stamped in the
 * past (one second apart per meter, ending at construction time) so the gateway accepts every one.
 */
final class Workload {
    static final int METERS = 100;
    static final int SITES = 10;

    private final int n;
    private final Instant end;
    private final String[] topics = new String[METERS];
    private final byte[][] payloads;

    Workload(int n) {
        if (n < METERS || n % METERS != 0) {
            throw new IllegalArgumentException("n must be a positive multiple of " + METERS + ", got " + n);
        }
        this.n = n;
        this.end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (int m = 0; m < METERS; m++) {
            topics[m] = InboundTopic.reading(site(m), meter(m));
        }
        payloads = new byte[n][];
        for (int i = 0; i < n; i++) {
            payloads[i] = ("{\"ts\": \"" + ts(i) + "\", \"value\": " + value(i) + ", \"seq\": " + seq(i) + "}")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    int size() {
        return n;
    }

    static String site(int meterIndex) {
        return "site-" + (meterIndex % SITES);
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

    /** Reading {@code i}'s event time: one second apart per meter, the last one at construction time. */
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

    /** What the gateway writes to {@code loopflow.readings} for reading {@code i}. */
    ReadingRecord record(int i, Instant receivedAt) {
        int m = meterIndex(i);
        return new ReadingRecord(site(m), meter(m), ts(i), value(i), seq(i), null, receivedAt);
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
}
