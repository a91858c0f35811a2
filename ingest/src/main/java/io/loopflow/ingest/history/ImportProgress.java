package io.loopflow.ingest.history;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counts of one file's import, updated by the importing thread and read by whoever shows progress
 * (the command's progress bar or log line): rows done of {@link #rows()} (those of earlier runs included),
 * readings accepted and rejected in this run.
 */
public final class ImportProgress {
    private final long rows;
    private final AtomicLong rowsDone = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile long rowsBefore = -1;

    public ImportProgress(long rows) {
        this.rows = rows;
    }

    /** Data rows in the file. */
    public long rows() {
        return rows;
    }

    /** Data rows read so far, including those an earlier run had done. */
    public long rowsDone() {
        return rowsDone.get();
    }

    /** Readings accepted in this run. */
    public long accepted() {
        return accepted.get();
    }

    /** Readings rejected in this run. */
    public long rejected() {
        return rejected.get();
    }

    /** True once the import knows where it starts: after the ledger was read (at once for a dry run). */
    public boolean started() {
        return rowsBefore >= 0;
    }

    /** Rows an earlier run had done, where this run starts; -1 before {@link #started()}. */
    public long rowsBefore() {
        return rowsBefore;
    }

    void started(long rowsBefore) {
        rowsDone.set(rowsBefore);
        this.rowsBefore = rowsBefore;
    }

    void rowsDone(long n) {
        rowsDone.set(n);
    }

    void addAccepted() {
        accepted.incrementAndGet();
    }

    void addRejected() {
        rejected.incrementAndGet();
    }
}
