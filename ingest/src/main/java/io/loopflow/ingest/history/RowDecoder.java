package io.loopflow.ingest.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import io.loopflow.core.Ids;
import io.loopflow.core.RejectReason;
import io.loopflow.core.ValidationException;
import io.loopflow.core.inbound.InboundDecoder;
import io.loopflow.core.inbound.ReadingText;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Turns one data row into what the gateway would write for it (CONTRACT.md section 8): each reading checked
 * by the gateway's {@link InboundDecoder}, accepted with {@code source} {@code import:{file name}}, or
 * rejected with its reason and {@code source} {@code import:{file name}:{line}}, the row as CSV text as the
 * payload. A row with another number of cells than the header is {@code malformed} (most often a value with
 * an unquoted comma, such as a decimal comma, which splits it in two). Pure apart from its arguments.
 */
final class RowDecoder {
    private static final ObjectWriter CSV_LINE = new CsvMapper().writerFor(String[].class);

    /** Where a row's outcomes go, in the row's order. */
    interface Out {
        void accepted(ReadingRecord reading);

        void rejected(Rejection rejection, long line);
    }

    private final RowLayout layout;
    private final InboundDecoder decoder;
    private final String fileName;
    private final String source;

    RowDecoder(RowLayout layout, InboundDecoder decoder, String fileName) {
        this.layout = layout;
        this.decoder = decoder;
        this.fileName = fileName;
        this.source = "import:" + fileName;
    }

    void decode(CsvRows.Row row, Instant receivedAt, Out out) {
        String[] cells = row.cells();
        if (cells.length != layout.width()) {
            String hint = cells.length > layout.width() ? ": a value with an unquoted comma (a decimal comma?) splits in two" : "";
            out.rejected(rejection(row, RejectReason.MALFORMED, "row has " + cells.length + " cells, the header " + layout.width() + hint,
                    receivedAt, null, null), row.line());
            return;
        }
        layout.readings(cells, text -> {
            try {
                out.accepted(decoder.reading(text, receivedAt, source));
            } catch (ValidationException e) {
                String detail = layout instanceof RowLayout.WideLayout ? "column " + text.site() + "/" + text.meter() + ": " + e.detail() : e.detail();
                boolean ids = Ids.isValid(text.site()) && Ids.isValid(text.meter());
                out.rejected(rejection(row, e.reason(), detail, receivedAt, ids ? text.site() : null, ids ? text.meter() : null), row.line());
            }
        });
    }

    private Rejection rejection(CsvRows.Row row, RejectReason reason, String detail, Instant receivedAt, String site, String meter) {
        return new Rejection(reason, detail, null, Rejection.excerpt(csvText(row.cells()).getBytes(StandardCharsets.UTF_8)),
                receivedAt, site, meter, source + ":" + row.line());
    }

    /** The row as one CSV line (quoted where it must be), without its line break. */
    static String csvText(String[] cells) {
        try {
            String line = CSV_LINE.writeValueAsString(cells);
            return line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + cells.length + " strings as CSV", e);
        }
    }

    /** The file name in {@code source}. */
    String fileName() {
        return fileName;
    }
}
