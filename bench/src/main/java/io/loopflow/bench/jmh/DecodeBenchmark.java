package io.loopflow.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.core.inbound.Decoded;
import io.loopflow.core.inbound.InboundDecoder;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway's per-message CPU work: {@link InboundDecoder#decode} of one contract reading payload (about 60
 * bytes, RFC 3339 {@code ts}) on a reading topic, against the baseline of a bare Jackson tree parse of the same
 * bytes with the project's one {@link Json#MAPPER}. Reads nothing else; the ratio is decode / parse.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecodeBenchmark {
    private final String topic = InboundTopic.reading("asnaes", "gypsum-to-gyproc");
    private final byte[] payload = "{\"ts\": \"2026-11-22T10:15:00Z\", \"value\": 1041.5, \"seq\": 1041}".getBytes(StandardCharsets.UTF_8);
    private InboundDecoder decoder;
    private Instant receivedAt;

    @Setup
    public void setUp() {
        decoder = new InboundDecoder(InboundDecoder.DEFAULT_MAX_FUTURE);
        receivedAt = Instant.parse("2026-11-22T10:15:01Z");
        Decoded d = decoder.decode(topic, payload, receivedAt);
        if (d.readings().size() != 1 || !d.rejections().isEmpty()) {
            throw new IllegalStateException("the benchmark payload must be an accepted reading, got " + d);
        }
    }

    /** Baseline: Jackson parses the bytes into a tree, nothing more. */
    @Benchmark
    public JsonNode jacksonParseBaseline() throws IOException {
        return Json.MAPPER.readTree(payload);
    }

    /** Topic parsing, JSON parsing, validation of every field and the ReadingRecord. */
    @Benchmark
    public Decoded inboundDecode() {
        return decoder.decode(topic, payload, receivedAt);
    }
}
