package io.loopflow.app;

import io.loopflow.ingest.TcpNoDelaySocketFactory;
import io.loopflow.core.model.Role;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * A small region whose figures were worked out by hand, for the end-to-end tests. Flow windows of
 * 1 min, one key-figure window of 2 min, both starting at T0 (a whole hour two hours ago, so the
 * windows align and no reading is from the future). Material {@code gypsum} (mass, t), region
 * {@code r1}, sites {@code s1} and {@code s2}.
 *
 * <pre>
 * s1/c1  counter, out.reuse, t      T0: 1000  T0+30s: 1004  T0+60s: 1010  T0+90s: 1012
 *        credits                         0            4            6             2
 *        flow window [T0, T0+1m): 4 t (2 readings); [T0+1m, T0+2m): 6 + 2 = 8 t (2 readings)
 *
 * s1/r1  rate, out.disposal, t/h    T0: 36    T0+30s: 36    T0+60s: 72    T0+90s: 72
 *        credits (trapezoid, 30 s = 1/120 h)
 *                                        0     36 x 1/120    (36+72)/2 x 1/120   72 x 1/120
 *                                        0         = 0.3            = 0.45          = 0.6
 *        flow windows: 0.3 t (2 readings); 0.45 + 0.6 = 1.05 t (2 readings)
 *
 * s2/in2 counter, in.secondary, t   T0: 500   T0+30s: 503   T0+60s: 505   T0+90s: 509
 *        flow windows: 3 t (2 readings); 2 + 4 = 6 t (2 readings)
 *
 * s2/v2  quantity, in.virgin, t     T0+45s: 1.0            T0+100s: 4.0
 *        flow windows: 1 t (1 reading); 4 t (1 reading)
 *
 * key figures, window [T0, T0+2m):
 *   s1: out.reuse 12, out.disposal 1.35, R = 13.35
 *       recyclingRate 12 / 13.35 = 0.898876..., landfillRate 1.35 / 13.35 = 0.101123...,
 *       circularInputRate null (no input metered)
 *   s2: in.secondary 9, in.virgin 5: circularInputRate 9 / 14 = 0.642857...; R = 0 so the
 *       recycling and landfill rates are null
 *   r1: the sums of both sites: out.reuse 12, out.disposal 1.35, in.secondary 9, in.virgin 5;
 *       recyclingRate 12 / 13.35, landfillRate 1.35 / 13.35, circularInputRate 9 / 14
 * </pre>
 *
 * One malformed message ({@code not json}) is published on {@code s1/c1} between the good readings:
 * it must be rejected as {@code malformed} and change nothing above.
 */
final class HandComputedScenario {
    static final Duration FLOW_WINDOW = Duration.ofMinutes(1);
    static final Duration KPI_WINDOW = Duration.ofMinutes(2);
    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
    static final Instant T1 = T0.plus(FLOW_WINDOW);
    static final String MALFORMED = "not json";
    static final int GOOD_READINGS = 14;

    /** A final flow record expected on loopflow.flows. */
    record Flow(String site, Role role, Instant windowStart, double quantity, long readings) {
        String key() {
            return site + "/gypsum/" + role.wire() + "/" + windowStart;
        }
    }

    static final List<Flow> FLOWS = List.of(
            new Flow("s1", Role.OUT_REUSE, T0, 4, 2), new Flow("s1", Role.OUT_REUSE, T1, 8, 2),
            new Flow("s1", Role.OUT_DISPOSAL, T0, 0.3, 2), new Flow("s1", Role.OUT_DISPOSAL, T1, 1.05, 2),
            new Flow("s2", Role.IN_SECONDARY, T0, 3, 2), new Flow("s2", Role.IN_SECONDARY, T1, 6, 2),
            new Flow("s2", Role.IN_VIRGIN, T0, 1, 1), new Flow("s2", Role.IN_VIRGIN, T1, 4, 1));

    static final double S1_RECYCLING = 12 / 13.35;
    static final double S1_LANDFILL = 1.35 / 13.35;
    static final double S2_CIRCULAR = 9.0 / 14;

    private HandComputedScenario() {
    }

    static MqttClient connect(String mqttUri, String clientId) throws MqttException {
        MqttClient client = new MqttClient(mqttUri, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setSocketFactory(new TcpNoDelaySocketFactory());
        client.connect(options);
        return client;
    }

    /** Sites, the material and the four meters, retained. */
    static void publishDescriptors(MqttClient client) throws MqttException {
        retained(client, "loopflow/v1/s1/site", "{\"name\":\"Site one\",\"region\":\"r1\",\"lat\":55.66,\"lon\":11.09}");
        retained(client, "loopflow/v1/s2/site", "{\"name\":\"Site two\",\"region\":\"r1\",\"lat\":55.67,\"lon\":11.10}");
        retained(client, "loopflow/v1/materials/gypsum", "{\"name\":\"FGD gypsum\",\"dimension\":\"mass\",\"surplusThreshold\":50}");
        retained(client, "loopflow/v1/s1/meters/c1/meta", "{\"material\":\"gypsum\",\"role\":\"out.reuse\",\"kind\":\"counter\",\"unit\":\"t\",\"to\":\"s2\"}");
        retained(client, "loopflow/v1/s1/meters/r1/meta", "{\"material\":\"gypsum\",\"role\":\"out.disposal\",\"kind\":\"rate\",\"unit\":\"t/h\"}");
        retained(client, "loopflow/v1/s2/meters/in2/meta", "{\"material\":\"gypsum\",\"role\":\"in.secondary\",\"kind\":\"counter\",\"unit\":\"t\"}");
        retained(client, "loopflow/v1/s2/meters/v2/meta", "{\"material\":\"gypsum\",\"role\":\"in.virgin\",\"kind\":\"quantity\",\"unit\":\"t\"}");
    }

    /** The 14 good readings in time order per meter, with the malformed message among them. */
    static void publishReadings(MqttClient client) throws MqttException {
        int[] offsets = {0, 30, 60, 90};
        double[] c1 = {1000, 1004, 1010, 1012};
        double[] r1 = {36, 36, 72, 72};
        double[] in2 = {500, 503, 505, 509};
        for (int i = 0; i < offsets.length; i++) {
            Instant ts = T0.plusSeconds(offsets[i]);
            reading(client, "s1", "c1", ts, c1[i], i + 1);
            reading(client, "s1", "r1", ts, r1[i], i + 1);
            reading(client, "s2", "in2", ts, in2[i], i + 1);
            if (i == 1) {
                publish(client, "loopflow/v1/s1/meters/c1/reading", MALFORMED, false);
                reading(client, "s2", "v2", T0.plusSeconds(45), 1.0, 1);
            }
        }
        reading(client, "s2", "v2", T0.plusSeconds(100), 4.0, 2);
    }

    private static void reading(MqttClient client, String site, String meter, Instant ts, double value, long seq)
            throws MqttException {
        publish(client, "loopflow/v1/" + site + "/meters/" + meter + "/reading",
                "{\"ts\":\"" + ts + "\",\"value\":" + value + ",\"seq\":" + seq + "}", false);
    }

    private static void retained(MqttClient client, String topic, String json) throws MqttException {
        publish(client, topic, json, true);
    }

    private static void publish(MqttClient client, String topic, String payload, boolean retained) throws MqttException {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        message.setRetained(retained);
        client.publish(topic, message);
    }
}
