package io.loopflow.streams;

import io.loopflow.core.Ids;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.json.JsonSerde;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.streams.region.RegionEvent;
import io.loopflow.streams.region.RegionProcessor;
import io.loopflow.streams.region.RegionProgress;
import io.loopflow.streams.region.RegionWindowState;
import io.loopflow.streams.site.FlowWindowState;
import io.loopflow.streams.site.KpiWindowState;
import io.loopflow.streams.site.MeterHistoryState;
import io.loopflow.streams.site.MeterState;
import io.loopflow.streams.site.ProgressSent;
import io.loopflow.streams.site.SiteEvent;
import io.loopflow.streams.site.SiteOutput;
import io.loopflow.streams.site.SiteProcessor;
import io.loopflow.streams.site.StockLevel;
import io.loopflow.streams.window.ClosedUntil;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The LoopFlow stream topology: {@code loopflow.readings}, {@code loopflow.meters},
 * {@code loopflow.sites} and {@code loopflow.materials} in; {@code loopflow.flows},
 * {@code loopflow.kpis} and {@code loopflow.rejected} out (CONTRACT.md sections 3, 5, 6).
 *
 * <pre>
 * readings (site/meter) ─┐
 * meters   (site/meter) ─┼─ re-key to site ─▶ [site-events] ─▶ site-processor ─┬─▶ loopflow.flows
 * sites    (site)      ──┘                                   (global: materials)├─▶ loopflow.kpis (scope site)
 *                                                                              ├─▶ loopflow.rejected
 *                                                                              └─▶ [region-events] (key region)
 *                                                            [region-events] ─▶ region-processor ─▶ loopflow.kpis (scope region)
 * loopflow.kpis ─▶ table loopflow-kpis-latest (queried by the HTTP API)
 * </pre>
 *
 * <p>All three site inputs go through <em>one</em> repartition topic, so a site's readings and
 * descriptors always land in the same partition and task whatever the input topics' partition
 * counts (Kafka Streams equalises partition counts only for joins), in the order the upstream
 * task read them (Kafka Streams picks the record with the lowest timestamp across its input
 * partitions; gateways stamp records with their arrival time, so a meter descriptor published
 * before a reading is processed first). The event-time logic never uses Kafka Streams' stream
 * time: it is LoopFlow's own per-meter clock (see {@link SiteProcessor}).
 */
public final class LoopflowTopology {
    private static final Serde<String> KEY = Serdes.String();

    private LoopflowTopology() {
    }

    /** The topology for {@code config}, with counters in a private registry. */
    public static Topology build(ProcessorConfig config) {
        return build(config, new StreamsCounters(new SimpleMeterRegistry()));
    }

    /** The topology for {@code config}, counting into {@code counters}. */
    public static Topology build(ProcessorConfig config, StreamsCounters counters) {
        StreamsBuilder builder = new StreamsBuilder();

        builder.globalTable(Topics.MATERIALS.name(), consumed(Topics.MATERIALS, "materials-source"),
                Materialized.<String, MaterialDescriptor, KeyValueStore<Bytes, byte[]>>as(StoreNames.MATERIALS)
                        .withKeySerde(KEY).withValueSerde(Topics.MATERIALS.valueSerde()));

        KStream<String, SiteEvent> readings = builder.stream(Topics.READINGS.name(), consumed(Topics.READINGS, "readings-source"))
                .map((key, r) -> {
                    if (r == null || !Ids.isValid(r.site()) || !Ids.isValid(r.meter()) || r.ts() == null) {
                        String site = r != null && Ids.isValid(r.site()) ? r.site() : siteOfKey(key);
                        return KeyValue.pair(site, SiteEvent.invalid(site, meterOfKey(key),
                                "reading with key '" + key + "' lacks a valid site, meter or ts: " + r, Topics.READINGS.name()));
                    }
                    return KeyValue.pair(r.site(), SiteEvent.reading(r));
                }, Named.as("readings-to-site"));
        KStream<String, SiteEvent> meters = builder.stream(Topics.METERS.name(), consumed(Topics.METERS, "meters-source"))
                .map((key, d) -> {
                    String site = siteOfKey(key);
                    String meter = meterOfKey(key);
                    if (!Ids.isValid(site) || !Ids.isValid(meter)) {
                        return KeyValue.pair(site, SiteEvent.invalid(site, null, "meter descriptor key '" + key + "' is not site/meter",
                                Topics.METERS.name()));
                    }
                    return KeyValue.pair(site, SiteEvent.meter(site, meter, d));
                }, Named.as("meters-to-site"));
        KStream<String, SiteEvent> sites = builder.stream(Topics.SITES.name(), consumed(Topics.SITES, "sites-source"))
                .map((key, d) -> Ids.isValid(key)
                                ? KeyValue.pair(key, SiteEvent.site(key, d))
                                : KeyValue.pair(String.valueOf(key), SiteEvent.invalid(null, null, "site descriptor key '" + key + "' is not a site id",
                                        Topics.SITES.name())),
                        Named.as("sites-to-site"));

        KStream<String, SiteOutput> siteOutput = readings
                .merge(meters, Named.as("merge-meters"))
                .merge(sites, Named.as("merge-sites"))
                .repartition(Repartitioned.<String, SiteEvent>as(StoreNames.SITE_EVENTS)
                        .withKeySerde(KEY).withValueSerde(new JsonSerde<>(SiteEvent.class)))
                .process(siteProcessor(config, counters), Named.as(StoreNames.SITE_PROCESSOR));

        siteOutput.split(Named.as("site-output-"))
                .branch((k, v) -> v instanceof SiteOutput.Flow, Branched.withConsumer(s -> s
                        .mapValues(v -> ((SiteOutput.Flow) v).record(), Named.as("flow-record"))
                        .to(Topics.FLOWS.name(), produced(Topics.FLOWS, "flows-sink")), "flows"))
                .branch((k, v) -> v instanceof SiteOutput.Kpi, Branched.withConsumer(s -> s
                        .mapValues(v -> ((SiteOutput.Kpi) v).record(), Named.as("site-kpi-record"))
                        .to(Topics.KPIS.name(), produced(Topics.KPIS, "site-kpis-sink")), "kpis"))
                .branch((k, v) -> v instanceof SiteOutput.Rejected, Branched.withConsumer(s -> s
                        .mapValues(v -> ((SiteOutput.Rejected) v).record(), Named.as("rejection-record"))
                        .to(Topics.REJECTED.name(), produced(Topics.REJECTED, "rejected-sink")), "rejected"))
                .branch((k, v) -> v instanceof SiteOutput.ToRegion, Branched.withConsumer(s -> s
                        .mapValues(v -> ((SiteOutput.ToRegion) v).event(), Named.as("region-event"))
                        .repartition(Repartitioned.<String, RegionEvent>as(StoreNames.REGION_EVENTS)
                                .withKeySerde(KEY).withValueSerde(new JsonSerde<>(RegionEvent.class)))
                        .process(regionProcessor(config, counters), Named.as(StoreNames.REGION_PROCESSOR))
                        .to(Topics.KPIS.name(), produced(Topics.KPIS, "region-kpis-sink")), "region"))
                .noDefaultBranch();

        builder.table(Topics.KPIS.name(), consumed(Topics.KPIS, "kpis-latest-source"),
                Materialized.<String, KpiRecord, KeyValueStore<Bytes, byte[]>>as(StoreNames.KPIS_LATEST)
                        .withKeySerde(KEY).withValueSerde(Topics.KPIS.valueSerde()));

        return builder.build();
    }

    /** The Kafka Streams properties for {@code config}: exactly-once v2, the rejecting deserialization handler. */
    public static Properties streamsProperties(ProcessorConfig config, StreamsCounters counters) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, RejectingDeserializationHandler.class);
        p.put(RejectingDeserializationHandler.COUNTERS_CONFIG, counters);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        // The default (log and fail) processing handler also for the global material table: a bug fails loudly.
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return p;
    }

    private static ProcessorSupplier<String, SiteEvent, String, SiteOutput> siteProcessor(ProcessorConfig config, StreamsCounters counters) {
        return new ProcessorSupplier<>() {
            @Override
            public Processor<String, SiteEvent, String, SiteOutput> get() {
                return new SiteProcessor(config, counters);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(
                        store(StoreNames.METERS, MeterState.class),
                        store(StoreNames.METER_HISTORY, MeterHistoryState.class),
                        store(StoreNames.SITES, SiteDescriptor.class),
                        store(StoreNames.FLOW_WINDOWS, FlowWindowState.class),
                        store(StoreNames.KPI_WINDOWS, KpiWindowState.class),
                        store(StoreNames.CLOSED_UNTIL, ClosedUntil.class),
                        store(StoreNames.STOCK_LEVELS, StockLevel.class),
                        store(StoreNames.PROGRESS_SENT, ProgressSent.class));
            }
        };
    }

    private static ProcessorSupplier<String, RegionEvent, String, KpiRecord> regionProcessor(ProcessorConfig config, StreamsCounters counters) {
        return new ProcessorSupplier<>() {
            @Override
            public Processor<String, RegionEvent, String, KpiRecord> get() {
                return new RegionProcessor(config, counters);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(
                        store(StoreNames.REGION_WINDOWS, RegionWindowState.class),
                        store(StoreNames.REGION_PROGRESS, RegionProgress.class),
                        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.REGION_CLOSED_UNTIL), KEY, Serdes.Long()).withCachingEnabled());
            }
        };
    }

    /** A persistent, changelogged, cached store of JSON values. */
    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Class<V> type) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), KEY, new JsonSerde<>(type)).withCachingEnabled();
    }

    private static <V> Consumed<String, V> consumed(Topic<String, V> topic, String name) {
        return Consumed.with(topic.keySerde(), topic.valueSerde()).withName(name);
    }

    private static <V> Produced<String, V> produced(Topic<String, V> topic, String name) {
        return Produced.with(topic.keySerde(), topic.valueSerde()).withName(name);
    }

    /** The site part of a {@code site/meter} key; never null, since a repartition drops null keys. */
    private static String siteOfKey(String key) {
        if (key == null) {
            return "";
        }
        int slash = key.indexOf('/');
        return slash < 0 ? key : key.substring(0, slash);
    }

    private static String meterOfKey(String key) {
        if (key == null) {
            return null;
        }
        int slash = key.indexOf('/');
        return slash < 0 ? null : key.substring(slash + 1);
    }
}
