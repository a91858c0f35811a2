package io.loopflow.streams.view;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopflow.core.model.KpiRecord;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The key-figure records of {@code loopflow.kpis} written within the view's look-back: per window (scope, site
 * or region, material, window length, window start, taken from the record's fields, never from the key) the
 * publication that {@link Revisions} keeps, as the JSON it was published as, so fields added to the record
 * ({@code timeZone}, ...) are passed on unchanged. Thread-safe.
 */
final class KpiStore {
    /** The fields the views read; the rest of the record is passed on as published. */
    record Fields(String scope, String scopeId, String site, String region, String material, String window, Instant windowStart,
                  Instant windowEnd, boolean isFinal, int revision) {

        /** @throws IllegalArgumentException when a field the views need is missing or malformed */
        static Fields of(JsonNode r) {
            String scope = text(r, "scope");
            if (!KpiRecord.SITE.equals(scope) && !KpiRecord.REGION.equals(scope)) {
                throw new IllegalArgumentException("scope must be site or region, got " + scope);
            }
            String site = r.hasNonNull("site") ? r.get("site").asText() : null;
            String region = r.hasNonNull("region") ? r.get("region").asText() : null;
            String scopeId = KpiRecord.SITE.equals(scope) ? site : region;
            if (scopeId == null) {
                throw new IllegalArgumentException(scope + " record without its " + scope);
            }
            JsonNode fin = r.get("final");
            if (fin == null || !fin.isBoolean()) {
                throw new IllegalArgumentException("final must be true or false");
            }
            return new Fields(scope, scopeId, site, region, text(r, "material"), text(r, "window"), instant(r, "windowStart"),
                    instant(r, "windowEnd"), fin.asBoolean(), Revisions.of(r));
        }

        private static String text(JsonNode r, String field) {
            JsonNode n = r.get(field);
            if (n == null || !n.isTextual() || n.asText().isEmpty()) {
                throw new IllegalArgumentException("missing " + field);
            }
            return n.asText();
        }

        private static Instant instant(JsonNode r, String field) {
            try {
                return Instant.parse(text(r, field));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(field + " is not an instant: " + r.get(field), e);
            }
        }
    }

    /** One window of one scope, material and length. */
    record Id(String scope, String scopeId, String material, String window, Instant windowStart) {
    }

    /** A kept publication. */
    record Entry(Fields fields, JsonNode record, long writtenAt) {
    }

    private static final Comparator<Entry> ORDER = Comparator.comparing((Entry e) -> e.fields().scope())
            .thenComparing(e -> e.fields().scopeId()).thenComparing(e -> e.fields().material())
            .thenComparing(e -> e.fields().window()).thenComparing(e -> e.fields().windowStart());

    private final Map<Id, Entry> entries = new HashMap<>();

    /**
     * Takes one record's JSON, written at {@code writtenAt} (epoch ms).
     *
     * @return true when it replaced what was held (or was new)
     * @throws IllegalArgumentException when it is not a valid key-figure record
     */
    boolean accept(JsonNode value, long writtenAt) {
        Fields f = Fields.of(value);
        Id id = new Id(f.scope(), f.scopeId(), f.material(), WindowLength.canonical(f.window()), f.windowStart());
        synchronized (this) {
            Entry held = entries.get(id);
            if (held != null && !Revisions.replaces(f.revision(), f.isFinal(), held.fields().revision(), held.fields().isFinal())) {
                return false;
            }
            entries.put(id, new Entry(f, value, writtenAt));
            return true;
        }
    }

    synchronized int evictWrittenBefore(long cutoff) {
        int before = entries.size();
        entries.values().removeIf(e -> e.writtenAt() < cutoff);
        return before - entries.size();
    }

    synchronized int size() {
        return entries.size();
    }

    /** Every kept record whose fields pass {@code filter}, by scope, id, material, window and start. */
    synchronized List<JsonNode> select(Predicate<Fields> filter) {
        return entries.values().stream().filter(e -> filter.test(e.fields())).sorted(ORDER).map(Entry::record).toList();
    }

    /**
     * Per scope, id and material: the last {@code count} final records of {@code window} length (by window
     * start), oldest first, of those whose fields pass {@code filter}.
     */
    synchronized List<KpiSeries> finals(String window, int count, Predicate<Fields> filter) {
        String w = WindowLength.canonical(window);
        Map<List<String>, List<Entry>> groups = new LinkedHashMap<>();
        entries.values().stream()
                .filter(e -> e.fields().isFinal() && WindowLength.canonical(e.fields().window()).equals(w) && filter.test(e.fields()))
                .sorted(ORDER)
                .forEach(e -> groups.computeIfAbsent(List.of(e.fields().scope(), e.fields().scopeId(), e.fields().material()),
                        k -> new ArrayList<>()).add(e));
        List<KpiSeries> out = new ArrayList<>(groups.size());
        groups.forEach((k, list) -> {
            List<JsonNode> last = list.subList(Math.max(0, list.size() - count), list.size()).stream().map(Entry::record).toList();
            out.add(new KpiSeries(k.get(0), k.get(1), k.get(2), list.get(0).fields().window(), last));
        });
        return out;
    }

}
