package io.loopflow.app;

import io.loopflow.core.RejectReason;
import io.loopflow.ingest.history.ImportResult;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text {@code loopflow import} prints when a file is done: what was written (or, for a dry run, would be),
 * the rows an earlier run had done, and the rejections by reason with the first lines of each and their
 * detail. Pure.
 */
final class ImportSummary {
    private ImportSummary() {
    }

    static String of(ImportResult r) {
        String name = r.file().name();
        StringBuilder out = new StringBuilder();
        switch (r.outcome()) {
            case ALREADY_IMPORTED -> out.append(name).append(": already imported (same content, sha256 ")
                    .append(r.file().sha256(), 0, 12).append("..., first run ").append(r.firstRun()).append("): nothing written. ")
                    .append(counts(r.total(), false)).append(" in all\n");
            case VALIDATED -> out.append(name).append(": dry run, nothing written: ").append(rows(r.rowsDone())).append(", ")
                    .append(counts(r.thisRun(), true)).append('\n');
            case STOPPED -> out.append(name).append(": stopped after row ").append(n(r.rowsDone())).append(" of ").append(n(r.file().rows()))
                    .append("; rows 1 to ").append(n(r.rowsDone())).append(" are written (").append(counts(r.thisRun(), false))
                    .append(" in this run). Run the same command again to carry on\n");
            case IMPORTED -> {
                long rowsThisRun = r.rowsDone() - r.rowsBefore();
                out.append(name).append(": ");
                if (r.rowsBefore() > 0) {
                    out.append("carried on after row ").append(n(r.rowsBefore())).append(" (written by an earlier run); ");
                }
                double seconds = r.took().toMillis() / 1000.0;
                out.append(rows(rowsThisRun)).append(" imported in ").append(String.format(Locale.ROOT, "%.1f s", seconds));
                if (seconds > 0) {
                    out.append(" (").append(n(Math.round(rowsThisRun / seconds))).append(" rows/s)");
                }
                out.append(": ").append(counts(r.thisRun(), false)).append('\n');
                if (r.rowsBefore() > 0) {
                    out.append("  in all: ").append(counts(r.total(), false)).append('\n');
                }
            }
        }
        Map<RejectReason, Long> rejected = r.outcome() == ImportResult.Outcome.ALREADY_IMPORTED ? r.total().rejected() : r.thisRun().rejected();
        if (!rejected.isEmpty()) {
            out.append("  rejected, by reason").append(r.outcome() == ImportResult.Outcome.VALIDATED ? "" : " (on loopflow.rejected, source import:")
                    .append(r.outcome() == ImportResult.Outcome.VALIDATED ? "" : name + ":{line})").append(":\n");
            rejected.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                out.append("    ").append(e.getKey().wire()).append(": ").append(n(e.getValue())).append('\n');
                List<ImportResult.Sample> first = r.samples().stream().filter(s -> s.reason() == e.getKey())
                        .sorted(Comparator.comparingLong(ImportResult.Sample::line)).toList();
                for (ImportResult.Sample s : first) {
                    out.append("      line ").append(s.line()).append(": ").append(s.detail()).append('\n');
                }
                if (first.size() < e.getValue() && !first.isEmpty()) {
                    out.append("      ...\n");
                }
            });
        }
        return out.toString();
    }

    private static String counts(ImportResult.Counts c, boolean wouldBe) {
        return n(c.accepted()) + (c.accepted() == 1 ? " reading" : " readings") + (wouldBe ? " would be accepted, " : " accepted, ")
                + n(c.rejectedTotal()) + " rejected";
    }

    private static String rows(long rows) {
        return n(rows) + (rows == 1 ? " row" : " rows");
    }

    static String n(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
