package io.loopflow.streams.surplus;

import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.json.JsonSerde;
import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.DataQualityRecord;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SurplusRecord;
import io.loopflow.streams.site.StockLevel;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The surplus and matching application (CONTRACT.md sections 5 and 6), run as its own Kafka Streams
 * application next to the flow topology so that it can read that topology's output.
 *
 * <p>Reads {@code loopflow.flows} ({@code out.storage} windows), {@code loopflow.internal.stock-levels}
 * (each stock meter's latest level in canonical units, written by the flow application),
 * {@code loopflow.demands}, and {@code loopflow.sites} / {@code loopflow.materials} as global tables.
 * Writes {@code loopflow.surplus} (key {@code site/material}), {@code loopflow.alerts} (key: alert id)
 * and {@code loopflow.dataquality}. Surplus state is keyed {@code site/material}
 * ({@link SurplusProcessor}), matching is keyed {@code material} ({@link MatchProcessor}); every
 * decision (raised flags, open matches, episode counters) lives in changelogged stores, so with
 * {@code exactly_once_v2} a restart never repeats or loses an alert. Queryable stores for the HTTP API:
 * {@link #SURPLUS_VIEW} (latest surplus per {@code site/material}) and {@link #ALERT_LOG} (every
 * alert by id). Readings are checked, counted and rejected by the flow topology only.
 */
public final class SurplusTopology {
    public static final String STATE_STORE = "loopflow-surplus-state";
    public static final String MATCHBOOK_STORE = "loopflow-surplus-matchbook";
    public static final String SITES_STORE = "loopflow-surplus-sites";
    public static final String MATERIALS_STORE = "loopflow-surplus-materials";
    public static final String SURPLUS_VIEW = "loopflow-surplus-latest";
    public static final String ALERT_LOG = "loopflow-surplus-alert-log";
    public static final String BY_SITE_MATERIAL = "loopflow-surplus-by-site-material";
    public static final String BY_MATERIAL = "loopflow-surplus-by-material";

    private SurplusTopology() {
    }

    /** Builds the topology; pure: it reads only {@code config}. */
    public static Topology build(SurplusConfig config) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.globalTable(Topics.SITES.name(), consumed(Topics.SITES, "sites"), Materialized.as(SITES_STORE));
        builder.globalTable(Topics.MATERIALS.name(), consumed(Topics.MATERIALS, "materials"), Materialized.as(MATERIALS_STORE));

        // Levels come from the flow application, which has admitted them (known stock meter, convertible unit, not a
        // duplicate) and converted them to canonical units, and sends only a meter's new latest level: this application
        // does not read loopflow.readings, nearly all of whose readings are not stock levels.
        KStream<String, SurplusInput> levels = builder.stream(Topics.STOCK_LEVELS,
                        Consumed.with(Serdes.String(), StockLevel.SERDE).withName("loopflow-surplus-source-levels"))
                .map((key, level) -> KeyValue.pair(level.site() + "/" + level.material(), level(level)), Named.as("loopflow-surplus-levels"));
        KStream<String, SurplusInput> storage = builder.stream(Topics.FLOWS.name(), consumed(Topics.FLOWS, "flows"))
                .filter((key, flow) -> flow != null && flow.role() == Role.OUT_STORAGE, Named.as("loopflow-surplus-storage-filter"))
                .map((key, flow) -> KeyValue.pair(flow.site() + "/" + flow.material(), storage(flow)), Named.as("loopflow-surplus-storage"));

        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(),
                new JsonSerde<>(SurplusState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MATCHBOOK_STORE), Serdes.String(),
                new JsonSerde<>(MaterialBook.class)));

        KStream<String, Object> surplusOut = levels.merge(storage, Named.as("loopflow-surplus-inputs"))
                .repartition(Repartitioned.with(Serdes.String(), new JsonSerde<>(SurplusInput.class)).withName(BY_SITE_MATERIAL))
                .process(() -> new SurplusProcessor(config), Named.as("loopflow-surplus-processor"), STATE_STORE);

        surplusOut.filter((k, v) -> v instanceof SurplusRecord, Named.as("loopflow-surplus-records"))
                .mapValues(v -> (SurplusRecord) v, Named.as("loopflow-surplus-records-cast"))
                .to(Topics.SURPLUS.name(), produced(Topics.SURPLUS, "surplus"));
        surplusOut.filter((k, v) -> v instanceof AlertRecord, Named.as("loopflow-surplus-alerts"))
                .mapValues(v -> (AlertRecord) v, Named.as("loopflow-surplus-alerts-cast"))
                .to(Topics.ALERTS.name(), produced(Topics.ALERTS, "surplus-alerts"));

        KStream<String, MatchInput> supplies = surplusOut.filter((k, v) -> v instanceof MatchInput, Named.as("loopflow-surplus-supplies"))
                .mapValues(v -> (MatchInput) v, Named.as("loopflow-surplus-supplies-cast"));
        KStream<String, MatchInput> demands = builder.stream(Topics.DEMANDS.name(), consumed(Topics.DEMANDS, "demands"))
                .map((key, demand) -> {
                    int slash = key.indexOf('/');
                    String site = key.substring(0, slash);
                    String material = key.substring(slash + 1);
                    return KeyValue.pair(material, new MatchInput(MatchInput.Kind.DEMAND, site, material, null, false, null, demand, null));
                }, Named.as("loopflow-surplus-demands"));

        KStream<String, Object> matchOut = supplies.merge(demands, Named.as("loopflow-surplus-match-inputs"))
                .repartition(Repartitioned.with(Serdes.String(), new JsonSerde<>(MatchInput.class)).withName(BY_MATERIAL))
                .process(() -> new MatchProcessor(config), Named.as("loopflow-surplus-match-processor"), MATCHBOOK_STORE);
        matchOut.filter((k, v) -> v instanceof AlertRecord, Named.as("loopflow-surplus-match-alerts"))
                .mapValues(v -> (AlertRecord) v, Named.as("loopflow-surplus-match-alerts-cast"))
                .to(Topics.ALERTS.name(), produced(Topics.ALERTS, "match-alerts"));
        matchOut.filter((k, v) -> v instanceof DataQualityRecord, Named.as("loopflow-surplus-quality"))
                .mapValues(v -> (DataQualityRecord) v, Named.as("loopflow-surplus-quality-cast"))
                .to(Topics.DATA_QUALITY.name(), produced(Topics.DATA_QUALITY, "quality"));

        // Queryable views for the HTTP API, read back from the output topics.
        builder.table(Topics.SURPLUS.name(), consumed(Topics.SURPLUS, "surplus-view"), Materialized.as(SURPLUS_VIEW));
        builder.table(Topics.ALERTS.name(), consumed(Topics.ALERTS, "alert-log"), Materialized.as(ALERT_LOG));
        return builder.build();
    }

    private static SurplusInput level(StockLevel level) {
        return new SurplusInput(SurplusInput.Kind.LEVEL, level.site(), level.material(), level.meter(), Instant.ofEpochMilli(level.ts()),
                null, null, level.value(), level.unit(), null);
    }

    private static SurplusInput storage(FlowRecord flow) {
        return new SurplusInput(SurplusInput.Kind.STORAGE, flow.site(), flow.material(), null, null, flow.windowStart(),
                flow.windowEnd(), flow.quantity(), flow.unit(), flow.revision() > 0 ? flow.revision() : null);
    }

    private static <V> Consumed<String, V> consumed(Topic<String, V> topic, String name) {
        return Consumed.with(topic.keySerde(), topic.valueSerde()).withName("loopflow-surplus-source-" + name);
    }

    private static <V> Produced<String, V> produced(Topic<String, V> topic, String name) {
        return Produced.with(topic.keySerde(), topic.valueSerde()).withName("loopflow-surplus-sink-" + name);
    }
}
