package io.loopflow.app;

import io.loopflow.ingest.MqttLogin;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * The MQTT login flags shared by {@code loopflow gateway} and {@code loopflow simulate}, each also from
 * its {@code LOOPFLOW_*} environment variable. Validated where they are used ({@code GatewayConfig},
 * {@code SimulatorConfig}), which name the key in their errors.
 */
final class MqttLoginOptions {
    @Option(names = "--mqtt-username", defaultValue = "${env:LOOPFLOW_MQTT_USERNAME:-}",
            description = "MQTT user name; empty = anonymous. Env LOOPFLOW_MQTT_USERNAME.")
    String username;

    // The environment is the place for it: a flag's value shows in the process list.
    @Option(names = "--mqtt-password", defaultValue = "${env:LOOPFLOW_MQTT_PASSWORD:-}", arity = "1", showDefaultValue = Visibility.NEVER,
            description = "MQTT password; prefer the environment variable LOOPFLOW_MQTT_PASSWORD (a flag shows in `ps`).")
    String password;

    MqttLogin login() {
        return new MqttLogin(username, password);
    }
}
