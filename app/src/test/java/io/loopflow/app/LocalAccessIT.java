package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.loopflow.app.simulate.SimulatorConfig;
import io.loopflow.embedded.ServiceAccess;
import io.loopflow.ingest.GatewayConfig;
import io.loopflow.ingest.MqttLogin;
import io.loopflow.ingest.alerts.AlertPublisherConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session takeover in local mode ({@link LocalMode} in this JVM, on free ports): while a plant streams numbered
 * QoS 1 readings to the gateway, other clients connect with the client ids of LoopFlow's services, as
 * {@code mosquitto_sub -i loopflow-gateway-1 -c} would, and must be refused; the gateway must keep its
 * connection and every reading acknowledged to the plant must be on {@code loopflow.readings}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalAccessIT {
    private static final Logger LOG = LoggerFactory.getLogger(LocalAccessIT.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** MQTT 5 CONNACK reason codes. */
    private static final int CLIENT_IDENTIFIER_NOT_VALID = 0x85;
    private static final int BAD_USER_NAME_OR_PASSWORD = 0x86;

    private LocalMode local;

    @BeforeAll
    void start(@TempDir Path dataDir) {
        local = LocalMode.start(new LocalConfig(0, 0, 0, dataDir, Duration.ofMinutes(1), List.of(Duration.ofHours(1)),
                Duration.ofMinutes(5), Duration.ofMinutes(15), MqttPersistence.MEMORY, 1, Duration.ofSeconds(30), false, 1, Duration.ZERO));
    }

    @AfterAll
    void stop() {
        if (local != null) {
            local.close();
        }
    }

    @Test
    void aClientWithAServiceClientIdIsRefusedAndTheGatewayLosesNothingOfTheStreamItIsReceiving() throws Exception {
        // given a plant streaming numbered readings that the gateway is receiving
        List<String> serviceIds = List.of(GatewayConfig.DEFAULT_CLIENT_ID, AlertPublisherConfig.DEFAULT_CLIENT_ID,
                SimulatorConfig.DEFAULT_CLIENT_ID);
        List<String> refusals = new ArrayList<>();
        Set<Long> acknowledged;
        long published;
        try (NumberedPlant plant = new NumberedPlant(local.mqttUri(), "plant-takeover", "takeover", "m1", 12_000)) {
            long before = 0;
            for (int round = 0; round < 3; round++) {
                long progress = before + 500;
                await().atMost(WAIT).until(() -> plant.acknowledged().size() >= progress || plant.done());
                before = plant.acknowledged().size();

                // when clients take the services' client ids: resuming the session, starting a clean one, guessing the login
                for (String id : serviceIds) {
                    refusals.add(refusal(id, false, MqttLogin.NONE));
                    refusals.add(refusal(id, true, MqttLogin.NONE));
                    refusals.add(refusal(id, false, new MqttLogin(ServiceAccess.SERVICE_USER, "guess")));
                    refusals.add(refusal(id, false, new MqttLogin("asnaes", "change-me-asnaes")));
                }
            }
            await().atMost(WAIT).until(plant::done);
            acknowledged = plant.acknowledged();
            published = plant.published();
            assertThat(plant.refusedPublishes()).isZero();
        }

        // then every attempt was refused, the gateway never lost its connection, and nothing acknowledged is missing
        assertThat(refusals).hasSize(3 * serviceIds.size() * 4);
        assertThat(refusals).filteredOn(r -> r.endsWith("0x86")).hasSize(3 * serviceIds.size());
        assertThat(refusals).filteredOn(r -> r.endsWith("0x85")).hasSize(3 * serviceIds.size() * 3);
        assertThat(local.access().refusedImpersonations()).isEqualTo(refusals.size());
        assertThat(local.gateway().connected()).isTrue();
        assertThat(local.registry().get("loopflow.gateway.connections.lost").counter().count()).as("gateway connections lost").isZero();
        assertThat(local.registry().get("loopflow.gateway.reconnects").counter().count()).isZero();
        assertThat(acknowledged).as("readings acknowledged to the plant").hasSizeGreaterThan(1_500);
        Set<Long> missing = new HashSet<>(acknowledged);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            missing.removeAll(NumberedPlant.seqsOnKafka(local.kafkaBootstrap(), "takeover", "m1"));
            return missing.isEmpty();
        });
        LOG.info("takeover: {} readings published, {} acknowledged, all on loopflow.readings; {} takeover attempts refused",
                published, acknowledged.size(), refusals.size());
    }

    /** Connects with {@code clientId} as another client would; returns how the broker refused, or fails the test. */
    private String refusal(String clientId, boolean cleanStart, MqttLogin login) throws MqttException {
        MqttAsyncClient intruder = new MqttAsyncClient(local.mqttUri(), clientId, new MemoryPersistence());
        try {
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(cleanStart);
            o.setSessionExpiryInterval(3600L);
            login.applyTo(o);
            MqttException e = catchThrowableOfType(MqttException.class, () -> intruder.connect(o).waitForCompletion(10_000));
            assertThat(e).as("CONNECT as " + clientId + " (clean start " + cleanStart + ", " + login + ")").isNotNull();
            assertThat(e.getReasonCode()).as(clientId + " " + login).isIn(CLIENT_IDENTIFIER_NOT_VALID, BAD_USER_NAME_OR_PASSWORD);
            return clientId + " " + String.format("0x%02X", e.getReasonCode());
        } finally {
            intruder.close(true);
        }
    }
}
