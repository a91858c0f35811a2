package io.loopflow.ingest.alerts;

import io.loopflow.core.Topics;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.ingest.MqttReasons;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends alerts back to the plants: reads {@code loopflow.alerts} (committed records only) and
 * publishes each alert's JSON with QoS 1 on {@code loopflow/v1/{site}/alerts} for every site it
 * concerns: the surplus site and, for matches, the demanding site (CONTRACT.md section 6).
 *
 * <p>At least once: the Kafka offsets of a batch are committed only after the broker acknowledged
 * (PUBACK) every publish of the batch. A failed batch is not committed: the consumer seeks back and
 * publishes it again after {@code alerts.retry-backoff}, so an alert may reach a plant twice, with the
 * same deterministic {@code id} to deduplicate on, but is never lost.
 */
public final class AlertPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertPublisher.class);

    private final AlertPublisherConfig config;
    private final Counter published;
    private final Counter retries;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running;
    private MqttAsyncClient mqtt;
    private KafkaConsumer<String, AlertRecord> consumer;
    private Thread worker;

    public AlertPublisher(AlertPublisherConfig config, MeterRegistry registry) {
        this.config = config;
        this.published = Counter.builder("loopflow.alerts.mqtt.published").description("alert messages acknowledged by the MQTT broker")
                .register(registry);
        this.retries = Counter.builder("loopflow.alerts.mqtt.retries").description("alert batches published again after a failure")
                .register(registry);
    }

    /** Connects to the broker and Kafka and starts publishing; throws when the broker cannot be reached. */
    public void start() throws MqttException {
        mqtt = new MqttAsyncClient(config.mqttUri(), config.clientId(), new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setAutomaticReconnect(true);
        options.setCleanStart(true);
        config.login().applyTo(options);
        config.tls().applyTo(options, config.mqttUri(), "alerts");
        mqtt.connect(options).waitForCompletion(config.publishTimeout().toMillis());

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), Topics.ALERTS.valueSerde().deserializer());
        consumer.subscribe(List.of(Topics.ALERTS.name()));
        running = true;
        worker = new Thread(this::run, "loopflow-alert-publisher");
        worker.start();
        LOG.info("Alert publisher started: {} -> {} loopflow/v1/{site}/alerts", Topics.ALERTS.name(), config.mqttUri());
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<String, AlertRecord> batch = consumer.poll(Duration.ofMillis(500));
                if (batch.isEmpty()) {
                    continue;
                }
                try {
                    publish(batch);
                    consumer.commitSync(nextOffsets(batch));
                } catch (MqttException | RuntimeException e) {
                    if (!running) {
                        break;
                    }
                    retries.increment();
                    LOG.warn("Publishing {} alert records over MQTT failed, will publish them again in {}: {}", batch.count(),
                            config.retryBackoff(), e.toString());
                    rewind(batch);
                    if (stopped.await(config.retryBackoff().toMillis(), TimeUnit.MILLISECONDS)) {
                        break;
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("Alert publisher woken up while running", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close();
        }
    }

    private void publish(ConsumerRecords<String, AlertRecord> batch) throws MqttException {
        Map<IMqttToken, String> tokens = new LinkedHashMap<>();
        for (ConsumerRecord<String, AlertRecord> record : batch) {
            AlertRecord alert = record.value();
            if (alert == null) {
                continue; // a tombstone on the alerts topic carries nothing to tell a plant
            }
            byte[] payload = Json.write(alert);
            for (String site : concerned(alert)) {
                MqttMessage message = new MqttMessage(payload);
                message.setQos(1);
                tokens.put(mqtt.publish(InboundTopic.alerts(site), message), InboundTopic.alerts(site));
            }
        }
        for (Map.Entry<IMqttToken, String> sent : tokens.entrySet()) {
            IMqttToken token = sent.getKey();
            token.waitForCompletion(config.publishTimeout().toMillis());
            if (token.getException() != null) {
                throw token.getException();
            }
            // A refused PUBLISH (e.g. an ACL that does not let this user write the site's alerts topic) completes
            // without an exception: fail the batch, so it is retried and never committed as delivered.
            Optional<String> refused = MqttReasons.refusal(token);
            if (refused.isPresent()) {
                throw new IllegalStateException("the broker refused the alert on " + sent.getValue()
                        + config.login().asUser() + ": " + refused.get());
            }
        }
        published.increment(tokens.size());
    }

    /** The sites an alert concerns: the surplus site, and the demanding site of a match. */
    static Set<String> concerned(AlertRecord alert) {
        Set<String> sites = new LinkedHashSet<>();
        sites.add(alert.site());
        if (alert.counterpart() != null) {
            sites.add(alert.counterpart());
        }
        return sites;
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, AlertRecord> batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : batch.partitions()) {
            List<ConsumerRecord<String, AlertRecord>> records = batch.records(tp);
            offsets.put(tp, new OffsetAndMetadata(records.get(records.size() - 1).offset() + 1));
        }
        return offsets;
    }

    private void rewind(ConsumerRecords<String, AlertRecord> batch) {
        for (TopicPartition tp : batch.partitions()) {
            consumer.seek(tp, batch.records(tp).get(0).offset());
        }
    }

    @Override
    public void close() {
        running = false;
        stopped.countDown();
        if (consumer != null) {
            consumer.wakeup();
        }
        if (worker != null) {
            try {
                worker.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (mqtt != null) {
            try {
                if (mqtt.isConnected()) {
                    mqtt.disconnect().waitForCompletion(5_000);
                }
                mqtt.close();
            } catch (MqttException e) {
                LOG.warn("Closing the alert publisher's MQTT client failed: {}", e.toString());
            }
        }
    }
}
