package io.loopflow.ingest.history;

import io.loopflow.core.Ids;
import io.loopflow.core.inbound.ReadingText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where a file's readings stand in its rows, from its header (CONTRACT.md section 8). A header that does
 * not fit its format throws {@link ImportFileException} naming the column: the import stops before it
 * writes anything.
 */
sealed interface RowLayout permits RowLayout.LongLayout, RowLayout.WideLayout {

    /** Cells in the header, which every row must have. */
    int width();

    /** The readings of one row with {@link #width()} cells, as text; a wide row skips its empty cells. */
    void readings(String[] cells, Consumer<ReadingText> out);

    /** The layout that {@code header} gives a file of {@code format}; {@code fileName} for the messages. */
    static RowLayout of(ImportFormat format, String[] header, String fileName) {
        return format == ImportFormat.LONG ? LongLayout.of(header, fileName) : WideLayout.of(header, fileName);
    }

    /**
     * One reading per row: {@code site}, {@code meter}, {@code ts}, {@code value}, optional {@code unit} and
     * {@code seq}, in any order; other columns are ignored. Column names are matched exactly.
     */
    record LongLayout(int width, int site, int meter, int ts, int value, int unit, int seq) implements RowLayout {
        static final List<String> REQUIRED = List.of("site", "meter", "ts", "value");
        static final List<String> OPTIONAL = List.of("unit", "seq");

        static LongLayout of(String[] header, String fileName) {
            Map<String, Integer> at = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                if ((REQUIRED.contains(header[i]) || OPTIONAL.contains(header[i])) && at.putIfAbsent(header[i], i) != null) {
                    throw new ImportFileException(fileName + ": column '" + header[i] + "' appears twice in the header");
                }
            }
            List<String> missing = REQUIRED.stream().filter(c -> !at.containsKey(c)).toList();
            if (!missing.isEmpty()) {
                throw new ImportFileException(fileName + ": missing column" + (missing.size() > 1 ? "s " : " ")
                        + String.join(", ", missing.stream().map(c -> "'" + c + "'").toList())
                        + " (the header has " + quoted(header) + "; required: site, meter, ts, value; optional: unit, seq)."
                        + " Nothing was written");
            }
            return new LongLayout(header.length, at.get("site"), at.get("meter"), at.get("ts"), at.get("value"),
                    at.getOrDefault("unit", -1), at.getOrDefault("seq", -1));
        }

        @Override
        public void readings(String[] cells, Consumer<ReadingText> out) {
            out.accept(new ReadingText(cells[site], cells[meter], cells[ts], cells[value], seq < 0 ? null : cells[seq],
                    unit < 0 ? null : cells[unit]));
        }
    }

    /**
     * A historian's export: one {@code ts} column and every other column named {@code site/meter}, one reading
     * per non-empty cell. A column that names no meter stops the import: in this shape the header is the
     * meter's id, and a misspelt one must not be skipped silently.
     */
    record WideLayout(int width, int ts, String[] sites, String[] meters) implements RowLayout {

        static WideLayout of(String[] header, String fileName) {
            int ts = -1;
            String[] sites = new String[header.length];
            String[] meters = new String[header.length];
            List<String> bad = new ArrayList<>();
            for (int i = 0; i < header.length; i++) {
                String h = header[i];
                if (h.equals("ts")) {
                    if (ts >= 0) {
                        throw new ImportFileException(fileName + ": column 'ts' appears twice in the header");
                    }
                    ts = i;
                    continue;
                }
                int slash = h.indexOf('/');
                if (slash < 0 || !Ids.isValid(h.substring(0, slash)) || !Ids.isValid(h.substring(slash + 1))) {
                    bad.add("'" + h + "'");
                    continue;
                }
                sites[i] = h.substring(0, slash);
                meters[i] = h.substring(slash + 1);
            }
            if (ts < 0) {
                throw new ImportFileException(fileName + ": missing column 'ts' (the header has " + quoted(header)
                        + "; a wide file has one ts column and one column per meter named site/meter). Nothing was written");
            }
            if (!bad.isEmpty()) {
                throw new ImportFileException(fileName + ": column" + (bad.size() > 1 ? "s " : " ") + String.join(", ", bad)
                        + " of a wide file must be named site/meter (ids of a-z 0-9 - _ . starting with a letter or digit,"
                        + " e.g. asnaes/gypsum-stock). Nothing was written");
            }
            if (header.length < 2) {
                throw new ImportFileException(fileName + ": a wide file needs a column per meter beside 'ts'. Nothing was written");
            }
            return new WideLayout(header.length, ts, sites, meters);
        }

        @Override
        public void readings(String[] cells, Consumer<ReadingText> out) {
            for (int i = 0; i < cells.length; i++) {
                if (i != ts && !cells[i].isEmpty()) {
                    out.accept(new ReadingText(sites[i], meters[i], cells[ts], cells[i], null, null));
                }
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof WideLayout w && w.width == width && w.ts == ts && Arrays.equals(w.sites, sites) && Arrays.equals(w.meters, meters);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(sites) + Arrays.hashCode(meters) + ts;
        }

        @Override
        public String toString() {
            return "WideLayout[ts=" + ts + ", meters=" + Arrays.toString(meters) + "]";
        }
    }

    private static String quoted(String[] header) {
        return String.join(", ", Arrays.stream(header).map(h -> "'" + h + "'").toList());
    }
}
