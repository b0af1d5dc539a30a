package dev.vigil.decision;

import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.rules.RuleSetVersion;
import dev.vigil.score.ModelScore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Everything about one decision that is needed to reproduce it: the event, the features and
 * account facts the rules saw, the score, the hits, and the versions of the rules and the model.
 *
 * @param decisionId derived from the transaction id, so a redelivered transaction keeps its id
 * @param hits every rule that fired, ordered by rule id; the verdict is the most severe of theirs
 * @param decidedAt processing time (wall clock), unlike the event's own occurredAt
 * @param latencyMicros time spent deciding, from the start of enrichment to the verdict
 * @param challenger the challenger model's shadow score, or null when no challenger is configured
 */
public record Decision(
        UUID decisionId,
        TransactionEvent event,
        Verdict verdict,
        List<Hit> hits,
        ModelScore score,
        Features features,
        AccountProfile account,
        RuleSetVersion ruleSetVersion,
        Instant decidedAt,
        long latencyMicros,
        ShadowScore challenger) {

    public Decision {
        Objects.requireNonNull(decisionId, "decisionId");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(verdict, "verdict");
        hits = List.copyOf(hits);
        Objects.requireNonNull(score, "score");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(ruleSetVersion, "ruleSetVersion");
        Objects.requireNonNull(decidedAt, "decidedAt");
    }

    /** A decision made without a challenger model. */
    public Decision(UUID decisionId, TransactionEvent event, Verdict verdict, List<Hit> hits, ModelScore score,
            Features features, AccountProfile account, RuleSetVersion ruleSetVersion, Instant decidedAt,
            long latencyMicros) {
        this(decisionId, event, verdict, hits, score, features, account, ruleSetVersion, decidedAt, latencyMicros, null);
    }

    public static UUID decisionIdFor(String transactionId) {
        return UUID.nameUUIDFromBytes(("vigil-decision:" + transactionId).getBytes(StandardCharsets.UTF_8));
    }

    public String transactionId() {
        return event.transactionId();
    }

    public String modelVersion() {
        return score.modelVersion();
    }
}
