package io.loopflow.streams.site;

import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StoreNames;
import io.loopflow.streams.StreamsCounters;
import io.loopflow.streams.crediting.CreditChange;
import io.loopflow.streams.crediting.Crediting;
import io.loopflow.streams.crediting.HeldReading;
import io.loopflow.streams.window.ClosedUntil;
import io.loopflow.streams.window.ClosingRule;
import io.loopflow.streams.window.Frontier;
import io.loopflow.streams.window.KpiWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one site's readings into flow and key-figure windows (CONTRACT.md sections 3, 5 and 6).
 * Reads {@link SiteEvent}s (readings, meter and site descriptors of the sites of its partition) and
 * the global material store; emits {@link SiteOutput}s: flow records, site key figures,
 * rejections, and updates for the site's region. Its state is {@link SiteStores}.
 *
 * <p>The jobs are split: {@link Admission} decides whether a reading is taken, {@link Crediting}
 * what it credits between its two neighbours (found by a range lookup), {@link WindowBook} credits,
 * publishes and closes windows, {@link Frontiers} keeps each role's frontier so that closing is
 * checked only when a frontier moved, and {@link RegionLink} keeps the region informed. This class
 * only sequences them. A reading costs a bounded number of small store reads and writes, whatever
 * the meter's history or the site's number of meters.
 *
 * <p>Windows close by {@link ClosingRule}: after a reading that moved its role's frontier, after a
 * descriptor, and on a wall-clock punctuator every half commit interval ({@link ProcessorConfig#publishInterval}),
 * which also publishes provisional records of windows changed since the last one (and, final with the next revision,
 * closed windows that late data restated), prunes (at most once per commit interval) held readings below the floors and
 * closed windows past the restatement horizon, and sends each site and material's risen frontier to its region. A
 * closing window is published once with {@code final: true} and {@code revision: 0}, in the same
 * Kafka transaction as the store updates, so exactly one final per revision survives restarts.
 *
 * <p>A meter descriptor that changes the material, role, kind or unit starts a fresh history (the
 * next reading credits as a first reading); one that only changes {@code to} keeps it. Every
 * descriptor arrival makes the meter active again. A deleted descriptor forgets the meter.
 */
public final class SiteProcessor implements Processor<String, SiteEvent, String, SiteOutput> {
    private static final Logger LOG = LoggerFactory.getLogger(SiteProcessor.class);
    private static final Role[] ROLES = Role.values();

    private final long flowSizeMs;
    private final List<KpiWindow> kpiWindows;
    private final ZoneId zone;
    private final long idleMs;
    private final long lagMaxMs;
    private final long horizonMs;
    private final long gapMaxMs;
    private final Duration punctuateEvery;
    private final long pruneEveryMs;
    /** Wall-clock time of the last pruning: a schedule only (lost with the instance, it delays pruning by one interval at most). */
    private long prunedAt = Long.MIN_VALUE;
    private final ClosingRule rule;
    private final StreamsCounters counters;

    private ProcessorContext<String, SiteOutput> context;
    private SiteStores stores;
    private SiteOutputs out;
    private WindowBook windows;
    private Frontiers frontiers;
    private RegionLink regions;
    private final Materials materialCatalogue;
    private Materials.View materials;

    public SiteProcessor(ProcessorConfig config, StreamsCounters counters, Materials materials) {
        this.materialCatalogue = materials;
        this.flowSizeMs = config.flowWindow().toMillis();
        this.kpiWindows = config.kpiWindows();
        this.zone = config.timeZone();
        this.idleMs = config.idleTimeout().toMillis();
        this.lagMaxMs = config.lagMax().toMillis();
        this.horizonMs = config.restateHorizon().toMillis();
        this.gapMaxMs = config.gapMax().toMillis();
        this.punctuateEvery = config.publishInterval();
        this.pruneEveryMs = config.commitInterval().toMillis();
        this.rule = new ClosingRule(config.grace().toMillis(), flowSizeMs, kpiWindows, zone);
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, SiteOutput> ctx) {
        this.context = ctx;
        stores = new SiteStores(ctx);
        out = new SiteOutputs(ctx, counters, zone);
        windows = new WindowBook(stores, flowSizeMs, kpiWindows, zone, horizonMs, out);
        frontiers = new Frontiers(stores, idleMs);
        regions = new RegionLink(out);
        KeyValueStore<String, ValueAndTimestamp<MaterialDescriptor>> materialStore = ctx.getStateStore(StoreNames.MATERIALS);
        materials = materialCatalogue.view(materialStore);
        ctx.schedule(punctuateEvery, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<String, SiteEvent> record) {
        long now = context.currentSystemTimeMs();
        SiteEvent event = record.value();
        if (event instanceof SiteEvent.Reading e) {
            onReading(e.reading(), now);
        } else if (event instanceof SiteEvent.Meter e) {
            onMeter(e.site(), e.meter(), e.descriptor(), now);
        } else if (event instanceof SiteEvent.Site e) {
            onSite(e.site(), e.descriptor());
        } else if (event instanceof SiteEvent.Invalid e) {
            out.invalid(e, now);
        }
    }

    // ---- readings

    private void onReading(ReadingRecord r, long now) {
        String site = r.site();
        String meter = r.meter();
        MeterState state = stores.meter(site, meter);
        if (state == null) {
            out.reject(r, Admission.unknownMeter(site, meter), now);
            return;
        }
        MeterDescriptor d = state.descriptor();
        MaterialDescriptor materialDescriptor = material(d.material());
        Admission.Units units = Admission.units(r, d, materialDescriptor);
        if (!units.ok()) {
            out.reject(r, units.rejected(), now);
            return;
        }
        long ts = r.ts().toEpochMilli();
        double value = units.canonicalValue();
        if (!state.feedsWindows()) {
            onLevel(r, d, ts, value, units.dimension().canonicalUnit(), now);
            return;
        }
        Role role = d.role();
        String material = d.material();
        MeterClockState clock = stores.clock(site, material, role, meter);
        if (clock == null) {
            // Not expected: every window-feeding meter gets its clock with its descriptor.
            clock = MeterClockState.fresh(now);
        }
        boolean inOrder = clock.clock() == null || ts > clock.clock();
        Long seqBound = clock.maxSeq();
        if (r.seq() != null && seqBound == null) {
            // A new clock, or one written before the bound was kept: the index tells how far the meter's seqs go, once.
            seqBound = stores.maxSeq(site, meter);
        }
        // Every seq in the meter's index is at most seqBound: a higher one (in-order readings) needs no lookup.
        boolean seqSeen = r.seq() != null && r.seq() <= seqBound && stores.seqSeen(site, meter, r.seq());
        boolean tsHeld = !inOrder && stores.held(site, meter, ts) != null;
        SiteMaterialState s = stores.siteMaterial(site, material);
        SiteState siteState = stores.site(site);
        Admission.Verdict verdict = Admission.admit(r, d.kind(), clock.clock(), seqSeen, tsHeld, site, material, role,
                s.floors.flowFloor(role), siteState.horizonFloor(horizonMs), flowSizeMs);
        if (verdict.fate() == Admission.Fate.REJECT) {
            out.reject(r, verdict.rejected(), now);
            return;
        }
        HeldReading previous = null;
        HeldReading next = null;
        if (d.kind() != MeterKind.QUANTITY) {
            // A quantity credits its own value: its neighbours matter only to counters and rates.
            if (inOrder) {
                previous = clock.clock() == null ? null
                        : Double.isNaN(clock.clockValue()) ? stores.heldBefore(site, meter, ts) : new HeldReading(clock.clock(), clock.clockValue(), null);
            } else {
                previous = stores.heldBefore(site, meter, ts);
                next = stores.heldAfter(site, meter, ts);
            }
        }
        Crediting.Insertion insertion = Crediting.insert(d.kind(), gapMaxMs, previous, next, ts, value);
        String unit = units.dimension().canonicalUnit();
        boolean first = true;
        for (CreditChange change : insertion.changes()) {
            // Only the reading's own credit can open a window in a unit the site does not count this material in.
            Admission.Rejected conflict = windows.credit(site, material, role, unit, change, s, first);
            if (conflict != null) {
                out.reject(r, conflict, now);
                return;
            }
            first = false;
        }
        for (Crediting.Gap gap : insertion.gaps()) {
            counters.rateGap();
            LOG.info("rate gap on {}/{}: {} to {} exceeds gap.max {} ms, credited 0", site, meter,
                    Instant.ofEpochMilli(gap.fromTs()), Instant.ofEpochMilli(gap.toTs()), gapMaxMs);
        }
        if (verdict.fate() == Admission.Fate.RESTATE) {
            counters.restated();
        }
        Long newestChunk = stores.putHeld(site, meter, new HeldReading(ts, value, r.seq()), clock.clock(), clock.chunk());
        MeterClockState after = clock.withReading(ts, value, r.seq() == null ? seqBound : Long.valueOf(Math.max(seqBound, r.seq())), now,
                newestChunk);
        stores.putClock(site, material, role, meter, after);
        long thresholdBefore = siteState.lagThreshold(lagMaxMs);
        SiteState siteAfter = siteState.withClock(after.clock());
        if (siteAfter != siteState) {
            stores.putSite(site, siteAfter);
        }
        long thresholdAfter = siteAfter.lagThreshold(lagMaxMs);
        boolean moved = frontiers.onReading(site, material, s, role, clock, after, now, thresholdBefore, thresholdAfter);
        if (thresholdAfter > thresholdBefore) {
            // The site's newest clock moved on: a meter now more than lag.max behind it stops holding windows.
            moved |= frontiers.check(site, material, s, now, thresholdAfter);
        }
        if (moved || !s.sent) {
            closeWindows(site, material, s, now);
        }
        stores.putSiteMaterial(site, material, s);
    }

    private void onLevel(ReadingRecord r, MeterDescriptor d, long ts, double value, String unit, long now) {
        StockLevel latest = stores.stock(r.site(), r.meter());
        if (latest != null && latest.ts() == ts) {
            out.reject(r, Admission.duplicateLevel(r), now);
            return;
        }
        // An older level is accepted but is not the stock: the latest by ts is.
        if (latest == null || ts > latest.ts()) {
            StockLevel level = new StockLevel(r.site(), r.meter(), d.material(), ts, value, unit);
            stores.putStock(level);
            out.level(level, now);
        }
    }

    // ---- descriptors

    private void onMeter(String site, String meter, MeterDescriptor descriptor, long now) {
        MeterState old = stores.meter(site, meter);
        MeterDescriptor was = old == null ? null : old.descriptor();
        // The site/material and role series whose meters changed: their frontiers are looked at again at the end,
        // once the meter is in its new place (a meter moving between roles must not leave its material without meters).
        Map<String, Set<Role>> touched = new LinkedHashMap<>();
        MeterClockState carried = null;
        if (was != null && MeterState.feedsWindows(was)) {
            boolean sameKey = descriptor != null && MeterState.feedsWindows(descriptor)
                    && was.material().equals(descriptor.material()) && was.role() == descriptor.role();
            if (descriptor == null || !sameFeed(was, descriptor)) {
                stores.clearHeld(site, meter);
            }
            if (!sameKey) {
                carried = stores.clock(site, was.material(), was.role(), meter);
                stores.deleteClock(site, was.material(), was.role(), meter);
                touched.computeIfAbsent(was.material(), m -> EnumSet.noneOf(Role.class)).add(was.role());
            }
        }
        if (descriptor == null) {
            if (old != null) {
                stores.deleteMeter(site, meter);
                stores.deleteStock(site, meter);
                LOG.info("meter {}/{} deleted", site, meter);
            }
        } else {
            if (was != null && !sameFeed(was, descriptor)) {
                LOG.info("meter {}/{} now feeds {}/{} as {} in {}: its crediting history starts afresh", site, meter, descriptor.material(),
                        descriptor.role().wire(), descriptor.kind().wire(), descriptor.unit());
            }
            stores.putMeter(site, meter, new MeterState(descriptor));
            if (MeterState.feedsWindows(descriptor)) {
                MeterClockState clock = carried != null ? carried : stores.clock(site, descriptor.material(), descriptor.role(), meter);
                if (clock == null) {
                    clock = MeterClockState.fresh(now);
                } else if (was != null && !sameFeed(was, descriptor)) {
                    clock = clock.freshHistory(now);
                } else {
                    clock = clock.heardAt(now);
                }
                stores.putClock(site, descriptor.material(), descriptor.role(), meter, clock);
                touched.computeIfAbsent(descriptor.material(), m -> EnumSet.noneOf(Role.class)).add(descriptor.role());
            }
        }
        long threshold = stores.site(site).lagThreshold(lagMaxMs);
        touched.forEach((material, roles) -> {
            SiteMaterialState s = stores.siteMaterial(site, material);
            roles.forEach(role -> frontiers.rescan(site, material, s, role, now, threshold));
            closeWindows(site, material, s, now);
            stores.putSiteMaterial(site, material, s);
        });
    }

    private static boolean sameFeed(MeterDescriptor a, MeterDescriptor b) {
        return a.material().equals(b.material()) && a.role() == b.role() && a.kind() == b.kind() && a.unit().equals(b.unit());
    }

    private void onSite(String site, SiteDescriptor descriptor) {
        stores.putSite(site, stores.site(site).withDescriptor(descriptor));
        // Region membership is re-sent by the next punctuation.
    }

    // ---- closing and publishing

    /**
     * Advances the floors of one site and material and publishes (final) and forgets the windows
     * that closed; tells the region of a frontier that went down at once.
     */
    private void closeWindows(String site, String material, SiteMaterialState s, long now) {
        String region = regionOf(site);
        regions.sendProgress(site, material, region, s, s.siteFrontier(), false, now);
        Map<Role, Long> roleFrontiers = new EnumMap<>(Role.class);
        for (int r = 0; r < SiteMaterialState.ROLES; r++) {
            if (s.participates(r)) {
                roleFrontiers.put(ROLES[r], s.meters[r] > 0 ? s.frontier[r] : Frontier.NONE_ACTIVE);
            }
        }
        if (!rule.wouldAdvance(s.floors, roleFrontiers, now)) {
            return;
        }
        ClosedUntil next = rule.advance(s.floors, roleFrontiers, now);
        if (!next.equals(s.floors)) {
            windows.close(site, material, s, s.floors, next, region, now);
            s.floors = next;
            long newestClosed = Long.MIN_VALUE;
            for (Role role : ROLES) {
                newestClosed = Math.max(newestClosed, next.ownFlowFloor(role));
            }
            SiteState st = stores.site(site);
            SiteState closedUntil = st.withClosedUntil(newestClosed);
            if (closedUntil != st) {
                stores.putSite(site, closedUntil);
            }
        }
    }

    private void punctuate(long now) {
        long publishedBefore = out.published();
        // Pruning every commit interval, not at every publishing: it is the punctuation's main cost (a range lookup per
        // meter, two deletes per reading; bench/run.sh streams: 10-22 % of the stream thread when it ran every half
        // interval, 5-7 % now), and what it forgets can wait.
        boolean pruneNow = prunedAt == Long.MIN_VALUE || now - prunedAt >= pruneEveryMs;
        if (pruneNow) {
            prunedAt = now;
        }
        List<KeyValue<String, String>> keys = stores.allSiteMaterials();
        List<SiteMaterialState> states = new ArrayList<>(keys.size());
        for (KeyValue<String, String> sm : keys) {
            SiteMaterialState s = stores.siteMaterial(sm.key, sm.value);
            frontiers.check(sm.key, sm.value, s, now, stores.site(sm.key).lagThreshold(lagMaxMs));
            closeWindows(sm.key, sm.value, s, now);
            if (pruneNow) {
                long horizonFloor = stores.site(sm.key).horizonFloor(horizonMs);
                prune(sm.key, sm.value, s, horizonFloor);
                windows.pruneClosed(sm.key, sm.value, s, horizonFloor);
            }
            states.add(s);
        }
        windows.publishChanged(now);
        for (int i = 0; i < keys.size(); i++) {
            KeyValue<String, String> sm = keys.get(i);
            SiteMaterialState s = states.get(i);
            regions.sendProgress(sm.key, sm.value, regionOf(sm.key), s, s.siteFrontier(), true, now);
            stores.putSiteMaterial(sm.key, sm.value, s);
        }
        if (out.published() != publishedBefore) {
            // Figures are readable (read_committed) only once committed: commit now rather than at Kafka Streams' next
            // timer, which could be a whole commit interval away.
            context.commit();
        }
    }

    /**
     * Forgets the held readings that can no longer change a window or be duplicated: below each
     * role's floor but the newest (a counter or rate reading there is {@code late}), and for
     * {@code quantity} meters, whose late readings restate, below the restatement horizon.
     */
    private void prune(String site, String material, SiteMaterialState s, long horizonFloor) {
        for (int r = 0; r < SiteMaterialState.ROLES; r++) {
            long floor = s.floors.flowFloor(ROLES[r]);
            if (floor <= s.prunedTo[r]) {
                continue;
            }
            if (s.meters[r] > 0) {
                for (KeyValue<String, MeterClockState> kv : stores.clocksOf(site, material, ROLES[r])) {
                    MeterState m = stores.meter(site, kv.key);
                    boolean quantity = m != null && m.descriptor().kind() == MeterKind.QUANTITY;
                    long meterFloor = quantity ? Math.min(floor, horizonFloor) : floor;
                    Long rewritten = stores.pruneHeld(site, kv.key, meterFloor);
                    MeterClockState c = kv.value;
                    if (rewritten != null && c.chunk() != null && c.chunk() < meterFloor) {
                        // The chunk that held the meter's newest reading was written again under a new key.
                        stores.putClock(site, material, ROLES[r], kv.key, c.withChunk(rewritten));
                    }
                }
            }
            s.prunedTo[r] = floor;
        }
    }

    // ---- helpers

    private MaterialDescriptor material(String material) {
        return materials.get(material);
    }

    private String regionOf(String site) {
        return stores.site(site).region();
    }
}
