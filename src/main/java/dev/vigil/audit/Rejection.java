package dev.vigil.audit;

import dev.vigil.event.EventSource;
import dev.vigil.event.RejectReason;
import java.time.Instant;
import java.util.Objects;

/**
 * A rejected input as the audit store and the dead-letter topic keep it.
 *
 * @param rawEvent the bytes exactly as received
 * @param transactionId the id when the payload had a readable one, else null
 */
public record Rejection(
        EventSource source, byte[] rawEvent, RejectReason reason, String message, String transactionId,
        Instant receivedAt) {
    public Rejection {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(rawEvent, "rawEvent");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }
}
