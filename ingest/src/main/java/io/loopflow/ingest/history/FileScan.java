package io.loopflow.ingest.history;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A file read once through before anything is written: the SHA-256 of its bytes (its key in the import
 * ledger), its size, its header checked against its format, and its data rows counted (for the progress
 * bar's time left). A CSV syntax error, a header that does not fit, an empty or unreadable file throw
 * {@link ImportFileException} here, so an import never stops half-way on a file it could not read.
 *
 * @param name the file's name without its directory: the {@code import:{file name}} of {@code source}
 */
public record FileScan(Path path, String name, ImportFormat format, String sha256, long bytes, long rows) {

    /** Reads {@code path} through as a file of {@code format}. */
    public static FileScan of(Path path, ImportFormat format) {
        String name = path.getFileName().toString();
        MessageDigest sha = newDigest();
        long rows = 0;
        try (InputStream file = Files.newInputStream(path);
             DigestInputStream digest = new DigestInputStream(new BufferedInputStream(file, 1 << 16), sha);
             CsvRows csv = new CsvRows(digest, name)) {
            CsvRows.Row header = csv.next();
            if (header == null) {
                throw new ImportFileException(name + ": the file is empty; it needs a header row (" + expected(format) + ")");
            }
            RowLayout.of(format, header.cells(), name);
            while (csv.next() != null) {
                rows++;
            }
            // The parser may stop short of trailing bytes it has no use for: the hash covers the whole file.
            digest.transferTo(OutputStream.nullOutputStream());
        } catch (NoSuchFileException e) {
            throw new ImportFileException(name + ": no such file (" + path.toAbsolutePath() + ")");
        } catch (IOException e) {
            throw new ImportFileException(name + ": cannot read: " + e.getMessage(), e);
        }
        try {
            return new FileScan(path, name, format, HexFormat.of().formatHex(sha.digest()), Files.size(path), rows);
        } catch (IOException e) {
            throw new ImportFileException(name + ": cannot read its size: " + e.getMessage(), e);
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static String expected(ImportFormat format) {
        return format == ImportFormat.LONG ? "site,meter,ts,value and optionally unit,seq" : "ts and one site/meter column per meter";
    }
}
