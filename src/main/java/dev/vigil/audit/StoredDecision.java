package dev.vigil.audit;

import dev.vigil.decision.Hit;
import dev.vigil.decision.ShadowScore;
import dev.vigil.decision.Verdict;
import dev.vigil.event.EventSource;
import dev.vigil.feature.Features;
import dev.vigil.rules.RuleSetVersion;
import dev.vigil.score.Contribution;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A decision as the audit store holds it, read back for the CLI, replay checks and tests.
 *
 * @param id the row's position in the store (rises with commit order per connection, not with event time)
 * @param features the feature snapshot as stored: counts as Long or Integer, booleans as Boolean,
 *     decimals as exact strings (see {@link #featureSnapshot()} for typed values)
 * @param account the account profile facts as stored, or null when none were known
 * @param transactionType the {@link dev.vigil.event.TransactionType} name as it was when written
 * @param recordedAt when the row was committed, by the database clock; all instants are to the
 *     microsecond (PostgreSQL's precision)
 * @param riskTier the score's tier as recorded; null for rows written before V006, which did not record it
 * @param contributions the SHAP contributions recorded, largest first; empty when the score was not explained
 * @param challenger the challenger's shadow score; null without a challenger (and for rows before V006)
 * @param canonicalForm {@code v1} (rows before V006) or {@code v2}: which canonical form their hash covers
 */
public record StoredDecision(
        long id,
        UUID decisionId,
        String transactionId,
        String accountId,
        String customerId,
        Instant eventTime,
        Instant processedAt,
        Instant recordedAt,
        EventSource source,
        BigDecimal amount,
        String currency,
        String transactionType,
        Verdict verdict,
        List<Hit> hits,
        Map<String, Object> features,
        Map<String, Object> account,
        RuleSetVersion ruleSetVersion,
        String modelVersion,
        double score,
        int riskScore,
        long latencyMicros,
        byte[] rawEvent,
        String riskTier,
        List<Contribution> contributions,
        ShadowScore challenger,
        String canonicalForm) {

    public StoredDecision {
        Objects.requireNonNull(decisionId, "decisionId");
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(verdict, "verdict");
        hits = List.copyOf(hits);
        features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
        if (account != null) account = Collections.unmodifiableMap(new LinkedHashMap<>(account));
        Objects.requireNonNull(ruleSetVersion, "ruleSetVersion");
        Objects.requireNonNull(rawEvent, "rawEvent");
        contributions = contributions == null ? List.of() : List.copyOf(contributions);
        Objects.requireNonNull(canonicalForm, "canonicalForm");
    }

    /** The ids of the rules that fired, in stored (rule id) order. */
    public List<String> ruleIds() {
        return hits.stream().map(Hit::ruleId).toList();
    }

    /** The snapshot as typed {@link Features}; throws when it was written by a version with other feature names. */
    public Features featureSnapshot() {
        return Features.fromMap(features);
    }
}
