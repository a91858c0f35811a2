package io.loopflow.streams.region;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StoreNames;
import io.loopflow.streams.StreamsCounters;
import io.loopflow.streams.state.BinSerde;
import io.loopflow.streams.window.KpiWindow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The region processor publishes every half commit interval and asks for a commit when it published a figure, like the
 * site processor ({@code site.PublishCommitTest}). A unit test of {@link RegionProcessor} on Kafka Streams'
 * {@link MockProcessorContext} with in-memory stores.
 */
class RegionPublishCommitTest {
    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    @TempDir
    Path stateDir;
    private final MockProcessorContext<String, KpiRecord> context = new MockProcessorContext<>();
    private RegionProcessor processor;

    @BeforeEach
    void init() {
        Map<String, BinSerde<?>> serdes = Map.of(StoreNames.REGION_WINDOWS, RegionCodecs.WINDOW, StoreNames.REGION_CLOSED, RegionCodecs.WINDOW,
                StoreNames.REGION_DIRTY, RegionCodecs.MARK, StoreNames.REGION_PROGRESS, RegionCodecs.PROGRESS,
                StoreNames.REGION_CLOSED_UNTIL, RegionCodecs.FLOOR);
        assertThat(serdes.keySet()).containsExactlyInAnyOrderElementsOf(StoreNames.REGION_STORES);
        serdes.forEach((name, serde) -> {
            KeyValueStore<String, ?> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), serde)
                    .withLoggingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        });
        processor = new RegionProcessor(ProcessorConfig.defaults("unused:9092", stateDir).withHttpPort(-1),
                new StreamsCounters(new SimpleMeterRegistry()));
        context.setCurrentSystemTimeMs(T0.toEpochMilli());
        processor.init(context);
    }

    @Test
    void publishesEveryHalfCommitIntervalAndCommitsAtOnceWhenItPublishedAFigure() {
        assertThat(context.scheduledPunctuators()).singleElement().satisfies(p -> assertThat(p.getInterval()).isEqualTo(Duration.ofMillis(500)));
        long now = T0.toEpochMilli();
        KpiWindow hour = KpiWindow.of(Duration.ofHours(1));
        long start = T0.minusSeconds(3600).toEpochMilli();
        RoleSums sums = RoleSums.ZERO.plus(Role.OUT_DISPOSAL, 2.5);
        processor.process(new Record<>("r1", RegionEvent.window("r1", "s1", "gypsum", hour.code(), start, T0.toEpochMilli(), sums, "t", false), now));
        assertThat(context.forwarded()).as("a provisional figure waits for the punctuation").isEmpty();

        punctuate(now + 500);
        assertThat(context.forwarded()).singleElement().satisfies(f -> {
            assertThat(f.record().value().isFinal()).isFalse();
            assertThat(f.record().value().region()).isEqualTo("r1");
        });
        assertThat(context.committed()).as("a punctuation that published asks for a commit").isTrue();

        context.resetCommit();
        context.resetForwards();
        punctuate(now + 1000);
        assertThat(context.forwarded()).isEmpty();
        assertThat(context.committed()).as("nothing published, nothing to commit early").isFalse();
    }

    private void punctuate(long at) {
        context.setCurrentSystemTimeMs(at);
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(at);
    }
}
