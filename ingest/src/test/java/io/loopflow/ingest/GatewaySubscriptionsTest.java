package io.loopflow.ingest;

import static io.loopflow.ingest.GatewaySubscriptions.DESCRIPTORS_ID;
import static io.loopflow.ingest.GatewaySubscriptions.INBOUND_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.loopflow.ingest.GatewaySubscriptions.Route;
import java.util.Arrays;
import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GatewaySubscriptionsTest {
    private static final GatewayConfig SHARED = GatewayConfig.defaults("tcp://127.0.0.1:1883", "127.0.0.1:9092");

    @Test
    void shouldReadEverythingUnderV1ThroughTheShareGroupWithoutRetainedMessagesAndDescriptorsWithThem() {
        GatewaySubscriptions subs = new GatewaySubscriptions(SHARED);

        assertThat(subs.inbound()).extracting(MqttSubscription::getTopic, MqttSubscription::getRetainHandling, MqttSubscription::getQos)
                .containsExactly(tuple("$share/loopflow-gateways/loopflow/v1/#", 2, 1));
        assertThat(subs.descriptors()).extracting(MqttSubscription::getTopic).containsExactly(
                "loopflow/v1/+/site", "loopflow/v1/+/meters/+/meta", "loopflow/v1/+/demands/+", "loopflow/v1/materials/+");
        assertThat(Arrays.stream(subs.descriptors()).map(MqttSubscription::getRetainHandling)).containsOnly(0);
        assertThat(subs.legacyFilter()).isEqualTo("$share/loopflow-gateways/loopflow/v1/+/meters/+/reading");
        assertThat(GatewaySubscriptions.withIdentifier(INBOUND_ID).getSubscriptionIdentifier()).isEqualTo(INBOUND_ID);

        GatewaySubscriptions alone = new GatewaySubscriptions(SHARED.withShareGroup(GatewayConfig.NO_SHARE_GROUP));
        assertThat(alone.inbound()[0].getTopic()).isEqualTo("loopflow/v1/#");
        assertThat(alone.legacyFilter()).isEqualTo("loopflow/v1/+/meters/+/reading");
    }

    @ParameterizedTest
    @ValueSource(strings = {"loopflow/v1/asnaes/meters/m1/reading", "loopflow/v1/asnaes/meters/m1/readings",
        "loopflow/v1/asnaes/meter/m1/reading", "loopflow/v1/asnaes/readings", "loopflow/v1/asnaes/site/x", "loopflow/v1"})
    void shouldProcessEverythingButADescriptorOnlyThroughTheInboundSubscription(String topic) {
        assertThat(GatewaySubscriptions.route(topic, List.of(INBOUND_ID))).isEqualTo(Route.PROCESS);
        assertThat(GatewaySubscriptions.route(topic, List.of(DESCRIPTORS_ID, INBOUND_ID))).isEqualTo(Route.PROCESS);
        assertThat(GatewaySubscriptions.route(topic, List.of(DESCRIPTORS_ID))).isEqualTo(Route.OTHER_COPY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"loopflow/v1/asnaes/site", "loopflow/v1/asnaes/meters/m1/meta", "loopflow/v1/gyproc/demands/gypsum",
        "loopflow/v1/materials/gypsum", "loopflow/v1/Bad Site/site", "loopflow/v1//site", "loopflow/v1/materials/alerts"})
    void shouldProcessADescriptorOnlyThroughTheDescriptorSubscriptionThatEveryGatewayHas(String topic) {
        assertThat(GatewaySubscriptions.route(topic, List.of(DESCRIPTORS_ID))).isEqualTo(Route.PROCESS);
        assertThat(GatewaySubscriptions.route(topic, List.of(INBOUND_ID, DESCRIPTORS_ID))).isEqualTo(Route.PROCESS);
        assertThat(GatewaySubscriptions.route(topic, List.of(INBOUND_ID))).as("the share group's copy").isEqualTo(Route.OTHER_COPY);
    }

    @Test
    void shouldIgnoreAlertsAndProcessWhatAnEarlierGatewaysSubscriptionWithoutIdentifierDelivers() {
        assertThat(GatewaySubscriptions.route("loopflow/v1/asnaes/alerts", List.of(INBOUND_ID))).isEqualTo(Route.ALERT);
        assertThat(GatewaySubscriptions.route("loopflow/v1/asnaes/meters/m1/reading", List.of())).isEqualTo(Route.PROCESS);
    }

    @Test
    void shouldMatchPlusAsExactlyOneLevelIncludingAnEmptyOne() {
        assertThat(GatewaySubscriptions.matches("loopflow/v1/+/site", "loopflow/v1//site")).isTrue();
        assertThat(GatewaySubscriptions.matches("loopflow/v1/+/site", "loopflow/v1/a/b/site")).isFalse();
        assertThat(GatewaySubscriptions.matches("loopflow/v1/+/site", "loopflow/v1/a/site/")).isFalse();
        assertThat(GatewaySubscriptions.matches("loopflow/v1/materials/+", "loopflow/v1/materials/")).isTrue();
    }
}
