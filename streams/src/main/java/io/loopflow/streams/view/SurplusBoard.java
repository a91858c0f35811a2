package io.loopflow.streams.view;

import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.SurplusRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The latest {@code loopflow.surplus} record of every site and material (by the record's fields) and every
 * alert of {@code loopflow.alerts} by id (a redelivered alert has the same id and is kept once). Both topics
 * are read from their beginning. Thread-safe.
 */
final class SurplusBoard {
    private final Map<String, SurplusRecord> surplus = new TreeMap<>();
    private final Map<String, AlertRecord> alerts = new LinkedHashMap<>();

    /** @throws IllegalArgumentException when the record lacks its site or material */
    synchronized void surplus(SurplusRecord r) {
        if (r.site() == null || r.material() == null) {
            throw new IllegalArgumentException("surplus record without site or material");
        }
        surplus.put(r.site() + "/" + r.material(), r);
    }

    /**
     * @return true when the alert is new (not a redelivery of one already read)
     * @throws IllegalArgumentException when the alert lacks its id, type or ts
     */
    synchronized boolean alert(AlertRecord a) {
        if (a.id() == null || a.type() == null || a.ts() == null) {
            throw new IllegalArgumentException("alert without id, type or ts");
        }
        return alerts.put(a.id(), a) == null;
    }

    synchronized List<SurplusRecord> surplus() {
        return new ArrayList<>(surplus.values());
    }

    /** Every alert, oldest first. */
    synchronized List<AlertRecord> alerts() {
        List<AlertRecord> out = new ArrayList<>(alerts.values());
        out.sort(Comparator.comparing(AlertRecord::ts).thenComparing(AlertRecord::id));
        return out;
    }
}
