package io.loopflow.streams.region;

import io.loopflow.core.model.KpiRecord;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StoreNames;
import io.loopflow.streams.StreamsCounters;
import io.loopflow.streams.window.Frontier;
import io.loopflow.streams.window.Windows;
import java.time.Duration;
import java.time.Instant;
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
 * Region key figures (scope {@code region}): reads the {@code region-events} repartition topic
 * (key: region) that the site processors fill, writes {@link KpiRecord}s keyed
 * {@code region/<region>/<material>/<windowStart>} for {@code loopflow.kpis}.
 *
 * <p>Per region, material and window it keeps each contributing site's latest sums; the region's
 * figures are their role-by-role sums, so its rates are ratios of sums. A region window closes
 * (one {@code final: true}, then deleted) when every site that contributed has closed its own
 * window and every site of the region that reported progress for that material has a frontier
 * past the window's end plus grace (or no active meter). Provisional records are published on a
 * wall-clock punctuator, at most one per window per commit interval.
 *
 * <p>A site that leaves the region ({@code LEAVE}: its region changed or its descriptor was
 * deleted) stops holding the region's windows; what it contributed so far stays, as final.
 *
 * <p>Limit: sites run in other tasks, so a site whose meters were all idle when the region window
 * closed and which later sends readings for it (its own windows were not closed, since none of its
 * meters was active to close them) is counted in its site figures but not in the closed region
 * window: that contribution is logged and counted ({@code loopflow.streams.region.dropped{cause=late}}).
 * Without a material descriptor, the first contribution fixes the unit; a site in another unit is
 * dropped the same way ({@code cause=unit}).
 */
public final class RegionProcessor implements Processor<String, RegionEvent, String, KpiRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(RegionProcessor.class);
    private static final StringSerializer PREFIX = new StringSerializer();

    private final long graceMs;
    private final Duration punctuateEvery;
    private final StreamsCounters counters;

    private ProcessorContext<String, KpiRecord> context;
    private KeyValueStore<String, RegionWindowState> windows;
    private KeyValueStore<String, RegionProgress> progress;
    private KeyValueStore<String, Long> closedUntil;

    public RegionProcessor(ProcessorConfig config, StreamsCounters counters) {
        this.graceMs = config.grace().toMillis();
        this.punctuateEvery = config.commitInterval();
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, KpiRecord> ctx) {
        this.context = ctx;
        windows = ctx.getStateStore(StoreNames.REGION_WINDOWS);
        progress = ctx.getStateStore(StoreNames.REGION_PROGRESS);
        closedUntil = ctx.getStateStore(StoreNames.REGION_CLOSED_UNTIL);
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
            for (KeyValue<String, RegionWindowState> kv : scan(rm + "/")) {
                RegionWindowState w = kv.value.withClosed(e.site());
                if (w != kv.value) {
                    windows.put(kv.key, w);
                }
            }
            LOG.info("site {} left region {} for {}", e.site(), e.region(), e.material());
        } else {
            String key = rm + "/" + Windows.keyPart(e.size()) + "/" + Windows.keyPart(e.start());
            RegionWindowState w = windows.get(key);
            if (w == null) {
                Long floor = closedUntil.get(rm + "/" + Windows.keyPart(e.size()));
                if (floor != null && e.start() + e.size() <= floor) {
                    counters.regionDropped("late");
                    LOG.warn("site {} sent {} figures for region {} window {} (+{} ms) after the region window closed; "
                            + "they count in the site figures only", e.site(), e.material(), e.region(), Instant.ofEpochMilli(e.start()), e.size());
                    return;
                }
                w = new RegionWindowState(e.region(), e.material(), e.size(), e.start(), e.unit(), Map.of(), true);
            }
            if (!w.unit().equals(e.unit())) {
                counters.regionDropped("unit");
                LOG.warn("site {} counts {} in {} but region {} counts it in {}; its figures are left out of the region",
                        e.site(), e.material(), e.unit(), e.region(), w.unit());
                return;
            }
            windows.put(key, w.with(e.site(), new RegionWindowState.Contribution(e.sums(), e.closed())));
        }
        closeWindows(e.region(), e.material(), now);
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
        for (KeyValue<String, RegionWindowState> kv : scan(rm + "/")) {
            RegionWindowState w = kv.value;
            if (w.allContributorsClosed() && Frontier.passed(frontier, w.end(), graceMs)) {
                emit(w, true, now);
                windows.delete(kv.key);
                String floorKey = rm + "/" + Windows.keyPart(w.size());
                Long floor = closedUntil.get(floorKey);
                if (floor == null || floor < w.end()) {
                    closedUntil.put(floorKey, w.end());
                }
            }
        }
    }

    private void punctuate(long now) {
        List<KeyValue<String, RegionWindowState>> dirty = new ArrayList<>();
        try (KeyValueIterator<String, RegionWindowState> it = windows.all()) {
            while (it.hasNext()) {
                KeyValue<String, RegionWindowState> kv = it.next();
                if (kv.value.dirty()) {
                    dirty.add(kv);
                }
            }
        }
        for (KeyValue<String, RegionWindowState> kv : dirty) {
            emit(kv.value, false, now);
            windows.put(kv.key, kv.value.published());
        }
    }

    private void emit(RegionWindowState w, boolean isFinal, long now) {
        KpiRecord record = KpiRecord.of(KpiRecord.REGION, null, w.region(), w.material(), Duration.ofMillis(w.size()),
                Instant.ofEpochMilli(w.start()), w.total(), w.unit(), isFinal);
        context.forward(new Record<>(record.key(), record, now));
    }

    private List<KeyValue<String, RegionWindowState>> scan(String prefix) {
        List<KeyValue<String, RegionWindowState>> out = new ArrayList<>();
        try (KeyValueIterator<String, RegionWindowState> it = windows.prefixScan(prefix, PREFIX)) {
            while (it.hasNext()) {
                out.add(it.next());
            }
        }
        return out;
    }
}
