package io.loopflow.streams.http;

/** No endpoint or no such item: HTTP 404 with this message. */
public final class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
