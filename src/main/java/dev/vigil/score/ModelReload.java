package dev.vigil.score;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * A change of the model folder seen by {@link ReloadingRiskModel}: the new version swapped in, or
 * refused with the reason while the running version stays.
 *
 * @param from the version running before
 * @param to the version running after (equal to {@code from} when refused)
 * @param dir the version folder that was read
 * @param problem why it was refused; null when applied
 */
public record ModelReload(Outcome outcome, String from, String to, Path dir, String problem, Instant at) {

    public enum Outcome { APPLIED, REFUSED }

    public ModelReload {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(at, "at");
    }
}
