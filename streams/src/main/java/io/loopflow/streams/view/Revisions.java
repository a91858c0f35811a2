package io.loopflow.streams.view;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Which of two publications of one window the views keep (CONTRACT.md section 6, "Late data restates closed
 * windows"): the one with the higher {@code revision}; at the same revision a final one over a provisional one,
 * and otherwise the later one. A provisional record carries the revision it will finalise, so a restatement in
 * progress replaces the final it restates, and an old provisional never replaces a newer final.
 */
final class Revisions {
    private Revisions() {
    }

    /** True when a record ({@code revision}, {@code isFinal}) replaces the held one. */
    static boolean replaces(int revision, boolean isFinal, int heldRevision, boolean heldFinal) {
        if (revision != heldRevision) {
            return revision > heldRevision;
        }
        return isFinal || !heldFinal;
    }

    /**
     * The {@code revision} of a {@code loopflow.flows} or {@code loopflow.kpis} record; 0 when absent (records
     * written before the field existed are first finals or their provisionals).
     *
     * @throws IllegalArgumentException when present but not a non-negative integer
     */
    static int of(JsonNode record) {
        JsonNode r = record.get("revision");
        if (r == null || r.isNull()) {
            return 0;
        }
        if (!r.isIntegralNumber() || !r.canConvertToInt() || r.asInt() < 0) {
            throw new IllegalArgumentException("revision must be a non-negative integer, got " + r);
        }
        return r.asInt();
    }
}
