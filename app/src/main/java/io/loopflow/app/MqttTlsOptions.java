package io.loopflow.app;

import io.loopflow.ingest.MqttTls;
import java.nio.file.Path;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * The trust store flags of an {@code ssl://} MQTT broker, each also from its {@code LOOPFLOW_*} environment
 * variable. Validated where they are used ({@code GatewayConfig}, {@code AlertPublisherConfig}), which name
 * the key in their errors.
 */
final class MqttTlsOptions {
    @Option(names = "--mqtt-trust-store", defaultValue = "${env:LOOPFLOW_MQTT_TRUST_STORE:-}",
            description = "CA certificates that an ssl:// broker's certificate must chain to: PEM, PKCS12 or JKS; "
                    + "empty = the JVM's trust store. Env LOOPFLOW_MQTT_TRUST_STORE.")
    String trustStore;

    @Option(names = "--mqtt-trust-store-password", defaultValue = "${env:LOOPFLOW_MQTT_TRUST_STORE_PASSWORD:-}", arity = "1",
            showDefaultValue = Visibility.NEVER,
            description = "Password of a PKCS12/JKS trust store (none for PEM). Env LOOPFLOW_MQTT_TRUST_STORE_PASSWORD.")
    String trustStorePassword;

    MqttTls tls() {
        return new MqttTls(trustStore == null || trustStore.isBlank() ? null : Path.of(trustStore), trustStorePassword);
    }
}
