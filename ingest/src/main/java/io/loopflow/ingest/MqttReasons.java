package io.loopflow.ingest;

import java.util.Optional;
import org.eclipse.paho.mqttv5.client.IMqttToken;

/**
 * Reads the MQTT 5 reason codes of a completed PUBACK or SUBACK. A code of 0x80 or more means the broker
 * refused the packet (MQTT 5, 2.4), yet Paho v5 completes such a token without an exception: whoever
 * needs the message delivered must look. Mosquitto answers a PUBLISH its ACL forbids with 0x87.
 */
public final class MqttReasons {
    /** The lowest reason code that reports a failure. */
    public static final int FIRST_FAILURE = 0x80;

    private MqttReasons() {
    }

    /** The first failure among the token's reason codes, described, e.g. {@code "0x87 not authorized"}; empty when none. */
    public static Optional<String> refusal(IMqttToken token) {
        int[] codes = token.getReasonCodes();
        if (codes != null) {
            for (int code : codes) {
                if (code >= FIRST_FAILURE) {
                    return Optional.of(describe(code));
                }
            }
        }
        return Optional.empty();
    }

    /** A reason code as hex with its name from MQTT 5 table 2-6, for the codes a PUBACK or SUBACK can carry. */
    public static String describe(int code) {
        String name = switch (code) {
            case 0x80 -> "unspecified error";
            case 0x83 -> "implementation specific error";
            case 0x87 -> "not authorized";
            case 0x8F -> "topic filter invalid";
            case 0x90 -> "topic name invalid";
            case 0x91 -> "packet identifier in use";
            case 0x97 -> "quota exceeded";
            case 0x99 -> "payload format invalid";
            case 0x9E -> "shared subscriptions not supported";
            case 0xA1 -> "subscription identifiers not supported";
            case 0xA2 -> "wildcard subscriptions not supported";
            default -> "reason code";
        };
        return String.format("0x%02X %s", code, name);
    }
}
