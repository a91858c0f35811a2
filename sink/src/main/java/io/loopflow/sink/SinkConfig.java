package io.loopflow.sink;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 *
 * <p>Every 10 s the sink also samples the consumer lag of {@code lagGroups} ({@code sink.lag-groups}) and of its
 * own group: by default the stream processor's two Kafka Streams applications, the alert publisher and the sink.
 */
public record SinkConfig(String kafkaBootstrap, String influxUrl, String org, String bucket, String token,
                         String groupId, Duration flushInterval, int batchSize, Duration maxRetryTime, List<String> lagGroups) {

    public static final String DEFAULT_GROUP_ID = "loopflow-sink";
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_BATCH_SIZE = 5000;
    public static final Duration DEFAULT_MAX_RETRY_TIME = Duration.ofMinutes(1);
    /** Largest batch accepted: one HTTP request of about 10 MB of line protocol at most. */
    public static final int MAX_BATCH_SIZE = 50_000;
    /**
     * The consumer groups LoopFlow runs with its default ids: the stream processor's Kafka Streams applications
     * ({@code streams.application-id} and its {@code -surplus} application), the alert publisher and the sink.
     * The sink module cannot see those modules; app's LoopflowCommandTest checks these names against them.
     */
    public static final List<String> DEFAULT_LAG_GROUPS =
            List.of("loopflow-streams", "loopflow-streams-surplus", "loopflow-alert-publisher", DEFAULT_GROUP_ID);

    /** Environment variables read by {@link #fromEnvironment}. */
    public static final String ENV_KAFKA_BOOTSTRAP = "LOOPFLOW_KAFKA_BOOTSTRAP";
    public static final String ENV_INFLUX_URL = "LOOPFLOW_INFLUX_URL";
    public static final String ENV_INFLUX_ORG = "LOOPFLOW_INFLUX_ORG";
    public static final String ENV_INFLUX_BUCKET = "LOOPFLOW_INFLUX_BUCKET";
    public static final String ENV_INFLUX_TOKEN = "LOOPFLOW_INFLUX_TOKEN";
    public static final String ENV_LAG_GROUPS = "LOOPFLOW_LAG_GROUPS";

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
        lagGroups = checkLagGroups(lagGroups);
    }

    /**
     * The documented defaults: group {@code loopflow-sink}, flush 1 s, batch 5000, max retry time 1 min, lag of
     * {@link #DEFAULT_LAG_GROUPS}.
     */
    public static SinkConfig defaults(String kafkaBootstrap, String influxUrl, String org, String bucket, String token) {
        return new SinkConfig(kafkaBootstrap, influxUrl, org, bucket, token, DEFAULT_GROUP_ID, DEFAULT_FLUSH_INTERVAL,
                DEFAULT_BATCH_SIZE, DEFAULT_MAX_RETRY_TIME, DEFAULT_LAG_GROUPS);
    }

    /**
     * The defaults with connection settings from {@code LOOPFLOW_KAFKA_BOOTSTRAP}, {@code LOOPFLOW_INFLUX_URL},
     * {@code LOOPFLOW_INFLUX_ORG}, {@code LOOPFLOW_INFLUX_BUCKET} and {@code LOOPFLOW_INFLUX_TOKEN} of {@code env}
     * (token may be absent: empty), and the lag groups from {@code LOOPFLOW_LAG_GROUPS} when set. A missing
     * variable fails naming its key.
     */
    public static SinkConfig fromEnvironment(Map<String, String> env) {
        SinkConfig config = defaults(env.get(ENV_KAFKA_BOOTSTRAP), env.get(ENV_INFLUX_URL), env.get(ENV_INFLUX_ORG),
                env.get(ENV_INFLUX_BUCKET), env.getOrDefault(ENV_INFLUX_TOKEN, ""));
        String groups = env.get(ENV_LAG_GROUPS);
        return groups == null ? config : config.withLagGroups(parseLagGroups(groups));
    }

    /**
     * {@code sink.lag-groups} as written in a flag or variable: group ids separated by commas, blanks around them
     * ignored; an empty text is an empty list (only the sink's own lag).
     */
    public static List<String> parseLagGroups(String text) {
        List<String> groups = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return groups;
        }
        for (String g : text.split(",", -1)) {
            groups.add(g.strip());
        }
        return groups;
    }

    /** The groups whose lag the sink samples: {@link #lagGroups()} and, always, its own group. */
    public Set<String> sampledGroups() {
        Set<String> groups = new LinkedHashSet<>(lagGroups);
        groups.add(groupId);
        return groups;
    }

    public SinkConfig withGroupId(String value) {
        return new SinkConfig(kafkaBootstrap, influxUrl, org, bucket, token, value, flushInterval, batchSize, maxRetryTime, lagGroups);
    }

    public SinkConfig withFlushInterval(Duration value) {
        return new SinkConfig(kafkaBootstrap, influxUrl, org, bucket, token, groupId, value, batchSize, maxRetryTime, lagGroups);
    }

    public SinkConfig withBatchSize(int value) {
        return new SinkConfig(kafkaBootstrap, influxUrl, org, bucket, token, groupId, flushInterval, value, maxRetryTime, lagGroups);
    }

    public SinkConfig withMaxRetryTime(Duration value) {
        return new SinkConfig(kafkaBootstrap, influxUrl, org, bucket, token, groupId, flushInterval, batchSize, value, lagGroups);
    }

    public SinkConfig withLagGroups(List<String> value) {
        return new SinkConfig(kafkaBootstrap, influxUrl, org, bucket, token, groupId, flushInterval, batchSize, maxRetryTime, value);
    }

    public SinkConfig withInfluxUrl(String value) {
        return new SinkConfig(kafkaBootstrap, value, org, bucket, token, groupId, flushInterval, batchSize, maxRetryTime, lagGroups);
    }

    /** The token is a secret: never printed. */
    @Override
    public String toString() {
        return "SinkConfig[kafkaBootstrap=" + kafkaBootstrap + ", influxUrl=" + influxUrl + ", org=" + org
                + ", bucket=" + bucket + ", token=" + (token.isEmpty() ? "(none)" : "****") + ", groupId=" + groupId
                + ", flushInterval=" + flushInterval + ", batchSize=" + batchSize + ", maxRetryTime=" + maxRetryTime + ", lagGroups=" + lagGroups + "]";
    }

    private static List<String> checkLagGroups(List<String> groups) {
        if (groups == null) {
            throw new IllegalArgumentException("sink.lag-groups must be given (empty: only the sink's own group)");
        }
        Set<String> seen = new HashSet<>();
        for (String g : groups) {
            if (g == null || g.isBlank() || !g.equals(g.strip()) || g.contains(",")) {
                throw new IllegalArgumentException("sink.lag-groups must be consumer group ids separated by commas, got '" + g + "' in " + groups);
            }
            if (!seen.add(g)) {
                throw new IllegalArgumentException("sink.lag-groups names " + g + " twice");
            }
        }
        return List.copyOf(groups);
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
