package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * Pins the names of stores, topics and processors: they become changelog and repartition topic
 * names, and renaming one under a running deployment loses its state.
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

        assertThat(stores).containsExactlyInAnyOrder("loopflow-meters", "loopflow-meter-history", "loopflow-sites", "loopflow-flow-windows", "loopflow-kpi-windows",
                "loopflow-closed-until", "loopflow-stock-levels", "loopflow-region-progress-sent", "loopflow-region-windows",
                "loopflow-region-progress", "loopflow-region-closed-until", "loopflow-kpis-latest", "loopflow-materials");
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

        assertThat(sources).containsExactlyInAnyOrder("loopflow.readings", "loopflow.meters", "loopflow.sites", "loopflow.materials",
                "loopflow.kpis", "site-events-repartition", "region-events-repartition");
        assertThat(sinks).containsExactlyInAnyOrder("loopflow.flows", "loopflow.kpis", "loopflow.rejected",
                "site-events-repartition", "region-events-repartition");
    }

    @Test
    void shouldPinTheProcessorNamesAndWhichStoresTheyOwn() {
        TopologyDescription.Processor site = processor("site-processor");
        TopologyDescription.Processor region = processor("region-processor");

        assertThat(site.stores()).containsExactlyInAnyOrder("loopflow-meters", "loopflow-meter-history", "loopflow-sites", "loopflow-flow-windows",
                "loopflow-kpi-windows", "loopflow-closed-until", "loopflow-stock-levels", "loopflow-region-progress-sent");
        assertThat(region.stores()).containsExactlyInAnyOrder("loopflow-region-windows", "loopflow-region-progress",
                "loopflow-region-closed-until");
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
                "region-kpis-sink", "kpis-latest-source");
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
}
