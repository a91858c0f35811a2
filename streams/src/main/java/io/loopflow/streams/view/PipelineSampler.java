package io.loopflow.streams.view;

import io.loopflow.core.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the pipeline through Kafka's Admin client, every time {@link #sample()} is called: the end offsets of
 * {@code loopflow.readings} (read_committed), whose growth is the rate of accepted readings whichever gateway
 * wrote them, and the lag of consumer groups (committed offset against the read_committed end offset, as the
 * sink's {@code loopflow_consumer_lag}). The lag of each group is also the Micrometer gauge
 * {@code loopflow.consumer.lag{group}}. A failed sample is logged once per change of outcome and keeps the
 * previous figures, marked with their age. Writes nothing to Kafka.
 */
final class PipelineSampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineSampler.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** The rate is the growth over about this long. */
    private static final Duration RATE_SPAN = Duration.ofSeconds(10);

    /** Lag of one group: the sum over its partitions, and per topic. */
    record GroupLag(String group, long lag, Map<String, Long> byTopic) {
    }

    /** One sample: accepted readings so far (end offsets), readings per second, lag per group and when it was taken. */
    record Sample(long readings, Double readingsPerSecond, List<GroupLag> lag, long takenAt, String error) {
    }

    private final Admin admin;
    private final List<String> groups;
    private final Clock clock;
    private final Deque<long[]> readingTotals = new ArrayDeque<>();
    private final Map<String, AtomicLong> lagGauges = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private volatile Sample last = new Sample(0, null, List.of(), 0, "not sampled yet");
    private String lastProblem;

    PipelineSampler(String bootstrap, List<String> groups, MeterRegistry registry, Clock clock) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "loopflow-view-pipeline");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
        this.admin = Admin.create(p);
        this.groups = List.copyOf(groups);
        this.registry = registry;
        this.clock = clock;
    }

    /** The latest sample. */
    Sample last() {
        return last;
    }

    /** Takes a sample; never throws. */
    synchronized void sample() {
        long now = clock.millis();
        try {
            List<TopicPartition> readings = admin.describeTopics(List.of(Topics.READINGS.name())).allTopicNames()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(Topics.READINGS.name()).partitions().stream()
                    .map(p -> new TopicPartition(Topics.READINGS.name(), p.partition())).toList();
            Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = committed();
            List<TopicPartition> all = new ArrayList<>(readings);
            committed.values().forEach(m -> m.keySet().stream().filter(tp -> !all.contains(tp)).forEach(all::add));
            Map<TopicPartition, Long> end = endOffsets(all);
            long total = readings.stream().mapToLong(tp -> end.getOrDefault(tp, 0L)).sum();
            readingTotals.addLast(new long[] {now, total});
            while (readingTotals.size() > 2 && now - readingTotals.peekFirst()[0] > RATE_SPAN.toMillis()) {
                readingTotals.removeFirst();
            }
            long[] first = readingTotals.peekFirst();
            Double rate = now > first[0] ? (total - first[1]) * 1000.0 / (now - first[0]) : null;
            List<GroupLag> lags = new ArrayList<>();
            committed.forEach((group, offsets) -> {
                Map<String, Long> byTopic = new LinkedHashMap<>();
                long sum = 0;
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                    Long last = end.get(e.getKey());
                    if (e.getValue() != null && last != null) {
                        long lag = Math.max(0, last - e.getValue().offset());
                        byTopic.merge(e.getKey().topic(), lag, Long::sum);
                        sum += lag;
                    }
                }
                lags.add(new GroupLag(group, sum, byTopic));
                gauge(group).set(sum);
            });
            last = new Sample(total, rate, lags, now, null);
            if (lastProblem != null) {
                LOG.info("pipeline figures readable again");
                lastProblem = null;
            }
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            String problem = cause.getClass().getSimpleName() + ": " + cause.getMessage();
            Sample previous = last;
            last = new Sample(previous.readings(), previous.readingsPerSecond(), previous.lag(), previous.takenAt(), problem);
            if (!problem.equals(lastProblem)) {
                LOG.warn("cannot sample the pipeline figures: {} (logged again only when this changes)", problem);
                lastProblem = problem;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Map<String, Map<TopicPartition, OffsetAndMetadata>> committed() throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
        groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
        Map<String, Map<TopicPartition, OffsetAndMetadata>> all = admin.listConsumerGroupOffsets(specs).all()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, Map<TopicPartition, OffsetAndMetadata>> out = new LinkedHashMap<>();
        // A group that never committed (not running here, or not started yet) has nothing to show.
        all.forEach((g, offsets) -> {
            if (offsets != null && !offsets.isEmpty()) {
                out.put(g, offsets);
            }
        });
        return out;
    }

    private Map<TopicPartition, Long> endOffsets(List<TopicPartition> partitions) throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> end = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((tp, info) -> end.put(tp, info.offset()));
        return end;
    }

    private AtomicLong gauge(String group) {
        return lagGauges.computeIfAbsent(group, g -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("loopflow.consumer.lag", value, AtomicLong::get).tag("group", g)
                    .description("records of LoopFlow's topics a consumer group has not committed yet (read_committed end offsets)")
                    .register(registry);
            return value;
        });
    }

    @Override
    public void close() {
        admin.close(TIMEOUT);
    }
}
