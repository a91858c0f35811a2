package io.loopflow.ingest.history;

/**
 * A file that cannot be imported as it is: unreadable, no header, a required column missing, a column of a
 * wide file that names no meter, or a CSV syntax error. Found before anything is written; the message names
 * the file, and the line or column, and says what to fix.
 */
public final class ImportFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ImportFileException(String message) {
        super(message);
    }

    public ImportFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
