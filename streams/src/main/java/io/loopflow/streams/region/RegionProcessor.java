package io.loopflow.streams.region;

import io.loopflow.core.model.KpiRecord;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StoreNames;
import io.loopflow.streams.StreamsCounters;
import io.loopflow.streams.window.Frontier;
import io.loopflow.streams.window.KpiWindow;
import io.loopflow.streams.window.Windows;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Region key figures (scope {@code region}): reads the {@code region-events-v2} repartition topic
 * (key: region) that the site processors fill, writes {@link KpiRecord}s keyed
 * {@code region/<region>/<material>/<window>/<windowStart>} for {@code loopflow.kpis}.
 *
 * <p>Per region, material and window it keeps each contributing site's latest sums; the region's
 * figures are their role-by-role sums, so its rates are ratios of sums. A region window closes
 * (one {@code final: true} with {@code revision: 0}) when every site that contributed has closed its
 * own window and every site of the region that reported progress for that material has a frontier
 * past the window's end plus grace (or no active meter). Provisional records are published on a
 * wall-clock punctuator every half commit interval ({@code ProcessorConfig.publishInterval}), at most one per window
 * each time, and committed at once.
 *
 * <p>A closed window is kept within {@code restate.horizon}: a site's window restated by late data,
 * or the window of a site that was idle when the region's closed and sends it only now, changes it,
 * and it is published again, final, with the next revision at the next punctuation (CONTRACT.md
 * section 6). Older contributions are counted in {@code loopflow.streams.region.dropped{cause=horizon}}.
 *
 * <p>A site that leaves the region ({@code LEAVE}: its region changed or its descriptor was
 * deleted) stops holding the region's windows; what it contributed so far stays, as final. Without
 * a material descriptor, the first contribution fixes the unit; a site in another unit is left out
 * ({@code cause=unit}).
 */
public final class RegionProcessor implements Processor<String, RegionEvent, String, KpiRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(RegionProcessor.class);
    private static final StringSerializer PREFIX = new StringSerializer();
    /** Closed windows past the horizon are forgotten in batches, once the floor has moved on by this much. */
    private static final long PRUNE_EVERY_MS = 3_600_000;

    private final long graceMs;
    private final long horizonMs;
    private final ZoneId zone;
    private final Duration punctuateEvery;
    private final StreamsCounters counters;

    private ProcessorContext<String, KpiRecord> context;
    private KeyValueStore<String, RegionWindowState> windows;
    private KeyValueStore<String, RegionWindowState> closed;
    private KeyValueStore<String, Boolean> dirty;
    private KeyValueStore<String, RegionProgress> progress;
    private KeyValueStore<String, RegionFloor> floors;

    public RegionProcessor(ProcessorConfig config, StreamsCounters counters) {
        this.graceMs = config.grace().toMillis();
        this.horizonMs = config.restateHorizon().toMillis();
        this.zone = config.timeZone();
        this.punctuateEvery = config.publishInterval();
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, KpiRecord> ctx) {
        this.context = ctx;
        windows = ctx.getStateStore(StoreNames.REGION_WINDOWS);
        closed = ctx.getStateStore(StoreNames.REGION_CLOSED);
        dirty = ctx.getStateStore(StoreNames.REGION_DIRTY);
        progress = ctx.getStateStore(StoreNames.REGION_PROGRESS);
        floors = ctx.getStateStore(StoreNames.REGION_CLOSED_UNTIL);
        ctx.schedule(punctuateEvery, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<String, RegionEvent> record) {
        RegionEvent e = record.value();
        long now = context.currentSystemTimeMs();
        String rm = e.region() + "/" + e.material();
        if (e.kind() == RegionEvent.Kind.PROGRESS) {
            RegionProgress p = progress.get(rm);
            progress.put(rm, (p == null ? RegionProgress.NONE : p).with(e.site(), e.frontier()));
        } else if (e.kind() == RegionEvent.Kind.LEAVE) {
            RegionProgress p = progress.get(rm);
            if (p != null) {
                progress.put(rm, p.without(e.site()));
            }
            for (KeyValue<String, RegionWindowState> kv : scan(windows, rm + "/")) {
                RegionWindowState w = kv.value.withClosed(e.site());
                if (w != kv.value) {
                    put(windows, kv.key, w);
                }
            }
            LOG.info("site {} left region {} for {}", e.site(), e.region(), e.material());
        } else if (!onWindow(e, rm)) {
            return;
        }
        closeWindows(e.region(), e.material(), now);
    }

    /** A site's window sums; returns false when nothing open changed (a closed window restated, or a dropped contribution). */
    private boolean onWindow(RegionEvent e, String rm) {
        String key = windowKey(rm, e.code(), e.start());
        RegionWindowState.Contribution contribution = new RegionWindowState.Contribution(e.sums(), e.closed());
        RegionWindowState w = windows.get(key);
        if (w == null) {
            RegionWindowState c = closed.get(key);
            RegionFloor floor = floors.get(floorKey(rm, e.code()));
            if (c == null && floor != null && e.end() <= floor.closedUntil()) {
                if (e.end() <= floor.prunedTo() || e.end() <= floor.closedUntil() - horizonMs) {
                    counters.regionDropped("horizon");
                    LOG.warn("site {} sent {} figures for region {} window {} older than restate.horizon; they count in the site figures only",
                            e.site(), e.material(), e.region(), Instant.ofEpochMilli(e.start()));
                    return false;
                }
                // The region's window closed without this site (idle then): it joins it now, as a restatement.
                c = new RegionWindowState(e.region(), e.material(), e.code(), e.start(), e.end(), e.unit(), Map.of(), false, -1);
            }
            if (c != null) {
                if (!c.unit().equals(e.unit())) {
                    unitConflict(e, c.unit());
                    return false;
                }
                put(closed, key, c.with(e.site(), new RegionWindowState.Contribution(e.sums(), true)));
                return false;
            }
            w = new RegionWindowState(e.region(), e.material(), e.code(), e.start(), e.end(), e.unit(), Map.of(), false, -1);
        }
        if (!w.unit().equals(e.unit())) {
            unitConflict(e, w.unit());
            return false;
        }
        put(windows, key, w.with(e.site(), contribution));
        return true;
    }

    private void unitConflict(RegionEvent e, String regionUnit) {
        counters.regionDropped("unit");
        LOG.warn("site {} counts {} in {} but region {} counts it in {}; its figures are left out of the region",
                e.site(), e.material(), e.unit(), e.region(), regionUnit);
    }

    /** Stores a window and, when it changed since last published, marks it for the next punctuation. */
    private void put(KeyValueStore<String, RegionWindowState> store, String key, RegionWindowState w) {
        store.put(key, w);
        if (w.dirty()) {
            dirty.put(key, Boolean.TRUE);
        }
    }

    private void closeWindows(String region, String material, long now) {
        String rm = region + "/" + material;
        RegionProgress p = progress.get(rm);
        long frontier = Frontier.NONE_ACTIVE;
        if (p != null) {
            for (long f : p.frontiers().values()) {
                frontier = Frontier.min(frontier, f);
            }
        }
        for (KeyValue<String, RegionWindowState> kv : scan(windows, rm + "/")) {
            RegionWindowState w = kv.value;
            if (w.allContributorsClosed() && Frontier.passed(frontier, w.end(), graceMs)) {
                emit(w, true, 0, now);
                windows.put(kv.key, null); // a delete without reading the old value back (SiteStores.forget)
                closed.put(kv.key, w.closedNow());
                String floorKey = floorKey(rm, w.code());
                RegionFloor floor = floors.get(floorKey);
                if (floor == null || floor.closedUntil() < w.end()) {
                    floors.put(floorKey, new RegionFloor(w.end(), floor == null ? Long.MIN_VALUE : floor.prunedTo()));
                }
            }
        }
    }

    private void punctuate(long now) {
        boolean emitted = false;
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, Boolean> it = dirty.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        for (String key : keys) {
            dirty.put(key, null);
            RegionWindowState open = windows.get(key);
            if (open != null) {
                if (open.dirty()) {
                    emit(open, false, 0, now);
                    windows.put(key, open.published());
                    emitted = true;
                }
                continue;
            }
            RegionWindowState c = closed.get(key);
            if (c != null && c.dirty()) {
                RegionWindowState restated = c.restated();
                emit(restated, true, restated.revision(), now);
                closed.put(key, restated);
                emitted = true;
            }
        }
        prune();
        if (emitted) {
            // Readable only once committed: commit now rather than at Kafka Streams' next timer (ProcessorConfig.publishInterval).
            context.commit();
        }
    }

    /** Forgets closed windows older than the horizon, per region, material and window kind, in batches. */
    private void prune() {
        List<KeyValue<String, RegionFloor>> all = new ArrayList<>();
        try (KeyValueIterator<String, RegionFloor> it = floors.all()) {
            it.forEachRemaining(all::add);
        }
        for (KeyValue<String, RegionFloor> kv : all) {
            RegionFloor f = kv.value;
            long horizon = f.closedUntil() - horizonMs;
            if (f.prunedTo() != Long.MIN_VALUE && horizon - f.prunedTo() < PRUNE_EVERY_MS) {
                continue;
            }
            String prefix = kv.key + "/";
            List<KeyValue<String, RegionWindowState>> old = new ArrayList<>();
            // From the window that held the last horizon (kept then if it ended after it); keys of windows after 1970 sort by time.
            long from = f.prunedTo() == Long.MIN_VALUE ? 0 : Math.max(0, KpiWindow.ofCode(codeOf(kv.key)).startOf(f.prunedTo() - 1, zone));
            try (KeyValueIterator<String, RegionWindowState> it = closed.range(prefix + Windows.keyPart(from), prefix + Windows.keyPart(Math.max(0, horizon)))) {
                it.forEachRemaining(old::add);
            }
            for (KeyValue<String, RegionWindowState> w : old) {
                if (w.value.end() <= horizon) {
                    closed.put(w.key, null);
                }
            }
            floors.put(kv.key, new RegionFloor(f.closedUntil(), horizon));
        }
    }

    private void emit(RegionWindowState w, boolean isFinal, int revision, long now) {
        KpiWindow window = KpiWindow.ofCode(w.code());
        KpiRecord record = KpiRecord.of(KpiRecord.REGION, null, w.region(), w.material(), window.id(), window.timeZone(zone),
                Instant.ofEpochMilli(w.start()), Instant.ofEpochMilli(w.end()), w.total(), w.unit(), isFinal, revision);
        context.forward(new Record<>(record.key(), record, now));
    }

    private static String windowKey(String rm, long code, long start) {
        return floorKey(rm, code) + "/" + Windows.keyPart(start);
    }

    private static String floorKey(String rm, long code) {
        return rm + "/" + code;
    }

    private static long codeOf(String floorKey) {
        return Long.parseLong(floorKey.substring(floorKey.lastIndexOf('/') + 1));
    }

    private static List<KeyValue<String, RegionWindowState>> scan(KeyValueStore<String, RegionWindowState> store, String prefix) {
        List<KeyValue<String, RegionWindowState>> out = new ArrayList<>();
        try (KeyValueIterator<String, RegionWindowState> it = store.prefixScan(prefix, PREFIX)) {
            while (it.hasNext()) {
                out.add(it.next());
            }
        }
        return out;
    }
}
