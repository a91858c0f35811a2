package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * An accepted reading on {@code loopflow.readings} (key: {@code site/meter}): the reading as the
 * plant sent it ({@code ts}, {@code value}, optional {@code seq} and {@code unit}), plus the ids
 * of its topic and the gateway's {@code receivedAt}. {@code value} is in {@code unit} when given,
 * else in the meter's unit; conversion happens in the stream processor, which knows the meter.
 * {@code source} is set on readings that came from a file: {@code import:{file name}} (CONTRACT.md
 * section 8); absent (not written) for readings that came over MQTT.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReadingRecord(String site, String meter, Instant ts, double value, Long seq, String unit, Instant receivedAt,
                            String source) {

    /** A reading that came over MQTT: no {@code source}. */
    public ReadingRecord(String site, String meter, Instant ts, double value, Long seq, String unit, Instant receivedAt) {
        this(site, meter, ts, value, seq, unit, receivedAt, null);
    }

    /** The Kafka key of this record: {@code site/meter}. */
    public String key() {
        return site + "/" + meter;
    }
}
