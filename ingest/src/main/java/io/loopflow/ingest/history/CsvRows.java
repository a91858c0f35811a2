package io.loopflow.ingest.history;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of an RFC 4180 CSV file (comma-separated, {@code "} quoting with {@code ""} for a quote,
 * fields spanning lines, CRLF or LF, UTF-8 with or without a byte order mark), read with Jackson's CSV
 * parser without a schema: each record as its cells, with the line it starts on. Empty lines are skipped;
 * cells are not trimmed (RFC 4180: spaces are part of a field). A syntax error (a character after a closing
 * quote, a quote never closed) throws {@link ImportFileException} naming the line.
 */
final class CsvRows implements Closeable {
    // The caller owns the stream: it hashes what the parser leaves unread after the last record, then closes it.
    private static final CsvFactory CSV = CsvFactory.builder().enable(CsvParser.Feature.SKIP_EMPTY_LINES)
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE).build();

    /** One CSV record: the line of the file it starts on (the header is line 1 unless empty lines precede it) and its cells. */
    record Row(long line, String[] cells) {
    }

    private final String fileName;
    private final JsonParser parser;
    private final List<String> cells = new ArrayList<>();

    CsvRows(InputStream in, String fileName) {
        this.fileName = fileName;
        try {
            this.parser = CSV.createParser(in);
        } catch (IOException e) {
            throw new ImportFileException(fileName + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The next record, or null at the end of the file. */
    Row next() {
        try {
            JsonToken t = parser.nextToken();
            if (t == null) {
                return null;
            }
            if (t != JsonToken.START_ARRAY) {
                throw new IllegalStateException("Jackson's CSV parser without a schema gives each record as an array, got " + t);
            }
            // The line of the record's first cell: START_ARRAY's location is still before the previous line break.
            long line = -1;
            cells.clear();
            while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.VALUE_STRING) {
                    throw new IllegalStateException("Jackson's CSV parser gives cells as strings, got " + t);
                }
                if (line < 0) {
                    line = parser.currentTokenLocation().getLineNr();
                }
                cells.add(parser.getText());
            }
            return new Row(line, cells.toArray(new String[0]));
        } catch (JsonProcessingException e) {
            throw new ImportFileException(fileName + " line " + e.getLocation().getLineNr() + ": not valid CSV (RFC 4180): "
                    + e.getOriginalMessage() + ". Nothing was written; fix the file and run the import again");
        } catch (IOException e) {
            throw new ImportFileException(fileName + ": cannot read: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
