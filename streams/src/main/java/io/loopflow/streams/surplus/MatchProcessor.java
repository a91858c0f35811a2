package io.loopflow.streams.surplus;

import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.DataQualityRecord;
import io.loopflow.core.model.DemandDescriptor;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.core.surplus.Alerts;
import io.loopflow.core.surplus.MatchBook;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * Surplus-to-demand matching per material (CONTRACT.md section 5), keyed {@code material}. Reads
 * {@link MatchInput}s (surpluses from {@link SurplusProcessor}, demands from {@code loopflow.demands})
 * and the global site store for names and coordinates; keeps a {@link MaterialBook} per material in
 * {@code loopflow-surplus-matchbook}. Forwards {@code match} and {@code match.closed}
 * {@link AlertRecord}s (decided by the pure {@link MatchBook}) and a {@link DataQualityRecord}
 * when a site with a surplus or demand of the material has no coordinates, and when that is mended.
 * A wall-clock punctuation re-evaluates every material, so a site that moves or is deleted closes
 * its matches without waiting for a reading.
 */
final class MatchProcessor implements Processor<String, MatchInput, String, Object> {
    private final SurplusConfig config;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, MaterialBook> books;
    private TimestampedKeyValueStore<String, SiteDescriptor> sites;
    private TimestampedKeyValueStore<String, MaterialDescriptor> materials;

    MatchProcessor(SurplusConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.books = context.getStateStore(SurplusTopology.MATCHBOOK_STORE);
        this.sites = context.getStateStore(SurplusTopology.SITES_STORE);
        this.materials = context.getStateStore(SurplusTopology.MATERIALS_STORE);
        context.schedule(config.evaluateEvery(), PunctuationType.WALL_CLOCK_TIME, this::reevaluateAll);
    }

    @Override
    public void process(Record<String, MatchInput> record) {
        MatchInput in = record.value();
        MaterialBook b = books.get(in.material());
        if (b == null) {
            b = MaterialBook.empty();
        }
        Map<String, MaterialBook.Supply> supplies = new TreeMap<>(b.supplies());
        Map<String, DemandDescriptor> demands = new TreeMap<>(b.demands());
        String unit = b.unit();
        if (in.kind() == MatchInput.Kind.SUPPLY) {
            supplies.put(in.site(), new MaterialBook.Supply(in.available(), in.raised()));
            unit = in.unit();
        } else if (in.demand() == null) {
            demands.remove(in.site());
        } else {
            demands.put(in.site(), in.demand());
        }
        Instant now = in.ts() != null && in.ts().isAfter(b.now()) ? in.ts() : b.now();
        MaterialBook updated = new MaterialBook(supplies, demands, b.open(), b.episodes(), b.unlocatedReported(), unit, now);
        books.put(in.material(), evaluate(in.material(), updated, record.timestamp()));
    }

    private void reevaluateAll(long wallClockMs) {
        List<KeyValue<String, MaterialBook>> all = new ArrayList<>();
        try (KeyValueIterator<String, MaterialBook> it = books.all()) {
            it.forEachRemaining(all::add);
        }
        for (KeyValue<String, MaterialBook> kv : all) {
            MaterialBook next = evaluate(kv.key, kv.value, wallClockMs);
            if (!next.equals(kv.value)) {
                books.put(kv.key, next);
            }
        }
    }

    private MaterialBook evaluate(String material, MaterialBook b, long timestamp) {
        MaterialDescriptor md = SurplusProcessor.value(materials, material);
        String materialName = md != null ? md.name() : material;
        String unit = md != null ? md.dimension().canonicalUnit() : (b.unit() != null ? b.unit() : "");

        Map<String, MatchBook.Supply> supplies = new HashMap<>();
        b.supplies().forEach((site, s) -> {
            SiteDescriptor sd = SurplusProcessor.value(sites, site);
            supplies.put(site, new MatchBook.Supply(site, sd != null ? sd.name() : site, sd != null ? sd.lat() : null,
                    sd != null ? sd.lon() : null, s.available(), s.raised()));
        });
        Map<String, MatchBook.Demand> demands = new HashMap<>();
        b.demands().forEach((site, d) -> {
            SiteDescriptor sd = SurplusProcessor.value(sites, site);
            demands.put(site, new MatchBook.Demand(site, sd != null ? sd.name() : site, sd != null ? sd.lat() : null,
                    sd != null ? sd.lon() : null, d.quantity(), d.maxDistanceKm()));
        });
        Set<MatchBook.Pair> open = new HashSet<>();
        b.open().values().forEach(o -> open.add(new MatchBook.Pair(o.supplier(), o.demander())));

        Map<String, MaterialBook.Open> nowOpen = new TreeMap<>(b.open());
        Map<String, Long> episodes = new TreeMap<>(b.episodes());
        for (MatchBook.Transition t : MatchBook.evaluate(supplies, demands, open)) {
            String pairKey = t.pair().supplier() + "/" + t.pair().demander();
            AlertRecord alert;
            if (t.open()) {
                long episode = episodes.merge(pairKey, 1L, Long::sum);
                nowOpen.put(pairKey, new MaterialBook.Open(t.pair().supplier(), t.pair().demander(), episode));
                alert = Alerts.match(t, material, episode, materialName, unit, b.now());
            } else {
                MaterialBook.Open closed = nowOpen.remove(pairKey);
                alert = Alerts.matchClosed(t, material, closed.episode(), materialName, unit, b.now());
            }
            context.forward(new Record<>(alert.id(), alert, timestamp));
        }

        // A site that takes part (surplus or demand) but has no coordinates cannot be matched: say so once.
        Set<String> unlocated = new TreeSet<>();
        supplies.values().stream().filter(s -> s.lat() == null || s.lon() == null).forEach(s -> unlocated.add(s.site()));
        demands.values().stream().filter(d -> d.lat() == null || d.lon() == null).forEach(d -> unlocated.add(d.site()));
        for (String site : unlocated) {
            if (!b.unlocatedReported().contains(site)) {
                boolean known = SurplusProcessor.value(sites, site) != null;
                forwardQuality(site, material, false, known
                        ? "site " + site + " has no lat/lon in its descriptor: its " + materialName + " cannot be matched by distance"
                        : "site " + site + " has no site descriptor: its " + materialName + " cannot be matched by distance", b.now(), timestamp);
            }
        }
        for (String site : b.unlocatedReported()) {
            if (!unlocated.contains(site)) {
                forwardQuality(site, material, true, "site " + site + " now has coordinates or no longer takes part", b.now(), timestamp);
            }
        }

        return new MaterialBook(b.supplies(), b.demands(), nowOpen, episodes, unlocated, b.unit(), b.now());
    }

    private void forwardQuality(String site, String material, boolean resolved, String detail, Instant ts, long timestamp) {
        DataQualityRecord q = new DataQualityRecord(site, material, DataQualityRecord.NO_COORDINATES, detail, resolved, ts);
        context.forward(new Record<>(site + "/" + material, q, timestamp));
    }
}
