package io.loopflow.streams.surplus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * Pins the surplus application's store, topic and node names: they become changelog and
 * repartition topic names, and renaming one under a running deployment loses raised flags, open
 * matches and episode counters (and with them the alert ids).
 */
class SurplusTopologyNamesTest {
    private final TopologyDescription description = SurplusTopology.build(SurplusConfig.defaults()).describe();

    @Test
    void shouldPinEveryStateStoreName() {
        Set<String> stores = new TreeSet<>();
        description.subtopologies().forEach(sub -> sub.nodes().forEach(node -> {
            if (node instanceof TopologyDescription.Processor p) {
                stores.addAll(p.stores());
            }
        }));
        description.globalStores().forEach(g -> stores.addAll(g.processor().stores()));

        assertThat(stores).containsExactlyInAnyOrder(SurplusTopology.STATE_STORE, SurplusTopology.MATCHBOOK_STORE,
                SurplusTopology.SITES_STORE, SurplusTopology.MATERIALS_STORE,
                SurplusTopology.SURPLUS_VIEW, SurplusTopology.ALERT_LOG);
        assertThat(SurplusTopology.STATE_STORE).isEqualTo("loopflow-surplus-state");
        assertThat(SurplusTopology.MATCHBOOK_STORE).isEqualTo("loopflow-surplus-matchbook");
    }

    @Test
    void shouldPinEveryTopicItReadsAndWrites() {
        Set<String> sources = new TreeSet<>();
        Set<String> sinks = new TreeSet<>();
        description.subtopologies().forEach(sub -> sub.nodes().forEach(node -> {
            if (node instanceof TopologyDescription.Source s) {
                sources.addAll(s.topicSet());
            } else if (node instanceof TopologyDescription.Sink s) {
                sinks.add(s.topic());
            }
        }));
        description.globalStores().forEach(g -> sources.addAll(g.source().topicSet()));

        assertThat(sources).containsExactlyInAnyOrder("loopflow.internal.stock-levels", "loopflow.flows", "loopflow.demands",
                "loopflow.sites", "loopflow.materials", "loopflow.surplus", "loopflow.alerts",
                "loopflow-surplus-by-site-material-repartition", "loopflow-surplus-by-material-repartition");
        assertThat(sinks).containsExactlyInAnyOrder("loopflow.surplus", "loopflow.alerts", "loopflow.dataquality",
                "loopflow-surplus-by-site-material-repartition", "loopflow-surplus-by-material-repartition");
    }

    @Test
    void shouldNameEveryNode() {
        description.subtopologies().forEach(sub -> sub.nodes().forEach(node ->
                assertThat(node.name()).as("node %s", node.name()).startsWith("loopflow-surplus")));
    }
}
