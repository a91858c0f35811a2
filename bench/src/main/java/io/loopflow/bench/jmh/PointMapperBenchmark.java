package io.loopflow.bench.jmh;

import io.loopflow.core.json.Json;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.sink.PointMapper;
import java.time.Duration;
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
 * The sink's per-record CPU work: {@link PointMapper} turning a flow record and a key-figure record into
 * InfluxDB line protocol ({@code Point.toLineProtocol()}), against the baseline of serialising the same record
 * to JSON with {@link Json#write} (what the stream processor does to write it to Kafka).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PointMapperBenchmark {
    private PointMapper mapper;
    private FlowRecord flow;
    private KpiRecord kpi;

    @Setup
    public void setUp() {
        mapper = new PointMapper(() -> { });
        Instant start = Instant.parse("2026-11-22T10:00:00Z");
        flow = new FlowRecord("asnaes", "gypsum", Role.OUT_REUSE, start, start.plusSeconds(60), 12.5, "t", 60, false);
        RoleSums sums = new RoleSums(0, 0, 0, 400.2, 10.5, 3.25, 40.0);
        kpi = KpiRecord.of(KpiRecord.SITE, "asnaes", "kalundborg", "gypsum", Duration.ofHours(1), start, sums, "t", true);
    }

    @Benchmark
    public byte[] flowJsonBaseline() {
        return Json.write(flow);
    }

    @Benchmark
    public String flowLineProtocol() {
        return mapper.flow(flow, "kalundborg").toLineProtocol();
    }

    @Benchmark
    public byte[] kpiJsonBaseline() {
        return Json.write(kpi);
    }

    @Benchmark
    public String kpiLineProtocol() {
        return mapper.kpi(kpi).toLineProtocol();
    }
}
