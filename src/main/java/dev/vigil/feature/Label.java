package dev.vigil.feature;

import java.time.Instant;
import java.util.Objects;

/**
 * What a transaction turned out to be, as an investigator, a chargeback or a customer report said
 * ({@code vigil.labels}). {@code knownAt} is when the label became known: a feature computed for an
 * event at time t uses a label only when {@code knownAt <= t}, so no feature sees a label from its
 * future, in live scoring or in a replay of history.
 */
public record Label(String transactionId, Kind label, String source, Instant knownAt) {

    /** FRAUD confirms fraud; LEGIT says it was genuine. */
    public enum Kind { FRAUD, LEGIT }

    public Label {
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(knownAt, "knownAt");
    }
}
