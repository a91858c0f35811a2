package io.loopflow.core.model;

import java.time.Instant;
import java.util.Map;

/**
 * How far the history import of one file content got, on the compacted topic {@code loopflow.imports}
 * (key: {@code sha256}, the SHA-256 of the file's bytes in hex). {@code loopflow import} writes one in the
 * same Kafka transaction as each batch of rows, so {@code rowsDone} counts exactly the data rows (CSV
 * records after the header) whose readings and rejections are committed; an import of the same content
 * carries on after them, and once {@code complete} writes nothing (CONTRACT.md section 8).
 *
 * @param file             the file's name when it was imported (the name in {@code source})
 * @param bytes            the file's size
 * @param format           {@code long} (one reading per row) or {@code wide} (one {@code ts} column, one column per meter)
 * @param rows             data rows in the file
 * @param accepted         readings written to {@code loopflow.readings} so far
 * @param rejected         rejections written to {@code loopflow.rejected} so far, by reason ({@code accepted} and
 *                         these count readings: a wide row holds several)
 * @param startedAt        when the first run on this content started
 * @param updatedAt        when this record was written
 */
public record ImportRecord(String sha256, String file, long bytes, String format, long rows, long rowsDone, long accepted,
                           Map<String, Long> rejected, Instant startedAt, Instant updatedAt, boolean complete) {

    public ImportRecord {
        rejected = rejected == null ? Map.of() : Map.copyOf(rejected);
    }

    /** Rejections of every reason. */
    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
}
