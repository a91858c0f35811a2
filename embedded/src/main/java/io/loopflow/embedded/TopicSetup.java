package io.loopflow.embedded;

import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics of the contract ({@link Topics#ALL}) that do not exist yet. Descriptor topics
 * ({@link Topics#COMPACTED}) get {@code cleanup.policy=compact} so the latest descriptor per id is
 * kept for ever and a null value deletes it; the others keep the broker's time-based retention. Also
 * the history import ledger {@link Topics#IMPORTS} (compacted, one partition), which
 * {@code loopflow import} would otherwise create at its first run.
 *
 * <p>Replication factor is 1: this is meant for the single-node brokers of local mode and tests.
 * A production cluster provisions its topics with its own replication factor (3 is usual) and this
 * class then finds them all present and changes nothing. Existing topics are never altered.
 */
public final class TopicSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final short REPLICATION_FACTOR = 1;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TopicSetup() {
    }

    /**
     * Creates every missing topic of {@link Topics#ALL}; idempotent, also when another process
     * creates the same topics at the same time.
     *
     * @param partitions partitions of each new topic, at least 1
     */
    public static void ensureTopics(String bootstrapServers, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        try (Admin admin = Admin.create(config)) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<String, ?> topic : Topics.ALL) {
                if (!existing.contains(topic.name())) {
                    missing.add(newTopic(topic, partitions));
                }
            }
            if (!existing.contains(Topics.STOCK_LEVELS)) {
                missing.add(new NewTopic(Topics.STOCK_LEVELS, partitions, REPLICATION_FACTOR));
            }
            if (!existing.contains(Topics.IMPORTS.name())) {
                // One small record per imported file: one partition, whatever the data topics have.
                missing.add(new NewTopic(Topics.IMPORTS.name(), 1, REPLICATION_FACTOR)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            }
            if (missing.isEmpty()) {
                return;
            }
            admin.createTopics(missing).values().forEach((name, future) -> awaitCreated(name, future));
            LOG.info("Created topics {} ({} partition(s), replication factor {})",
                    missing.stream().map(NewTopic::name).toList(), partitions, REPLICATION_FACTOR);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list topics on " + bootstrapServers, e);
        }
    }

    private static NewTopic newTopic(Topic<String, ?> topic, int partitions) {
        NewTopic newTopic = new NewTopic(topic.name(), partitions, REPLICATION_FACTOR);
        if (Topics.COMPACTED.contains(topic)) {
            newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        return newTopic;
    }

    private static void awaitCreated(String name, KafkaFuture<Void> future) {
        try {
            future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // Another process created it between our listing and our request: that is the goal.
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("topic " + name + " was not created within " + TIMEOUT, e);
        }
    }
}
