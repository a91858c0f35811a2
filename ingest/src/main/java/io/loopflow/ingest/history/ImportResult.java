package io.loopflow.ingest.history;

import io.loopflow.core.RejectReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one file's import did: its outcome, the rows an earlier run had done and this run's, the readings
 * accepted and rejected (in this run, and over every run of this content), the first rejections of each
 * reason in this run with their line and detail.
 *
 * @param rowsBefore rows an earlier, interrupted run had written (this run carried on after them)
 * @param rowsDone   rows done in all, this run's included
 * @param firstRun   when the first run on this content started (this one, for a new file)
 */
public record ImportResult(FileScan file, Outcome outcome, long rowsBefore, long rowsDone, Counts thisRun, Counts total,
                           List<Sample> samples, Duration took, Instant firstRun) {

    /** How a file's import ended. */
    public enum Outcome {
        /** Every row written (accepted or rejected). */
        IMPORTED,
        /** An earlier run had written every row: nothing written. */
        ALREADY_IMPORTED,
        /** Stopped on request (Ctrl-C) after {@code rowsDone} rows, all of them written: a new run carries on. */
        STOPPED,
        /** {@code --dry-run}: checked, nothing written. */
        VALIDATED
    }

    /** Readings accepted, and rejected by reason. */
    public record Counts(long accepted, Map<RejectReason, Long> rejected) {
        public Counts {
            rejected = Map.copyOf(rejected);
        }

        public long rejectedTotal() {
            return rejected.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** One rejected reading: its reason, the line its row starts on, and the detail. */
    public record Sample(RejectReason reason, long line, String detail) {
    }
}
