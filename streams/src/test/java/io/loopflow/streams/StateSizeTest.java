package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.Role;
import io.loopflow.streams.site.SiteStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The site processor's stored state per meter is bounded by the readings of its open windows plus
 * a constant: after N live readings per meter (1 s apart, event time in step with the wall clock)
 * for growing N, the bytes in its stores stop growing once the oldest windows close, and the held
 * readings are those of the open flow windows and the grace period.
 */
class StateSizeTest {
    private static final String[] METERS = {"counter", "quantity", "rate", "reuse"};

    @TempDir
    Path stateDir;
    private TopologyFixture f;

    @BeforeEach
    void startDriver() {
        // Short windows and grace so that the state reaches its steady size after a couple of hundred readings.
        f = new TopologyFixture(ProcessorConfig.defaults("unused:9092", stateDir).withHttpPort(-1).withFlowWindow(Duration.ofSeconds(10))
                .withKpiWindowLengths(List.of(Duration.ofMinutes(1), Duration.ofMinutes(10))).withGrace(Duration.ofMinutes(1))
                .withRestateHorizon(Duration.ofMinutes(2)));
    }

    @AfterEach
    void closeDriver() {
        f.close();
    }

    @Test
    void shouldKeepStateBoundedByTheOpenWindowsWhateverTheNumberOfReadings() {
        f.meter("s1", "counter", "gypsum", Role.OUT_DISPOSAL, MeterKind.COUNTER, "t");
        f.meter("s1", "quantity", "gypsum", Role.IN_VIRGIN, MeterKind.QUANTITY, "t");
        f.meter("s1", "rate", "gypsum", Role.OUT_PRODUCT, MeterKind.RATE, "t/h");
        f.meter("s1", "reuse", "gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "kg");
        List<long[]> sizes = new ArrayList<>();
        long seq = 0;
        for (int n : new int[] {240, 480, 960}) {
            while (seq < n) {
                for (String m : METERS) {
                    f.reading("s1", m, f.wall(), seq * 1.5, seq, null);
                }
                seq++;
                f.tick();
            }
            sizes.add(new long[] {n, storedBytes(), count(StoreNames.HELD_READINGS, SiteStores::readingsIn),
                    count(StoreNames.SEEN_SEQS, SiteStores::seqsIn)});
        }

        LoggerFactory.getLogger(StateSizeTest.class).info("site processor state of 4 live meters: {}", describe(sizes));
        long perMeterAt240 = sizes.get(0)[1] / METERS.length;
        long perMeterAt960 = sizes.get(2)[1] / METERS.length;
        // 4x the readings, the same state (within the few windows that differ at the moment of counting)
        assertThat(perMeterAt960).as("bytes per meter after 240, 480, 960 readings: %s", describe(sizes))
                .isLessThanOrEqualTo(perMeterAt240 * 11 / 10);
        for (long[] s : sizes) {
            // Counters and rates: open flow windows plus grace, 1 min grace + at most 2 flow windows of 10 s + 1 predecessor,
            // of 1 s readings. The quantity meter, whose late readings restate, keeps its readings of the 2-minute horizon
            // too (so that a duplicate ticket is found): at most 2 min more.
            assertThat(s[2]).isBetween(4 * 60L, 3 * (60L + 20 + 1) + (60 + 20 + 1 + 120 + 10));
            assertThat(s[3]).isEqualTo(s[2]);
            // What is not held readings (about 30 bytes each in chunks of 32, keys and seq words included) is a constant per
            // meter: descriptors, clocks, open windows and the closed ones of the horizon, floors.
            assertThat((s[1] - s[2] * 30) / METERS.length).as("constant part per meter").isLessThan(8_000);
        }
        assertThat(f.rejectionLog).isEmpty();
    }

    private long storedBytes() {
        long bytes = 0;
        for (String store : StoreNames.SITE_STORES) {
            for (KeyValue<Bytes, byte[]> kv : all(store)) {
                bytes += kv.key.get().length + kv.value.length;
            }
        }
        return bytes;
    }

    /** Held readings or seqs in {@code store}: its entries hold several each. */
    private long count(String store, ToIntFunction<byte[]> in) {
        return all(store).stream().mapToLong(kv -> in.applyAsInt(kv.value)).sum();
    }

    private List<KeyValue<Bytes, byte[]>> all(String store) {
        KeyValueStore<Bytes, byte[]> s = f.driver.getKeyValueStore(store);
        List<KeyValue<Bytes, byte[]>> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = s.all()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static String describe(List<long[]> sizes) {
        StringBuilder b = new StringBuilder();
        for (long[] s : sizes) {
            b.append(String.format("%n  N=%d: %d bytes, %d held readings, %d seqs", s[0], s[1], s[2], s[3]));
        }
        return b.toString();
    }
}
