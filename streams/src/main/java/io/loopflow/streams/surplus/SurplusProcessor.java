package io.loopflow.streams.surplus;

import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.model.SurplusRecord;
import io.loopflow.core.surplus.Alerts;
import io.loopflow.core.surplus.SurplusHysteresis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Surplus of one site and material (CONTRACT.md section 5), keyed {@code site/material}. Reads
 * {@link SurplusInput}s (stock levels and {@code out.storage} flow windows, canonical units) and the
 * global site and material stores; keeps {@link SurplusState} in {@code loopflow-surplus-state}.
 * Forwards a {@link SurplusRecord} when the figure changes, a {@code surplus.available} or
 * {@code surplus.cleared} {@link AlertRecord} on each hysteresis transition, and a {@link MatchInput}
 * (keyed {@code material}) whenever {@code available} or the raised state changes. A wall-clock punctuation re-evaluates
 * every surplus, so a changed {@code surplusThreshold} takes effect without new readings or a restart.
 */
final class SurplusProcessor implements Processor<String, SurplusInput, String, Object> {
    private static final Duration RATE_SPAN = Duration.ofHours(1);

    private final SurplusConfig config;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, SurplusState> states;
    private TimestampedKeyValueStore<String, SiteDescriptor> sites;
    private TimestampedKeyValueStore<String, MaterialDescriptor> materials;

    SurplusProcessor(SurplusConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.states = context.getStateStore(SurplusTopology.STATE_STORE);
        this.sites = context.getStateStore(SurplusTopology.SITES_STORE);
        this.materials = context.getStateStore(SurplusTopology.MATERIALS_STORE);
        context.schedule(config.evaluateEvery(), PunctuationType.WALL_CLOCK_TIME, this::reevaluateAll);
    }

    @Override
    public void process(Record<String, SurplusInput> record) {
        SurplusInput in = record.value();
        String key = in.site() + "/" + in.material();
        SurplusState s = states.get(key);
        if (s == null) {
            s = SurplusState.empty(in.unit());
        }
        Map<String, SurplusState.Level> levels = new TreeMap<>(s.levels());
        TreeMap<Instant, Double> storage = new TreeMap<>(s.storage());
        Instant now = s.now();
        if (in.kind() == SurplusInput.Kind.LEVEL) {
            SurplusState.Level previous = levels.get(in.meter());
            // The stock is the latest level by ts: an older level arriving late does not replace it.
            if (previous == null || !in.ts().isBefore(previous.ts())) {
                levels.put(in.meter(), new SurplusState.Level(in.ts(), in.value()));
            }
            now = max(now, in.ts());
        } else if (in.restated() && in.windowEnd().isBefore(max(now, Instant.ofEpochMilli(record.timestamp())).minus(config.horizon()))) {
            // A window restated by late data (a ticket typed in days later) and older than the horizon, measured from
            // the surplus clock or, for a key that has no storage since, from when the flow application published it:
            // that surplus existed only in the past, so it neither counts nor sets the clock back.
            return;
        } else {
            // Provisional and final records of a window carry its whole quantity so far: replace, never add.
            storage.put(in.windowStart(), in.value());
            now = max(now, in.windowEnd());
        }
        Instant horizonStart = now.minus(config.horizon());
        storage.headMap(horizonStart).clear();
        // A stock meter silent for the whole horizon (or deleted) no longer counts as stock.
        levels.values().removeIf(l -> l.ts().isBefore(horizonStart));
        SurplusState updated = new SurplusState(levels, storage, now, s.unit(), s.raised(), s.episode(), s.published());
        states.put(key, evaluate(in.site(), in.material(), updated, record.timestamp()));
    }

    private void reevaluateAll(long wallClockMs) {
        List<KeyValue<String, SurplusState>> all = new ArrayList<>();
        try (KeyValueIterator<String, SurplusState> it = states.all()) {
            it.forEachRemaining(all::add);
        }
        // Written after the scan: a store is not modified under its own open iterator.
        for (KeyValue<String, SurplusState> kv : all) {
            int slash = kv.key.indexOf('/');
            SurplusState next = evaluate(kv.key.substring(0, slash), kv.key.substring(slash + 1), kv.value, wallClockMs);
            if (!next.equals(kv.value)) {
                states.put(kv.key, next);
            }
        }
    }

    /** Publishes what changed and returns the state to store. */
    private SurplusState evaluate(String site, String material, SurplusState s, long timestamp) {
        boolean stock = !s.levels().isEmpty();
        double available = stock
                ? s.levels().values().stream().mapToDouble(SurplusState.Level::value).sum()
                : s.storage().values().stream().mapToDouble(Double::doubleValue).sum();
        double lastHour = s.storage().tailMap(s.now().minus(RATE_SPAN)).values().stream().mapToDouble(Double::doubleValue).sum();
        double rate = lastHour / (RATE_SPAN.toMillis() / 3_600_000.0);
        MaterialDescriptor md = value(materials, material);
        String unit = md != null ? md.dimension().canonicalUnit() : s.unit();
        SurplusRecord figure = new SurplusRecord(site, material, available, rate, unit,
                stock ? SurplusRecord.Source.STOCK : SurplusRecord.Source.STORAGE, s.now());
        SurplusRecord published = s.published();
        boolean changed = published == null || published.available() != available || published.rate() != rate
                || published.source() != figure.source() || !published.unit().equals(unit);
        if (changed) {
            // Stamped with its event time, which never goes back for a key (the view over loopflow.surplus needs that):
            // the inputs of one surplus carry the clocks of different writers (readings: the gateway's; flows: the
            // flow application's punctuations), whose timestamps interleave. But never after the wall clock: that event
            // time is an open flow window's end, ahead by up to streams.flow-window, or a level's ts, ahead by up to
            // ingest.max-future, and a broker refuses a record stamped more than message.timestamp.after.max.ms (Kafka
            // 4: 1 h) ahead of its clock, which would stop this application. The lesser of two clocks that never go back
            // never goes back either.
            context.forward(new Record<>(figure.key(), figure, Math.min(s.now().toEpochMilli(), context.currentSystemTimeMs())));
            published = figure;
        }

        double threshold = md != null && md.surplusThreshold() != null ? md.surplusThreshold() : config.defaultThreshold();
        SurplusHysteresis.Transition t = SurplusHysteresis.evaluate(s.raised(), available, threshold);
        boolean raised = s.raised();
        long episode = s.episode();
        if (t != SurplusHysteresis.Transition.NONE) {
            SiteDescriptor sd = value(sites, site);
            Alerts.Names names = new Alerts.Names(sd != null ? sd.name() : site, md != null ? md.name() : material, unit);
            AlertRecord alert;
            if (t == SurplusHysteresis.Transition.RAISE) {
                raised = true;
                episode++;
                alert = Alerts.surplusAvailable(site, material, episode, available, threshold, names, s.now());
            } else {
                raised = false;
                alert = Alerts.surplusCleared(site, material, episode, available, threshold, names, s.now());
            }
            context.forward(new Record<>(alert.id(), alert, timestamp));
        }
        if (changed || t != SurplusHysteresis.Transition.NONE) {
            MatchInput supply = new MatchInput(MatchInput.Kind.SUPPLY, site, material, available, raised, unit, null, s.now());
            context.forward(new Record<>(material, supply, timestamp));
        }
        return new SurplusState(s.levels(), s.storage(), s.now(), s.unit(), raised, episode, published);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    static <V> V value(TimestampedKeyValueStore<String, V> store, String key) {
        ValueAndTimestamp<V> v = store.get(key);
        return v == null ? null : v.value();
    }
}
