package io.loopflow.ingest.alerts;

import io.loopflow.ingest.MqttLogin;
import io.loopflow.ingest.MqttTls;
import java.time.Duration;

/**
 * Settings of the alert publisher: the MQTT broker ({@code alerts.mqtt-uri}) and Kafka
 * ({@code alerts.kafka-bootstrap}) it connects, its MQTT client id ({@code alerts.client-id}), its
 * Kafka consumer group ({@code alerts.group-id}), how long it waits for the broker's PUBACKs of one
 * batch ({@code alerts.publish-timeout}) and how long it backs off after a failed batch
 * ({@code alerts.retry-backoff}), and its MQTT login ({@code alerts.mqtt-username}, {@code alerts.mqtt-password},
 * default none), whose user must be allowed to publish to {@code loopflow/v1/+/alerts}, and the trust store of an
 * {@code ssl://} broker ({@code alerts.mqtt-trust-store}, {@code alerts.mqtt-trust-store-password}, {@link MqttTls};
 * default the JVM's).
 */
public record AlertPublisherConfig(String mqttUri, String kafkaBootstrap, String clientId, String groupId,
                                   Duration publishTimeout, Duration retryBackoff, MqttLogin login, MqttTls tls) {
    public static final String DEFAULT_CLIENT_ID = "loopflow-alerts-1";
    public static final String DEFAULT_GROUP_ID = "loopflow-alert-publisher";
    public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(2);

    public AlertPublisherConfig {
        require(mqttUri, "alerts.mqtt-uri");
        require(kafkaBootstrap, "alerts.kafka-bootstrap");
        require(clientId, "alerts.client-id");
        require(groupId, "alerts.group-id");
        if (publishTimeout == null || publishTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("alerts.publish-timeout must be a positive duration, got " + publishTimeout);
        }
        if (retryBackoff == null || retryBackoff.isNegative()) {
            throw new IllegalArgumentException("alerts.retry-backoff must not be negative, got " + retryBackoff);
        }
        if (login == null) {
            throw new IllegalArgumentException("alerts.mqtt-username/password: use MqttLogin.NONE for none");
        }
        login.validate("alerts");
        if (tls == null) {
            throw new IllegalArgumentException("alerts.mqtt-trust-store: use MqttTls.JVM_TRUST for the JVM's trust store");
        }
        tls.validate("alerts", mqttUri);
    }

    public static AlertPublisherConfig defaults(String mqttUri, String kafkaBootstrap) {
        return new AlertPublisherConfig(mqttUri, kafkaBootstrap, DEFAULT_CLIENT_ID, DEFAULT_GROUP_ID, DEFAULT_PUBLISH_TIMEOUT,
                DEFAULT_RETRY_BACKOFF, MqttLogin.NONE, MqttTls.JVM_TRUST);
    }

    public AlertPublisherConfig withClientId(String value) {
        return new AlertPublisherConfig(mqttUri, kafkaBootstrap, value, groupId, publishTimeout, retryBackoff, login, tls);
    }

    public AlertPublisherConfig withGroupId(String value) {
        return new AlertPublisherConfig(mqttUri, kafkaBootstrap, clientId, value, publishTimeout, retryBackoff, login, tls);
    }

    public AlertPublisherConfig withLogin(MqttLogin value) {
        return new AlertPublisherConfig(mqttUri, kafkaBootstrap, clientId, groupId, publishTimeout, retryBackoff, value, tls);
    }

    public AlertPublisherConfig withTls(MqttTls value) {
        return new AlertPublisherConfig(mqttUri, kafkaBootstrap, clientId, groupId, publishTimeout, retryBackoff, login, value);
    }

    private static void require(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
    }
}
