package io.loopflow.streams.site;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.Topics;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Role;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StoreNames;
import io.loopflow.streams.StreamsCounters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the site processor publishes: every half commit interval, and a punctuation that published figures asks Kafka
 * Streams to commit at once, because a {@code read_committed} consumer sees them only then. A unit test of
 * {@link SiteProcessor} alone, on Kafka Streams' {@link MockProcessorContext} (which records commit requests) with
 * in-memory stores.
 */
class PublishCommitTest {
    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    @TempDir
    Path stateDir;
    private final MockProcessorContext<String, SiteOutput> context = new MockProcessorContext<>();
    private ProcessorConfig config;
    private SiteProcessor processor;

    @BeforeEach
    void init() {
        for (String name : StoreNames.SITE_STORES) {
            KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.Bytes(),
                    Serdes.ByteArray()).withLoggingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        TimestampedKeyValueStore<String, ?> materials = Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.MATERIALS),
                Serdes.String(), Topics.MATERIALS.valueSerde()).withLoggingDisabled().build();
        materials.init(context.getStateStoreContext(), materials);
        context.addStateStore(materials);
        config = ProcessorConfig.defaults("unused:9092", stateDir).withHttpPort(-1);
        processor = new SiteProcessor(config, new StreamsCounters(new SimpleMeterRegistry()), new Materials());
        context.setCurrentSystemTimeMs(T0.toEpochMilli());
        processor.init(context);
    }

    @Test
    void publishesEveryHalfCommitIntervalAndCommitsAtOnceWhenItPublishedAFigure() {
        List<MockProcessorContext.CapturedPunctuator> punctuators = context.scheduledPunctuators();
        assertThat(punctuators).hasSize(1);
        assertThat(punctuators.get(0).getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
        assertThat(punctuators.get(0).getInterval()).isEqualTo(config.commitInterval().dividedBy(2)).isEqualTo(Duration.ofMillis(500));

        long now = T0.toEpochMilli();
        processor.process(new Record<>("s1/m1", new SiteEvent.Meter("s1", "m1",
                new MeterDescriptor("gypsum", Role.OUT_DISPOSAL, MeterKind.QUANTITY, "t", null)), now));
        processor.process(new Record<>("s1/m1", new SiteEvent.Reading(new ReadingRecord("s1", "m1", T0.minusSeconds(5), 2.5, 1L, null, T0)), now));
        assertThat(context.forwarded()).as("a provisional figure waits for the punctuation").isEmpty();
        assertThat(context.committed()).isFalse();

        punctuate(now + 500);
        // the provisional flow window and the site's key-figure windows (hour, day) that hold it
        assertThat(context.forwarded()).extracting(f -> f.record().value()).hasSize(3).filteredOn(SiteOutput.Flow.class::isInstance)
                .singleElement().isInstanceOfSatisfying(SiteOutput.Flow.class, f -> {
                    assertThat(f.record().isFinal()).isFalse();
                    assertThat(f.record().quantity()).isEqualTo(2.5);
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
