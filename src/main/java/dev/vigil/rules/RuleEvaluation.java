package dev.vigil.rules;

import dev.vigil.decision.Hit;
import java.util.List;
import java.util.Objects;

/**
 * The hits of one evaluation together with the version of the rules that produced them. Read as
 * one value so that a decision never cites a rule set other than the one that judged it, even
 * when the rules are reloaded between the evaluation and the recording.
 */
public record RuleEvaluation(List<Hit> hits, RuleSetVersion version) {
    public RuleEvaluation {
        hits = List.copyOf(Objects.requireNonNull(hits, "hits"));
        Objects.requireNonNull(version, "version");
    }
}
