package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code mosquitto_pub} examples of README.md's "How a plant publishes", read from README.md and
 * published as they are (same topics, payloads, QoS and retained flags, in README order; only host and
 * port are those of this test's {@link LocalMode}), must give the figures they imply, worked out by hand:
 *
 * <pre>
 * asnaes (region kalundborg), meter gypsum-to-gyproc: gypsum (mass, t), out.reuse, counter, unit t, to gyproc
 *
 * readings         10:15:00Z  1041.5   first reading of the meter: credits 0
 *                  10:16:00Z  1041.9   1041.9 - 1041.5 = 0.4 t
 *   1795342620000 = 10:17:00Z 1042.3   1042.3 - 1041.9 = 0.4 t          (all on 2026-11-22)
 *
 * flow windows of 1 min (asnaes/gypsum/out.reuse), each closed once, final: true
 *   [10:15, 10:16)  0 t    1 reading
 *   [10:16, 10:17)  0.4 t  1 reading
 *   [10:17, 10:18)  0.4 t  1 reading
 *
 * key figures, 1 h window [10:00, 11:00), site asnaes and region kalundborg (the only site):
 *   out.reuse 0 + 0.4 + 0.4 = 0.8 t; the other six role sums 0
 *   R = out.reuse + out.recovery + out.disposal + out.storage = 0.8
 *   recyclingRate = 0.8 / 0.8 = 1;  landfillRate = 0 / 0.8 = 0 (a defined 0, not null)
 *   circularInputRate = 0 / (0 + 0): null (no input metered)
 * </pre>
 *
 * The demand (gyproc wants 40 t within 60 km) and its deletion feed no flow or key figure. Grace 0 and an
 * idle timeout of 5 s close the last windows a few seconds after the readings. The test waits until the
 * meter descriptor is on Kafka before publishing the readings: typed one after the other at a shell, the
 * commands are seconds apart; back to back, the reading could overtake its descriptor (descriptors and
 * readings travel on different subscriptions) and be rejected as {@code unknown_meter}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadmeExamplesIT {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern EXAMPLE = Pattern.compile("mosquitto_pub (.*?)-t '([^']+)'(?: -m '([^']*)')?");
    private static final Pattern QOS = Pattern.compile("-q (\\d)");
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String SITE = "asnaes";
    private static final String REGION = "kalundborg";
    private static final Instant HOUR = Instant.parse("2026-11-22T10:00:00Z");
    private static final Instant W1 = Instant.parse("2026-11-22T10:15:00Z");
    private static final Instant W2 = Instant.parse("2026-11-22T10:16:00Z");
    private static final Instant W3 = Instant.parse("2026-11-22T10:17:00Z");

    /** One {@code mosquitto_pub} line of the README. */
    record Example(String topic, int qos, boolean retained, String payload) {
        boolean isReading() {
            return topic.endsWith("/reading");
        }
    }

    /** What README.md says today, and what the arithmetic above is worked out from. */
    private static final List<Example> EXPECTED_EXAMPLES = List.of(
            new Example("loopflow/v1/asnaes/site", 1, true,
                    "{\"name\": \"Asnaes Power Station\", \"region\": \"kalundborg\", \"lat\": 55.66, \"lon\": 11.09}"),
            new Example("loopflow/v1/materials/gypsum", 1, true,
                    "{\"name\": \"FGD gypsum\", \"dimension\": \"mass\", \"ewc\": \"10 01 05\", \"surplusThreshold\": 50}"),
            new Example("loopflow/v1/asnaes/meters/gypsum-to-gyproc/meta", 1, true,
                    "{\"material\": \"gypsum\", \"role\": \"out.reuse\", \"kind\": \"counter\", \"unit\": \"t\", \"to\": \"gyproc\"}"),
            new Example("loopflow/v1/asnaes/meters/gypsum-to-gyproc/reading", 1, false,
                    "{\"ts\": \"2026-11-22T10:15:00Z\", \"value\": 1041.5, \"seq\": 1041}"),
            new Example("loopflow/v1/asnaes/meters/gypsum-to-gyproc/reading", 1, false,
                    "[{\"ts\": \"2026-11-22T10:16:00Z\", \"value\": 1041.9, \"seq\": 1042}, {\"ts\": 1795342620000, \"value\": 1042.3, \"seq\": 1043}]"),
            new Example("loopflow/v1/gyproc/demands/gypsum", 1, true, "{\"quantity\": 40, \"maxDistanceKm\": 60}"),
            new Example("loopflow/v1/gyproc/demands/gypsum", 1, true, ""));

    private LocalMode local;
    private List<Example> examples;
    private final List<FlowRecord> flows = new ArrayList<>();
    private final List<KpiRecord> kpis = new ArrayList<>();
    private final List<Rejection> rejected = new ArrayList<>();
    private long readingsOnKafka;

    @BeforeAll
    void publishTheReadmeExamples(@TempDir Path dataDir) throws Exception {
        // given the README's examples
        examples = readmeExamples();
        assertThat(examples)
                .as("README.md's examples changed: work the figures in this test's javadoc out again")
                .containsExactlyElementsOf(EXPECTED_EXAMPLES);

        // and loopflow local with 1-minute flow windows, a 1-hour key-figure window, grace 0 and an idle timeout of 5 s
        LocalConfig config = new LocalConfig(0, 0, 0, dataDir, Duration.ofMinutes(1), List.of(Duration.ofHours(1)),
                Duration.ZERO, Duration.ofSeconds(5), MqttPersistence.MEMORY, 1, Duration.ofSeconds(30), false, 1, Duration.ZERO);
        local = LocalMode.start(config);

        // when a plant publishes them in README order
        MqttClient plant = HandComputedScenario.connect(local.mqttUri(), "plant-readme");
        try {
            boolean metersAwaited = false;
            for (Example e : examples) {
                if (e.isReading() && !metersAwaited) {
                    awaitMeterOnKafka(SITE + "/gypsum-to-gyproc");
                    metersAwaited = true;
                }
                MqttMessage message = new MqttMessage(e.payload().getBytes(StandardCharsets.UTF_8));
                message.setQos(e.qos());
                message.setRetained(e.retained());
                plant.publish(e.topic(), message);
            }
        } finally {
            plant.disconnect();
            plant.close();
        }

        // then (collected here, checked per test) the final records arrive
        try (KafkaConsumer<String, Object> flowConsumer = consumer(Topics.FLOWS);
             KafkaConsumer<String, Object> kpiConsumer = consumer(Topics.KPIS);
             KafkaConsumer<String, Object> rejectedConsumer = consumer(Topics.REJECTED);
             KafkaConsumer<String, Object> readingConsumer = consumer(Topics.READINGS)) {
            Runnable poll = () -> {
                flowConsumer.poll(Duration.ofMillis(100)).forEach(r -> flows.add((FlowRecord) r.value()));
                kpiConsumer.poll(Duration.ofMillis(100)).forEach(r -> kpis.add((KpiRecord) r.value()));
                rejectedConsumer.poll(Duration.ofMillis(100)).forEach(r -> rejected.add((Rejection) r.value()));
                readingsOnKafka += readingConsumer.poll(Duration.ofMillis(100)).count();
            };
            await().atMost(WAIT).until(() -> {
                poll.run();
                return flows.stream().filter(FlowRecord::isFinal).count() >= 3
                        && kpis.stream().filter(KpiRecord::isFinal).count() >= 2;
            });
            // Keep reading for 3 more seconds: a second "final" record for a window, or a late rejection, would be a bug.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> {
                poll.run();
                return true;
            });
        }
    }

    @AfterAll
    void stop() {
        if (local != null) {
            local.close();
        }
    }

    @Test
    void everyFlowWindowOfTheExampleReadingsClosesOnceWithTheCounterDifference() {
        List<FlowRecord> finals = flows.stream().filter(FlowRecord::isFinal).toList();
        assertThat(finals).extracting(FlowRecord::key).containsExactlyInAnyOrder(
                "asnaes/gypsum/out.reuse/" + W1, "asnaes/gypsum/out.reuse/" + W2, "asnaes/gypsum/out.reuse/" + W3);
        assertFlow(finals, W1, 0, 1);
        assertFlow(finals, W2, 0.4, 1);
        assertFlow(finals, W3, 0.4, 1);
    }

    @Test
    void siteKeyFiguresOfTheHourAreAllReuse() {
        KpiRecord asnaes = onlyFinal(k -> KpiRecord.SITE.equals(k.scope()) && SITE.equals(k.site()));
        assertHourOfReuse(asnaes);
        assertThat(asnaes.region()).isEqualTo(REGION);
    }

    @Test
    void regionKeyFiguresAreThoseOfItsOnlySite() {
        KpiRecord kalundborg = onlyFinal(k -> KpiRecord.REGION.equals(k.scope()) && REGION.equals(k.region()));
        assertHourOfReuse(kalundborg);
        assertThat(kalundborg.site()).isNull();
    }

    @Test
    void noFinalKeyFigureBeyondTheSiteAndItsRegion() {
        assertThat(kpis.stream().filter(KpiRecord::isFinal).map(KpiRecord::key).toList())
                .containsExactlyInAnyOrder("site/asnaes/gypsum/PT1H/" + HOUR, "region/kalundborg/gypsum/PT1H/" + HOUR);
    }

    @Test
    void theExampleReadingsAreAllAcceptedAndNothingIsRejected() {
        assertThat(readingsOnKafka).as("the three readings of the two reading examples").isEqualTo(3);
        assertThat(rejected).as("rejections on loopflow.rejected").isEmpty();
        assertThat(local.gateway().rejected()).isZero();
    }

    private static void assertFlow(List<FlowRecord> finals, Instant windowStart, double quantity, long readings) {
        assertThat(finals).filteredOn(f -> f.windowStart().equals(windowStart)).singleElement().satisfies(f -> {
            assertThat(f.site()).isEqualTo(SITE);
            assertThat(f.material()).isEqualTo("gypsum");
            assertThat(f.role()).isEqualTo(Role.OUT_REUSE);
            assertThat(f.windowEnd()).isEqualTo(windowStart.plus(Duration.ofMinutes(1)));
            assertThat(f.quantity()).as("quantity of " + windowStart).isCloseTo(quantity, within(1e-9));
            assertThat(f.readings()).as("readings of " + windowStart).isEqualTo(readings);
            assertThat(f.unit()).isEqualTo("t");
        });
    }

    private static void assertHourOfReuse(KpiRecord k) {
        assertThat(k.material()).isEqualTo("gypsum");
        assertThat(k.window()).isEqualTo(Duration.ofHours(1).toString());
        assertThat(k.windowStart()).isEqualTo(HOUR);
        assertThat(k.windowEnd()).isEqualTo(HOUR.plus(Duration.ofHours(1)));
        assertThat(k.unit()).isEqualTo("t");
        assertThat(k.sums().outReuse()).isCloseTo(0.8, within(1e-9));
        assertThat(List.of(k.sums().inVirgin(), k.sums().inSecondary(), k.sums().outProduct(), k.sums().outRecovery(),
                k.sums().outDisposal(), k.sums().outStorage())).containsOnly(0.0);
        assertThat(k.recyclingRate()).isCloseTo(1.0, within(1e-9));
        assertThat(k.landfillRate()).isEqualTo(0.0);
        assertThat(k.circularInputRate()).isNull();
    }

    private KpiRecord onlyFinal(Predicate<KpiRecord> which) {
        List<KpiRecord> finals = kpis.stream().filter(KpiRecord::isFinal).filter(which).toList();
        assertThat(finals).hasSize(1);
        return finals.get(0);
    }

    /** The mosquitto_pub lines of README.md's "How a plant publishes", in order, the delete example included. */
    private static List<Example> readmeExamples() throws IOException {
        assertThat(README).as("README.md at the repository root").isRegularFile();
        List<Example> out = new ArrayList<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(README, StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                inSection = line.equals("## How a plant publishes");
                continue;
            }
            Matcher m = EXAMPLE.matcher(line);
            if (inSection && m.find()) {
                String flags = " " + m.group(1);
                Matcher qos = QOS.matcher(flags);
                assertThat(qos.find()).as("QoS given in " + line).isTrue();
                boolean empty = flags.contains(" -n ");
                assertThat(empty || m.group(3) != null).as("a payload in " + line).isTrue();
                out.add(new Example(m.group(2), Integer.parseInt(qos.group(1)), flags.contains(" -r "), empty ? "" : m.group(3)));
            }
        }
        return out;
    }

    private void awaitMeterOnKafka(String key) {
        try (KafkaConsumer<String, Object> meters = consumer(Topics.METERS)) {
            List<String> seen = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                meters.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.key()));
                return seen.contains(key);
            });
        }
    }

    @SuppressWarnings("unchecked")
    private KafkaConsumer<String, Object> consumer(Topic<String, ?> topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, local.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "readme-" + topic.name(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // Streams writes with exactly-once: read only committed records, as a real consumer would.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(config, topic.keySerde().deserializer(),
                (Deserializer<Object>) topic.valueSerde().deserializer());
        consumer.subscribe(List.of(topic.name()));
        return consumer;
    }
}
