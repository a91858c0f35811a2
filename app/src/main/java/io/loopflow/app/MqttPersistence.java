package io.loopflow.app;

/**
 * Where the embedded MQTT broker keeps sessions, queued messages and retained descriptors.
 * {@code memory}: about 62k msg/s on a 2-core machine, but everything queued for the gateway is
 * lost if the whole {@code loopflow local} process crashes (a clean stop loses nothing the gateway
 * acknowledged, since the gateway acknowledges only what Kafka has). {@code file}: survives a
 * crash, about 12k msg/s.
 */
public enum MqttPersistence {
    MEMORY, FILE
}
