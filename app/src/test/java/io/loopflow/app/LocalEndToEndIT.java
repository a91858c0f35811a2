package io.loopflow.app;

import static io.loopflow.app.HandComputedScenario.FLOWS;
import static io.loopflow.app.HandComputedScenario.KPI_WINDOW;
import static io.loopflow.app.HandComputedScenario.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.RejectReason;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.Rejection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline in this JVM (embedded HiveMQ + Kafka, gateway, stream processor, started by
 * {@link LocalMode} on free ports): a plain Paho client publishes {@link HandComputedScenario} and
 * the final records on loopflow.flows and loopflow.kpis must be exactly the figures worked out by
 * hand there. Grace 0 and an idle timeout of 5 s make the windows close a few seconds after the
 * last reading.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private LocalMode local;
    private final List<FlowRecord> flows = new ArrayList<>();
    private final List<KpiRecord> kpis = new ArrayList<>();
    private final List<ConsumerRecord<String, Rejection>> rejected = new ArrayList<>();
    private long readingsOnKafka;

    @BeforeAll
    void runScenario(@TempDir Path dataDir) throws Exception {
        // given the pipeline with 1-minute flow windows and one 2-minute key-figure window
        LocalConfig config = new LocalConfig(0, 0, 0, dataDir, HandComputedScenario.FLOW_WINDOW, List.of(KPI_WINDOW),
                Duration.ZERO, Duration.ofSeconds(5), MqttPersistence.MEMORY, 2, Duration.ofSeconds(30), false, 1, Duration.ZERO);
        local = LocalMode.start(config);

        // when a plant publishes descriptors, waits until they are on Kafka, then publishes its readings
        MqttClient plant = HandComputedScenario.connect(local.mqttUri(), "plant-e2e");
        try {
            HandComputedScenario.publishDescriptors(plant);
            try (KafkaConsumer<String, Object> meters = consumer(Topics.METERS)) {
                List<Object> seen = new ArrayList<>();
                await().atMost(WAIT).until(() -> {
                    meters.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
                    return seen.size() >= 4;
                });
            }
            HandComputedScenario.publishReadings(plant);
        } finally {
            plant.disconnect();
            plant.close();
        }

        // then (collected here, checked per test) every expected final record arrives
        try (KafkaConsumer<String, Object> flowConsumer = consumer(Topics.FLOWS);
             KafkaConsumer<String, Object> kpiConsumer = consumer(Topics.KPIS);
             KafkaConsumer<String, Object> rejectedConsumer = consumer(Topics.REJECTED);
             KafkaConsumer<String, Object> readingConsumer = consumer(Topics.READINGS)) {
            await().atMost(WAIT).until(() -> {
                flowConsumer.poll(Duration.ofMillis(100)).forEach(r -> flows.add((FlowRecord) r.value()));
                kpiConsumer.poll(Duration.ofMillis(100)).forEach(r -> kpis.add((KpiRecord) r.value()));
                for (ConsumerRecord<String, Object> r : rejectedConsumer.poll(Duration.ofMillis(100))) {
                    rejected.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), (Rejection) r.value()));
                }
                readingsOnKafka += readingConsumer.poll(Duration.ofMillis(100)).count();
                return flows.stream().filter(FlowRecord::isFinal).count() >= FLOWS.size()
                        && kpis.stream().filter(KpiRecord::isFinal).count() >= 3
                        && !rejected.isEmpty();
            });
            // Keep reading for 3 more seconds: a second "final" record for a window would be a bug to catch.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> {
                flowConsumer.poll(Duration.ofMillis(200)).forEach(r -> flows.add((FlowRecord) r.value()));
                kpiConsumer.poll(Duration.ofMillis(200)).forEach(r -> kpis.add((KpiRecord) r.value()));
                readingsOnKafka += readingConsumer.poll(Duration.ofMillis(200)).count();
                return true;
            });
        }
    }

    @AfterAll
    void stop() {
        if (local != null) {
            local.close();
        }
    }

    @Test
    void everyFlowWindowClosesOnceWithTheHandComputedQuantity() {
        for (HandComputedScenario.Flow expected : FLOWS) {
            List<FlowRecord> finals = flows.stream()
                    .filter(FlowRecord::isFinal)
                    .filter(f -> f.key().equals(expected.key()))
                    .toList();
            assertThat(finals).as(expected.key()).singleElement().satisfies(f -> {
                assertThat(f.quantity()).as(expected.key()).isCloseTo(expected.quantity(), within(1e-9));
                assertThat(f.readings()).as(expected.key()).isEqualTo(expected.readings());
                assertThat(f.unit()).isEqualTo("t");
                assertThat(f.windowEnd()).isEqualTo(f.windowStart().plus(HandComputedScenario.FLOW_WINDOW));
            });
        }
        assertThat(flows.stream().filter(FlowRecord::isFinal).map(FlowRecord::key).distinct())
                .as("no final flow record beyond the expected ones")
                .hasSize(FLOWS.size());
    }

    @Test
    void siteKeyFiguresAreTheHandComputedRatios() {
        KpiRecord s1 = onlyFinal(k -> "site".equals(k.scope()) && "s1".equals(k.site()));
        assertThat(s1.windowStart()).isEqualTo(T0);
        assertThat(s1.window()).isEqualTo(KPI_WINDOW.toString());
        assertThat(s1.region()).isEqualTo("r1");
        assertThat(s1.sums().outReuse()).isCloseTo(12, within(1e-9));
        assertThat(s1.sums().outDisposal()).isCloseTo(1.35, within(1e-9));
        assertThat(s1.sums().inSecondary()).isZero();
        assertThat(s1.recyclingRate()).isCloseTo(HandComputedScenario.S1_RECYCLING, within(1e-9));
        assertThat(s1.landfillRate()).isCloseTo(HandComputedScenario.S1_LANDFILL, within(1e-9));
        assertThat(s1.circularInputRate()).isNull();

        KpiRecord s2 = onlyFinal(k -> "site".equals(k.scope()) && "s2".equals(k.site()));
        assertThat(s2.sums().inSecondary()).isCloseTo(9, within(1e-9));
        assertThat(s2.sums().inVirgin()).isCloseTo(5, within(1e-9));
        assertThat(s2.circularInputRate()).isCloseTo(HandComputedScenario.S2_CIRCULAR, within(1e-9));
        assertThat(s2.recyclingRate()).isNull();
        assertThat(s2.landfillRate()).isNull();
    }

    @Test
    void regionKeyFiguresAreRatiosOfTheSummedSites() {
        KpiRecord r1 = onlyFinal(k -> "region".equals(k.scope()) && "r1".equals(k.region()));
        assertThat(r1.site()).isNull();
        assertThat(r1.windowStart()).isEqualTo(T0);
        assertThat(r1.sums().outReuse()).isCloseTo(12, within(1e-9));
        assertThat(r1.sums().outDisposal()).isCloseTo(1.35, within(1e-9));
        assertThat(r1.sums().inSecondary()).isCloseTo(9, within(1e-9));
        assertThat(r1.sums().inVirgin()).isCloseTo(5, within(1e-9));
        assertThat(r1.recyclingRate()).isCloseTo(HandComputedScenario.S1_RECYCLING, within(1e-9));
        assertThat(r1.landfillRate()).isCloseTo(HandComputedScenario.S1_LANDFILL, within(1e-9));
        assertThat(r1.circularInputRate()).isCloseTo(HandComputedScenario.S2_CIRCULAR, within(1e-9));
    }

    @Test
    void theMalformedMessageIsRejectedWithItsReasonAndTheGoodOnesStillCount() {
        assertThat(rejected).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("s1/c1");
            assertThat(r.value().reason()).isEqualTo(RejectReason.MALFORMED);
            assertThat(r.value().payload()).isEqualTo(HandComputedScenario.MALFORMED);
            assertThat(r.value().mqttTopic()).isEqualTo("loopflow/v1/s1/meters/c1/reading");
        });
        assertThat(readingsOnKafka).isEqualTo(HandComputedScenario.GOOD_READINGS);
        assertThat(local.gateway().rejected()).isEqualTo(1);
    }

    @Test
    void theBrokerDroppedNothingAndSaysSoThroughTheGauge() {
        assertThat(local.droppedMessages()).isZero();
        assertThat(local.registry().get(LocalMode.DROPPED_GAUGE).gauge().value()).isZero();
    }

    private KpiRecord onlyFinal(Predicate<KpiRecord> which) {
        List<KpiRecord> finals = kpis.stream().filter(KpiRecord::isFinal).filter(which).toList();
        assertThat(finals).hasSize(1);
        return finals.get(0);
    }

    @SuppressWarnings("unchecked")
    private KafkaConsumer<String, Object> consumer(Topic<String, ?> topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, local.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + topic.name(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // Streams writes with exactly-once: read only committed records, as a real consumer would.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(config, topic.keySerde().deserializer(),
                (Deserializer<Object>) topic.valueSerde().deserializer());
        consumer.subscribe(List.of(topic.name()));
        return consumer;
    }
}
