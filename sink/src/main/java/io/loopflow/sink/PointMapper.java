package io.loopflow.sink;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.DataQualityRecord;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.core.model.SurplusRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Maps LoopFlow records to InfluxDB points, following docs/influxdb-schema.md: one measurement per
 * record kind, ids as tags (bounded: sites x materials x roles), quantities as float fields in the
 * canonical unit named by the {@code unit} tag, millisecond timestamps taken from the record (window
 * start, or the event time), never from the wall clock, so a replay writes the same series at the same
 * timestamp and overwrites instead of adding a point.
 *
 * <p>Pure apart from {@code onOmittedField}: a null rate is an omitted field; a non-finite number, which
 * the InfluxDB client would silently drop from the line, is omitted too and reported to the callback.
 */
public final class PointMapper {
    public static final String FLOW = "loopflow_flow";
    public static final String KPI = "loopflow_kpi";
    public static final String SURPLUS = "loopflow_surplus";
    public static final String ALERT = "loopflow_alert";
    public static final String EXCHANGE = "loopflow_exchange";
    public static final String INGEST = "loopflow_ingest";
    public static final String CONSUMER_LAG = "loopflow_consumer_lag";
    public static final String DATA_QUALITY = "loopflow_dataquality";

    private static final WritePrecision PRECISION = WritePrecision.MS;

    private final Runnable onOmittedField;

    /** @param onOmittedField called once for every non-finite number left out of a point */
    public PointMapper(Runnable onOmittedField) {
        this.onOmittedField = onOmittedField;
    }

    /** A flow window: {@code loopflow_flow}, timestamp = window start. {@code region} may be null (site not described yet). */
    public Point flow(FlowRecord r, String region) {
        Point p = Point.measurement(FLOW)
                .addTag("site", r.site())
                .addTag("material", r.material())
                .addTag("role", r.role().wire())
                .addTag("unit", r.unit())
                .addTag("window", windowTag(Duration.between(r.windowStart(), r.windowEnd())));
        tag(p, "region", region);
        number(p, "quantity", r.quantity());
        p.addField("readings", r.readings());
        p.addField("final", r.isFinal());
        // A restated window (late data) is written again at the same time and tags: the point of its window is overwritten.
        p.addField("revision", r.revision());
        return p.time(r.windowStart(), PRECISION);
    }

    /**
     * The exchange between two sites carried by an {@code out.reuse} flow: {@code loopflow_exchange}, tags
     * {@code site} (sender) and {@code receiver}, timestamp = window start. Null for any other role.
     */
    public Point exchange(FlowRecord r, String region, String receiver) {
        if (r.role() != Role.OUT_REUSE || receiver == null) {
            return null;
        }
        Point p = Point.measurement(EXCHANGE)
                .addTag("site", r.site())
                .addTag("receiver", receiver)
                .addTag("material", r.material())
                .addTag("unit", r.unit());
        tag(p, "region", region);
        number(p, "quantity", r.quantity());
        p.addField("final", r.isFinal());
        p.addField("revision", r.revision());
        return p.time(r.windowStart(), PRECISION);
    }

    /**
     * Key figures: {@code loopflow_kpi}, tags scope, region, site (site scope only), material, window
     * ({@code PT1H}, {@code P1D}, {@code P1M}), unit; the seven sums, the three rates (omitted when null), {@code final}
     * and {@code revision}. A restated window overwrites the point of its window (same tags and time).
     */
    public Point kpi(KpiRecord r) {
        Point p = Point.measurement(KPI)
                .addTag("scope", r.scope())
                .addTag("material", r.material())
                .addTag("window", r.window())
                .addTag("unit", r.unit());
        tag(p, "region", r.region());
        if (KpiRecord.SITE.equals(r.scope())) {
            tag(p, "site", r.site());
        }
        RoleSums s = r.sums();
        for (Role role : Role.values()) {
            if (role.isFlow()) {
                number(p, fieldName(role), s.get(role));
            }
        }
        number(p, "recycling_rate", r.recyclingRate());
        number(p, "landfill_rate", r.landfillRate());
        number(p, "circular_input_rate", r.circularInputRate());
        p.addField("final", r.isFinal());
        p.addField("revision", r.revision());
        return p.time(r.windowStart(), PRECISION);
    }

    /** Surplus: {@code loopflow_surplus}, tags site, material, region, unit; timestamp = the record's {@code ts}. */
    public Point surplus(SurplusRecord r, String region) {
        Point p = Point.measurement(SURPLUS)
                .addTag("site", r.site())
                .addTag("material", r.material())
                .addTag("unit", r.unit());
        tag(p, "region", region);
        number(p, "available", r.available());
        number(p, "rate", r.rate());
        if (r.source() != null) {
            p.addField("source", r.source().wire());
        }
        return p.time(r.ts(), PRECISION);
    }

    /**
     * An alert: {@code loopflow_alert}, tags kind ({@code surplus} or {@code match}), site, material,
     * counterpart (matches), region; fields type, open (1 raised, 0 cleared/closed), id, message and the
     * numbers present; timestamp = the alert's {@code ts}.
     */
    public Point alert(AlertRecord r, String region) {
        boolean match = r.type() == AlertRecord.Type.MATCH || r.type() == AlertRecord.Type.MATCH_CLOSED;
        boolean open = r.type() == AlertRecord.Type.MATCH || r.type() == AlertRecord.Type.SURPLUS_AVAILABLE;
        Point p = Point.measurement(ALERT)
                .addTag("kind", match ? "match" : "surplus")
                .addTag("site", r.site())
                .addTag("material", r.material());
        tag(p, "counterpart", r.counterpart());
        tag(p, "region", region);
        p.addField("type", r.type().wire());
        p.addField("open", open ? 1L : 0L);
        p.addField("id", r.id());
        if (r.message() != null) {
            p.addField("message", r.message());
        }
        number(p, "available", r.available());
        number(p, "threshold", r.threshold());
        number(p, "distance_km", r.distanceKm());
        return p.time(r.ts(), PRECISION);
    }

    /**
     * A data-quality finding: {@code loopflow_dataquality}, tags site, material, issue; fields {@code open}
     * (1 while the problem stands, 0 once resolved) and detail; timestamp = the finding's {@code ts}.
     */
    public Point dataQuality(DataQualityRecord r) {
        Point p = Point.measurement(DATA_QUALITY)
                .addTag("site", r.site())
                .addTag("issue", r.issue());
        tag(p, "material", r.material());
        p.addField("open", r.resolved() ? 0L : 1L);
        if (r.detail() != null) {
            p.addField("detail", r.detail());
        }
        return p.time(r.ts(), PRECISION);
    }

    /**
     * Readings seen by the pipeline in one bucket of one partition: {@code loopflow_ingest}, tags outcome
     * ({@code accepted} or {@code rejected}), reason (rejected only), partition; field {@code readings}.
     */
    public Point ingest(String outcome, String reason, int partition, Instant bucketStart, long readings) {
        Point p = Point.measurement(INGEST)
                .addTag("outcome", outcome)
                .addTag("partition", Integer.toString(partition));
        tag(p, "reason", reason);
        p.addField("readings", readings);
        return p.time(bucketStart, PRECISION);
    }

    /**
     * The lag of consumer group {@code group} on one partition (end offset minus committed offset, in offsets), a
     * gauge sampled at {@code at}: {@code loopflow_consumer_lag}, tags group, topic, partition; field {@code lag}.
     */
    public Point lag(String group, String topic, int partition, long lag, Instant at) {
        return Point.measurement(CONSUMER_LAG)
                .addTag("group", group)
                .addTag("topic", topic)
                .addTag("partition", Integer.toString(partition))
                .addField("lag", lag)
                .time(at, PRECISION);
    }

    /** A window length as a tag: whole days as {@code P1D}, else ISO-8601 as Java prints it ({@code PT1H}, {@code PT1M}). */
    public static String windowTag(Duration window) {
        long seconds = window.getSeconds();
        return seconds > 0 && seconds % 86_400 == 0 && window.getNano() == 0 ? "P" + seconds / 86_400 + "D" : window.toString();
    }

    /** The field name of a role's sum: {@code out.reuse} -> {@code out_reuse} (dots would need quoting in every query). */
    public static String fieldName(Role role) {
        return role.wire().replace('.', '_');
    }

    /** Every measurement with its tag keys, as documented; used by the tests and the dashboards. */
    public static Map<String, List<String>> tagKeys() {
        return Map.of(
                FLOW, List.of("site", "material", "role", "unit", "window", "region"),
                EXCHANGE, List.of("site", "receiver", "material", "unit", "region"),
                KPI, List.of("scope", "material", "window", "unit", "region", "site"),
                SURPLUS, List.of("site", "material", "unit", "region"),
                ALERT, List.of("kind", "site", "material", "counterpart", "region"),
                INGEST, List.of("outcome", "partition", "reason"),
                CONSUMER_LAG, List.of("group", "topic", "partition"),
                DATA_QUALITY, List.of("site", "material", "issue"));
    }

    private static void tag(Point p, String key, String value) {
        if (value != null && !value.isEmpty()) {
            p.addTag(key, value);
        }
    }

    private void number(Point p, String field, Double value) {
        if (value == null) {
            return;
        }
        if (!Double.isFinite(value)) {
            onOmittedField.run();
            return;
        }
        p.addField(field, value);
    }
}
