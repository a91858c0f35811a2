package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.RejectReason;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.units.Dimension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream-side rejection reasons of CONTRACT.md section 3: each on loopflow.rejected, counted, and in no window. */
class RejectionTest {
    private static final Instant H8 = Instant.parse("2026-11-22T08:00:00Z");

    @TempDir
    Path stateDir;
    private TopologyFixture f;

    @BeforeEach
    void startDriver() {
        f = new TopologyFixture(stateDir);
        f.meter("s1", "scale", "gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t");
    }

    @AfterEach
    void closeDriver() {
        f.close();
    }

    private static Instant at(int minute, int second) {
        return H8.plusSeconds(minute * 60L + second);
    }

    /** Closes every window and returns the total credited to flows. */
    private double creditedAfterClosing() {
        f.advance(Duration.ofMinutes(16));
        return f.finalFlows().stream().mapToDouble(FlowRecord::quantity).sum();
    }

    @Test
    void shouldRejectAReadingOfAnUnknownMeter() {
        f.reading("s1", "ghost", at(0, 0), 5, 7L, null);

        assertThat(f.rejectionLog).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.UNKNOWN_METER);
            assertThat(r.key()).isEqualTo("s1/ghost");
            assertThat(r.mqttTopic()).isEqualTo("loopflow/v1/s1/meters/ghost/reading");
            assertThat(r.payload()).contains("\"ts\":\"2026-11-22T08:00:00Z\"").contains("\"seq\":7");
            assertThat(r.receivedAt()).isEqualTo(f.wall());
            assertThat(r.detail()).contains("s1").contains("ghost");
        });
        assertThat(f.counter("loopflow.streams.rejected", "reason", "unknown_meter")).isEqualTo(1.0);
        assertThat(f.flowLog).isEmpty();
    }

    @Test
    void shouldKeepRunningOnASiteNameTooLongForAStoreString() {
        // 70,000 characters, written straight to loopflow.sites (the gateway refuses names over 200): a store string
        // holds 64 KiB, so the processor keeps the first 1,000, and the site's readings are credited as ever.
        f.site("s1", new SiteDescriptor("A".repeat(70_000), "r1", null, null));
        f.reading("s1", "scale", at(0, 0), 5);
        f.reading("s1", "scale", at(0, 30), 7);

        assertThat(f.rejectionLog).isEmpty();
        assertThat(creditedAfterClosing()).isEqualTo(12.0);
    }

    @Test
    void shouldRejectReadingsOfADeletedMeterAsUnknown() {
        f.deleteMeter("s1", "scale");

        f.reading("s1", "scale", at(0, 0), 5);

        assertThat(f.rejectionLog).extracting(Rejection::reason).containsExactly(RejectReason.UNKNOWN_METER);
    }

    @Test
    void shouldRejectAUnitThatDoesNotConvertToTheMetersUnit() {
        f.reading("s1", "scale", at(0, 0), 5, null, "MWh");
        f.reading("s1", "scale", at(0, 1), 5, null, "t/h");
        f.reading("s1", "scale", at(0, 2), 5, null, "bananas");
        f.reading("s1", "scale", at(0, 3), 5, null, "kg");

        assertThat(f.rejectionLog).extracting(Rejection::reason).containsExactly(RejectReason.UNIT_MISMATCH, RejectReason.UNIT_MISMATCH,
                RejectReason.UNIT_MISMATCH);
        assertThat(f.rejectionLog.get(0).detail()).contains("MWh").contains("'t'");
        assertThat(f.counter("loopflow.streams.rejected", "reason", "unit_mismatch")).isEqualTo(3.0);
        assertThat(creditedAfterClosing()).isEqualTo(0.005);
    }

    @Test
    void shouldRejectAReadingWhoseMeterDimensionDiffersFromTheMaterials() {
        f.material("gypsum", Dimension.ENERGY);

        f.reading("s1", "scale", at(0, 0), 5);

        assertThat(f.rejectionLog).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.UNIT_MISMATCH);
            assertThat(r.detail()).contains("mass").contains("energy");
        });
    }

    @Test
    void shouldSeeAMaterialDescriptorThatArrivesAfterReadingsOfItsMaterial() {
        f.reading("s1", "scale", at(0, 0), 5);
        f.material("gypsum", Dimension.ENERGY);

        f.reading("s1", "scale", at(0, 10), 5);
        f.material("gypsum", Dimension.MASS);
        f.reading("s1", "scale", at(0, 20), 5);

        assertThat(f.rejectionLog).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.UNIT_MISMATCH);
            assertThat(r.payload()).contains("08:00:10Z");
        });
    }

    @Test
    void shouldRejectASecondDimensionForAMaterialWithoutDescriptor() {
        f.meter("s1", "heat", "gypsum", Role.OUT_DISPOSAL, MeterKind.QUANTITY, "MWh");
        f.reading("s1", "scale", at(0, 0), 5);

        f.reading("s1", "heat", at(0, 10), 1);

        assertThat(f.rejectionLog).extracting(Rejection::reason).containsExactly(RejectReason.UNIT_MISMATCH);
    }

    @Test
    void shouldRejectADuplicateSeq() {
        f.reading("s1", "scale", at(0, 0), 5, 41L, null);

        f.reading("s1", "scale", at(0, 30), 5, 41L, null);

        assertThat(f.rejectionLog).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.DUPLICATE);
            assertThat(r.detail()).contains("seq 41");
        });
        assertThat(creditedAfterClosing()).isEqualTo(5.0);
    }

    @Test
    void shouldRejectADuplicateTimestamp() {
        f.reading("s1", "scale", at(0, 0), 5);

        f.reading("s1", "scale", at(0, 0), 6);

        assertThat(f.rejectionLog).extracting(Rejection::reason).containsExactly(RejectReason.DUPLICATE);
        assertThat(f.counter("loopflow.streams.rejected", "reason", "duplicate")).isEqualTo(1.0);
        assertThat(creditedAfterClosing()).isEqualTo(5.0);
    }

    @Test
    void shouldRejectAReadingWhoseFlowWindowHasClosed() {
        // A counter reading older than its meter's clock in a closed window stays late (a quantity would restate it: RestatementTest).
        f.meter("s2", "totaliser", "gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t");
        f.reading("s2", "totaliser", at(0, 0), 5);
        f.reading("s2", "totaliser", at(6, 0), 6);
        assertThat(f.finalFlows()).hasSize(1);

        f.reading("s2", "totaliser", at(0, 30), 100);

        assertThat(f.rejectionLog).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.LATE);
            assertThat(r.detail()).contains("2026-11-22T08:00:00Z/2026-11-22T08:01:00Z").startsWith("older than its meter's clock");
        });
        assertThat(f.counter("loopflow.streams.rejected", "reason", "late")).isEqualTo(1.0);
        assertThat(creditedAfterClosing()).isEqualTo(1.0);
        assertThat(f.finalFlows()).extracting(FlowRecord::key).doesNotHaveDuplicates();
    }

    @Test
    void shouldAcceptAnOutOfOrderReadingWithinGrace() {
        f.reading("s1", "scale", at(5, 59), 1);

        f.reading("s1", "scale", at(0, 30), 100);

        assertThat(f.rejectionLog).isEmpty();
        assertThat(creditedAfterClosing()).isEqualTo(101.0);
    }

    @Test
    void shouldCountARecordThatDoesNotDeserializeAndGoOn() {
        // The rejection itself goes out as a dead-letter record, which TopologyTestDriver does not
        // capture: RejectingDeserializationHandlerTest checks the record, StreamProcessorIT the topic.
        f.rawReading("s1/scale", "{\"ts\": \"yesterday\"".getBytes(StandardCharsets.UTF_8));
        f.reading("s1", "scale", at(0, 0), 5);

        assertThat(f.counter("loopflow.streams.deserialization.errors", "topic", "loopflow.readings")).isEqualTo(1.0);
        assertThat(creditedAfterClosing()).isEqualTo(5.0);
    }
}
