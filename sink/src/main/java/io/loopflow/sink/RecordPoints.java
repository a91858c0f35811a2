package io.loopflow.sink;

import com.influxdb.client.write.Point;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.DataQualityRecord;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.model.SurplusRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the sink's Kafka records into the points of docs/influxdb-schema.md: a flow (and its exchange, when the
 * meter names a receiver), key figure, surplus, alert or data-quality record gives its points at once, with the region
 * and receiver from the descriptor topics ({@code loopflow.sites}, {@code loopflow.meters}); {@code loopflow.readings}
 * and {@code loopflow.rejected} are counted per partition in {@link IngestBuckets}, whose points are
 * {@linkplain #drainIngest drained} at each flush and whose state travels in the committed offsets' metadata.
 *
 * <p>A record that does not decode is skipped, counted in {@code loopflow.sink.records.undecodable} and logged; one
 * that gives a point without fields is counted in {@code loopflow.sink.points.rejected} and logged. Used by the
 * sink's thread only.
 */
final class RecordPoints {
    private static final Logger LOG = LoggerFactory.getLogger(RecordPoints.class);

    private final PointMapper mapper;
    private final Descriptors descriptors = new Descriptors();
    private final Map<TopicPartition, IngestBuckets> ingest = new HashMap<>();
    private final Counter pointsRejected;
    private final Counter recordsUndecodable;

    RecordPoints(MeterRegistry registry) {
        Counter fieldsOmitted = Counter.builder("loopflow.sink.fields.omitted")
                .description("non-finite numbers left out of a point").register(registry);
        this.mapper = new PointMapper(fieldsOmitted::increment);
        this.pointsRejected = RetryingWriter.rejectedCounter(registry);
        this.recordsUndecodable = Counter.builder("loopflow.sink.records.undecodable")
                .description("Kafka records that are not valid JSON records (logged)").register(registry);
    }

    PointMapper mapper() {
        return mapper;
    }

    /** Hands the points of {@code r} to {@code out}, or counts it in its partition's ingest buckets. */
    void handle(ConsumerRecord<String, byte[]> r, Consumer<Point> out) {
        String topic = r.topic();
        if (topic.equals(Topics.READINGS.name())) {
            ingest(r).add(r.timestamp(), IngestBuckets.ACCEPTED);
            return;
        }
        if (topic.equals(Topics.REJECTED.name())) {
            Rejection rejection = decode(Topics.REJECTED, r);
            String reason = rejection == null || rejection.reason() == null ? "undecodable" : rejection.reason().wire();
            ingest(r).add(r.timestamp(), IngestBuckets.REJECTED + "/" + reason);
            return;
        }
        if (r.value() == null) {
            return; // a tombstone carries no figure
        }
        List<Point> points = new ArrayList<>(2);
        if (topic.equals(Topics.FLOWS.name())) {
            FlowRecord f = decode(Topics.FLOWS, r);
            if (f != null) {
                String region = descriptors.region(f.site());
                points.add(mapper.flow(f, region));
                Point exchange = mapper.exchange(f, region, descriptors.receiver(f.site(), f.material()));
                if (exchange != null) {
                    points.add(exchange);
                }
            }
        } else if (topic.equals(Topics.KPIS.name())) {
            KpiRecord k = decode(Topics.KPIS, r);
            if (k != null) {
                points.add(mapper.kpi(k));
            }
        } else if (topic.equals(Topics.SURPLUS.name())) {
            SurplusRecord s = decode(Topics.SURPLUS, r);
            if (s != null) {
                points.add(mapper.surplus(s, descriptors.region(s.site())));
            }
        } else if (topic.equals(Topics.DATA_QUALITY.name())) {
            DataQualityRecord q = decode(Topics.DATA_QUALITY, r);
            if (q != null) {
                points.add(mapper.dataQuality(q));
            }
        } else if (topic.equals(Topics.ALERTS.name())) {
            AlertRecord a = decode(Topics.ALERTS, r);
            if (a != null) {
                points.add(mapper.alert(a, descriptors.region(a.site())));
            }
        }
        for (Point point : points) {
            if (point.hasFields()) {
                out.accept(point);
            } else {
                // The client would skip a point without fields without a word.
                pointsRejected.increment();
                LOG.error("record {}-{}@{} gives a point without fields; not written", r.topic(), r.partition(), r.offset());
            }
        }
    }

    /** Applies a record of {@code loopflow.sites} or {@code loopflow.meters} (a tombstone deletes). */
    void descriptor(ConsumerRecord<String, byte[]> r) {
        if (r.topic().equals(Topics.SITES.name())) {
            SiteDescriptor site = r.value() == null ? null : decode(Topics.SITES, r);
            descriptors.site(r.key(), site);
        } else if (r.topic().equals(Topics.METERS.name())) {
            MeterDescriptor meter = r.value() == null ? null : decode(Topics.METERS, r);
            descriptors.meter(r.key(), meter);
        }
    }

    /** True for the partitions whose counts travel in the committed offset's metadata. */
    static boolean countsIngest(TopicPartition tp) {
        return tp.topic().equals(Topics.READINGS.name()) || tp.topic().equals(Topics.REJECTED.name());
    }

    /** {@code tp} was assigned with the committed offset's {@code metadata} (null: none committed). */
    void assigned(TopicPartition tp, String metadata) {
        if (countsIngest(tp)) {
            ingest.put(tp, IngestBuckets.restore(tp.partition(), metadata));
        }
    }

    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(ingest::remove);
    }

    /** The metadata to commit with the offset of {@code tp}: its ingest counts, or empty. */
    String metadata(TopicPartition tp) {
        IngestBuckets buckets = ingest.get(tp);
        return buckets == null ? "" : buckets.metadata();
    }

    /** The ingest points of every bucket changed since the last call. */
    List<Point> drainIngest() {
        List<Point> points = new ArrayList<>();
        for (IngestBuckets buckets : ingest.values()) {
            points.addAll(buckets.drainPoints(mapper));
        }
        return points;
    }

    /** A lag sample as points (at {@code at}). */
    List<Point> lag(List<ConsumerLagSampler.Lag> lags, Instant at) {
        List<Point> points = new ArrayList<>(lags.size());
        for (ConsumerLagSampler.Lag lag : lags) {
            points.add(mapper.lag(lag.group(), lag.topic(), lag.partition(), lag.lag(), at));
        }
        return points;
    }

    private IngestBuckets ingest(ConsumerRecord<String, byte[]> r) {
        return ingest.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new IngestBuckets(tp.partition()));
    }

    private <V> V decode(Topic<String, V> topic, ConsumerRecord<String, byte[]> r) {
        try {
            return topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            recordsUndecodable.increment();
            LOG.error("record {}-{}@{} (key {}) is not a valid record, skipped: {}", r.topic(), r.partition(), r.offset(), r.key(),
                    e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            return null;
        }
    }
}
