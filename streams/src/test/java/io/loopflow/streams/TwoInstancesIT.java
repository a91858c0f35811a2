package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.embedded.EmbeddedKafka;
import io.loopflow.embedded.TopicSetup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two stream processors with one application id share the work of a 2-partition Kafka (each computes the figures of
 * some sites only); each one's HTTP API still answers for every site, the other's included. Which instance computes
 * a site is found by behaviour, not by the topology's internals: a reading of an unknown meter of that site is
 * rejected, and counted, by the instance that holds the site.
 */
class TwoInstancesIT {
    private static final List<String> SITES = List.of("s1", "s2", "s3", "s4", "s5", "s6");
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void eachInstanceAnswersForTheSitesTheOtherComputes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            TopicSetup.ensureTopics(kafka.bootstrapServers(), 2);
            SimpleMeterRegistry registryA = new SimpleMeterRegistry();
            SimpleMeterRegistry registryB = new SimpleMeterRegistry();
            try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
                 StreamProcessor a = new StreamProcessor(config(kafka, "a"), registryA, "127.0.0.1");
                 StreamProcessor b = new StreamProcessor(config(kafka, "b"), registryB, "127.0.0.1")) {
                for (String site : SITES) {
                    send(producer, Topics.SITES, site, new SiteDescriptor("Site " + site, "r1", 55.6, 11.1));
                    send(producer, Topics.METERS, site + "/out", new MeterDescriptor("gypsum", Role.OUT_REUSE, MeterKind.QUANTITY, "t", null));
                }
                a.start();
                b.start();
                // Both instances hold tasks once the group has settled on two members.
                await().atMost(Duration.ofSeconds(90)).until(() -> a.state() == KafkaStreams.State.RUNNING
                        && b.state() == KafkaStreams.State.RUNNING && a.activeTasks() > 0 && b.activeTasks() > 0);

                for (String site : SITES) {
                    send(producer, Topics.READINGS, site + "/out", new ReadingRecord(site, "out", T0, 2, null, null, Instant.now()));
                }
                // Which instance holds which site: the one that rejects a reading of the site's unknown meter.
                Set<String> ofA = new HashSet<>();
                Set<String> ofB = new HashSet<>();
                for (String site : SITES) {
                    double beforeA = rejectedUnknown(registryA);
                    double beforeB = rejectedUnknown(registryB);
                    send(producer, Topics.READINGS, site + "/ghost", new ReadingRecord(site, "ghost", T0, 1, null, null, Instant.now()));
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> rejectedUnknown(registryA) > beforeA || rejectedUnknown(registryB) > beforeB);
                    (rejectedUnknown(registryA) > beforeA ? ofA : ofB).add(site);
                }
                assertThat(ofA).as("sites computed by instance a").isNotEmpty();
                assertThat(ofB).as("sites computed by instance b").isNotEmpty();

                // Each instance answers for every site, those of the other instance included.
                for (StreamProcessor instance : List.of(a, b)) {
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        JsonNode kpis = get(instance, "/api/kpis?scope=site&window=PT1H");
                        assertThat(kpis.findValuesAsText("site")).containsAll(SITES);
                        JsonNode flows = get(instance, "/api/flows?from=" + T0 + "&to=" + T0.plus(Duration.ofHours(1)));
                        assertThat(flows.path("diagrams").get(0).path("nodes").findValuesAsText("id"))
                                .containsAll(SITES.stream().map(s -> "site:" + s).toList());
                    });
                }
                JsonNode fromA = get(a, "/api/kpis?scope=site&window=PT1H&site=" + ofB.iterator().next());
                JsonNode fromB = get(b, "/api/kpis?scope=site&window=PT1H&site=" + ofB.iterator().next());
                assertThat(fromA).isEqualTo(fromB);
            }
        }
    }

    private static double rejectedUnknown(SimpleMeterRegistry registry) {
        Counter c = registry.find("loopflow.streams.rejected").tag("reason", "unknown_meter").counter();
        return c == null ? 0 : c.count();
    }

    private ProcessorConfig config(EmbeddedKafka kafka, String instance) {
        return ProcessorConfig.defaults(kafka.bootstrapServers(), dir.resolve("streams-" + instance))
                .withKpiWindowLengths(List.of(Duration.ofHours(1)))
                .withCommitInterval(Duration.ofMillis(500))
                .withHttpPort(0);
    }

    private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static <V> void send(KafkaProducer<byte[], byte[]> producer, Topic<String, V> topic, String key, V value) throws Exception {
        producer.send(new ProducerRecord<>(topic.name(), key.getBytes(StandardCharsets.UTF_8),
                topic.valueSerde().serializer().serialize(topic.name(), value))).get();
    }

    private JsonNode get(StreamProcessor p, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(p.httpUrl() + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s: %s", p.httpUrl(), path, r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }
}
