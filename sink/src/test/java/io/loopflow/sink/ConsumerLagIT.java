package io.loopflow.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.core.Topics;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.Role;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The lag of consumer groups against a real KRaft Kafka in this JVM: what {@link ConsumerLagSampler} measures
 * (committed offsets against read_committed end offsets), and the sink writing it to QuestDB (InfluxDB v2 write
 * API) as {@code loopflow_consumer_lag}.
 */
class ConsumerLagIT {
    private static final String PLAIN = "it-lag-plain";
    private static final String TRANSACTIONAL = "it-lag-tx";

    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;
    private static QuestDbServer questdb;
    private static Admin admin;

    @BeforeAll
    static void startServers() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 1);
        questdb = QuestDbServer.start(dir.resolve("questdb"));
        // The identity InfluxDB gives a point (series + timestamp), so a sample written twice stays one row.
        questdb.exec("CREATE TABLE " + PointMapper.CONSUMER_LAG + " (\"group\" SYMBOL, \"topic\" SYMBOL, \"partition\" SYMBOL, lag LONG, timestamp TIMESTAMP)"
                + " TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, \"group\", \"topic\", \"partition\")");
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        admin = Admin.create(p);
        admin.createTopics(List.of(new NewTopic(PLAIN, 1, (short) 1), new NewTopic(TRANSACTIONAL, 1, (short) 1))).all().get();
    }

    @AfterAll
    static void stopServers() {
        if (admin != null) {
            admin.close();
        }
        if (questdb != null) {
            questdb.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void sinkWritesTheLagOfEachGroupAndFollowsItsCommits() throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer(null)) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(PLAIN, "k", ("r" + i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        // a flow written in a transaction, as the stream processor writes them: the sink commits past its marker
        try (KafkaProducer<String, byte[]> producer = producer("it-lag-flows")) {
            FlowRecord flow = new FlowRecord("lag", "gypsum", Role.OUT_REUSE, Instant.parse("2026-11-22T10:00:00Z"),
                    Instant.parse("2026-11-22T10:01:00Z"), 1, "t", 1, true);
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.FLOWS.name(), "k", Topics.FLOWS.valueSerde().serializer().serialize(Topics.FLOWS.name(), flow)));
            producer.commitTransaction();
        }
        commit("it-lag-app", PLAIN, 3);
        SinkConfig config = SinkConfig.defaults(kafka.bootstrapServers(), questdb.url(), "loopflow", "loopflow", "unused-by-questdb")
                .withGroupId("it-lag-sink").withFlushInterval(Duration.ofMillis(200))
                .withLagGroups(List.of("it-lag-app", "it-lag-never-started"));

        try (InfluxSink sink = new InfluxSink(config, new SimpleMeterRegistry(), new InfluxPointWriter(config), Duration.ofSeconds(1))) {
            sink.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> latestLag("it-lag-app", PLAIN), lag -> lag.equals(Optional.of(7L)));

            commit("it-lag-app", PLAIN, 8);
            await().atMost(Duration.ofSeconds(60)).until(() -> latestLag("it-lag-app", PLAIN), lag -> lag.equals(Optional.of(2L)));
            // the sink's own group is sampled too, although not listed: it has written the flow and committed past the
            // transaction's marker (the last record's offset + 1 would leave a lag of 1)
            await().atMost(Duration.ofSeconds(60)).until(() -> latestLag("it-lag-sink", Topics.FLOWS.name()), lag -> lag.equals(Optional.of(0L)));
        }
        assertThat(questdb.query("SELECT count() n FROM " + PointMapper.CONSUMER_LAG + " WHERE \"group\" = 'it-lag-never-started'").get(0).get("n").asLong())
                .as("a group without committed offsets writes no points").isZero();
    }

    @Test
    void lagIgnoresOpenTransactionsAndAConsumerThatReadPastAMarkerHasNone() throws Exception {
        TopicPartition tp = new TopicPartition(TRANSACTIONAL, 0);
        try (KafkaProducer<String, byte[]> producer = producer("it-lag-tx-producer");
             ConsumerLagSampler sampler = new ConsumerLagSampler(kafka.bootstrapServers(), List.of("it-tx-reader"), Duration.ofSeconds(5),
                     new SimpleMeterRegistry())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(TRANSACTIONAL, "k", new byte[] {(byte) i}));
            }
            producer.commitTransaction(); // offsets 0..4, the commit marker at 5

            readEverythingAndCommitPosition("it-tx-reader", tp, 5);
            assertThat(sampler.sample()).containsExactly(new ConsumerLagSampler.Lag("it-tx-reader", TRANSACTIONAL, 0, 0));

            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(TRANSACTIONAL, "k", new byte[] {(byte) i}));
            }
            producer.flush();
            // read_committed end offset: records of an open transaction are not lag yet
            assertThat(sampler.sample()).containsExactly(new ConsumerLagSampler.Lag("it-tx-reader", TRANSACTIONAL, 0, 0));

            producer.commitTransaction();
            // lag is counted in offsets: 3 records and their commit marker
            assertThat(sampler.sample()).containsExactly(new ConsumerLagSampler.Lag("it-tx-reader", TRANSACTIONAL, 0, 4));
        }
    }

    @Test
    void anUnreachableBrokerGivesNoSamplesWithinTheTimeoutAndOneWarning() {
        Logger logger = (Logger) LoggerFactory.getLogger(ConsumerLagSampler.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ConsumerLagSampler sampler = new ConsumerLagSampler("127.0.0.1:" + freePort(), List.of("loopflow-streams"), Duration.ofSeconds(1), registry)) {
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                assertThat(sampler.sample()).isEmpty();
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            }
        } finally {
            logger.detachAppender(log);
        }
        assertThat(registry.counter("loopflow.sink.lag.failures").count()).isEqualTo(3.0);
        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains("loopflow-streams"));
    }

    private static void commit(String group, String topic, long offset) throws ExecutionException, InterruptedException {
        admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(offset))).all().get();
    }

    private static void readEverythingAndCommitPosition(String group, TopicPartition tp, int records) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            AtomicInteger read = new AtomicInteger();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                read.addAndGet(consumer.poll(Duration.ofMillis(200)).count());
                // the position moves past the commit marker once the consumer has fetched it
                return read.get() == records && consumer.position(tp) == records + 1;
            });
            consumer.commitSync(); // commits the position, past the marker
        }
    }

    private static Optional<Long> latestLag(String group, String topic) {
        List<Map<String, JsonNode>> rows = questdb.query("SELECT lag FROM " + PointMapper.CONSUMER_LAG + " WHERE \"group\" = '" + group
                + "' AND \"topic\" = '" + topic + "' AND \"partition\" = '0' ORDER BY timestamp DESC LIMIT 1");
        return rows.isEmpty() || rows.get(0).get("lag").isNull() ? Optional.empty() : Optional.of(rows.get(0).get("lag").asLong());
    }

    private static KafkaProducer<String, byte[]> producer(String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        if (transactionalId != null) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
