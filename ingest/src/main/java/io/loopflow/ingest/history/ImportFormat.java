package io.loopflow.ingest.history;

import java.util.Locale;

/** The two shapes of an import file (README, "Importing history"). */
public enum ImportFormat {
    /** One reading per row: columns {@code site}, {@code meter}, {@code ts}, {@code value}, optional {@code unit} and {@code seq}. */
    LONG,
    /** A historian export: one {@code ts} column and one column per meter named {@code site/meter}. */
    WIDE;

    /** The name in {@code --format} and in the ledger. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
