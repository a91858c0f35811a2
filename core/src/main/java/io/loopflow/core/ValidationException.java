package io.loopflow.core;

/**
 * A payload or field that breaks the contract, with the rejection reason it earns and a detail
 * that tells the plant engineer what to fix. Thrown by the pure decoders, caught where a
 * rejection record is written.
 */
public final class ValidationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final RejectReason reason;

    public ValidationException(RejectReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }
}
