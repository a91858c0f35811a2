package io.loopflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
    private final GatewayConfig defaults = GatewayConfig.defaults("tcp://127.0.0.1:1883", "127.0.0.1:9092");

    @Test
    void shouldHaveTheDocumentedDefaults() {
        assertThat(defaults).isEqualTo(new GatewayConfig("tcp://127.0.0.1:1883", "127.0.0.1:9092", "loopflow-gateway-1",
                "loopflow-gateways", 1000, Duration.ofMinutes(5), Instant.parse("2000-01-01T00:00:00Z"), Duration.ofHours(1),
                Duration.ofSeconds(30), MqttLogin.NONE, MqttTls.JVM_TRUST));
        // Readings and every other topic under loopflow/v1/ (misspelt ones included) through one shared subscription.
        assertThat(defaults.inboundSubscription()).isEqualTo("$share/loopflow-gateways/loopflow/v1/#");
        assertThat(defaults.withShareGroup(GatewayConfig.NO_SHARE_GROUP).inboundSubscription())
                .as("a lone gateway reads through an ordinary subscription").isEqualTo("loopflow/v1/#");
    }

    @Test
    void shouldCopyWithOneValueChanged() {
        GatewayConfig c = defaults.withClientId("gw-2").withShareGroup("plant-a").withReceiveMaximum(65535)
                .withMaxFuture(Duration.ZERO).withSessionExpiry(Duration.ofDays(7)).withLogInterval(Duration.ofSeconds(1))
                .withMqttUri("ssl://broker:8883").withKafkaBootstrap("k1:9092,k2:9092").withLogin(new MqttLogin("gateway", "s3cret"))
                .withMinTs(Instant.EPOCH);

        assertThat(c).isEqualTo(new GatewayConfig("ssl://broker:8883", "k1:9092,k2:9092", "gw-2", "plant-a", 65535,
                Duration.ZERO, Instant.EPOCH, Duration.ofDays(7), Duration.ofSeconds(1), new MqttLogin("gateway", "s3cret"),
                MqttTls.JVM_TRUST));
    }

    @Test
    void shouldNameTheKeyOfAnOutOfRangeReceiveMaximum() {
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withReceiveMaximum(0))
                .withMessage("gateway.receive-maximum must be 1..65535, got 0");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withReceiveMaximum(65536))
                .withMessage("gateway.receive-maximum must be 1..65535, got 65536");
    }

    @Test
    void shouldNameTheKeyOfEveryOtherBadValue() {
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withMqttUri("")).withMessageStartingWith("gateway.mqtt-uri ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withMqttUri("http://x")).withMessageStartingWith("gateway.mqtt-uri ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withKafkaBootstrap(" ")).withMessageStartingWith("gateway.kafka-bootstrap ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withClientId(null)).withMessageStartingWith("gateway.client-id ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withShareGroup("a/b")).withMessageStartingWith("gateway.share-group ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withShareGroup("+")).withMessageStartingWith("gateway.share-group ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withMaxFuture(Duration.ofSeconds(-1))).withMessageStartingWith("ingest.max-future ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withMinTs(null)).withMessageStartingWith("ingest.min-ts ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withMinTs(Instant.now().plusSeconds(60)))
                .withMessageStartingWith("ingest.min-ts must not be in the future");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withSessionExpiry(Duration.ZERO)).withMessageStartingWith("gateway.session-expiry ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withSessionExpiry(Duration.ofSeconds(0x1_0000_0000L)))
                .withMessageStartingWith("gateway.session-expiry ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withLogInterval(Duration.ZERO)).withMessageStartingWith("gateway.log-interval ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withLogin(new MqttLogin("", "s3cret")))
                .withMessage("gateway.mqtt-password is set but gateway.mqtt-username is empty");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withLogin(new MqttLogin(" ", "")))
                .withMessageStartingWith("gateway.mqtt-username ");
    }

    @Test
    void shouldNeverPrintThePassword() {
        GatewayConfig c = defaults.withLogin(new MqttLogin("gateway", "s3cret"));

        assertThat(c.toString()).contains("username=gateway").doesNotContain("s3cret");
        assertThat(defaults.login().present()).isFalse();
    }
}
