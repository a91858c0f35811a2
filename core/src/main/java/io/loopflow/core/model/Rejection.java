package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.loopflow.core.RejectReason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A rejected input on {@code loopflow.rejected} (key: {@code site/meter} when known, else the MQTT
 * topic): the {@code reason} of CONTRACT.md section 3, a {@code detail} saying what to fix, the
 * {@code mqttTopic} it came on, the first 4 KiB of the {@code payload} and {@code receivedAt}.
 * {@code site} and {@code meter} are set when the topic named them. A row of a history import file
 * (CONTRACT.md section 8) has {@code source} {@code import:{file name}:{line}} in place of
 * {@code mqttTopic}, and the row as CSV text as its {@code payload}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Rejection(RejectReason reason, String detail, String mqttTopic, String payload, Instant receivedAt,
                        String site, String meter, String source) {

    /** A rejection of an MQTT message: no {@code source}. */
    public Rejection(RejectReason reason, String detail, String mqttTopic, String payload, Instant receivedAt, String site, String meter) {
        this(reason, detail, mqttTopic, payload, receivedAt, site, meter, null);
    }

    /** Bytes of payload kept in a rejection record. */
    public static final int PAYLOAD_LIMIT = 4096;

    /** The first 4 KiB of {@code payload} as text; a character cut at the limit is dropped, invalid UTF-8 shows as U+FFFD. */
    public static String excerpt(byte[] payload) {
        if (payload == null) {
            return null;
        }
        int n = Math.min(payload.length, PAYLOAD_LIMIT);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        CharBuffer out = CharBuffer.allocate(n);
        // endOfInput=false: a multi-byte character cut by the limit stays undecoded instead of showing as U+FFFD.
        decoder.decode(ByteBuffer.wrap(payload, 0, n), out, n == payload.length);
        out.flip();
        return out.toString();
    }

    /** The Kafka key: {@code site/meter} when both are known, else the MQTT topic, else the {@code source}. */
    public String key() {
        if (site != null && meter != null) {
            return site + "/" + meter;
        }
        return mqttTopic != null ? mqttTopic : source;
    }
}
