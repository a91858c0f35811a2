package io.loopflow.streams.view;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.core.json.Json;
import io.loopflow.core.model.FlowRecord;
import io.loopflow.core.model.Role;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flow windows of {@code loopflow.flows} written within the view's look-back: per window (site, material,
 * role, window start, taken from the record's fields, never from the key) the publication that
 * {@link Revisions} keeps. Answers the totals of the windows that start in a time range. Thread-safe.
 */
final class FlowStore {
    /** One flow window. */
    record Id(String site, String material, Role role, Instant windowStart) {
    }

    /** What is kept of its publication. */
    record Entry(Instant windowEnd, double quantity, String unit, long readings, boolean isFinal, int revision, long writtenAt) {
    }

    /** The sum of the windows of one site, material and role (one unit) that start in a range. */
    record Total(String site, String material, Role role, String unit, double quantity, int windows, int provisional) {
    }

    private final Map<Id, Entry> entries = new HashMap<>();

    /**
     * Takes one record's JSON, written at {@code writtenAt} (epoch ms).
     *
     * @return true when it replaced what was held (or was new)
     * @throws IllegalArgumentException when it is not a valid flow record
     */
    boolean accept(JsonNode value, long writtenAt) {
        FlowRecord r;
        try {
            r = Json.MAPPER.treeToValue(value, FlowRecord.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a flow record: " + e.getOriginalMessage(), e);
        }
        if (r.site() == null || r.material() == null || r.role() == null || r.windowStart() == null || r.windowEnd() == null) {
            throw new IllegalArgumentException("flow record without site, material, role, windowStart or windowEnd");
        }
        int revision = Revisions.of(value);
        Id id = new Id(r.site(), r.material(), r.role(), r.windowStart());
        Entry next = new Entry(r.windowEnd(), r.quantity(), r.unit(), r.readings(), r.isFinal(), revision, writtenAt);
        synchronized (this) {
            Entry held = entries.get(id);
            if (held != null && !Revisions.replaces(revision, r.isFinal(), held.revision(), held.isFinal())) {
                return false;
            }
            entries.put(id, next);
            return true;
        }
    }

    /** Drops the windows last written before {@code cutoff} (epoch ms); returns how many. */
    synchronized int evictWrittenBefore(long cutoff) {
        int before = entries.size();
        entries.values().removeIf(e -> e.writtenAt() < cutoff);
        return before - entries.size();
    }

    synchronized int size() {
        return entries.size();
    }

    /** Per site, material, role and unit: the sum of the windows that start in [{@code from}, {@code to}). */
    synchronized List<Total> totals(Instant from, Instant to) {
        record Group(String site, String material, Role role, String unit) {
        }
        Map<Group, double[]> sums = new LinkedHashMap<>();
        entries.forEach((id, e) -> {
            if (!id.windowStart().isBefore(from) && id.windowStart().isBefore(to)) {
                double[] s = sums.computeIfAbsent(new Group(id.site(), id.material(), id.role(), e.unit()), g -> new double[3]);
                s[0] += e.quantity();
                s[1] += 1;
                s[2] += e.isFinal() ? 0 : 1;
            }
        });
        List<Total> out = new ArrayList<>(sums.size());
        sums.forEach((g, s) -> out.add(new Total(g.site(), g.material(), g.role(), g.unit(), s[0], (int) s[1], (int) s[2])));
        return out;
    }
}
