package io.loopflow.streams;

import io.loopflow.core.Ids;
import io.loopflow.core.Topic;
import io.loopflow.core.Topics;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.streams.region.RegionCodecs;
import io.loopflow.streams.region.RegionEvent;
import io.loopflow.streams.region.RegionProcessor;
import io.loopflow.streams.site.Materials;
import io.loopflow.streams.site.SiteEvent;
import io.loopflow.streams.site.SiteOutput;
import io.loopflow.streams.site.SiteProcessor;
import io.loopflow.streams.site.StockLevel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
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
    /** Record cache of the stores: a commit interval's worth of changed entries at tens of thousands of readings a second. */
    static final long STATE_CACHE_BYTES = 32L * 1024 * 1024;
    /** How long the broker may hold the main consumer's fetch when it has no new data (see {@link #streamsProperties}). */
    static final int MAIN_CONSUMER_FETCH_MAX_WAIT_MS = 200;

    private LoopflowTopology() {
    }

    /** The topology for {@code config}, with counters in a private registry. */
    public static Topology build(ProcessorConfig config) {
        return build(config, new StreamsCounters(new SimpleMeterRegistry()));
    }

    /** The topology for {@code config}, counting into {@code counters}. */
    public static Topology build(ProcessorConfig config, StreamsCounters counters) {
        StreamsBuilder builder = new StreamsBuilder();

        // A global store written by our own processor, so that the site processors learn when a material changed.
        Materials materials = new Materials();
        builder.addGlobalStore(Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(StoreNames.MATERIALS), KEY,
                                Topics.MATERIALS.valueSerde()).withLoggingDisabled(),
                Topics.MATERIALS.name(), consumed(Topics.MATERIALS, "materials-source"), () -> materials.updater(StoreNames.MATERIALS));

        KStream<String, SiteEvent> readings = builder.stream(Topics.READINGS.name(), consumed(Topics.READINGS, "readings-source"))
                .mapValues((key, r) -> {
                    if (r == null || !Ids.isValid(r.site()) || !Ids.isValid(r.meter()) || r.ts() == null) {
                        String site = r != null && Ids.isValid(r.site()) ? r.site() : siteOfKey(key);
                        return (SiteEvent) new SiteEvent.Invalid(site, meterOfKey(key),
                                "reading with key '" + key + "' lacks a valid site, meter or ts: " + r, Topics.READINGS.name());
                    }
                    return new SiteEvent.Reading(r);
                }, Named.as("readings-to-site"));
        KStream<String, SiteEvent> meters = builder.stream(Topics.METERS.name(), consumed(Topics.METERS, "meters-source"))
                .mapValues((key, d) -> {
                    String site = siteOfKey(key);
                    String meter = meterOfKey(key);
                    if (!Ids.isValid(site) || !Ids.isValid(meter)) {
                        return (SiteEvent) new SiteEvent.Invalid(site, null, "meter descriptor key '" + key + "' is not site/meter",
                                Topics.METERS.name());
                    }
                    return new SiteEvent.Meter(site, meter, d);
                }, Named.as("meters-to-site"));
        KStream<String, SiteEvent> sites = builder.stream(Topics.SITES.name(), consumed(Topics.SITES, "sites-source"))
                .mapValues((key, d) -> Ids.isValid(key)
                                ? (SiteEvent) new SiteEvent.Site(key, d)
                                : new SiteEvent.Invalid(null, null, "site descriptor key '" + key + "' is not a site id", Topics.SITES.name()),
                        Named.as("sites-to-site"));

        // No repartition: the gateway's SitePartitioner puts a site's readings and descriptors in the same partition
        // of the three topics (streams/README.md, "One hop").
        KStream<String, SiteOutput> siteOutput = readings
                .merge(meters, Named.as("merge-meters"))
                .merge(sites, Named.as("merge-sites"))
                .process(siteProcessor(config, counters, materials), Named.as(StoreNames.SITE_PROCESSOR));

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
                .branch((k, v) -> v instanceof SiteOutput.Level, Branched.withConsumer(s -> s
                        .mapValues(v -> ((SiteOutput.Level) v).level(), Named.as("stock-level"))
                        .to(Topics.STOCK_LEVELS, Produced.with(KEY, StockLevel.SERDE).withName("stock-levels-sink")), "levels"))
                .branch((k, v) -> v instanceof SiteOutput.ToRegion, Branched.withConsumer(s -> s
                        .mapValues(v -> ((SiteOutput.ToRegion) v).event(), Named.as("region-event"))
                        .repartition(Repartitioned.<String, RegionEvent>as(StoreNames.REGION_EVENTS)
                                .withKeySerde(KEY).withValueSerde(RegionCodecs.EVENT))
                        .process(regionProcessor(config, counters), Named.as(StoreNames.REGION_PROCESSOR))
                        .to(Topics.KPIS.name(), produced(Topics.KPIS, "region-kpis-sink")), "region"))
                .noDefaultBranch();

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
        // Kafka Streams refuses a commit interval longer than the transaction timeout (10 s for exactly-once): a longer
        // interval gets a timeout of three intervals (at most 15 min, a broker's transaction.max.timeout.ms by default).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                (int) Math.max(10_000L, 3 * config.commitInterval().toMillis()));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, RejectingDeserializationHandler.class);
        p.put(RejectingDeserializationHandler.COUNTERS_CONFIG, counters);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        // The default (log and fail) processing handler also for the global material table: a bug fails loudly.
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // Kafka Streams 4.3.1's partition assignor builds a StreamsConfig of its own from the main consumer's settings and,
        // not finding the key among them, warns at every start that the handler is not enabled for the global thread. The
        // same setting passed to the main consumer keeps that false warning out of the log.
        p.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), true);
        // RocksDB memory bounded and shared by every store of the process (RocksDB's defaults give each store its own).
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, STATE_CACHE_BYTES);
        // Kafka's default, set on purpose: a task waits for a co-partitioned input (meters, sites) whose lag is not known to
        // be 0, so a new meter's descriptor is processed before its readings when both wait in a backlog. -1 would save the
        // 8-9 % of the stream thread that Kafka Streams 4.3.1 spends formatting messages for empty inputs, at that risk.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
        // The main consumer has one fetch in flight per broker. While loopflow.readings has records buffered, its next fetch
        // asks only for the idle inputs (meters, sites, the empty repartition topic), and the broker holds it up to
        // fetch.max.wait.ms; readings cannot be fetched until it returns. So also at start: the region task is ready first
        // and its lone fetch delays the site task's first records. Kafka's 500 ms made the stream thread wait 7-30 % of a
        // backlog run and start 0.5 s late in about half the runs; 200 ms: +23 % in bench/run.sh streams (4 interleaved
        // rounds, 29,557 against 23,992 readings/s; 100 ms: 29,268) for +0.02 of a core when idle (an idle `loopflow local`
        // 0.152-0.158 cores against 0.134-0.141; 100 ms: 0.20; 10 ms: 0.27-0.36). Only the main consumer: the restore and
        // global consumers keep Kafka's default.
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), MAIN_CONSUMER_FETCH_MAX_WAIT_MS);
        // The one repartition topic (region-events) carries little; purging it every 30 s (the default) only adds broker work,
        // and a purge racing a producer's append makes the broker log a (retried) OutOfOrderSequenceException at ERROR.
        p.put(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, 300_000);
        return p;
    }

    private static ProcessorSupplier<String, SiteEvent, String, SiteOutput> siteProcessor(ProcessorConfig config, StreamsCounters counters,
                                                                                       Materials materials) {
        return new ProcessorSupplier<>() {
            @Override
            public Processor<String, SiteEvent, String, SiteOutput> get() {
                return new SiteProcessor(config, counters, materials);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                Set<StoreBuilder<?>> stores = new HashSet<>();
                StoreNames.SITE_STORES.forEach(name -> stores.add(binaryStore(name)));
                return stores;
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
                        store(StoreNames.REGION_WINDOWS, RegionCodecs.WINDOW),
                        store(StoreNames.REGION_CLOSED, RegionCodecs.WINDOW),
                        store(StoreNames.REGION_DIRTY, RegionCodecs.MARK),
                        store(StoreNames.REGION_PROGRESS, RegionCodecs.PROGRESS),
                        store(StoreNames.REGION_CLOSED_UNTIL, RegionCodecs.FLOOR));
            }
        };
    }

    /** A persistent, changelogged, cached store of binary values. */
    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> serde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), KEY, serde).withCachingEnabled();
    }

    /** A persistent, changelogged, cached store of {@code state.Bin} keys and values, read through {@code SiteStores}. */
    private static StoreBuilder<KeyValueStore<Bytes, byte[]>> binaryStore(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray()).withCachingEnabled();
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
