package io.loopflow.ingest.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.loopflow.core.RejectReason;
import io.loopflow.core.inbound.InboundDecoder;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading import files (CONTRACT.md section 8, README "Importing history"): the header, RFC 4180 quoting, byte
 * order mark, CRLF, empty lines, the wide format, and each rejection reason a row can earn, with its line and
 * {@code source}. Files are written to a temporary directory and read as {@code loopflow import} reads them.
 */
class CsvImportTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:20:00Z");
    private static final InboundDecoder DECODER = new InboundDecoder(Duration.ofMinutes(5));

    @TempDir
    Path dir;

    /** What the rows of a file decode to, in order. */
    private record Decoded(List<ReadingRecord> accepted, List<Rejection> rejected, List<Long> rejectedLines) {
    }

    private Path file(String name, String text) throws IOException {
        return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private Decoded decode(Path f, ImportFormat format) throws IOException {
        FileScan scan = FileScan.of(f, format);
        Decoded out = new Decoded(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        try (InputStream in = Files.newInputStream(f); CsvRows csv = new CsvRows(in, scan.name())) {
            RowDecoder rows = new RowDecoder(RowLayout.of(format, csv.next().cells(), scan.name()), DECODER, scan.name());
            CsvRows.Row row;
            long n = 0;
            while ((row = csv.next()) != null) {
                n++;
                rows.decode(row, NOW, new RowDecoder.Out() {
                    @Override
                    public void accepted(ReadingRecord reading) {
                        out.accepted().add(reading);
                    }

                    @Override
                    public void rejected(Rejection rejection, long line) {
                        out.rejected().add(rejection);
                        out.rejectedLines().add(line);
                    }
                });
            }
            assertThat(n).as("rows counted by the scan").isEqualTo(scan.rows());
        }
        return out;
    }

    @Test
    void shouldReadColumnsInAnyOrderWithOptionalUnitAndSeqAndIgnoreOtherColumns() throws IOException {
        Path f = file("tickets.csv", """
                ticket,value,ts,meter,site,driver
                T-1,24.3,2026-11-20T08:15:00Z,fly-ash-landfill,asnaes,Jens
                T-2,26100,2026-11-20T09:40:00+01:00,fly-ash-landfill,asnaes,Mette
                """);

        Decoded d = decode(f, ImportFormat.LONG);

        assertThat(d.rejected()).isEmpty();
        assertThat(d.accepted()).containsExactly(
                new ReadingRecord("asnaes", "fly-ash-landfill", Instant.parse("2026-11-20T08:15:00Z"), 24.3, null, null, NOW, "import:tickets.csv"),
                new ReadingRecord("asnaes", "fly-ash-landfill", Instant.parse("2026-11-20T08:40:00Z"), 26100, null, null, NOW, "import:tickets.csv"));
    }

    @Test
    void shouldTakeUnitAndSeqWhenTheFileHasThemAndLeaveEmptyCellsOut() throws IOException {
        Path f = file("t.csv", "site,meter,ts,value,unit,seq\nasnaes,m,2026-11-20T08:15:00Z,26100,kg,7\nasnaes,m,2026-11-20T08:16:00Z,3,,\n");

        Decoded d = decode(f, ImportFormat.LONG);

        assertThat(d.accepted()).extracting(ReadingRecord::value, ReadingRecord::unit, ReadingRecord::seq)
                .containsExactly(tuple(26100.0, "kg", 7L), tuple(3.0, null, null));
    }

    @Test
    void shouldReadRfc4180QuotingBomCrlfAndEmptyLinesWithTheRightLineNumbers() throws IOException {
        // given a spreadsheet export: byte order mark, CRLF, a quoted note with a comma, a quote and a line break,
        // a quoted value, empty lines, and a bad row after all of them
        String text = "site,meter,ts,value,note\r\n"
                + "\r\n"
                + "asnaes,m,2026-11-20T08:00:00Z,\"1.5\",\"wet, \"\"heavy\"\" load\r\nsecond line of the note\"\r\n"
                + "\r\n"
                + "asnaes,m,2026-11-20T08:10:00Z,2,\r\n"
                + "asnaes,m,2026-11-20T08:20:00Z,oops,\r\n";
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, bytes, 0, bom.length);
        System.arraycopy(body, 0, bytes, bom.length, body.length);

        Decoded d = decode(file("export.csv", bytes), ImportFormat.LONG);

        assertThat(d.accepted()).extracting(ReadingRecord::value).containsExactly(1.5, 2.0);
        assertThat(d.rejectedLines()).containsExactly(7L);
        assertThat(d.rejected().get(0).source()).isEqualTo("import:export.csv:7");
        assertThat(d.rejected().get(0).payload()).isEqualTo("asnaes,m,2026-11-20T08:20:00Z,oops,");
    }

    @Test
    void shouldRejectEachBadRowWithTheGatewaysReasonItsLineAndTheRowAsPayload() throws IOException {
        Path f = file("bad.csv", """
                site,meter,ts,value,seq
                asnaes,m,2026-11-20T08:00:00Z,12,5,1
                Asnaes,m,2026-11-20T08:00:00Z,1,1
                asnaes,m,20/11/2026 08:00,1,2
                asnaes,m,1970-01-01T00:00:00Z,1,3
                asnaes,m,2026-11-22T10:26:00Z,1,4
                asnaes,m,2026-11-20T08:00:00Z,n/a,5
                asnaes,m,2026-11-20T08:00:00Z,NaN,6
                asnaes,m,2026-11-20T08:00:00Z,1,-6
                asnaes,m,2026-11-20T08:00:00Z,1,7
                """);

        Decoded d = decode(f, ImportFormat.LONG);

        assertThat(d.accepted()).extracting(ReadingRecord::seq).containsExactly(7L);
        assertThat(d.rejected()).extracting(Rejection::reason, Rejection::source, Rejection::site, Rejection::meter).containsExactly(
                tuple(RejectReason.MALFORMED, "import:bad.csv:2", null, null),
                tuple(RejectReason.INVALID_FIELD, "import:bad.csv:3", null, null),
                tuple(RejectReason.INVALID_FIELD, "import:bad.csv:4", "asnaes", "m"),
                tuple(RejectReason.INVALID_FIELD, "import:bad.csv:5", "asnaes", "m"),
                tuple(RejectReason.FUTURE_TIMESTAMP, "import:bad.csv:6", "asnaes", "m"),
                tuple(RejectReason.INVALID_FIELD, "import:bad.csv:7", "asnaes", "m"),
                tuple(RejectReason.NON_FINITE, "import:bad.csv:8", "asnaes", "m"),
                tuple(RejectReason.INVALID_FIELD, "import:bad.csv:9", "asnaes", "m"));
        assertThat(d.rejected()).extracting(Rejection::detail).satisfiesExactly(
                malformed -> assertThat(malformed).contains("row has 6 cells, the header 5", "decimal comma"),
                site -> assertThat(site).contains("invalid site id 'Asnaes'"),
                ts -> assertThat(ts).contains("ts '20/11/2026 08:00' is not RFC 3339"),
                minTs -> assertThat(minTs).contains("before ingest.min-ts"),
                future -> assertThat(future).contains("ahead of the gateway clock"),
                value -> assertThat(value).contains("value must be a number, got 'n/a'"),
                nan -> assertThat(nan).contains("value is NaN"),
                seq -> assertThat(seq).contains("seq must be a non-negative integer, got '-6'"));
        assertThat(d.rejected()).allSatisfy(r -> {
            assertThat(r.mqttTopic()).isNull();
            assertThat(r.receivedAt()).isEqualTo(NOW);
        });
        assertThat(d.rejected().get(0).payload()).isEqualTo("asnaes,m,2026-11-20T08:00:00Z,12,5,1");
        assertThat(d.rejected().get(0).key()).isEqualTo("import:bad.csv:2");
        assertThat(d.rejected().get(2).key()).isEqualTo("asnaes/m");
    }

    @Test
    void shouldStopAtStartNamingAMissingColumnAndTheHeaderFound() throws IOException {
        Path f = file("no-value.csv", "site,meter,ts,amount\nasnaes,m,2026-11-20T08:00:00Z,1\n");

        assertThatThrownBy(() -> FileScan.of(f, ImportFormat.LONG)).isInstanceOf(ImportFileException.class)
                .hasMessageContaining("no-value.csv: missing column 'value'")
                .hasMessageContaining("the header has 'site', 'meter', 'ts', 'amount'")
                .hasMessageContaining("Nothing was written");
        assertThatThrownBy(() -> FileScan.of(file("empty.csv", ""), ImportFormat.LONG)).isInstanceOf(ImportFileException.class)
                .hasMessageContaining("empty.csv: the file is empty");
        assertThatThrownBy(() -> FileScan.of(file("twice.csv", "site,meter,ts,value,ts\n"), ImportFormat.LONG))
                .hasMessageContaining("column 'ts' appears twice");
    }

    @Test
    void shouldStopAtStartOnACsvSyntaxErrorNamingItsLine() throws IOException {
        Path f = file("quote.csv", "site,meter,ts,value\nasnaes,m,2026-11-20T08:00:00Z,1\nasnaes,m,\"2026-11-20T08:10:00Z\"x,2\n");

        assertThatThrownBy(() -> FileScan.of(f, ImportFormat.LONG)).isInstanceOf(ImportFileException.class)
                .hasMessageContaining("quote.csv line 3: not valid CSV");
        assertThatThrownBy(() -> FileScan.of(file("open.csv", "site,meter,ts,value\nasnaes,m,\"2026,1\n"), ImportFormat.LONG))
                .isInstanceOf(ImportFileException.class).hasMessageContaining("open.csv line");
    }

    @Test
    void shouldReadAWideHistorianExportOneReadingPerNonEmptyCell() throws IOException {
        Path f = file("historian.csv", """
                ts,asnaes/gypsum-to-gyproc,asnaes/gypsum-stock
                2026-11-20T08:00:00Z,1000.5,49.6
                2026-11-20T08:10:00Z,,50.1
                2026-11-20T08:20:00Z,1004.3,bad
                """);

        Decoded d = decode(f, ImportFormat.WIDE);

        assertThat(d.accepted()).extracting(ReadingRecord::key, ReadingRecord::ts, ReadingRecord::value).containsExactly(
                tuple("asnaes/gypsum-to-gyproc", Instant.parse("2026-11-20T08:00:00Z"), 1000.5),
                tuple("asnaes/gypsum-stock", Instant.parse("2026-11-20T08:00:00Z"), 49.6),
                tuple("asnaes/gypsum-stock", Instant.parse("2026-11-20T08:10:00Z"), 50.1),
                tuple("asnaes/gypsum-to-gyproc", Instant.parse("2026-11-20T08:20:00Z"), 1004.3));
        assertThat(d.accepted()).allSatisfy(r -> assertThat(r.source()).isEqualTo("import:historian.csv"));
        assertThat(d.rejected()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(r.detail()).startsWith("column asnaes/gypsum-stock: value must be a number, got 'bad'");
            assertThat(r.source()).isEqualTo("import:historian.csv:4");
            assertThat(r.key()).isEqualTo("asnaes/gypsum-stock");
        });
    }

    @Test
    void shouldStopAtStartWhenAWideColumnNamesNoMeter() throws IOException {
        assertThatThrownBy(() -> FileScan.of(file("w.csv", "ts,asnaes/stock,Temperature,asnaes\n"), ImportFormat.WIDE))
                .isInstanceOf(ImportFileException.class)
                .hasMessageContaining("w.csv: columns 'Temperature', 'asnaes' of a wide file must be named site/meter");
        assertThatThrownBy(() -> FileScan.of(file("w2.csv", "time,asnaes/stock\n"), ImportFormat.WIDE))
                .hasMessageContaining("w2.csv: missing column 'ts'");
        // a long file given as wide, and the other way round, stops at its header too
        assertThatThrownBy(() -> FileScan.of(file("l.csv", "site,meter,ts,value\n"), ImportFormat.WIDE)).isInstanceOf(ImportFileException.class);
        assertThatThrownBy(() -> FileScan.of(file("w3.csv", "ts,asnaes/stock\n"), ImportFormat.LONG)).hasMessageContaining("missing columns 'site', 'meter', 'value'");
    }

    @Test
    void shouldKeyTheLedgerByContentNotByName() throws IOException {
        String text = "site,meter,ts,value\nasnaes,m,2026-11-20T08:00:00Z,1\n";
        FileScan a = FileScan.of(file("a.csv", text), ImportFormat.LONG);
        FileScan b = FileScan.of(file("b.csv", text), ImportFormat.LONG);
        FileScan changed = FileScan.of(file("a2.csv", text.replace(",1\n", ",2\n")), ImportFormat.LONG);

        assertThat(a.sha256()).hasSize(64).isEqualTo(b.sha256()).isNotEqualTo(changed.sha256());
        assertThat(a.rows()).isEqualTo(1);
        assertThat(a.bytes()).isEqualTo(text.length());
    }

    @Test
    void shouldCountADryRunByReasonWithTheFirstLinesOfEach() throws IOException {
        StringBuilder text = new StringBuilder("site,meter,ts,value\n");
        for (int i = 0; i < 10; i++) {
            text.append("asnaes,m,2026-11-20T08:0").append(i).append(":00Z,").append(i % 2 == 0 ? "1" : "x").append('\n');
        }
        Path f = file("dry.csv", text.toString());
        FileScan scan = FileScan.of(f, ImportFormat.LONG);
        ImportProgress progress = new ImportProgress(scan.rows());

        ImportResult r = new Importer(ImportConfig.defaults("unused:9092")).validate(scan, progress);

        assertThat(r.outcome()).isEqualTo(ImportResult.Outcome.VALIDATED);
        assertThat(r.thisRun().accepted()).isEqualTo(5);
        assertThat(r.thisRun().rejected()).containsExactlyEntriesOf(java.util.Map.of(RejectReason.INVALID_FIELD, 5L));
        assertThat(r.samples()).extracting(ImportResult.Sample::line).containsExactly(3L, 5L, 7L);
        assertThat(progress.rowsDone()).isEqualTo(10);
        assertThat(progress.accepted()).isEqualTo(5);
        assertThat(progress.rejected()).isEqualTo(5);
    }
}
