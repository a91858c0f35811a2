package io.loopflow.streams.view;

/** The live view has not read its topics' history yet: answered as HTTP 503 with this message. */
public final class ViewNotReadyException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ViewNotReadyException(String message) {
        super(message);
    }
}
