package dev.vigil.audit;

import dev.vigil.decision.Decision;
import dev.vigil.event.EventSource;
import java.util.Objects;

/** A decision with the delivery it came from and the event's original bytes, as audited. */
public record AuditedDecision(Decision decision, EventSource source, byte[] rawEvent) {
    public AuditedDecision {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(rawEvent, "rawEvent");
    }
}
