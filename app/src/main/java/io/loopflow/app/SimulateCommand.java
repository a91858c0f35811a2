package io.loopflow.app;

import io.loopflow.app.simulate.KalundborgScenario;
import io.loopflow.app.simulate.Simulator;
import io.loopflow.app.simulate.SimulatorConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.eclipse.paho.mqttv5.common.MqttException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code loopflow simulate}: the Kalundborg simulator against any MQTT broker. */
@Command(name = "simulate", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Publish a simulated Kalundborg region (descriptors, then readings every --sim-interval) to an MQTT broker.")
public final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--mqtt-uri", defaultValue = "${env:LOOPFLOW_MQTT_URI:-tcp://127.0.0.1:1883}",
            description = "MQTT broker. Env LOOPFLOW_MQTT_URI.")
    String mqttUri;

    @Mixin
    MqttLoginOptions mqttLogin;

    @Option(names = "--client-id", defaultValue = "${env:LOOPFLOW_SIM_CLIENT_ID:-loopflow-simulator}",
            description = "MQTT client id of the simulator. Env LOOPFLOW_SIM_CLIENT_ID.")
    String clientId;

    @Option(names = "--sim-interval", defaultValue = "${env:LOOPFLOW_SIM_INTERVAL:-1s}", converter = DurationConverter.class,
            description = "Simulated time between two readings of a meter. Env LOOPFLOW_SIM_INTERVAL.")
    Duration interval;

    @Option(names = "--sim-speed", defaultValue = "${env:LOOPFLOW_SIM_SPEED:-1}",
            description = "Simulated seconds per wall second while behind; 0 = full speed. Env LOOPFLOW_SIM_SPEED.")
    double speed;

    @Option(names = "--sim-backfill", defaultValue = "${env:LOOPFLOW_SIM_BACKFILL:-0s}", converter = DurationConverter.class,
            description = "Start the simulated clock this far in the past. Env LOOPFLOW_SIM_BACKFILL.")
    Duration backfill;

    @Override
    public Integer call() throws InterruptedException, MqttException {
        SimulatorConfig config = new SimulatorConfig(mqttUri, clientId, interval, speed, backfill, SimulatorConfig.DEFAULT_WINDOW,
                mqttLogin.login());
        Simulator simulator = new Simulator(config, new KalundborgScenario(), Clock.systemUTC());
        CountDownLatch stopped = RunUntilStopped.closeOnShutdown("LoopFlow simulator", simulator);
        try {
            simulator.start();
        } catch (MqttException | RuntimeException e) {
            simulator.close();
            throw e;
        }
        return RunUntilStopped.await(stopped);
    }
}
