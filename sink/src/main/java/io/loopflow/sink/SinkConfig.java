package io.loopflow.sink;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration of the InfluxDB sink ({@code loopflow sink}), built once at start. The sink reads
 * LoopFlow's output topics from {@code kafkaBootstrap} with consumer group {@code groupId} and writes
 * points to {@code bucket} of {@code org} at {@code influxUrl} through the InfluxDB v2 write API
 * (InfluxDB 2.x, 3.x, 1.8+ with {@code org} ignored and {@code bucket} = {@code db/rp}), authorised by
 * {@code token} (empty for a server without authentication).
 *
 * <p>Points are written as a batch every {@code flushInterval} or every {@code batchSize} points,
 * whichever comes first; a failed write is retried with exponential backoff, and when it still fails
 * after {@code maxRetryTime} the sink stops consuming (logging an error and raising
 * {@code loopflow.sink.stalled}) and keeps retrying until the server is back. The validating
 * constructor names the configuration key of a bad value.
 */
public record SinkConfig(String kafkaBootstrap, String influxUrl, String org, String bucket, String token,
                         String groupId, Duration flushInterval, int batchSize, Duration maxRetryTime) {

    public static final String DEFAULT_GROUP_ID = "loopflow-sink";
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_BATCH_SIZE = 5000;
    public static final Duration DEFAULT_MAX_RETRY_TIME = Duration.ofMinutes(1);
    /** Largest batch accepted: one HTTP request of about 10 MB of line protocol at most. */
    public static final int MAX_BATCH_SIZE = 50_000;

    /** Environment variables read by {@link #fromEnvironment}. */
    public static final String ENV_KAFKA_BOOTSTRAP = "LOOPFLOW_KAFKA_BOOTSTRAP";
    public static final String ENV_INFLUX_URL = "LOOPFLOW_INFLUX_URL";
    public static final String ENV_INFLUX_ORG = "LOOPFLOW_INFLUX_ORG";
    public static final String ENV_INFLUX_BUCKET = "LOOPFLOW_INFLUX_BUCKET";
    public static final String ENV_INFLUX_TOKEN = "LOOPFLOW_INFLUX_TOKEN";

    public SinkConfig {
        requireText(kafkaBootstrap, "kafka.bootstrap");
        requireText(influxUrl, "influx.url");
        requireHttpUrl(influxUrl);
        requireText(org, "influx.org");
        requireText(bucket, "influx.bucket");
        Objects.requireNonNull(token, "influx.token must be given (empty for a server without authentication)");
        requireText(groupId, "sink.group-id");
        requirePositive(flushInterval, "sink.flush-interval");
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("sink.batch-size must be 1.." + MAX_BATCH_SIZE + ", got " + batchSize);
        }
        requirePositive(maxRetryTime, "sink.max-retry-time");
    }

    /** The documented defaults: group {@code loopflow-sink}, flush 1 s, batch 5000, max retry time 1 min. */
    public static SinkConfig defaults(String kafkaBootstrap, String influxUrl, String org, String bucket, String token) {
        return new SinkConfig(kafkaBootstrap, influxUrl, org, bucket, token, DEFAULT_GROUP_ID, DEFAULT_FLUSH_INTERVAL,
                DEFAULT_BATCH_SIZE, DEFAULT_MAX_RETRY_TIME);
    }

    /**
     * The defaults with connection settings from {@code LOOPFLOW_KAFKA_BOOTSTRAP}, {@code LOOPFLOW_INFLUX_URL},
     * {@code LOOPFLOW_INFLUX_ORG}, {@code LOOPFLOW_INFLUX_BUCKET} and {@code LOOPFLOW_INFLUX_TOKEN} of {@code env}
     * (token may be absent: empty). A missing variable fails naming its key.
     */
    public static SinkConfig fromEnvironment(Map<String, String> env) {
        return defaults(env.get(ENV_KAFKA_BOOTSTRAP), env.get(ENV_INFLUX_URL), env.get(ENV_INFLUX_ORG),
                env.get(ENV_INFLUX_BUCKET), env.getOrDefault(ENV_INFLUX_TOKEN, ""));
    }

    public SinkConfig withGroupId(String value) {
        return new SinkConfig(kafkaBootstrap, influxUrl, org, bucket, token, value, flushInterval, batchSize, maxRetryTime);
    }

    public SinkConfig withFlushInterval(Duration value) {
        return new SinkConfig(kafkaBootstrap, influxUrl, org, bucket, token, groupId, value, batchSize, maxRetryTime);
    }

    public SinkConfig withBatchSize(int value) {
        return new SinkConfig(kafkaBootstrap, influxUrl, org, bucket, token, groupId, flushInterval, value, maxRetryTime);
    }

    public SinkConfig withMaxRetryTime(Duration value) {
        return new SinkConfig(kafkaBootstrap, influxUrl, org, bucket, token, groupId, flushInterval, batchSize, value);
    }

    public SinkConfig withInfluxUrl(String value) {
        return new SinkConfig(kafkaBootstrap, value, org, bucket, token, groupId, flushInterval, batchSize, maxRetryTime);
    }

    /** The token is a secret: never printed. */
    @Override
    public String toString() {
        return "SinkConfig[kafkaBootstrap=" + kafkaBootstrap + ", influxUrl=" + influxUrl + ", org=" + org
                + ", bucket=" + bucket + ", token=" + (token.isEmpty() ? "(none)" : "****") + ", groupId=" + groupId
                + ", flushInterval=" + flushInterval + ", batchSize=" + batchSize + ", maxRetryTime=" + maxRetryTime + "]";
    }

    private static void requireText(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " must be given");
        }
    }

    private static void requirePositive(Duration value, String key) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, got " + value);
        }
    }

    private static void requireHttpUrl(String value) {
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("influx.url must be an http:// or https:// URL, got " + value);
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("influx.url is not a URL: " + value, e);
        }
    }
}
