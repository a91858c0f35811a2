package io.loopflow.app;

import io.loopflow.ingest.Gateway;
import io.loopflow.ingest.GatewayConfig;
import io.loopflow.ingest.alerts.AlertPublisher;
import io.loopflow.ingest.alerts.AlertPublisherConfig;
import org.eclipse.paho.mqttv5.common.MqttException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code loopflow gateway}: one MQTT -> Kafka gateway against external brokers, with the alert publisher
 * (Kafka -> MQTT) unless {@code --no-alerts}, and {@code GET /health} on {@code --health-port}: UP while the
 * gateway's MQTT client is connected.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run one gateway: subscribe to plant readings and descriptors on an MQTT broker, validate them and "
                + "write them to Kafka. Gateways with the same --share-group split the readings.")
public final class GatewayCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayCommand.class);

    @Option(names = "--mqtt-uri", defaultValue = "${env:LOOPFLOW_MQTT_URI:-tcp://127.0.0.1:1883}",
            description = "MQTT broker, tcp://host:port or ssl://host:port. Env LOOPFLOW_MQTT_URI.")
    String mqttUri;

    @Mixin
    MqttLoginOptions mqttLogin;

    @Mixin
    MqttTlsOptions mqttTls;

    @Option(names = "--kafka-bootstrap", defaultValue = "${env:LOOPFLOW_KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers. Env LOOPFLOW_KAFKA_BOOTSTRAP.")
    String kafkaBootstrap;

    @Option(names = "--client-id", defaultValue = "${env:LOOPFLOW_CLIENT_ID:-" + GatewayConfig.DEFAULT_CLIENT_ID + "}",
            description = "MQTT client id; names the persistent session: stable across restarts, unique per gateway. "
                    + "Env LOOPFLOW_CLIENT_ID.")
    String clientId;

    @Option(names = "--share-group", defaultValue = "${env:LOOPFLOW_SHARE_GROUP:-" + GatewayConfig.DEFAULT_SHARE_GROUP + "}",
            description = "Shared-subscription group of the gateways. Env LOOPFLOW_SHARE_GROUP.")
    String shareGroup;

    @Option(names = "--receive-maximum", defaultValue = "${env:LOOPFLOW_RECEIVE_MAXIMUM:-1000}",
            description = "QoS 1 messages in flight from the broker, 1..65535. Env LOOPFLOW_RECEIVE_MAXIMUM.")
    int receiveMaximum;

    @Option(names = "--max-future", defaultValue = "${env:LOOPFLOW_MAX_FUTURE:-5m}", converter = DurationConverter.class,
            description = "How far ahead of this clock a reading may be. Env LOOPFLOW_MAX_FUTURE.")
    Duration maxFuture;

    @Option(names = "--min-ts", defaultValue = "${env:LOOPFLOW_MIN_TS:-2000-01-01T00:00:00Z}", converter = MinTsConverter.class,
            description = "Earliest reading ts accepted (RFC 3339 or a date); older ones, from a device whose clock was never "
                    + "set, are rejected as invalid_field. Env LOOPFLOW_MIN_TS.")
    Instant minTs;

    @Option(names = "--session-expiry", defaultValue = "${env:LOOPFLOW_SESSION_EXPIRY:-1h}", converter = DurationConverter.class,
            description = "How long the broker queues readings for this gateway while it is away. Env LOOPFLOW_SESSION_EXPIRY.")
    Duration sessionExpiry;

    @Option(names = "--log-interval", defaultValue = "${env:LOOPFLOW_LOG_INTERVAL:-30s}", converter = DurationConverter.class,
            description = "Period of the count line. Env LOOPFLOW_LOG_INTERVAL.")
    Duration logInterval;

    @Option(names = "--alerts", defaultValue = "${env:LOOPFLOW_ALERTS:-true}", negatable = true, fallbackValue = "true",
            description = "Also publish loopflow.alerts back to the plants on loopflow/v1/{site}/alerts (QoS 1). Env LOOPFLOW_ALERTS.")
    boolean alerts;

    @Option(names = "--health-port", defaultValue = "${env:LOOPFLOW_HEALTH_PORT:-" + HealthServer.DEFAULT_PORT + "}",
            description = "Port of GET /health (UP while connected to the MQTT broker), 0 = free port, -1 = off. "
                    + "Env LOOPFLOW_HEALTH_PORT.")
    int healthPort;

    @Option(names = "--health-host", defaultValue = "${env:LOOPFLOW_HEALTH_HOST:-" + HealthServer.DEFAULT_HOST + "}",
            description = "Interface of GET /health: 127.0.0.1 = this machine only, 0.0.0.0 = every interface. Env LOOPFLOW_HEALTH_HOST.")
    String healthHost;

    @Override
    public Integer call() throws InterruptedException {
        GatewayConfig config = new GatewayConfig(mqttUri, kafkaBootstrap, clientId, shareGroup, receiveMaximum, maxFuture,
                minTs, sessionExpiry, logInterval, mqttLogin.login(), mqttTls.tls());
        HealthServer.checkPort(healthPort);
        // Prometheus' registry: its meters are also GET /metrics on the health port.
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Gateway gateway = new Gateway(config, registry);
        AlertPublisher publisher = alerts
                ? new AlertPublisher(AlertPublisherConfig.defaults(mqttUri, kafkaBootstrap).withClientId(clientId + "-alerts")
                        .withLogin(config.login()).withTls(config.tls()), registry)
                : null;
        HealthServer health = HealthServer.start(healthHost, healthPort, gateway::connected, () -> health(gateway), registry);
        // Closed in reverse: the health endpoint, the alert publisher, then the gateway.
        AutoCloseable all = () -> {
            health.close();
            if (publisher != null) {
                publisher.close();
            }
            gateway.close();
        };
        CountDownLatch stopped = RunUntilStopped.closeOnShutdown("LoopFlow gateway", all);
        try {
            gateway.start();
            if (publisher != null) {
                publisher.start();
            }
        } catch (RuntimeException | MqttException e) {
            closeAfterFailedStart(all);
            throw e instanceof RuntimeException r ? r : new IllegalStateException("alert publisher cannot connect to " + mqttUri
                    + config.login().asUser() + ": " + e.getMessage(), e);
        }
        LOG.info("LoopFlow gateway {} started: {} -> Kafka {}{}", clientId, mqttUri, kafkaBootstrap,
                publisher == null ? "" : "; alerts Kafka -> " + mqttUri);
        return RunUntilStopped.await(stopped);
    }

    private static Map<String, ?> health(Gateway gateway) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("mqtt", gateway.connected() ? "connected" : "disconnected");
        detail.put("accepted", gateway.accepted());
        detail.put("rejected", gateway.rejected());
        return detail;
    }

    private static void closeAfterFailedStart(AutoCloseable all) {
        try {
            all.close();
        } catch (Exception e) {
            LOG.error("LoopFlow gateway did not stop cleanly after a failed start", e);
        }
    }
}
