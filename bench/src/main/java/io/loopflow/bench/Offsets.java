package io.loopflow.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a topic ends and how far a consumer group (a Kafka Streams application) has got, read with {@link Admin}:
 * how the benchmarks tell that a reader has caught up without instrumenting it.
 */
final class Offsets {
    private static final Logger LOG = LoggerFactory.getLogger(Offsets.class);
    private static final long TIMEOUT_S = 30;
    /** Two looks at the offsets this far apart (more than the 1 s commit interval) must agree that nothing is left. */
    private static final Duration SETTLE = Duration.ofMillis(1500);
    /** A driver polling offsets with a deadline: 200 ms between looks. */
    private static final long POLL_MS = 200;

    private Offsets() {
    }

    /** The end offset of every partition of {@code topic} (transaction markers included). */
    static Map<TopicPartition, Long> ends(Admin admin, String topic) throws Exception {
        List<TopicPartition> tps = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS).get(topic)
                .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                tps.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()))).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        Map<TopicPartition, Long> out = new HashMap<>();
        ends.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /** The sum of {@link #ends} over the partitions of {@code topic}. */
    static long end(Admin admin, String topic) throws Exception {
        return ends(admin, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Waits until {@link #end} of {@code topic} is at least {@code atLeast}; throws after {@code deadline}. */
    static void awaitEnd(Admin admin, String topic, long atLeast, Duration deadline) throws Exception {
        long until = System.nanoTime() + deadline.toNanos();
        long end;
        while ((end = end(admin, topic)) < atLeast) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException(topic + " ends at " + end + " after " + deadline + ", expected at least " + atLeast);
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MS);
        }
    }

    /**
     * Polls {@code groupId}'s committed offsets until nothing is left to read: {@code exactTopic} has a committed
     * offset and is at its end, every other partition the group has committed is within one record of its end (a
     * transaction marker, on the topics an exactly-once application writes itself), and still so 1.5 s later (more
     * than the processor's 1 s commit interval). Returns the {@code System.nanoTime()} of the first sighting; throws when
     * {@code deadline} after {@code since} it is still behind.
     */
    static long awaitCaughtUp(Admin admin, String groupId, String exactTopic, long since, Duration deadline) throws Exception {
        long until = since + deadline.toNanos();
        long firstSeen = 0;
        while (System.nanoTime() < until) {
            Map<TopicPartition, Long> lag = lag(admin, groupId);
            boolean done = lag.keySet().stream().anyMatch(tp -> tp.topic().equals(exactTopic))
                    && lag.entrySet().stream().allMatch(e -> e.getKey().topic().equals(exactTopic) ? e.getValue() == 0 : e.getValue() <= 1);
            long now = System.nanoTime();
            if (!done) {
                firstSeen = 0;
            } else if (firstSeen == 0) {
                firstSeen = now;
            } else if (now - firstSeen >= SETTLE.toNanos()) {
                LOG.info("{} caught up: lag {}", groupId, lag);
                return firstSeen;
            }
            LOG.debug("lag {}", lag);
            TimeUnit.MILLISECONDS.sleep(POLL_MS);
        }
        throw new IllegalStateException(groupId + " did not catch up within " + deadline + ": lag " + lag(admin, groupId));
    }

    /** End offset minus committed offset for every partition {@code groupId} has committed. */
    static Map<TopicPartition, Long> lag(Admin admin, String groupId) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(TIMEOUT_S, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        Map<TopicPartition, Long> lag = new HashMap<>();
        committed.forEach((tp, o) -> lag.put(tp, ends.get(tp).offset() - (o == null ? 0 : o.offset())));
        return lag;
    }
}
