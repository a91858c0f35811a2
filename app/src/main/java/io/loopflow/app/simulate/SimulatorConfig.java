package io.loopflow.app.simulate;

import io.loopflow.ingest.MqttLogin;
import java.time.Duration;
import java.util.Objects;

/**
 * How the simulator publishes.
 *
 * @param mqttUri  broker address, {@code tcp://host:port}
 * @param clientId MQTT client id of the simulator
 * @param interval simulated time between two readings of a meter ({@code simulate.interval}, default 1 s)
 * @param speed    simulated seconds per wall-clock second while the simulated clock is behind the wall
 *                 clock ({@code simulate.speed}, default 1); 0 = as fast as the broker acknowledges.
 *                 The simulated clock never runs ahead of the wall clock: readings from the future
 *                 would be rejected.
 * @param backfill how far in the past the simulated clock starts ({@code simulate.backfill}, default 0)
 * @param window   QoS 1 messages in flight at most ({@code simulate.window}, default 1000), capped by
 *                 the broker's Receive Maximum
 * @param login    MQTT user name and password ({@code simulate.mqtt-username}, {@code simulate.mqtt-password},
 *                 default none); the user must be allowed to publish for every simulated site
 */
public record SimulatorConfig(String mqttUri, String clientId, Duration interval, double speed, Duration backfill, int window,
                              MqttLogin login) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final double DEFAULT_SPEED = 1.0;
    public static final int DEFAULT_WINDOW = 1000;
    public static final String DEFAULT_CLIENT_ID = "loopflow-simulator";

    public SimulatorConfig {
        Objects.requireNonNull(mqttUri, "simulate.mqtt-uri");
        Objects.requireNonNull(clientId, "simulate.client-id");
        Objects.requireNonNull(interval, "simulate.interval");
        Objects.requireNonNull(backfill, "simulate.backfill");
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("simulate.interval must be at least 1ms, got " + interval);
        }
        if (!(speed == 0 || speed >= 1) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("simulate.speed must be 0 (full speed) or at least 1, got " + speed);
        }
        if (backfill.isNegative()) {
            throw new IllegalArgumentException("simulate.backfill must not be negative, got " + backfill);
        }
        if (window < 1 || window > 65_535) {
            throw new IllegalArgumentException("simulate.window must be 1..65535, got " + window);
        }
        Objects.requireNonNull(login, "simulate.mqtt-username/password: use MqttLogin.NONE for none");
        login.validate("simulate");
    }

    /** Real time: one reading per meter per second, starting now. */
    public static SimulatorConfig realTime(String mqttUri) {
        return new SimulatorConfig(mqttUri, DEFAULT_CLIENT_ID, DEFAULT_INTERVAL, DEFAULT_SPEED, Duration.ZERO, DEFAULT_WINDOW, MqttLogin.NONE);
    }

    public SimulatorConfig withSpeed(double newSpeed) {
        return new SimulatorConfig(mqttUri, clientId, interval, newSpeed, backfill, window, login);
    }

    public SimulatorConfig withBackfill(Duration newBackfill) {
        return new SimulatorConfig(mqttUri, clientId, interval, speed, newBackfill, window, login);
    }

    public SimulatorConfig withInterval(Duration newInterval) {
        return new SimulatorConfig(mqttUri, clientId, newInterval, speed, backfill, window, login);
    }

    public SimulatorConfig withLogin(MqttLogin newLogin) {
        return new SimulatorConfig(mqttUri, clientId, interval, speed, backfill, window, newLogin);
    }

    /** True when the simulator publishes as fast as the broker acknowledges. */
    public boolean fullSpeed() {
        return speed == 0;
    }
}
