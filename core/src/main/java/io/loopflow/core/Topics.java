package io.loopflow.core;

import io.loopflow.core.json.JsonSerde;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.DataQualityRecord;
import io.loopflow.core.model.DemandDescriptor;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.ImportRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.model.SurplusRecord;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The Kafka topics of CONTRACT.md section 6, the one place their names are written. Keys are
 * strings ({@code site/meter}, the descriptor's id path, ...); values are JSON records.
 */
public final class Topics {
    private static final Serde<String> KEY = Serdes.String();

    /** Accepted readings, key {@code site/meter}. */
    public static final Topic<String, ReadingRecord> READINGS = new Topic<>("loopflow.readings", KEY, new JsonSerde<>(ReadingRecord.class));
    /** Rejected inputs, key {@code site/meter} or the MQTT topic. */
    public static final Topic<String, Rejection> REJECTED = new Topic<>("loopflow.rejected", KEY, new JsonSerde<>(Rejection.class));
    /** Site descriptors, compacted, key {@code site}. */
    public static final Topic<String, SiteDescriptor> SITES = new Topic<>("loopflow.sites", KEY, new JsonSerde<>(SiteDescriptor.class));
    /** Meter descriptors, compacted, key {@code site/meter}. */
    public static final Topic<String, MeterDescriptor> METERS = new Topic<>("loopflow.meters", KEY, new JsonSerde<>(MeterDescriptor.class));
    /** Material descriptors, compacted, key {@code material}. */
    public static final Topic<String, MaterialDescriptor> MATERIALS = new Topic<>("loopflow.materials", KEY, new JsonSerde<>(MaterialDescriptor.class));
    /** Demand descriptors, compacted, key {@code site/material}. */
    public static final Topic<String, DemandDescriptor> DEMANDS = new Topic<>("loopflow.demands", KEY, new JsonSerde<>(DemandDescriptor.class));
    /** Flow windows, key {@code site/material/role/windowStart}. */
    public static final Topic<String, FlowRecord> FLOWS = new Topic<>("loopflow.flows", KEY, new JsonSerde<>(FlowRecord.class));
    /** Key figures, key {@code scope/id/material/windowStart}. */
    public static final Topic<String, KpiRecord> KPIS = new Topic<>("loopflow.kpis", KEY, new JsonSerde<>(KpiRecord.class));

    /** Surplus per site and material, key {@code site/material}. */
    public static final Topic<String, SurplusRecord> SURPLUS = new Topic<>("loopflow.surplus", KEY, new JsonSerde<>(SurplusRecord.class));
    /** Alerts, key: the alert id. */
    public static final Topic<String, AlertRecord> ALERTS = new Topic<>("loopflow.alerts", KEY, new JsonSerde<>(AlertRecord.class));

    /**
     * Data-quality findings, key {@code site/material}: an addition to the contract's topics (see
     * docs/CONTRACT-NOTES.md), e.g. a site that cannot be matched because it has no coordinates.
     */
    public static final Topic<String, DataQualityRecord> DATA_QUALITY = new Topic<>("loopflow.dataquality", KEY, new JsonSerde<>(DataQualityRecord.class));

    /**
     * The history import ledger, compacted, key: the SHA-256 of a file's content; one partition is plenty.
     * Written only by {@code loopflow import} (CONTRACT.md section 8, docs/CONTRACT-NOTES.md), not part of
     * the contract's section 6, so not in {@link #ALL}.
     */
    public static final Topic<String, ImportRecord> IMPORTS = new Topic<>("loopflow.imports", KEY, new JsonSerde<>(ImportRecord.class));

    /**
     * The latest level of each stock meter, from the stream processor's flow application to its surplus application
     * (key {@code site/meter}): an internal topic, not part of the contract (docs/CONTRACT-NOTES.md), so not in
     * {@link #ALL}. It spares the surplus application reading every reading of {@code loopflow.readings} for the few
     * that are stock levels. Its value type belongs to the stream processor.
     */
    public static final String STOCK_LEVELS = "loopflow.internal.stock-levels";

    /** Descriptor topics: compacted, a null value deletes. */
    public static final List<Topic<String, ?>> COMPACTED = List.of(SITES, METERS, MATERIALS, DEMANDS);
    /** Every topic of the contract that LoopFlow writes, in the order of section 6. */
    public static final List<Topic<String, ?>> ALL = List.of(READINGS, REJECTED, SITES, METERS, MATERIALS, DEMANDS, FLOWS, KPIS, SURPLUS, ALERTS, DATA_QUALITY);

    private Topics() {
    }
}
