package io.loopflow.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InboundTopicTest {

    @ParameterizedTest
    @ValueSource(strings = {"loopflow/v1/asnaes/alerts", "loopflow/v1/Not An Id/alerts"})
    void shouldTellAnAlertTopicOfAnySite(String topic) {
        assertThat(InboundTopic.isAlerts(topic)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"loopflow/v1/materials/alerts", "loopflow/v1/asnaes/alerts/x", "loopflow/v1/alerts",
        "loopflow/v1/asnaes/site", "loopflow/v2/asnaes/alerts", "asnaes/alerts"})
    void shouldNotTakeAnythingElseForAnAlertTopic(String topic) {
        assertThat(InboundTopic.isAlerts(topic)).isFalse();
    }
}
