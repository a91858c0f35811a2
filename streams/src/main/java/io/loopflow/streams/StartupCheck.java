package io.loopflow.streams;

import io.loopflow.core.Topics;
import io.loopflow.streams.state.StateFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link StreamProcessor} checks before it starts, so that it stops with a message rather than
 * computing wrong figures:
 * <ul>
 *   <li>{@code loopflow.readings}, {@code loopflow.meters} and {@code loopflow.sites} exist and have
 *       the same number of partitions (a site's records are read from the same partition of each,
 *       see {@code SitePartitioner});</li>
 *   <li>no internal topic of state format 1 exists ({@link StoreNames#FORMAT_1_TOPICS}), and the
 *       first records of the existing changelog and repartition topics of this format carry its
 *       version byte ({@link StateFormat}).</li>
 * </ul>
 * Reads topic metadata and the first records of the internal topics; writes nothing.
 * {@link #ensureStockLevelsTopic} then creates {@code loopflow.internal.stock-levels} where it is missing
 * (a Kafka set up before it existed).
 */
final class StartupCheck {
    private static final Logger LOG = LoggerFactory.getLogger(StartupCheck.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Records read per internal topic partition to find its first value (compacted topics may start with tombstones). */
    private static final int SAMPLE = 50;

    private StartupCheck() {
    }

    /**
     * @throws IllegalStateException naming the topic and what to do when the check fails
     */
    static void run(ProcessorConfig config) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        try (Admin admin = Admin.create(p)) {
            Set<String> topics = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            checkInputs(admin, topics);
            String prefix = config.applicationId() + "-";
            for (String old : StoreNames.FORMAT_1_TOPICS) {
                if (topics.contains(prefix + old)) {
                    throw new StateFormat.StateFormatException("Kafka has " + prefix + old + ", internal state of the stream processor's "
                            + "state format 1 (JSON), which this version (format " + StateFormat.VERSION + ") does not read");
                }
            }
            List<String> internal = new ArrayList<>();
            for (String store : StoreNames.SITE_STORES) {
                internal.add(prefix + store + "-changelog");
            }
            for (String store : StoreNames.REGION_STORES) {
                internal.add(prefix + store + "-changelog");
            }
            internal.add(prefix + StoreNames.REGION_EVENTS + "-repartition");
            internal.removeIf(t -> !topics.contains(t));
            if (!internal.isEmpty()) {
                checkFirstRecords(admin, config, internal);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read topic metadata from Kafka at " + config.kafkaBootstrap() + ": " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + config.kafkaBootstrap() + " did not answer within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka topics", e);
        }
    }

    /**
     * Creates {@link Topics#STOCK_LEVELS} (the flow application's stock levels for the surplus application) with the
     * partition count of {@code loopflow.readings} if it does not exist; {@code TopicSetup} and compose create it too.
     */
    static void ensureStockLevelsTopic(ProcessorConfig config) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        try (Admin admin = Admin.create(p)) {
            if (admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).contains(Topics.STOCK_LEVELS)) {
                return;
            }
            int partitions = admin.describeTopics(List.of(Topics.READINGS.name())).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(Topics.READINGS.name()).partitions().size();
            try {
                admin.createTopics(List.of(new NewTopic(Topics.STOCK_LEVELS, Optional.of(partitions), Optional.empty())))
                        .all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("created {} ({} partitions, as {})", Topics.STOCK_LEVELS, partitions, Topics.READINGS.name());
            } catch (ExecutionException e) {
                // Another instance created it at the same time: that is the goal.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create " + Topics.STOCK_LEVELS + " on Kafka at " + config.kafkaBootstrap() + ": "
                    + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + config.kafkaBootstrap() + " did not answer within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + Topics.STOCK_LEVELS, e);
        }
    }

    private static void checkInputs(Admin admin, Set<String> topics) throws ExecutionException, InterruptedException, TimeoutException {
        List<String> inputs = List.of(Topics.READINGS.name(), Topics.METERS.name(), Topics.SITES.name());
        for (String t : inputs) {
            if (!topics.contains(t)) {
                throw new IllegalStateException("Kafka has no topic " + t + ": create the topics of docs/CONTRACT.md section 6 first "
                        + "(`loopflow local` does; README, `loopflow gateway`)");
            }
        }
        Map<String, TopicDescription> described = admin.describeTopics(inputs).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, Integer> counts = new TreeMap<>();
        described.forEach((name, d) -> counts.put(name, d.partitions().size()));
        if (counts.values().stream().distinct().count() > 1) {
            throw new IllegalStateException("the stream processor reads a site's readings and descriptors from the same partition of "
                    + inputs + ", so they must have the same number of partitions; they have " + counts
                    + " (add partitions so that they agree, then reset the stream processor: README)");
        }
    }

    private static void checkFirstRecords(Admin admin, ProcessorConfig config, List<String> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        List<TopicPartition> partitions = new ArrayList<>();
        described.values().forEach(d -> d.partitions().forEach(pi -> partitions.add(new TopicPartition(d.name(), pi.partition()))));
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
            Map<TopicPartition, Integer> seen = new HashMap<>();
            List<TopicPartition> open = new ArrayList<>(partitions);
            open.removeIf(tp -> consumer.position(tp, TIMEOUT) >= ends.get(tp));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!open.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the first records of " + open + " within " + TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (!open.contains(tp)) {
                        continue;
                    }
                    if (r.value() != null) {
                        StateFormat.check(r.value(), r.topic());
                        open.remove(tp);
                        consumer.pause(List.of(tp));
                    } else if (seen.merge(tp, 1, Integer::sum) >= SAMPLE) {
                        open.remove(tp);
                        consumer.pause(List.of(tp));
                    }
                }
                open.removeIf(tp -> {
                    boolean done = consumer.position(tp, TIMEOUT) >= ends.get(tp);
                    if (done) {
                        consumer.pause(List.of(tp));
                    }
                    return done;
                });
            }
        }
        LOG.info("internal topics are of state format {}: {}", StateFormat.VERSION, topics);
    }
}
