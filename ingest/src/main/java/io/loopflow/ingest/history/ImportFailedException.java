package io.loopflow.ingest.history;

/**
 * An import that stopped because Kafka failed, could not be reached, or fenced it for a newer run of the
 * same content. The message says how many rows are written; every committed batch stays done, and running
 * the same import again carries on after it.
 */
public final class ImportFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ImportFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
