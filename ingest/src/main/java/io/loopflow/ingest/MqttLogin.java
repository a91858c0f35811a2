package io.loopflow.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/**
 * The user name and password an MQTT client presents in its CONNECT packet (MQTT 5, 3.1.3.5 and
 * 3.1.3.6), or {@link #NONE}. A broker that confines each user to its topics (Mosquitto's ACL in
 * docker-compose) needs them. {@link #toString()} masks the password, so configurations holding a
 * login can be logged.
 *
 * @param username empty for an anonymous connection
 * @param password empty for none; needs a user name
 */
public record MqttLogin(String username, String password) {
    /** Anonymous: no user name, no password. */
    public static final MqttLogin NONE = new MqttLogin("", "");

    public MqttLogin {
        username = Objects.requireNonNullElse(username, "");
        password = Objects.requireNonNullElse(password, "");
    }

    /** True when a user name is given. */
    public boolean present() {
        return !username.isEmpty();
    }

    /**
     * Throws when the login cannot be sent: a password without a user name (MQTT 5 allows it, but no broker
     * LoopFlow runs against accepts it, and it is almost always a missing variable).
     *
     * @param prefix the configuration prefix of the process, e.g. {@code gateway}, for the error message
     */
    public void validate(String prefix) {
        if (username.isEmpty() && !password.isEmpty()) {
            throw new IllegalArgumentException(prefix + ".mqtt-password is set but " + prefix + ".mqtt-username is empty");
        }
        if (!username.isEmpty() && username.isBlank()) {
            throw new IllegalArgumentException(prefix + ".mqtt-username must not be blank (empty for none)");
        }
    }

    /** Puts the user name and password, if any, into {@code options}. */
    public void applyTo(MqttConnectionOptions options) {
        if (!username.isEmpty()) {
            options.setUserName(username);
        }
        if (!password.isEmpty()) {
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** For error messages: {@code " as user 'gateway'"}, or nothing when anonymous. */
    public String asUser() {
        return username.isEmpty() ? " (anonymous)" : " as user '" + username + "'";
    }

    @Override
    public String toString() {
        return "MqttLogin[username=" + username + ", password=" + (password.isEmpty() ? "" : "***") + "]";
    }
}
