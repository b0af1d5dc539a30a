package dev.vigil.decision;

import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.Features;
import dev.vigil.rules.RuleEngine;
import dev.vigil.rules.RuleEvaluation;
import dev.vigil.score.ModelScore;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Decisions from the event alone, for the HTTP path when the feature store is unreachable and
 * {@code vigil.http.when-features-unavailable=degraded}. Never used on the Kafka path, which waits
 * for the feature store instead.
 *
 * <p>The policy (README, "Degraded decisions"): the rules run on the event with every feature at
 * its documented "unknown" value ({@link #UNKNOWN_FEATURES}: counts and sums 0, flags false, ages,
 * ratios and distances -1), no account profile, and no model score (probability 0, model version
 * {@value #NO_MODEL}). The shipped rules are written so that unknown values never fire them, so what
 * fires is what the event itself shows: amount thresholds, FATF jurisdictions, a USD cash deposit
 * just under 10,000. Blacklists and whitelists live in the feature store and are not consulted.
 * Every degraded decision carries the hit {@value #RULE_ID} (REVIEW), so its verdict is at least
 * REVIEW and never ALLOW merely because the features are missing; a rule asking for BLOCK still
 * blocks. The hit is what marks the decision as degraded in its JSON ({@code "degraded": true}), in
 * its audit row ({@code hits}, and the {@code audit_hits} view) and on {@code vigil.decisions}.
 */
public final class DegradedDecider {
    /** The stable id of the hit every degraded decision carries. */
    public static final String RULE_ID = "SYS-DEG-001";
    /** The model version a degraded decision records: no model scored it. */
    public static final String NO_MODEL = "none (features unavailable)";
    /** The features the rules see in a degraded decision: every one unknown. */
    public static final Features UNKNOWN_FEATURES = new Features(0, 0, 0, 0,
            BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
            -1, 0, BigDecimal.ZERO, new BigDecimal("-1.0000"), false, false, -1);

    private static final ModelScore NO_SCORE = new ModelScore(0.0, 0, NO_MODEL);

    private final RuleEngine rules;
    private final Clock clock;

    public DegradedDecider(RuleEngine rules, Clock clock) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Whether a decision was made without features. */
    public static boolean isDegraded(Decision d) {
        for (Hit h : d.hits()) if (RULE_ID.equals(h.ruleId())) return true;
        return false;
    }

    /** Decides each event without features or score, in order. */
    public List<Decision> decideAll(List<TransactionEvent> events) {
        List<Decision> out = new ArrayList<>(events.size());
        for (TransactionEvent event : events) {
            long start = System.nanoTime();
            RuleEvaluation evaluation = rules.evaluateVersioned(event, UNKNOWN_FEATURES, null, NO_SCORE);
            List<Hit> hits = new ArrayList<>(evaluation.hits());
            hits.add(new Hit(RULE_ID, Verdict.REVIEW,
                    "decided without behavioural features, lists or model score: the feature store was unreachable"));
            hits.sort(Comparator.comparing(Hit::ruleId));
            out.add(new Decision(Decision.decisionIdFor(event.transactionId()), event, VerdictPolicy.combine(hits), hits,
                    NO_SCORE, UNKNOWN_FEATURES, null, evaluation.version(), clock.instant(),
                    (System.nanoTime() - start) / 1000));
        }
        return out;
    }
}
