package io.loopflow.app.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.inbound.Decoded;
import io.loopflow.core.inbound.InboundDecoder;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.embedded.EmbeddedMqttBroker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator against the embedded broker: a backfill of two minutes at full speed must arrive
 * complete and in order per meter, catch up with the wall clock and never run ahead of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimulatorIT {
    private EmbeddedMqttBroker broker;
    private MqttClient listener;
    private final List<String> retainedTopics = new CopyOnWriteArrayList<>();
    private final Map<String, List<ReadingRecord>> readings = new ConcurrentHashMap<>();
    private final List<String> rejections = new CopyOnWriteArrayList<>();

    @BeforeAll
    void startBrokerAndListener(@TempDir Path dataDir) throws Exception {
        broker = EmbeddedMqttBroker.start(dataDir, 0, false);
        listener = new MqttClient(broker.uri(), "simulator-it-listener", new MemoryPersistence());
        listener.connect(new MqttConnectionOptions());
        InboundDecoder decoder = new InboundDecoder(InboundDecoder.DEFAULT_MAX_FUTURE);
        IMqttMessageListener collect = (topic, message) -> {
            Decoded d = decoder.decode(topic, message.getPayload(), Instant.now());
            d.rejections().forEach(r -> rejections.add(topic + ": " + r.reason() + " " + r.detail()));
            if (message.isRetained()) {
                retainedTopics.add(topic);
            }
            d.readings().forEach(r -> readings.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>()).add(r));
        };
        MqttSubscription all = new MqttSubscription("loopflow/v1/#", 1);
        // Live messages lose their retain flag unless the subscription asks to keep it.
        all.setRetainAsPublished(true);
        listener.subscribe(new MqttSubscription[] {all}, new IMqttMessageListener[] {collect});
    }

    @AfterAll
    void stop() throws Exception {
        if (listener != null) {
            listener.disconnect();
            listener.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void backfillAtFullSpeedArrivesCompleteInOrderAndNeverFromTheFuture() throws Exception {
        // given a simulator starting two minutes in the past at full speed
        KalundborgScenario scenario = new KalundborgScenario();
        SimulatorConfig config = SimulatorConfig.realTime(broker.uri()).withSpeed(0).withBackfill(Duration.ofMinutes(2));
        Instant before = Instant.now();
        try (Simulator simulator = new Simulator(config, scenario, Clock.systemUTC())) {
            simulator.start();

            // when it has caught up with the wall clock
            await().atMost(Duration.ofSeconds(30)).until(() -> simulator.simulatedClock() != null
                    && !simulator.simulatedClock().isBefore(before));
            // (the rounds for the two minutes behind went out at full speed, well under 30 s)
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> readings.size() == scenario.meters().size()
                            && readings.values().stream().allMatch(list -> list.size() >= 121));
            assertThat(simulator.failed()).isZero();
        }

        // then every descriptor was published retained, every reading is valid, one a second per meter
        assertThat(retainedTopics).hasSameSizeAs(scenario.descriptors());
        assertThat(rejections).isEmpty();
        for (List<ReadingRecord> meter : readings.values()) {
            for (int i = 1; i < meter.size(); i++) {
                ReadingRecord previous = meter.get(i - 1);
                ReadingRecord current = meter.get(i);
                assertThat(Duration.between(previous.ts(), current.ts())).isEqualTo(Duration.ofSeconds(1));
                assertThat(current.seq()).isGreaterThan(previous.seq());
                assertThat(current.ts()).isBeforeOrEqualTo(current.receivedAt());
            }
            assertThat(meter.get(0).ts()).isBetween(before.minus(Duration.ofMinutes(2)).minusSeconds(1), before.minus(Duration.ofMinutes(2)).plusSeconds(1));
        }
        assertThat(broker.droppedMessages()).isZero();
    }
}
