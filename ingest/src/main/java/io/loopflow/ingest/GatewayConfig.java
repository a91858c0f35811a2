package io.loopflow.ingest;

import io.loopflow.core.inbound.InboundDecoder;
import io.loopflow.core.inbound.InboundTopic;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Configuration of one gateway process (MQTT -> Kafka), validated once at construction: a bad
 * value fails at start with a message naming its key.
 *
 * <ul>
 *   <li>{@code gateway.mqtt-uri}: the broker, {@code tcp://host:port} or {@code ssl://host:port}.</li>
 *   <li>{@code gateway.kafka-bootstrap}: Kafka's {@code bootstrap.servers}.</li>
 *   <li>{@code gateway.client-id}: the MQTT client id; it names the persistent session, so it must be
 *       stable across restarts and unique per gateway (default {@value #DEFAULT_CLIENT_ID}).</li>
 *   <li>{@code gateway.share-group}: gateways with the same group split the readings, and every other
 *       message that is not a descriptor, between them (default {@value #DEFAULT_SHARE_GROUP}); empty:
 *       a gateway that is alone reads through ordinary subscriptions.</li>
 *   <li>{@code gateway.receive-maximum}: QoS 1 messages the broker may have in flight to this
 *       gateway before a PUBACK, 1..65535 (default {@value #DEFAULT_RECEIVE_MAXIMUM}).</li>
 *   <li>{@code ingest.max-future}: how far ahead of the gateway clock a reading's {@code ts} may be
 *       (default 5 min, CONTRACT.md section 3).</li>
 *   <li>{@code ingest.min-ts}: the earliest {@code ts} accepted (default 2000-01-01T00:00:00Z,
 *       CONTRACT.md section 2); not in the future.</li>
 *   <li>{@code gateway.session-expiry}: how long the broker keeps the session, and queues readings
 *       for it, while the gateway is away; 1 s .. 4294967295 s (default 1 h).</li>
 *   <li>{@code gateway.log-interval}: period of the INFO line with the counts (default 30 s).</li>
 *   <li>{@code gateway.mqtt-username}, {@code gateway.mqtt-password}: the gateway's MQTT login (default
 *       none); its user must be allowed to read {@code loopflow/v1/#} (docker/mosquitto/acl, user
 *       {@code gateway}).</li>
 *   <li>{@code gateway.mqtt-trust-store}, {@code gateway.mqtt-trust-store-password}: the CA certificates an
 *       {@code ssl://} broker's certificate is checked against (default: the JVM's trust store), see
 *       {@link MqttTls}.</li>
 * </ul>
 */
public record GatewayConfig(String mqttUri, String kafkaBootstrap, String clientId, String shareGroup,
                            int receiveMaximum, Duration maxFuture, Instant minTs, Duration sessionExpiry, Duration logInterval,
                            MqttLogin login, MqttTls tls) {

    public static final String DEFAULT_CLIENT_ID = "loopflow-gateway-1";
    public static final String DEFAULT_SHARE_GROUP = "loopflow-gateways";
    public static final int DEFAULT_RECEIVE_MAXIMUM = 1000;
    public static final Duration DEFAULT_MAX_FUTURE = Duration.ofMinutes(5);
    public static final Instant DEFAULT_MIN_TS = InboundDecoder.DEFAULT_MIN_TS;
    public static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofHours(1);
    public static final Duration DEFAULT_LOG_INTERVAL = Duration.ofSeconds(30);

    /** MQTT 5 carries the session expiry interval as a four-byte integer of seconds. */
    private static final long MAX_SESSION_EXPIRY_SECONDS = 0xFFFF_FFFFL;

    public GatewayConfig {
        requireText("gateway.mqtt-uri", mqttUri);
        if (!(mqttUri.startsWith("tcp://") || mqttUri.startsWith("ssl://"))) {
            throw new IllegalArgumentException("gateway.mqtt-uri must start with tcp:// or ssl://, got '" + mqttUri + "'");
        }
        requireText("gateway.kafka-bootstrap", kafkaBootstrap);
        requireText("gateway.client-id", clientId);
        // Empty: a lone gateway reading through an ordinary subscription (see inboundSubscription()).
        Objects.requireNonNull(shareGroup, "gateway.share-group");
        // A share name is one topic level without wildcards (MQTT 5, 4.8.2).
        if (shareGroup.contains("/") || shareGroup.contains("+") || shareGroup.contains("#")) {
            throw new IllegalArgumentException("gateway.share-group must not contain '/', '+' or '#', got '" + shareGroup + "'");
        }
        if (receiveMaximum < 1 || receiveMaximum > 65535) {
            throw new IllegalArgumentException("gateway.receive-maximum must be 1..65535, got " + receiveMaximum);
        }
        if (maxFuture == null || maxFuture.isNegative()) {
            throw new IllegalArgumentException("ingest.max-future must not be negative, got " + maxFuture);
        }
        if (minTs == null || minTs.isAfter(Instant.now())) {
            // A minimum in the future would reject every reading.
            throw new IllegalArgumentException("ingest.min-ts must not be in the future, got " + minTs);
        }
        if (sessionExpiry == null || sessionExpiry.getSeconds() < 1 || sessionExpiry.getSeconds() > MAX_SESSION_EXPIRY_SECONDS) {
            // 0 would make the broker drop the session, and the readings queued for it, on every disconnect.
            throw new IllegalArgumentException("gateway.session-expiry must be 1 s .. " + MAX_SESSION_EXPIRY_SECONDS
                    + " s, got " + sessionExpiry);
        }
        if (logInterval == null || logInterval.isZero() || logInterval.isNegative()) {
            throw new IllegalArgumentException("gateway.log-interval must be positive, got " + logInterval);
        }
        Objects.requireNonNull(login, "gateway.mqtt-username/password: use MqttLogin.NONE for none");
        login.validate("gateway");
        Objects.requireNonNull(tls, "gateway.mqtt-trust-store: use MqttTls.JVM_TRUST for the JVM's trust store");
        tls.validate("gateway", mqttUri);
    }

    /** The documented defaults for a gateway of {@code mqttUri} writing to {@code kafkaBootstrap}. */
    public static GatewayConfig defaults(String mqttUri, String kafkaBootstrap) {
        return new GatewayConfig(mqttUri, kafkaBootstrap, DEFAULT_CLIENT_ID, DEFAULT_SHARE_GROUP, DEFAULT_RECEIVE_MAXIMUM,
                DEFAULT_MAX_FUTURE, DEFAULT_MIN_TS, DEFAULT_SESSION_EXPIRY, DEFAULT_LOG_INTERVAL, MqttLogin.NONE, MqttTls.JVM_TRUST);
    }

    public GatewayConfig withMqttUri(String value) {
        return new GatewayConfig(value, kafkaBootstrap, clientId, shareGroup, receiveMaximum, maxFuture, minTs, sessionExpiry, logInterval, login, tls);
    }

    public GatewayConfig withKafkaBootstrap(String value) {
        return new GatewayConfig(mqttUri, value, clientId, shareGroup, receiveMaximum, maxFuture, minTs, sessionExpiry, logInterval, login, tls);
    }

    public GatewayConfig withClientId(String value) {
        return new GatewayConfig(mqttUri, kafkaBootstrap, value, shareGroup, receiveMaximum, maxFuture, minTs, sessionExpiry, logInterval, login, tls);
    }

    public GatewayConfig withShareGroup(String value) {
        return new GatewayConfig(mqttUri, kafkaBootstrap, clientId, value, receiveMaximum, maxFuture, minTs, sessionExpiry, logInterval, login, tls);
    }

    public GatewayConfig withReceiveMaximum(int value) {
        return new GatewayConfig(mqttUri, kafkaBootstrap, clientId, shareGroup, value, maxFuture, minTs, sessionExpiry, logInterval, login, tls);
    }

    public GatewayConfig withMaxFuture(Duration value) {
        return new GatewayConfig(mqttUri, kafkaBootstrap, clientId, shareGroup, receiveMaximum, value, minTs, sessionExpiry, logInterval, login, tls);
    }

    public GatewayConfig withMinTs(Instant value) {
        return new GatewayConfig(mqttUri, kafkaBootstrap, clientId, shareGroup, receiveMaximum, maxFuture, value, sessionExpiry, logInterval, login, tls);
    }

    public GatewayConfig withSessionExpiry(Duration value) {
        return new GatewayConfig(mqttUri, kafkaBootstrap, clientId, shareGroup, receiveMaximum, maxFuture, minTs, value, logInterval, login, tls);
    }

    public GatewayConfig withLogInterval(Duration value) {
        return new GatewayConfig(mqttUri, kafkaBootstrap, clientId, shareGroup, receiveMaximum, maxFuture, minTs, sessionExpiry, value, login, tls);
    }

    public GatewayConfig withLogin(MqttLogin value) {
        return new GatewayConfig(mqttUri, kafkaBootstrap, clientId, shareGroup, receiveMaximum, maxFuture, minTs, sessionExpiry, logInterval, value, tls);
    }

    public GatewayConfig withTls(MqttTls value) {
        return new GatewayConfig(mqttUri, kafkaBootstrap, clientId, shareGroup, receiveMaximum, maxFuture, minTs, sessionExpiry, logInterval, login, value);
    }

    /** A share group that makes a lone gateway read through an ordinary subscription. */
    public static final String NO_SHARE_GROUP = "";

    /**
     * The subscription through which this gateway reads readings and every other message under
     * {@code loopflow/v1/} (descriptors come through their own ordinary subscriptions too, see
     * {@link GatewaySubscriptions}): shared, {@code $share/<shareGroup>/loopflow/v1/#}, so that the gateways
     * of {@link #shareGroup()} split them; with {@link #NO_SHARE_GROUP}, an ordinary subscription for a
     * gateway that is alone (local mode): HiveMQ CE delivers a shared subscription's backlog far slower
     * than an ordinary one's.
     */
    public String inboundSubscription() {
        return shareGroup.isEmpty() ? InboundTopic.ALL_FILTER : "$share/" + shareGroup + "/" + InboundTopic.ALL_FILTER;
    }

    private static void requireText(String key, String value) {
        if (Objects.requireNonNullElse(value, "").isBlank()) {
            throw new IllegalArgumentException(key + " must not be empty");
        }
    }
}
