package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.RejectReason;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import io.loopflow.streams.state.Bin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The highest {@code seq} a meter's clock entry keeps ({@code MeterClockState.maxSeq}): readings above it skip the
 * duplicate lookup, so it must never be below a seq in the index, also when the entry does not know it (null) and does
 * not know its last chunk of held readings either.
 */
class SeqBoundTest {
    @TempDir
    Path stateDir;
    private TopologyFixture f;

    @BeforeEach
    void startDriver() {
        f = new TopologyFixture(ProcessorConfig.defaults("unused:9092", stateDir).withHttpPort(-1));
        f.meter("s1", "m1", "gypsum", Role.OUT_DISPOSAL, MeterKind.COUNTER, "t");
    }

    @AfterEach
    void closeDriver() {
        f.close();
    }

    @Test
    void duplicatesBelowTheBoundAreStillFoundAndTheBoundFollowsTheHighestSeq() {
        for (long seq = 0; seq < 10; seq++) {
            f.reading("s1", "m1", f.wall().plusSeconds(seq), seq * 2.0, seq, null);
        }
        assertThat(clockMaxSeq()).isEqualTo(9L);
        // seq 5 again (a redelivery, with a ts the meter has not sent): a duplicate; seq 12 (a gap) is new
        f.reading("s1", "m1", f.wall().plusSeconds(10), 20.0, 5L, null);
        f.reading("s1", "m1", f.wall().plusSeconds(11), 22.0, 12L, null);
        // a lower seq never sent (10) is new too, and leaves the bound at 12
        f.reading("s1", "m1", f.wall().plusSeconds(12), 24.0, 10L, null);

        assertThat(f.rejectionLog).extracting(Rejection::reason).containsExactly(RejectReason.DUPLICATE);
        assertThat(clockMaxSeq()).isEqualTo(12L);
    }

    @Test
    void aClockEntryThatKnowsNeitherItsBoundNorItsChunkLooksThemUpAndDuplicatesAreStillFound() {
        for (long seq = 0; seq < 5; seq++) {
            f.reading("s1", "m1", f.wall().plusSeconds(seq), seq * 2.0, seq, null);
        }
        // The entry with clock, value at the clock and last heard of as they were, bound and chunk not known.
        KeyValue<Bytes, byte[]> entry = clockEntry();
        Bin.Reader r = Bin.Reader.value(entry.value, "clock");
        Long clock = r.optI64();
        double value = r.f64();
        long lastSeen = r.i64();
        clocks().put(entry.key, Bin.Writer.value().optI64(clock).f64(value).i64(lastSeen).optI64(null).optI64(null).bytes());
        assertThat(clockMaxSeq()).isNull();

        f.reading("s1", "m1", f.wall().plusSeconds(5), 10.0, 3L, null); // a duplicate: found through the index
        f.reading("s1", "m1", f.wall().plusSeconds(6), 12.0, 5L, null); // new; the bound comes back from the index

        assertThat(f.rejectionLog).extracting(Rejection::reason).containsExactly(RejectReason.DUPLICATE);
        assertThat(clockMaxSeq()).isEqualTo(5L);
    }

    private KeyValueStore<Bytes, byte[]> clocks() {
        return f.driver.getKeyValueStore(StoreNames.METER_CLOCKS);
    }

    private KeyValue<Bytes, byte[]> clockEntry() {
        List<KeyValue<Bytes, byte[]>> all = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = clocks().all()) {
            it.forEachRemaining(all::add);
        }
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private Long clockMaxSeq() {
        Bin.Reader r = Bin.Reader.value(clockEntry().value, "clock");
        r.optI64();
        r.f64();
        r.i64();
        return r.optI64();
    }
}
