package io.loopflow.app;

import io.loopflow.sink.SinkConfig;

/**
 * Where {@code loopflow local} writes history when {@code --influx-url} is given: the InfluxDB v2
 * write API's URL, organisation, bucket and token ({@code --influx-url}, {@code --influx-org},
 * {@code --influx-bucket}, {@code --influx-token}, or their {@code LOOPFLOW_INFLUX_*} variables).
 */
public record InfluxTarget(String url, String org, String bucket, String token) {

    /** The sink's settings against the embedded Kafka at {@code kafkaBootstrap}, other values at their defaults. */
    public SinkConfig sinkConfig(String kafkaBootstrap) {
        return SinkConfig.defaults(kafkaBootstrap, url, org, bucket, token);
    }

    @Override
    public String toString() {
        // Never print the token.
        return "InfluxTarget[url=" + url + ", org=" + org + ", bucket=" + bucket + "]";
    }
}
