package io.loopflow.app.simulate;

import java.nio.charset.StandardCharsets;

/** One MQTT message the simulator sends: topic, UTF-8 JSON payload, and whether it is retained. */
public record Publication(String topic, byte[] payload, boolean retained) {

    /** The payload as text, for logs and tests. */
    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
