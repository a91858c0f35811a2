package io.loopflow.streams.http;

/** A query parameter that is unknown, repeated or has a bad value: HTTP 400 with this message. */
public final class BadParameterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BadParameterException(String message) {
        super(message);
    }

    public BadParameterException(String message, Throwable cause) {
        super(message, cause);
    }
}
