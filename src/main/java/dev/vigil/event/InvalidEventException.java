package dev.vigil.event;

import java.util.Objects;

/** An event that breaks the contract: a reason code for machines and a message for people. */
public final class InvalidEventException extends Exception {
    private final RejectReason reason;
    private final String transactionId;

    public InvalidEventException(RejectReason reason, String message, String transactionId) {
        super(message);
        this.reason = Objects.requireNonNull(reason);
        this.transactionId = transactionId;
    }

    public RejectReason reason() {
        return reason;
    }

    /** The transaction or event id when the payload had a readable one, else null. */
    public String transactionId() {
        return transactionId;
    }
}
