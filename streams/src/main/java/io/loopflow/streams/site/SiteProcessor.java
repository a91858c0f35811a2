package io.loopflow.streams.site;

import io.loopflow.core.RejectReason;
import io.loopflow.core.inbound.InboundTopic;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.units.Dimension;
import io.loopflow.core.units.Unit;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StoreNames;
import io.loopflow.streams.StreamsCounters;
import io.loopflow.streams.crediting.CreditChange;
import io.loopflow.streams.crediting.MeterHistory;
import io.loopflow.streams.region.RegionEvent;
import io.loopflow.streams.window.ClosedUntil;
import io.loopflow.streams.window.ClosingRule;
import io.loopflow.streams.window.Frontier;
import io.loopflow.streams.window.MeterClock;
import io.loopflow.streams.window.Windows;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one site's readings into flow and key-figure windows (CONTRACT.md sections 3, 5 and 6).
 * Reads the {@code site-events} repartition topic (key: site; readings, meter and site
 * descriptors) and the global material store; emits {@link SiteOutput}s: flow records, site key
 * figures, rejections, and updates for the site's region.
 *
 * <p>Per meter (store {@code loopflow-meters}) it keeps the descriptor, the wall-clock times it
 * was last heard of, its clock (newest accepted {@code ts}) and the held readings, and credits
 * each reading in {@code ts} order via {@link MeterHistory}. A reading is rejected as
 * {@code unknown_meter}, {@code unit_mismatch} (unknown or non-convertible unit, or a dimension
 * other than the material's or than the open windows'), {@code duplicate} (same {@code seq} or
 * {@code ts} as a held reading) or {@code late} (before its flow floor, see {@link ClosedUntil}),
 * checked in that order. Level readings update the latest level per stock meter
 * ({@code loopflow-stock-levels}) and feed no window.
 *
 * <p>Windows close by {@link ClosingRule}, checked for the reading's site and material after each
 * reading, and for everything on a wall-clock punctuator every commit interval, which also
 * publishes provisional records for windows changed since the last punctuation and sends each
 * site and material's frontier to its region when it changed. A closing window is published once
 * with {@code final: true} and deleted, in the same Kafka transaction as the store updates, so
 * exactly one final survives restarts.
 *
 * <p>A meter descriptor that changes the material, role, kind or unit starts a fresh history (the
 * next reading credits as a first reading); one that only changes {@code to} keeps it. Every
 * descriptor arrival makes the meter active again. A deleted descriptor forgets the meter.
 */
public final class SiteProcessor implements Processor<String, SiteEvent, String, SiteOutput> {
    private static final Logger LOG = LoggerFactory.getLogger(SiteProcessor.class);
    private static final StringSerializer PREFIX = new StringSerializer();

    private final long flowSizeMs;
    private final List<Long> kpiSizesMs;
    private final long idleMs;
    private final long gapMaxMs;
    private final Duration punctuateEvery;
    private final ClosingRule rule;
    private final StreamsCounters counters;

    private ProcessorContext<String, SiteOutput> context;
    private KeyValueStore<String, MeterState> meters;
    private KeyValueStore<String, MeterHistoryState> histories;
    private KeyValueStore<String, SiteDescriptor> sites;
    private KeyValueStore<String, FlowWindowState> flows;
    private KeyValueStore<String, KpiWindowState> kpis;
    private KeyValueStore<String, ClosedUntil> closed;
    private KeyValueStore<String, StockLevel> stock;
    private KeyValueStore<String, ProgressSent> progressSent;
    private KeyValueStore<String, ValueAndTimestamp<MaterialDescriptor>> materials;

    public SiteProcessor(ProcessorConfig config, StreamsCounters counters) {
        this.flowSizeMs = config.flowWindow().toMillis();
        this.kpiSizesMs = config.kpiWindows().stream().map(Duration::toMillis).toList();
        this.idleMs = config.idleTimeout().toMillis();
        this.gapMaxMs = config.gapMax().toMillis();
        this.punctuateEvery = config.commitInterval();
        this.rule = new ClosingRule(config.grace().toMillis(), flowSizeMs, kpiSizesMs);
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, SiteOutput> ctx) {
        this.context = ctx;
        meters = ctx.getStateStore(StoreNames.METERS);
        histories = ctx.getStateStore(StoreNames.METER_HISTORY);
        sites = ctx.getStateStore(StoreNames.SITES);
        flows = ctx.getStateStore(StoreNames.FLOW_WINDOWS);
        kpis = ctx.getStateStore(StoreNames.KPI_WINDOWS);
        closed = ctx.getStateStore(StoreNames.CLOSED_UNTIL);
        stock = ctx.getStateStore(StoreNames.STOCK_LEVELS);
        progressSent = ctx.getStateStore(StoreNames.PROGRESS_SENT);
        materials = ctx.getStateStore(StoreNames.MATERIALS);
        ctx.schedule(punctuateEvery, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<String, SiteEvent> record) {
        SiteEvent event = record.value();
        long now = context.currentSystemTimeMs();
        switch (event.kind()) {
            case READING -> onReading(event.reading(), now);
            case METER -> onMeter(event.site(), event.meter(), event.meterDescriptor(), now);
            case SITE -> onSite(event.site(), event.siteDescriptor());
            case INVALID -> onInvalid(event, now);
        }
    }

    // ---- readings

    private void onReading(ReadingRecord r, long now) {
        String site = r.site();
        String meter = r.meter();
        MeterState state = meters.get(site + "/" + meter);
        if (state == null) {
            reject(r, RejectReason.UNKNOWN_METER, "no meter descriptor known for site '" + site + "' meter '" + meter
                    + "': publish loopflow/v1/" + site + "/meters/" + meter + "/meta first", now);
            return;
        }
        MeterDescriptor d = state.descriptor();
        Unit meterUnit = d.unitValue();
        Unit readingUnit = meterUnit;
        if (r.unit() != null) {
            readingUnit = Unit.ofSymbol(r.unit()).orElse(null);
            if (readingUnit == null) {
                reject(r, RejectReason.UNIT_MISMATCH, "unit '" + r.unit() + "' is not a LoopFlow unit", now);
                return;
            }
            if (!readingUnit.convertibleTo(meterUnit)) {
                reject(r, RejectReason.UNIT_MISMATCH, "unit '" + r.unit() + "' does not convert to the meter's unit '" + meterUnit + "'", now);
                return;
            }
        }
        Dimension dimension = meterUnit.dimension();
        MaterialDescriptor material = material(d.material());
        if (material != null && material.dimension() != null && material.dimension() != dimension) {
            reject(r, RejectReason.UNIT_MISMATCH, "meter unit '" + meterUnit + "' is " + dimension.wire() + " but material '"
                    + d.material() + "' is " + material.dimension().wire(), now);
            return;
        }
        double value = readingUnit.toCanonical(r.value());
        long ts = r.ts().toEpochMilli();
        if (d.kind() == MeterKind.LEVEL || !d.role().isFlow()) {
            onLevel(r, state, ts, value, dimension, now);
            return;
        }
        String key = site + "/" + meter;
        MeterHistoryState held = histories.get(key);
        MeterHistory history = new MeterHistory(d.kind(), gapMaxMs, held == null ? List.of() : held.readings());
        if (r.seq() != null && history.holdsSeq(r.seq())) {
            reject(r, RejectReason.DUPLICATE, "seq " + r.seq() + " was already accepted from this meter", now);
            return;
        }
        if (history.holdsTs(ts)) {
            reject(r, RejectReason.DUPLICATE, "a reading at " + r.ts() + " was already accepted from this meter", now);
            return;
        }
        String sm = site + "/" + d.material();
        ClosedUntil floors = closedUntil(sm);
        long floor = floors.flowFloor(d.role());
        if (ts < floor) {
            long start = Windows.startOf(ts, flowSizeMs);
            reject(r, RejectReason.LATE, "the flow window " + Instant.ofEpochMilli(start) + "/" + Instant.ofEpochMilli(start + flowSizeMs)
                    + " of " + sm + "/" + d.role().wire() + " has closed (closed until " + Instant.ofEpochMilli(floor) + ")", now);
            return;
        }
        String unit = dimension.canonicalUnit();
        String conflict = unitConflict(site, d.material(), d.role(), ts, unit);
        if (conflict != null) {
            reject(r, RejectReason.UNIT_MISMATCH, conflict, now);
            return;
        }
        MeterHistory.Insertion insertion = history.insert(ts, value, r.seq());
        for (CreditChange change : insertion.changes()) {
            credit(site, d.material(), d.role(), unit, change);
        }
        for (MeterHistory.Gap gap : insertion.gaps()) {
            counters.rateGap();
            LOG.info("rate gap on {}/{}: {} to {} exceeds gap.max {} ms, credited 0", site, meter,
                    Instant.ofEpochMilli(gap.fromTs()), Instant.ofEpochMilli(gap.toTs()), gapMaxMs);
        }
        history.pruneBefore(floor);
        histories.put(key, new MeterHistoryState(history.readings()));
        meters.put(key, state.withReading(now, ts));
        closeWindows(site, d.material(), now, false);
    }

    private void onLevel(ReadingRecord r, MeterState state, long ts, double value, Dimension dimension, long now) {
        String key = r.site() + "/" + r.meter();
        StockLevel latest = stock.get(key);
        if (latest != null && latest.ts() == ts) {
            reject(r, RejectReason.DUPLICATE, "a level at " + r.ts() + " was already accepted from this meter", now);
            return;
        }
        if (latest == null || ts > latest.ts()) {
            stock.put(key, new StockLevel(r.site(), r.meter(), state.descriptor().material(), ts, value, dimension.canonicalUnit()));
        }
        // An older level is accepted but is not the stock: the latest by ts is.
        meters.put(key, state.withReading(now, ts));
    }

    /** A reading whose dimension differs from an open window's (a material without descriptor fed in two dimensions). */
    private String unitConflict(String site, String material, Role role, long ts, String unit) {
        FlowWindowState flow = flows.get(flowKey(site, material, role, Windows.startOf(ts, flowSizeMs)));
        if (flow != null && !flow.unit().equals(unit)) {
            return "material '" + material + "' is counted in " + flow.unit() + " at this site, not " + unit;
        }
        for (long size : kpiSizesMs) {
            KpiWindowState kpi = kpis.get(kpiKey(site, material, size, Windows.startOf(ts, size)));
            if (kpi != null && !kpi.unit().equals(unit)) {
                return "material '" + material + "' is counted in " + kpi.unit() + " at this site, not " + unit;
            }
        }
        return null;
    }

    private void credit(String site, String material, Role role, String unit, CreditChange change) {
        long newReadings = change.newReading() ? 1 : 0;
        long flowStart = Windows.startOf(change.ts(), flowSizeMs);
        String fk = flowKey(site, material, role, flowStart);
        FlowWindowState flow = flows.get(fk);
        if (flow == null) {
            flow = new FlowWindowState(site, material, role, flowStart, flowStart + flowSizeMs, 0, unit, 0, true);
        }
        flows.put(fk, flow.plus(change.delta(), newReadings));
        for (long size : kpiSizesMs) {
            long start = Windows.startOf(change.ts(), size);
            String kk = kpiKey(site, material, size, start);
            KpiWindowState kpi = kpis.get(kk);
            if (kpi == null) {
                kpi = new KpiWindowState(site, material, size, start, RoleSums.ZERO, unit, 0, true);
            }
            kpis.put(kk, kpi.plus(role, change.delta(), newReadings));
        }
    }

    private void reject(ReadingRecord r, RejectReason reason, String detail, long now) {
        counters.rejected(reason);
        LOG.debug("rejected reading {}/{} at {}: {} ({})", r.site(), r.meter(), r.ts(), reason.wire(), detail);
        Rejection rejection = new Rejection(reason, detail, InboundTopic.reading(r.site(), r.meter()), Json.writeString(r),
                r.receivedAt(), r.site(), r.meter());
        context.forward(new Record<>(rejection.key(), new SiteOutput.Rejected(rejection), now));
    }

    private void onInvalid(SiteEvent event, long now) {
        counters.rejected(RejectReason.INVALID_FIELD);
        LOG.warn("invalid record on {}: {}", event.sourceTopic(), event.detail());
        Rejection rejection = new Rejection(RejectReason.INVALID_FIELD, event.detail(), event.sourceTopic(), null,
                Instant.ofEpochMilli(now), event.site(), event.meter());
        context.forward(new Record<>(rejection.key(), new SiteOutput.Rejected(rejection), now));
    }

    // ---- descriptors

    private void onMeter(String site, String meter, MeterDescriptor descriptor, long now) {
        String key = site + "/" + meter;
        MeterState old = meters.get(key);
        if (descriptor == null) {
            if (old != null) {
                meters.delete(key);
                histories.delete(key);
                stock.delete(key);
                LOG.info("meter {} deleted", key);
                closeWindows(site, old.descriptor().material(), now, false);
            }
            return;
        }
        if (old != null && !sameFeed(old.descriptor(), descriptor)) {
            LOG.info("meter {} now feeds {}/{} as {} in {}: its crediting history starts afresh", key, descriptor.material(),
                    descriptor.role().wire(), descriptor.kind().wire(), descriptor.unit());
            histories.delete(key);
        }
        meters.put(key, old == null ? new MeterState(descriptor, now, null, null)
                : new MeterState(descriptor, now, old.lastReadingAt(), old.clock()));
        if (old != null && !old.descriptor().material().equals(descriptor.material())) {
            closeWindows(site, old.descriptor().material(), now, false);
        }
        closeWindows(site, descriptor.material(), now, false);
    }

    private static boolean sameFeed(MeterDescriptor a, MeterDescriptor b) {
        return a.material().equals(b.material()) && a.role() == b.role() && a.kind() == b.kind() && a.unit().equals(b.unit());
    }

    private void onSite(String site, SiteDescriptor descriptor) {
        if (descriptor == null) {
            sites.delete(site);
        } else {
            sites.put(site, descriptor);
        }
        // Region membership is re-sent by the next punctuation.
    }

    // ---- closing and publishing

    private void punctuate(long now) {
        // One pass over the meters gives every site and material's clocks.
        Map<String, List<MeterClock>> clocksBySiteMaterial = new LinkedHashMap<>();
        try (KeyValueIterator<String, MeterState> it = meters.all()) {
            while (it.hasNext()) {
                KeyValue<String, MeterState> kv = it.next();
                MeterDescriptor d = kv.value.descriptor();
                if (feedsWindows(d)) {
                    clocksBySiteMaterial.computeIfAbsent(siteOf(kv.key) + "/" + d.material(), k -> new ArrayList<>())
                            .add(clockOf(kv.value, now));
                }
            }
        }
        Set<String> siteMaterials = new LinkedHashSet<>(clocksBySiteMaterial.keySet());
        collectSiteMaterials(flows, siteMaterials);
        collectSiteMaterials(kpis, siteMaterials);
        collectSiteMaterials(progressSent, siteMaterials);
        for (String sm : siteMaterials) {
            int slash = sm.indexOf('/');
            closeWindows(sm.substring(0, slash), sm.substring(slash + 1), clocksBySiteMaterial.getOrDefault(sm, List.of()), now, true);
        }
    }

    private static <V> void collectSiteMaterials(KeyValueStore<String, V> store, Set<String> into) {
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext()) {
                String key = it.next().key;
                int first = key.indexOf('/');
                int second = key.indexOf('/', first + 1);
                into.add(second < 0 ? key : key.substring(0, second));
            }
        }
    }

    /**
     * Advances the floors of one site and material, publishes and deletes the windows that
     * closed, and, on a punctuation ({@code punctuation}), publishes the changed open ones.
     *
     * <p>The region learns the site's frontier so that it never closes a window this site may
     * still add to: a frontier that went down (a meter registered or woke up) is sent before
     * anything else, at once; one that went up is sent on punctuations only, after the finals of
     * the windows it closed, so it never overtakes them.
     */
    private void closeWindows(String site, String material, long now, boolean punctuation) {
        List<MeterClock> clocks = new ArrayList<>();
        for (KeyValue<String, MeterState> kv : scan(meters, site + "/")) {
            MeterDescriptor d = kv.value.descriptor();
            if (feedsWindows(d) && d.material().equals(material)) {
                clocks.add(clockOf(kv.value, now));
            }
        }
        closeWindows(site, material, clocks, now, punctuation);
    }

    private MeterClock clockOf(MeterState m, long now) {
        return new MeterClock(m.descriptor().role(), MeterClock.isActive(m.lastSeenAt(), now, idleMs), m.clock());
    }

    private void closeWindows(String site, String material, List<MeterClock> clocks, long now, boolean punctuation) {
        String sm = site + "/" + material;
        long frontier = Frontier.of(clocks);
        String region = regionOf(site);
        sendProgress(site, material, region, frontier, false, now);
        List<KeyValue<String, FlowWindowState>> openFlows = scan(flows, sm + "/");
        List<KeyValue<String, KpiWindowState>> openKpis = scan(kpis, sm + "/");
        Set<Role> windowRoles = EnumSet.noneOf(Role.class);
        for (KeyValue<String, FlowWindowState> kv : openFlows) {
            windowRoles.add(kv.value.role());
        }
        ClosedUntil current = closedUntil(sm);
        ClosedUntil next = rule.advance(current, clocks, windowRoles, now);
        if (!next.equals(current)) {
            closed.put(sm, next);
        }
        for (KeyValue<String, FlowWindowState> kv : openFlows) {
            FlowWindowState w = kv.value;
            if (w.end() <= next.flowFloor(w.role())) {
                emitFlow(w, true, now);
                flows.delete(kv.key);
            } else if (punctuation && w.dirty()) {
                emitFlow(w, false, now);
                flows.put(kv.key, w.published());
            }
        }
        for (KeyValue<String, KpiWindowState> kv : openKpis) {
            KpiWindowState w = kv.value;
            if (w.end() <= next.kpiFloor(w.size())) {
                emitKpi(w, region, true, now);
                kpis.delete(kv.key);
            } else if (punctuation && w.dirty()) {
                emitKpi(w, region, false, now);
                kpis.put(kv.key, w.published());
            }
        }
        if (punctuation) {
            sendProgress(site, material, region, frontier, true, now);
        }
    }

    private void emitFlow(FlowWindowState w, boolean isFinal, long now) {
        var record = w.toRecord(isFinal);
        context.forward(new Record<>(record.key(), new SiteOutput.Flow(record), now));
    }

    private void emitKpi(KpiWindowState w, String region, boolean isFinal, long now) {
        KpiRecord record = KpiRecord.of(KpiRecord.SITE, w.site(), region, w.material(), Duration.ofMillis(w.size()),
                Instant.ofEpochMilli(w.start()), w.sums(), w.unit(), isFinal);
        context.forward(new Record<>(record.key(), new SiteOutput.Kpi(record), now));
        if (region != null) {
            RegionEvent event = RegionEvent.window(region, w.site(), w.material(), w.size(), w.start(), w.sums(), w.unit(), isFinal);
            context.forward(new Record<>(region, new SiteOutput.ToRegion(event), now));
        }
    }

    /**
     * Tells the region (and a region the site left) how far this site and material has come: a
     * lower frontier always, a higher one only when {@code mayRise}; outside punctuations, a site
     * new to its region is first announced as waiting.
     */
    private void sendProgress(String site, String material, String region, long frontier, boolean mayRise, long now) {
        String sm = site + "/" + material;
        ProgressSent sent = progressSent.get(sm);
        if (sent != null && !Objects.equals(sent.region(), region)) {
            context.forward(new Record<>(sent.region(), new SiteOutput.ToRegion(RegionEvent.leave(sent.region(), site, material)), now));
            progressSent.delete(sm);
            sent = null;
        }
        if (region == null) {
            return;
        }
        long send;
        if (mayRise) {
            send = frontier;
        } else if (sent == null) {
            // Not yet known to the region, and this site's finals of this check are not out yet: hold the region.
            send = Frontier.WAITING;
        } else {
            send = Math.min(frontier, sent.frontier());
        }
        if (sent == null || send != sent.frontier()) {
            context.forward(new Record<>(region, new SiteOutput.ToRegion(RegionEvent.progress(region, site, material, send)), now));
            progressSent.put(sm, new ProgressSent(region, send));
        }
    }

    // ---- helpers

    private static boolean feedsWindows(MeterDescriptor d) {
        return d.kind() != MeterKind.LEVEL && d.role().isFlow();
    }

    private ClosedUntil closedUntil(String siteMaterial) {
        ClosedUntil c = closed.get(siteMaterial);
        return c == null ? ClosedUntil.NOTHING : c;
    }

    private MaterialDescriptor material(String material) {
        ValueAndTimestamp<MaterialDescriptor> v = materials.get(material);
        return v == null ? null : v.value();
    }

    private String regionOf(String site) {
        SiteDescriptor d = sites.get(site);
        return d == null ? null : d.region();
    }

    private static String siteOf(String siteMeterKey) {
        return siteMeterKey.substring(0, siteMeterKey.indexOf('/'));
    }

    static String flowKey(String site, String material, Role role, long start) {
        return site + "/" + material + "/" + role.wire() + "/" + Windows.keyPart(start);
    }

    static String kpiKey(String site, String material, long size, long start) {
        return site + "/" + material + "/" + Windows.keyPart(size) + "/" + Windows.keyPart(start);
    }

    private static <V> List<KeyValue<String, V>> scan(KeyValueStore<String, V> store, String prefix) {
        List<KeyValue<String, V>> out = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.prefixScan(prefix, PREFIX)) {
            while (it.hasNext()) {
                out.add(it.next());
            }
        }
        return out;
    }
}
