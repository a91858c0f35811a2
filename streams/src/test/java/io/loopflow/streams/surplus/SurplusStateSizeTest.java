package io.loopflow.streams.surplus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopflow.core.json.JsonSerde;
import io.loopflow.core.model.SurplusRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The surplus state of one site and material is one value of {@code loopflow-surplus-state}, so one record of its
 * changelog: the most {@code out.storage} flow windows that {@link SurplusConfig#checkStorageWindows} allows must fit a
 * Kafka record (1 MiB by default: the producer's {@code max.request.size}, the broker's {@code message.max.bytes}).
 */
class SurplusStateSizeTest {
    private static final int KAFKA_RECORD_LIMIT = 1_048_576;

    @Test
    void theMostStorageWindowsAllowedFitOneKafkaRecord() {
        Random random = new Random(7);
        TreeMap<Instant, Double> storage = new TreeMap<>();
        Instant start = Instant.parse("2026-11-22T10:00:00.123Z");
        for (int i = 0; i < SurplusConfig.MAX_STORAGE_WINDOWS; i++) {
            // the widest values a window can carry: 17 significant digits, a sign, an exponent
            storage.put(start.plusMillis(1_001L * i), -random.nextDouble() * 1e-300);
        }
        SurplusState state = new SurplusState(Map.of("pile-north", new SurplusState.Level(start, 1234.5678901234567)), storage,
                start, "t", true, Long.MAX_VALUE, new SurplusRecord("asnaes-power-station", "fgd-gypsum", 1e300, -1e-300, "m3",
                SurplusRecord.Source.STORAGE, start));
        int bytes = new JsonSerde<>(SurplusState.class).serializer().serialize("t", state).length;
        assertThat(bytes).as("%,d windows", SurplusConfig.MAX_STORAGE_WINDOWS).isLessThan(KAFKA_RECORD_LIMIT - 10_000);
    }

    @Test
    void shouldRefuseAFlowWindowThatWouldKeepMoreStorageWindowsThanARecordHolds() {
        SurplusConfig.checkStorageWindows(Duration.ofHours(24), Duration.ofMinutes(1), "streams.flow-window");
        SurplusConfig.checkStorageWindows(Duration.ofHours(24), Duration.ofSeconds(5), "streams.flow-window");
        assertThatThrownBy(() -> SurplusConfig.checkStorageWindows(Duration.ofHours(24), Duration.ofMillis(4_999), "streams.flow-window"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("17,284");
        assertThatThrownBy(() -> SurplusConfig.checkStorageWindows(Duration.ofHours(24), Duration.ofSeconds(1), "streams.flow-window"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("streams.flow-window (PT1S) and surplus.horizon (PT24H) would keep 86,401 out.storage flow windows of a "
                        + "site and material in one surplus state record; at most 17,281 fit a Kafka record: use a flow window of "
                        + "at least PT5S");
    }
}
