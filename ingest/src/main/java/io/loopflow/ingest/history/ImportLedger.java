package io.loopflow.ingest.history;

import io.loopflow.core.Topics;
import io.loopflow.core.kafka.SitePartitioner;
import io.loopflow.core.model.ImportRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The import ledger on {@code loopflow.imports} (compacted, key: a file content's SHA-256): creates the topic
 * when it is missing (one partition, the broker's replication factor) and reads the latest
 * {@link ImportRecord} of a content, read_committed, so it sees exactly the batches whose rows are committed.
 * Its partition is the one {@link SitePartitioner} gives the key, as for every record the importer writes.
 */
final class ImportLedger {
    private static final Duration POLL = Duration.ofMillis(200);

    private ImportLedger() {
    }

    /**
     * Checks that the topics the import writes exist (they are LoopFlow's: a Kafka without them is not the one
     * LoopFlow runs on) and creates {@code loopflow.imports} when missing.
     */
    static void prepareTopics(Admin admin, String bootstrap, Duration timeout) throws InterruptedException, TimeoutException {
        try {
            Set<String> names = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<String> missing = List.of(Topics.READINGS.name(), Topics.REJECTED.name()).stream().filter(t -> !names.contains(t)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalStateException("Kafka at " + bootstrap + " has no topic " + String.join(", ", missing)
                        + ": is it the Kafka LoopFlow runs on (loopflow local, loopflow streams, docker compose)? Nothing was written");
            }
            if (!names.contains(Topics.IMPORTS.name())) {
                NewTopic ledger = new NewTopic(Topics.IMPORTS.name(), Optional.of(1), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                try {
                    admin.createTopics(List.of(ledger)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    // Another import created it meanwhile: that is what was wanted.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list or create topics on Kafka at " + bootstrap + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * The latest committed record of {@code sha256}, or null when this content was never imported. Reads only once
     * every transaction that had written to the ledger's partition has ended: a killed run's last commit may still
     * be completing (its outcome decided, its markers not all written), and a ledger read before it would miss
     * rows that become visible a moment later.
     */
    static ImportRecord read(Admin admin, String bootstrap, String sha256, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "loopflow-import-ledger");
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            int partitions = consumer.partitionsFor(Topics.IMPORTS.name(), timeout).size();
            TopicPartition tp = new TopicPartition(Topics.IMPORTS.name(), SitePartitioner.partitionOf(sha256, partitions));
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + timeout.toNanos();
            long end = settledEnd(admin, consumer, tp, deadline, bootstrap, timeout);
            byte[] latest = null;
            while (consumer.position(tp, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read " + Topics.IMPORTS.name() + " on Kafka at " + bootstrap + " within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    if (sha256.equals(r.key())) {
                        latest = r.value();
                    }
                }
            }
            return latest == null ? null : Topics.IMPORTS.valueSerde().deserializer().deserialize(tp.topic(), latest);
        }
    }

    /**
     * The partition's last stable offset once it has reached the high watermark seen first: every transaction open
     * then (a killed run's, another file's batch) has been committed or aborted.
     */
    private static long settledEnd(Admin admin, KafkaConsumer<String, byte[]> consumer, TopicPartition tp, long deadline, String bootstrap,
                                   Duration timeout) {
        try {
            long written = admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .partitionResult(tp).get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
            while (true) {
                // read_committed: the end is the last stable offset, before the first record of any open transaction.
                long stable = consumer.endOffsets(List.of(tp), timeout).get(tp);
                if (stable >= written) {
                    return stable;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a transaction on " + Topics.IMPORTS.name() + " at Kafka " + bootstrap + " is still open after "
                            + timeout + " (offset " + stable + " of " + written + "): is another import of the same file running?");
                }
                // Waiting for Kafka to end a transaction; a commit takes milliseconds, an abandoned one its transaction timeout.
                TimeUnit.MILLISECONDS.sleep(50);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the offsets of " + tp + " at Kafka " + bootstrap + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + " did not answer within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + Topics.IMPORTS.name(), e);
        }
    }
}
