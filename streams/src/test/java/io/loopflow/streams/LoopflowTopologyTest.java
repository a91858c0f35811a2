package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * Pins the names of stores, topics and processors: they become changelog and repartition topic
 * names, and renaming one under a running deployment loses its state. Also the one consumer setting
 * the processor departs from Kafka's default with.
 */
class LoopflowTopologyTest {
    private final TopologyDescription description =
            LoopflowTopology.build(ProcessorConfig.defaults("unused:9092", Path.of("unused")).withHttpPort(-1)).describe();

    @Test
    void shouldPinEveryStateStoreName() {
        Set<String> stores = new TreeSet<>();
        for (TopologyDescription.Subtopology sub : description.subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Processor p) {
                    stores.addAll(p.stores());
                }
            }
        }
        for (TopologyDescription.GlobalStore g : description.globalStores()) {
            stores.addAll(g.processor().stores());
        }

        assertThat(stores).containsExactlyInAnyOrder("loopflow-meter-descriptors", "loopflow-meter-clocks", "loopflow-held-readings",
                "loopflow-seen-seqs", "loopflow-site-flow-windows", "loopflow-site-kpi-windows", "loopflow-dirty-windows", "loopflow-site-materials",
                "loopflow-site-states", "loopflow-stock-levels-v2", "loopflow-region-windows-v2", "loopflow-region-closed-windows",
                "loopflow-region-dirty-windows", "loopflow-region-progress-v2", "loopflow-region-closed-until-v2", "loopflow-materials");
    }

    @Test
    void shouldPinEveryTopicItReadsAndWrites() {
        Set<String> sources = new TreeSet<>();
        Set<String> sinks = new TreeSet<>();
        for (TopologyDescription.Subtopology sub : description.subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source s) {
                    sources.addAll(s.topicSet());
                } else if (node instanceof TopologyDescription.Sink s) {
                    sinks.add(s.topic());
                }
            }
        }
        for (TopologyDescription.GlobalStore g : description.globalStores()) {
            sources.addAll(g.source().topicSet());
        }

        // No repartition of readings: a site's records share a partition of the input topics (SitePartitioner).
        assertThat(sources).containsExactlyInAnyOrder("loopflow.readings", "loopflow.meters", "loopflow.sites", "loopflow.materials",
                "region-events-v2-repartition");
        assertThat(sinks).containsExactlyInAnyOrder("loopflow.flows", "loopflow.kpis", "loopflow.rejected", "loopflow.internal.stock-levels",
                "region-events-v2-repartition");
    }

    @Test
    void shouldPinTheProcessorNamesAndWhichStoresTheyOwn() {
        TopologyDescription.Processor site = processor("site-processor");
        TopologyDescription.Processor region = processor("region-processor");

        assertThat(site.stores()).containsExactlyInAnyOrder("loopflow-meter-descriptors", "loopflow-meter-clocks", "loopflow-held-readings",
                "loopflow-seen-seqs", "loopflow-site-flow-windows", "loopflow-site-kpi-windows", "loopflow-dirty-windows", "loopflow-site-materials",
                "loopflow-site-states", "loopflow-stock-levels-v2");
        assertThat(region.stores()).containsExactlyInAnyOrder("loopflow-region-windows-v2", "loopflow-region-closed-windows",
                "loopflow-region-dirty-windows", "loopflow-region-progress-v2", "loopflow-region-closed-until-v2");
    }

    @Test
    void shouldNameEveryNode() {
        Set<String> names = new TreeSet<>();
        for (TopologyDescription.Subtopology sub : description.subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                names.add(node.name());
            }
        }

        assertThat(names).noneMatch(n -> n.startsWith("KSTREAM-") || n.startsWith("KTABLE-"));
        assertThat(names).contains("readings-source", "meters-source", "sites-source", "flows-sink", "site-kpis-sink", "rejected-sink",
                "region-kpis-sink", "stock-levels-sink");
    }

    private TopologyDescription.Processor processor(String name) {
        for (TopologyDescription.Subtopology sub : description.subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Processor p && p.name().equals(name)) {
                    return p;
                }
            }
        }
        throw new AssertionError("no processor " + name + " in\n" + description);
    }

    @Test
    void shouldGiveThePartitionAssignorTheGlobalProcessingHandlerSettingSoThatItDoesNotWarnFalsely() {
        Properties p = LoopflowTopology.streamsProperties(ProcessorConfig.defaults("unused:9092", Path.of("unused")),
                new StreamsCounters(new SimpleMeterRegistry()));
        // Kafka Streams' assignor reads a StreamsConfig made of the main consumer's settings (AssignorConfiguration).
        Map<String, Object> mainConsumer = new StreamsConfig(p).getMainConsumerConfigs("g", "c", 0);
        assertThat(mainConsumer).containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        assertThat(new StreamsConfig(mainConsumer).getBoolean(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG)).isTrue();
    }

    @Test
    void shouldGiveALongCommitIntervalATransactionTimeoutKafkaStreamsAccepts() {
        ProcessorConfig defaults = ProcessorConfig.defaults("unused:9092", Path.of("unused"));
        StreamsCounters counters = new StreamsCounters(new SimpleMeterRegistry());
        assertThat(new StreamsConfig(LoopflowTopology.streamsProperties(defaults, counters)).getProducerConfigs("c"))
                .containsEntry(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        // Kafka Streams' own check (StreamsConfig: commit interval within the transaction timeout) passes.
        Properties thirty = LoopflowTopology.streamsProperties(defaults.withCommitInterval(Duration.ofSeconds(30)), counters);
        assertThat(new StreamsConfig(thirty).getProducerConfigs("c")).containsEntry(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 90_000);
        Properties longest = LoopflowTopology.streamsProperties(defaults.withCommitInterval(ProcessorConfig.MAX_COMMIT_INTERVAL), counters);
        assertThat(new StreamsConfig(longest).getProducerConfigs("c")).containsEntry(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 900_000);
    }

    @Test
    void shouldLetTheBrokerHoldOnlyTheMainConsumersFetchesForAShortWhile() {
        Properties p = LoopflowTopology.streamsProperties(ProcessorConfig.defaults("unused:9092", Path.of("unused")),
                new StreamsCounters(new SimpleMeterRegistry()));
        assertThat(new StreamsConfig(p).getMainConsumerConfigs("g", "c", 0)).containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
        assertThat(new StreamsConfig(p).getRestoreConsumerConfigs("c")).doesNotContainKey(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
    }
}
