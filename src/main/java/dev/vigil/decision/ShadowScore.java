package dev.vigil.decision;

import java.util.Objects;

/**
 * What a challenger model, scoring the same event in shadow, would have decided. Recorded in the
 * audit row beside the real decision, which it never changes.
 *
 * @param modelVersion the challenger's version
 * @param probability its probability of fraud
 * @param wouldBeVerdict the verdict the rules would have reached with its score instead of the champion's
 */
public record ShadowScore(String modelVersion, double probability, Verdict wouldBeVerdict) {
    public ShadowScore {
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(wouldBeVerdict, "wouldBeVerdict");
    }
}
