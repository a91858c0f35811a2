package io.loopflow.sink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the lag of consumer groups through Kafka's Admin client: for each group, its committed offsets
 * ({@code listConsumerGroupOffsets}) and the end offsets of those partitions ({@code listOffsets} latest,
 * read_committed, i.e. the last stable offset); lag = end - committed, in offsets. Writes nothing: the sink turns
 * the samples into {@code loopflow_consumer_lag} points.
 *
 * <p>read_committed: records of a transaction still open are not counted (no consumer of LoopFlow can read them
 * yet). A committed transaction's marker takes an offset; a consumer that read past it commits its position after
 * the marker (lag 0), but a group stopped before a transactional batch counts the marker too (records + 1).
 *
 * <p>Never throws: every call is bounded by {@code timeout}; a failure is counted in
 * {@code loopflow.sink.lag.failures} and logged as a warning when it differs from the previous outcome of that
 * group (once per state change, not every sample), and recovery is logged once. A group without committed offsets
 * (not started yet, or unknown) gives no samples.
 */
final class ConsumerLagSampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLagSampler.class);
    private static final String ALL_GROUPS = "(end offsets)";

    /** The lag of {@code group} on one partition. */
    record Lag(String group, String topic, int partition, long lag) {
    }

    private final Admin admin;
    private final List<String> groups;
    private final Duration timeout;
    private final Counter failures;
    /** Kind of the last problem per group (or {@link #ALL_GROUPS}), absent while fine: logs once per state change. */
    private final Map<String, String> problems = new HashMap<>();

    ConsumerLagSampler(String bootstrap, Collection<String> groups, Duration timeout, MeterRegistry registry) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "loopflow-sink-lag");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        this.admin = Admin.create(p);
        this.groups = List.copyOf(groups);
        this.timeout = timeout;
        this.failures = Counter.builder("loopflow.sink.lag.failures")
                .description("samples of a consumer group's lag that failed (logged once per state change)").register(registry);
    }

    /** The current lag of every partition that each group has committed offsets for; what failed is left out. */
    List<Lag> sample() {
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = committedOffsets();
        Map<TopicPartition, Long> end = endOffsets(committed.values().stream().flatMap(m -> m.keySet().stream()).distinct().toList());
        List<Lag> lags = new ArrayList<>();
        committed.forEach((group, offsets) -> offsets.forEach((tp, offset) -> {
            Long last = end.get(tp);
            if (offset != null && last != null) {
                lags.add(new Lag(group, tp.topic(), tp.partition(), Math.max(0, last - offset.offset())));
            }
        }));
        return lags;
    }

    private Map<String, Map<TopicPartition, OffsetAndMetadata>> committedOffsets() {
        Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
        groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
        ListConsumerGroupOffsetsResult result = admin.listConsumerGroupOffsets(specs,
                new ListConsumerGroupOffsetsOptions().requireStable(false).timeoutMs((int) timeout.toMillis()));
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new LinkedHashMap<>();
        for (String group : groups) {
            try {
                Map<TopicPartition, OffsetAndMetadata> offsets = result.partitionsToOffsetAndMetadata(group).get(waitMillis(), TimeUnit.MILLISECONDS);
                committed.put(group, offsets);
                fine(group);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                failed(group, kind(cause), cause.getMessage());
            } catch (TimeoutException e) {
                failed(group, "timeout", "no answer within " + timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed(group, "interrupted", "interrupted while waiting for the committed offsets");
                break;
            }
        }
        return committed;
    }

    private Map<TopicPartition, Long> endOffsets(List<TopicPartition> partitions) {
        Map<TopicPartition, Long> end = new HashMap<>();
        if (partitions.isEmpty()) {
            return end;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        ListOffsetsResult result = admin.listOffsets(latest,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED).timeoutMs((int) timeout.toMillis()));
        String kind = null;
        String detail = null;
        int failed = 0;
        for (TopicPartition tp : partitions) {
            try {
                end.put(tp, result.partitionResult(tp).get(waitMillis(), TimeUnit.MILLISECONDS).offset());
            } catch (ExecutionException e) {
                // e.g. a group's committed offset on a topic deleted since: that partition has no lag to show
                Throwable cause = e.getCause() == null ? e : e.getCause();
                failed++;
                kind = kind(cause);
                detail = tp + ": " + cause.getMessage();
            } catch (TimeoutException e) {
                failed++;
                kind = "timeout";
                detail = tp + ": no answer within " + timeout;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed++;
                kind = "interrupted";
                detail = "interrupted while waiting for the end offsets";
                break;
            }
        }
        if (failed == 0) {
            fine(ALL_GROUPS);
        } else {
            failed(ALL_GROUPS, kind, failed + " of " + partitions.size() + " partitions failed, the last " + detail);
        }
        return end;
    }

    /** The Admin client's own timeout and ours are the same state: the broker does not answer. */
    private static String kind(Throwable cause) {
        return cause instanceof org.apache.kafka.common.errors.TimeoutException ? "timeout" : cause.getClass().getSimpleName();
    }

    /** A little longer than the Admin call's own timeout, which normally ends the call first. */
    private long waitMillis() {
        return timeout.toMillis() + 1000;
    }

    /** {@code kind} is the state compared between samples (messages may vary from one attempt to the next). */
    private void failed(String group, String kind, String detail) {
        failures.increment();
        String previous = problems.put(group, kind);
        if (!kind.equals(previous)) {
            LOG.warn("cannot read the consumer lag of {}: {} (logged again only when this changes)", group, detail);
        }
    }

    private void fine(String group) {
        if (problems.remove(group) != null) {
            LOG.info("consumer lag of {} readable again", group);
        }
    }

    @Override
    public void close() {
        admin.close(timeout);
    }
}
