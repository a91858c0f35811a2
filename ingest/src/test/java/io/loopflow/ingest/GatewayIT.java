package io.loopflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.RejectReason;
import io.loopflow.core.Topics;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.model.DemandDescriptor;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.units.Dimension;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.EmbeddedMqttBroker;
import io.loopflow.embedded.TopicSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.net.ssl.SSLSocket;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway between a real MQTT broker (HiveMQ CE, with a plain and a TLS listener; the TLS one with a
 * certificate of a CA made for the class) and a real KRaft Kafka node, both in this JVM and started once
 * for the class. Each test uses its own site ids, gateway client ids and share group, and reads only its
 * own keys from the shared topics.
 */
class GatewayIT {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayIT.class);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dataDir;

    private static EmbeddedKafka kafka;
    private static EmbeddedMqttBroker mqtt;
    private static TestCertificates certs;

    @BeforeAll
    static void startBrokers() throws Exception {
        certs = TestCertificates.create(Files.createDirectories(dataDir.resolve("tls")));
        kafka = EmbeddedKafka.start(dataDir, 0);
        mqtt = EmbeddedMqttBroker.builder(dataDir).tls(certs.brokerKeyStore(), certs.password()).start();
        TopicSetup.ensureTopics(kafka.bootstrapServers(), 3);
    }

    @AfterAll
    static void stopBrokers() {
        if (mqtt != null) {
            mqtt.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static GatewayConfig config(String clientId, String shareGroup) {
        return GatewayConfig.defaults(mqtt.uri(), kafka.bootstrapServers()).withClientId(clientId).withShareGroup(shareGroup);
    }

    private static Gateway startGateway(GatewayConfig config, SimpleMeterRegistry registry) {
        Gateway g = new Gateway(config, registry);
        g.start();
        return g;
    }

    private static String reading(Instant ts, double value, long seq) {
        return "{\"ts\":\"" + ts + "\",\"value\":" + value + ",\"seq\":" + seq + "}";
    }

    @Test
    void shouldRejectEachGatewaySideReasonAndStillAcceptTheGoodReadingsAroundAMalformedOne() throws MqttException {
        // given
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Instant ts = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        Instant future = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String topic = InboundTopic.reading("rej", "m1");
        String badSiteTopic = "loopflow/v1/Rej/meters/m1/reading";
        String malformed = "{\"ts\": oops";
        String invalid = "{\"ts\":\"yesterday\",\"value\":1,\"seq\":9}";
        String nonFinite = "{\"ts\":\"" + ts + "\",\"value\":NaN,\"seq\":10}";
        String futureTs = reading(future, 4, 11);

        try (Gateway gateway = startGateway(config("gw-rej", "g-rej"), registry);
             TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-rej")) {
            // when
            plant.publish(topic, reading(ts, 1.5, 1));
            plant.publish(topic, malformed);
            plant.publish(topic, reading(ts.plusSeconds(60), 2.5, 2));
            plant.publish(topic, invalid);
            plant.publish(badSiteTopic, reading(ts, 9, 1));
            plant.publish(topic, nonFinite);
            plant.publish(topic, futureTs);
            plant.publish(topic, reading(ts.plusSeconds(120), 3.5, 3));
            plant.awaitAcknowledged();

            await().atMost(WAIT).until(() -> gateway.accepted() == 3 && gateway.rejected() == 5);
        }

        // then
        List<TopicReader.Entry<ReadingRecord>> readings;
        List<TopicReader.Entry<Rejection>> rejections;
        try (TopicReader<ReadingRecord> r = new TopicReader<>(kafka.bootstrapServers(), Topics.READINGS);
             TopicReader<Rejection> j = new TopicReader<>(kafka.bootstrapServers(), Topics.REJECTED)) {
            readings = r.readToEnd().stream().filter(e -> e.key().startsWith("rej/")).toList();
            rejections = j.readToEnd().stream().filter(e -> e.key().startsWith("rej/") || e.key().equals(badSiteTopic)).toList();
        }
        assertThat(readings).extracting(TopicReader.Entry::key).containsOnly("rej/m1");
        assertThat(readings).allSatisfy(e -> assertThat(e.value().receivedAt()).isEqualTo(e.timestamp()));
        assertThat(readings).extracting(e -> withoutReceivedAt(e.value())).containsExactly(
                new ReadingRecord("rej", "m1", ts, 1.5, 1L, null, null),
                new ReadingRecord("rej", "m1", ts.plusSeconds(60), 2.5, 2L, null, null),
                new ReadingRecord("rej", "m1", ts.plusSeconds(120), 3.5, 3L, null, null));

        assertThat(rejections).allSatisfy(e -> assertThat(e.value().receivedAt()).isEqualTo(e.timestamp()));
        assertThat(rejections).extracting(e -> e.key() + " " + e.value().reason() + " " + e.value().mqttTopic() + " " + e.value().payload())
                .containsExactlyInAnyOrder(
                        "rej/m1 MALFORMED " + topic + " " + malformed,
                        "rej/m1 INVALID_FIELD " + topic + " " + invalid,
                        badSiteTopic + " INVALID_FIELD " + badSiteTopic + " " + reading(ts, 9, 1),
                        "rej/m1 NON_FINITE " + topic + " " + nonFinite,
                        "rej/m1 FUTURE_TIMESTAMP " + topic + " " + futureTs);
        // One partition per key: the rejections of rej/m1 keep the order in which they were published.
        assertThat(rejections).filteredOn(e -> e.key().equals("rej/m1")).extracting(e -> e.value().reason())
                .containsExactly(RejectReason.MALFORMED, RejectReason.INVALID_FIELD, RejectReason.NON_FINITE, RejectReason.FUTURE_TIMESTAMP);
        assertThat(registry.get("loopflow.gateway.readings.accepted").counter().count()).isEqualTo(3);
        assertThat(registry.get("loopflow.gateway.readings.rejected").tag("reason", "malformed").counter().count()).isEqualTo(1);
        assertThat(registry.get("loopflow.gateway.readings.rejected").tag("reason", "invalid_field").counter().count()).isEqualTo(2);
        assertThat(registry.get("loopflow.gateway.readings.rejected").tag("reason", "non_finite").counter().count()).isEqualTo(1);
        assertThat(registry.get("loopflow.gateway.readings.rejected").tag("reason", "future_timestamp").counter().count()).isEqualTo(1);
    }

    private static ReadingRecord withoutReceivedAt(ReadingRecord r) {
        return new ReadingRecord(r.site(), r.meter(), r.ts(), r.value(), r.seq(), r.unit(), null);
    }

    @Test
    void shouldWriteDescriptorsRetainedBeforeTheGatewayFirstStartedAndATombstoneForAnEmptyRetainedPayload() throws MqttException {
        // given descriptors retained on the broker while no gateway of this client id has ever connected
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-desc")) {
            plant.retain(InboundTopic.siteMeta("desc"), "{\"name\":\"Asnaes Power Station\",\"region\":\"kalundborg\",\"lat\":55.66,\"lon\":11.09}");
            plant.retain(InboundTopic.meterMeta("desc", "gyp-out"),
                    "{\"material\":\"desc-gypsum\",\"role\":\"out.storage\",\"kind\":\"counter\",\"unit\":\"t\",\"to\":\"gyproc\"}");
            plant.retain(InboundTopic.meterMeta("desc", "bad"), "{\"material\":\"desc-gypsum\",\"role\":\"out.storage\",\"kind\":\"counter\",\"unit\":\"t/h\"}");
            plant.retain(InboundTopic.demand("desc", "desc-gypsum"), "{\"quantity\":40,\"maxDistanceKm\":60}");
            plant.retain(InboundTopic.material("desc-gypsum"), "{\"name\":\"FGD gypsum\",\"dimension\":\"mass\",\"ewc\":\"10 01 05\",\"surplusThreshold\":50}");
        }

        try {
            checkRetainedDescriptorsAndTombstone(registry);
        } finally {
            // Leave no retained message behind for the other tests' gateways.
            try (TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-desc")) {
                for (String topic : List.of(InboundTopic.siteMeta("desc"), InboundTopic.meterMeta("desc", "gyp-out"),
                        InboundTopic.meterMeta("desc", "bad"), InboundTopic.demand("desc", "desc-gypsum"), InboundTopic.material("desc-gypsum"))) {
                    plant.publish(topic, new byte[0], true);
                }
            }
        }
    }

    private void checkRetainedDescriptorsAndTombstone(SimpleMeterRegistry registry) throws MqttException {
        try (Gateway gateway = startGateway(config("gw-desc", "g-desc"), registry);
             TopicReader<SiteDescriptor> sites = new TopicReader<>(kafka.bootstrapServers(), Topics.SITES);
             TopicReader<MeterDescriptor> meters = new TopicReader<>(kafka.bootstrapServers(), Topics.METERS);
             TopicReader<DemandDescriptor> demands = new TopicReader<>(kafka.bootstrapServers(), Topics.DEMANDS);
             TopicReader<MaterialDescriptor> materials = new TopicReader<>(kafka.bootstrapServers(), Topics.MATERIALS);
             TopicReader<Rejection> rejected = new TopicReader<>(kafka.bootstrapServers(), Topics.REJECTED)) {
            // then every retained descriptor is on its compacted topic, and the invalid one is rejected
            await().atMost(WAIT).until(() -> descriptors(registry) == 4 && gateway.rejected() == 1);

            assertThat(sites.readToEnd()).filteredOn(e -> e.key().equals("desc")).extracting(TopicReader.Entry::value)
                    .containsExactly(new SiteDescriptor("Asnaes Power Station", "kalundborg", 55.66, 11.09));
            assertThat(meters.readToEnd()).filteredOn(e -> e.key().startsWith("desc/")).extracting(e -> e.key() + "=" + e.value())
                    .containsExactly("desc/gyp-out=" + new MeterDescriptor("desc-gypsum", Role.OUT_STORAGE, MeterKind.COUNTER, "t", "gyproc"));
            assertThat(demands.readToEnd()).filteredOn(e -> e.key().equals("desc/desc-gypsum")).extracting(TopicReader.Entry::value)
                    .containsExactly(new DemandDescriptor(40, 60));
            assertThat(materials.readToEnd()).filteredOn(e -> e.key().equals("desc-gypsum")).extracting(TopicReader.Entry::value)
                    .containsExactly(new MaterialDescriptor("FGD gypsum", Dimension.MASS, "10 01 05", 50.0));
            assertThat(rejected.readToEnd()).filteredOn(e -> e.key().equals("desc/bad")).singleElement().satisfies(e -> {
                assertThat(e.value().reason()).isEqualTo(RejectReason.INVALID_FIELD);
                assertThat(e.value().mqttTopic()).isEqualTo(InboundTopic.meterMeta("desc", "bad"));
            });

            // when the plant deletes a descriptor with an empty retained payload
            try (TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-desc")) {
                plant.publish(InboundTopic.meterMeta("desc", "gyp-out"), new byte[0], true);
            }

            // then its key gets a tombstone
            await().atMost(WAIT).until(() -> descriptors(registry) == 5);
            assertThat(meters.readToEnd()).filteredOn(e -> e.key().equals("desc/gyp-out")).extracting(TopicReader.Entry::value)
                    .containsExactly(new MeterDescriptor("desc-gypsum", Role.OUT_STORAGE, MeterKind.COUNTER, "t", "gyproc"), null);
        }
    }

    private static long descriptors(SimpleMeterRegistry registry) {
        return (long) registry.get("loopflow.gateway.descriptors").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void shouldSplitReadingsBetweenTwoGatewaysOfOneShareGroupAndLandEveryOne() throws MqttException {
        // given two gateways of one share group
        int meters = 20;
        int bursts = 20;
        int perMeterAndBurst = 5;
        int total = meters * bursts * perMeterAndBurst;
        Instant base = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

        try (Gateway a = startGateway(config("gw-share-a", "g-share"), new SimpleMeterRegistry());
             Gateway b = startGateway(config("gw-share-b", "g-share"), new SimpleMeterRegistry());
             TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-share")) {
            // when a plant publishes in bursts. HiveMQ CE picks a random member of the group when a message finds the
            // group's queue empty, and that member then drains the queue: under a steady backlog one gateway takes
            // everything and the other stands by. Pausing until each burst is in Kafka lets each burst pick again.
            long seq = 0;
            for (int burst = 0; burst < bursts; burst++) {
                for (int i = 0; i < perMeterAndBurst; i++, seq++) {
                    for (int m = 0; m < meters; m++) {
                        plant.publish(InboundTopic.reading("share", "m" + m), reading(base.plusSeconds(seq), seq, seq));
                    }
                }
                long expected = (long) (burst + 1) * meters * perMeterAndBurst;
                await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> a.accepted() + b.accepted() >= expected);
            }

            // then both took a share, and together exactly every reading
            LOG.info("two gateways of one share group: {} and {} readings", a.accepted(), b.accepted());
            assertThat(a.accepted()).as("gateway a took a share").isPositive();
            assertThat(b.accepted()).as("gateway b took a share").isPositive();
            assertThat(a.accepted() + b.accepted()).isEqualTo(total);
        }
        List<String> landed;
        try (TopicReader<ReadingRecord> r = new TopicReader<>(kafka.bootstrapServers(), Topics.READINGS)) {
            landed = r.readToEnd().stream().filter(e -> e.key().startsWith("share/"))
                    .map(e -> e.value().meter() + "#" + e.value().seq()).toList();
        }
        Set<String> expected = new HashSet<>();
        for (long seq = 0; seq < (long) bursts * perMeterAndBurst; seq++) {
            for (int m = 0; m < meters; m++) {
                expected.add("m" + m + "#" + seq);
            }
        }
        assertThat(landed).hasSize(total).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void shouldLandEverySeqAtLeastOnceWhenTheGatewayIsStoppedMidStreamAndRestartedWithTheSameClientId() throws Exception {
        // given a gateway and a plant that will publish 20,000 readings at QoS 1
        int total = 20_000;
        int meters = 10;
        GatewayConfig config = config("gw-restart", "g-restart");
        Instant base = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        AtomicInteger published = new AtomicInteger();
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        Gateway first = startGateway(config, new SimpleMeterRegistry());

        // when the gateway is stopped while the plant is publishing (the plant holds its second half until the
        // stop, so the stop always falls mid-stream), then restarted with the same client id
        long t0 = System.nanoTime();
        CompletableFuture<Long> publishing = CompletableFuture.supplyAsync(() -> {
            try (TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-restart")) {
                for (int seq = 0; seq < total; seq++) {
                    if (seq == total / 2) {
                        stopped.join();
                    }
                    plant.publish(InboundTopic.reading("restart", "m" + (seq % meters)), reading(base.plusMillis(seq), seq, seq));
                    published.incrementAndGet();
                }
                plant.awaitAcknowledged();
                return System.nanoTime();
            } catch (MqttException e) {
                throw new IllegalStateException("publisher failed after " + published.get() + " readings", e);
            }
        });
        try {
            await().atMost(WAIT).until(() -> first.accepted() >= 1_000);
        } finally {
            first.close();
            stopped.complete(null);
        }
        long firstAccepted = first.accepted();
        int publishedAtStop = published.get();
        long restartAt = System.nanoTime();
        Gateway second = startGateway(config, new SimpleMeterRegistry());
        List<TopicReader.Entry<ReadingRecord>> landed;
        long doneAt;
        long publishedAt;
        try (TopicReader<ReadingRecord> reader = new TopicReader<>(kafka.bootstrapServers(), Topics.READINGS)) {
            publishedAt = publishing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> distinctSeqs(reader.readToEnd()) == total);
            doneAt = System.nanoTime();
            landed = reader.readToEnd().stream().filter(e -> e.key().startsWith("restart/")).toList();
        } finally {
            second.close();
        }

        // then every seq is on loopflow.readings, duplicates come only from redelivery, and the broker dropped nothing
        Set<Long> seqs = landed.stream().map(e -> e.value().seq()).collect(Collectors.toSet());
        long duplicates = landed.size() - seqs.size();
        LOG.info("restart test: the first gateway wrote {} readings and was stopped after {} of {} were published; "
                        + "the second wrote {}; {} records, {} duplicates (redelivered); broker dropped {}",
                firstAccepted, publishedAtStop, total, second.accepted(), landed.size(), duplicates, mqtt.droppedMessages());
        LOG.info("throughput: plant published {} readings in {} ms ({}/s); all in Kafka after {} ms ({} readings/s end to end, "
                        + "restart included); the restarted gateway wrote {} readings in {} ms ({} readings/s, its start included)",
                total, ms(publishedAt - t0), perSecond(total, publishedAt - t0), ms(doneAt - t0), perSecond(total, doneAt - t0),
                second.accepted(), ms(doneAt - restartAt), perSecond(second.accepted(), doneAt - restartAt));
        assertThat(seqs).containsExactlyInAnyOrderElementsOf(LongStream.range(0, total).boxed().toList());
        assertThat(publishedAtStop).as("stopped mid-stream").isLessThan(total);
        assertThat(firstAccepted).as("the first gateway wrote readings before its stop").isPositive();
        assertThat(second.accepted()).as("the restarted gateway took over the session").isPositive();
        assertThat(firstAccepted + second.accepted()).as("every record on Kafka was counted by one of the two").isEqualTo(landed.size());
        assertThat(duplicates).as("duplicates only from redelivery of what was unacknowledged at the stop")
                .isLessThanOrEqualTo(config.receiveMaximum());
        assertThat(landed).allSatisfy(e -> assertThat(e.value().value()).isEqualTo((double) e.value().seq()));
        assertThat(mqtt.droppedMessages()).isZero();
    }

    @Test
    void shouldNeverAckAMessageWhoseKafkaWriteFailedAndWriteItAgainWhenTheBrokerRedeliversIt() throws MqttException {
        // given a gateway whose Kafka writes of site "redeliver" the test completes by hand
        String site = "redeliver";
        GatewayConfig config = config("gw-redeliver", "g-redeliver");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HeldProducer producer = new HeldProducer(r -> r.key() != null && r.key().startsWith(site + "/"));
        Instant ts = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

        try (Gateway gateway = new Gateway(config, registry, p -> producer);
             TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-redeliver")) {
            gateway.start();
            for (int seq = 1; seq <= 3; seq++) {
                plant.publish(InboundTopic.reading(site, "m1"), reading(ts.plusSeconds(seq), seq, seq));
            }
            plant.awaitAcknowledged();
            await().atMost(WAIT).until(() -> !producer.held().isEmpty());

            // when the first write fails (HiveMQ sends the rest of a session's queue only once all it sent is acknowledged)
            producer.held().get(0).fail(new TimeoutException("injected: Kafka did not answer"));

            // then it is not acknowledged: the gateway reconnects, the broker redelivers it, and it is written again
            await().atMost(WAIT).until(() -> {
                producer.succeedAll();
                return gateway.accepted() >= 3 && producer.held().stream().filter(h -> seqOf(h.record()) == 1).count() == 2;
            });
            producer.succeedAll();
            assertThat(producer.held()).extracting(h -> seqOf(h.record())).startsWith(1L).contains(2L, 3L)
                    .filteredOn(seq -> seq == 1L).hasSize(2);
            assertThat(registry.get("loopflow.gateway.kafka.failures").counter().count()).isEqualTo(1);
            assertThat(registry.get("loopflow.gateway.reconnects").counter().count()).isEqualTo(1);
            await().atMost(WAIT).until(() -> registry.get("loopflow.gateway.acks.pending").gauge().value() == 0);
        }

        // and once written they were acknowledged: a gateway on the same session gets only what is published next
        HeldProducer next = new HeldProducer(r -> r.key() != null && r.key().startsWith(site + "/"));
        try (Gateway gateway = new Gateway(config, new SimpleMeterRegistry(), p -> next);
             TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-redeliver")) {
            gateway.start();
            plant.publish(InboundTopic.reading(site, "m1"), reading(ts.plusSeconds(4), 4, 4));
            await().atMost(WAIT).until(() -> !next.held().isEmpty());
            next.succeedAll();
            assertThat(next.held()).extracting(h -> seqOf(h.record())).containsExactly(4L);
        }
    }

    @Test
    void shouldRejectAReadingThatKafkaRefusesAsTooLargeInsteadOfStallingOnIt() throws MqttException {
        // given a gateway whose Kafka refuses the reading of site "refused" as too large
        String site = "refused";
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HeldProducer producer = new HeldProducer(r -> r.key() != null && r.key().startsWith(site + "/"));
        Instant ts = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

        try (Gateway gateway = new Gateway(config("gw-refused", "g-refused"), registry, p -> producer);
             TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-refused")) {
            gateway.start();
            plant.publish(InboundTopic.reading(site, "m1"), reading(ts, 1, 1));
            await().atMost(WAIT).until(() -> producer.held().size() == 1);

            // when
            producer.held().get(0).fail(new RecordTooLargeException("injected: too large"));

            // then a malformed rejection, keyed by the MQTT topic, takes its place and the message is acknowledged
            await().atMost(WAIT).until(() -> registry.get("loopflow.gateway.readings.rejected").tag("reason", "malformed")
                    .counter().count() == 1);
            assertThat(producer.history()).filteredOn(r -> r.topic().equals(Topics.REJECTED.name()))
                    .filteredOn(r -> r.key().equals(InboundTopic.reading(site, "m1")))
                    .singleElement().satisfies(r -> {
                        Rejection rejection = Topics.REJECTED.valueSerde().deserializer().deserialize(r.topic(), r.value());
                        assertThat(rejection.reason()).isEqualTo(RejectReason.MALFORMED);
                        assertThat(rejection.detail()).startsWith("Kafka refused the record for loopflow.readings: injected: too large");
                        assertThat(rejection.payload()).isEqualTo(reading(ts, 1, 1));
                    });
            assertThat(registry.get("loopflow.gateway.readings.rejected").tag("reason", "malformed").counter().count()).isEqualTo(1);
            assertThat(registry.get("loopflow.gateway.reconnects").counter().count()).isZero();
            await().atMost(WAIT).until(() -> registry.get("loopflow.gateway.acks.pending").gauge().value() == 0);
        }
    }

    @Test
    void shouldRejectMisspeltTopicsAndUnsetClocksAsInvalidFieldAndLeaveAlertsAlone() throws MqttException {
        // given a gateway, and topics that are none of the contract's: before, the broker acknowledged them to no one
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Instant ts = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        List<String> misspelt = List.of("loopflow/v1/typo/meters/m1/readings", "loopflow/v1/typo/meter/m1/reading",
                "loopflow/v1/typo/readings", "loopflow/v1/typo/meters/m1");
        String topic = InboundTopic.reading("typo", "m1");
        String epoch = "{\"ts\":0,\"value\":5000,\"seq\":1}";
        String yearZero = "{\"ts\":\"0000-01-01T00:00:00Z\",\"value\":5000,\"seq\":2}";
        String year1970 = "{\"ts\":\"1970-01-01T00:00:00Z\",\"value\":5000,\"seq\":3}";

        try (Gateway gateway = startGateway(config("gw-typo", "g-typo"), registry);
             TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-typo")) {
            // when
            for (String t : misspelt) {
                assertThat(plant.publishAndAwait(t, reading(ts, 1, 1), false)).as("PUBACK on " + t).containsOnly(0);
            }
            assertThat(plant.publishAndAwait(InboundTopic.alerts("typo"), "{\"id\":\"x\"}", false)).containsOnly(0);
            plant.publish(topic, epoch);
            plant.publish(topic, yearZero);
            plant.publish(topic, year1970);
            plant.publish(topic, reading(ts, 4, 4));
            plant.awaitAcknowledged();

            // then the alert is acknowledged and ignored, everything else is rejected or accepted
            await().atMost(WAIT).until(() -> gateway.accepted() == 1 && gateway.rejected() == misspelt.size() + 3);
            assertThat(registry.get("loopflow.gateway.messages.ignored").tag("route", "alert").counter().count()).isEqualTo(1);
        }
        List<Rejection> rejections;
        try (TopicReader<Rejection> j = new TopicReader<>(kafka.bootstrapServers(), Topics.REJECTED)) {
            rejections = j.readToEnd().stream().map(TopicReader.Entry::value).filter(r -> r.mqttTopic().startsWith("loopflow/v1/typo/")).toList();
        }
        assertThat(rejections).allSatisfy(r -> assertThat(r.reason()).isEqualTo(RejectReason.INVALID_FIELD));
        assertThat(rejections).filteredOn(r -> misspelt.contains(r.mqttTopic()))
                .extracting(r -> r.key() + " | " + r.detail().substring(0, r.detail().indexOf(" (expected")))
                .containsExactlyInAnyOrderElementsOf(misspelt.stream().map(t -> t + " | not a LoopFlow v1 inbound topic: " + t).toList());
        assertThat(rejections).filteredOn(r -> r.mqttTopic().equals(topic)).extracting(Rejection::detail).containsExactlyInAnyOrder(
                "ts 1970-01-01T00:00:00Z is before ingest.min-ts 2000-01-01T00:00:00Z: is the device's clock set?",
                "ts 0000-01-01T00:00:00Z is before ingest.min-ts 2000-01-01T00:00:00Z: is the device's clock set?",
                "ts 1970-01-01T00:00:00Z is before ingest.min-ts 2000-01-01T00:00:00Z: is the device's clock set?");
        assertThat(rejections).noneMatch(r -> r.mqttTopic().endsWith("/alerts"));
    }

    @Test
    void shouldSeeAMisspeltTopicOncePerShareGroupAndADescriptorOncePerGateway() throws MqttException {
        // given two gateways of one share group: misspelt topics come through the shared subscription, descriptors
        // through each gateway's ordinary one, and the shared subscription delivers a copy of each descriptor too
        int topics = 40;
        SimpleMeterRegistry ra = new SimpleMeterRegistry();
        SimpleMeterRegistry rb = new SimpleMeterRegistry();
        Instant ts = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        try (Gateway a = startGateway(config("gw-once-a", "g-once"), ra);
             Gateway b = startGateway(config("gw-once-b", "g-once"), rb);
             TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-once")) {
            // when
            for (int i = 0; i < topics; i++) {
                plant.publish("loopflow/v1/once/meters/m" + i + "/readings", reading(ts, i, i));
            }
            plant.publish(InboundTopic.siteMeta("once"), "{\"name\":\"Once\",\"region\":\"r\"}");
            plant.awaitAcknowledged();

            // then each misspelt topic is rejected by one gateway, and the descriptor written by each
            await().atMost(WAIT).until(() -> a.rejected() + b.rejected() >= topics && descriptors(ra) + descriptors(rb) >= 2);
            double copies = ra.get("loopflow.gateway.messages.ignored").tag("route", "other_copy").counter().count()
                    + rb.get("loopflow.gateway.messages.ignored").tag("route", "other_copy").counter().count();
            await().atMost(WAIT).until(() -> ra.get("loopflow.gateway.messages.ignored").tag("route", "other_copy").counter().count()
                    + rb.get("loopflow.gateway.messages.ignored").tag("route", "other_copy").counter().count() >= 1);
            LOG.info("once per group: gateway a rejected {}, b {}; descriptor copies ignored so far {}", a.rejected(), b.rejected(), copies);
        }
        List<String> rejected;
        List<String> sites;
        try (TopicReader<Rejection> j = new TopicReader<>(kafka.bootstrapServers(), Topics.REJECTED);
             TopicReader<SiteDescriptor> s = new TopicReader<>(kafka.bootstrapServers(), Topics.SITES)) {
            rejected = j.readToEnd().stream().map(TopicReader.Entry::key).filter(k -> k.startsWith("loopflow/v1/once/")).toList();
            sites = s.readToEnd().stream().map(TopicReader.Entry::key).filter("once"::equals).toList();
        }
        assertThat(rejected).hasSize(topics).doesNotHaveDuplicates();
        assertThat(sites).as("the site descriptor, written once by each gateway").hasSize(2);
    }

    @Test
    void shouldCountARetainedReadingOnceAcrossAReconnectARestartAndANewSession() throws MqttException {
        // given a lone gateway (ordinary subscriptions, as in local mode) whose Kafka writes of site "retain" the test completes
        String site = "retain";
        GatewayConfig config = config("gw-retain", GatewayConfig.NO_SHARE_GROUP);
        Instant ts = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        HeldProducer first = new HeldProducer(r -> r.key() != null && r.key().startsWith(site + "/"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-retain")) {
            try (Gateway gateway = new Gateway(config, registry, p -> first)) {
                gateway.start();
                // when a plant publishes a reading with the retain flag
                plant.publishAndAwait(InboundTopic.reading(site, "m1"), reading(ts.plusSeconds(1), 1, 1), true);
                await().atMost(WAIT).until(() -> first.held().size() == 1);
                first.succeedAll();

                // and the next write fails, so that the gateway drops its connection, reconnects and subscribes again
                plant.publish(InboundTopic.reading(site, "m1"), reading(ts.plusSeconds(2), 2, 2));
                await().atMost(WAIT).until(() -> first.held().size() == 2);
                first.held().get(1).fail(new TimeoutException("injected: Kafka did not answer"));
                await().atMost(WAIT).until(() -> {
                    first.succeedAll();
                    return registry.get("loopflow.gateway.reconnects").counter().count() == 1 && gateway.accepted() == 2;
                });
            }
            // and the gateway restarts on its session, and another starts on a new session
            List<Long> afterRestart = seqsSeenBy(config, plant, site, 3);
            List<Long> newSession = seqsSeenBy(config.withClientId("gw-retain-new"), plant, site, 4);

            // then the retained reading was written once, and never replayed at a subscribe
            assertThat(first.held()).extracting(h -> seqOf(h.record())).containsExactly(1L, 2L, 2L);
            assertThat(afterRestart).containsExactly(3L);
            assertThat(newSession).containsExactly(4L);
        } finally {
            try (TestPublisher plant = new TestPublisher(mqtt.uri(), "plant-retain")) {
                plant.publish(InboundTopic.reading(site, "m1"), new byte[0], true);
            }
        }
    }

    @Test
    void shouldReadOverTlsTrustingTheGivenCaAndBeRefusedByABrokerWhoseCertificateItDoesNotTrust() throws Exception {
        // given a broker whose TLS certificate was signed by the class's CA
        String site = "tls";
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GatewayConfig tls = config("gw-tls", "g-tls").withMqttUri(mqtt.tlsUri()).withTls(new MqttTls(certs.caPem(), ""));
        Instant ts = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

        // when a gateway that trusts the CA reads a reading that a plant published over TLS
        try (Gateway gateway = startGateway(tls, registry);
             TestPublisher plant = new TestPublisher(mqtt.tlsUri(), "plant-tls", new MqttTls(certs.caTrustStore(), certs.password()))) {
            plant.publish(InboundTopic.reading(site, "m1"), reading(ts, 7, 1));
            plant.awaitAcknowledged();
            await().atMost(WAIT).until(() -> gateway.accepted() == 1);
        }
        // then it is in Kafka
        try (TopicReader<ReadingRecord> r = new TopicReader<>(kafka.bootstrapServers(), Topics.READINGS)) {
            assertThat(r.readToEnd()).filteredOn(e -> e.key().equals("tls/m1")).extracting(e -> e.value().value()).containsExactly(7.0);
        }
        // and the TLS socket has TCP_NODELAY, like the plain one
        try (SSLSocket socket = (SSLSocket) tls.tls().socketFactory(mqtt.tlsUri(), "gateway").createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", URI.create(mqtt.tlsUri()).getPort()), 10_000);
            socket.startHandshake();
            assertThat(socket.getTcpNoDelay()).isTrue();
        }

        // and gateways that trust another CA, or only the JVM's CAs, are refused at the handshake
        for (MqttTls untrusting : List.of(new MqttTls(certs.otherCaPem(), ""), MqttTls.JVM_TRUST)) {
            Gateway refused = new Gateway(tls.withClientId("gw-tls-untrusting").withTls(untrusting), new SimpleMeterRegistry());
            assertThatThrownBy(refused::start).as(untrusting.toString()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("could not connect").hasRootCauseInstanceOf(CertPathBuilderException.class);
        }
    }

    /** Starts a gateway of {@code config}, publishes reading {@code seq} and returns the seqs of {@code site} it wrote. */
    private static List<Long> seqsSeenBy(GatewayConfig config, TestPublisher plant, String site, long seq) throws MqttException {
        HeldProducer producer = new HeldProducer(r -> r.key() != null && r.key().startsWith(site + "/"));
        try (Gateway gateway = new Gateway(config, new SimpleMeterRegistry(), p -> producer)) {
            gateway.start();
            plant.publish(InboundTopic.reading(site, "m1"), reading(Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS), seq, seq));
            // A retained message would be sent at the subscribe, so before this reading, published once subscribed.
            await().atMost(WAIT).until(() -> {
                producer.succeedAll();
                return producer.held().stream().anyMatch(h -> seqOf(h.record()) == seq);
            });
            producer.succeedAll();
            return producer.held().stream().map(h -> seqOf(h.record())).toList();
        }
    }

    private static long seqOf(ProducerRecord<String, byte[]> r) {
        return Topics.READINGS.valueSerde().deserializer().deserialize(r.topic(), r.value()).seq();
    }

    private static long distinctSeqs(List<TopicReader.Entry<ReadingRecord>> entries) {
        return entries.stream().filter(e -> e.key().startsWith("restart/")).map(e -> e.value().seq()).distinct().count();
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static long perSecond(long n, long nanos) {
        return nanos == 0 ? 0 : n * 1_000_000_000L / nanos;
    }
}
