package dev.vigil.audit;

import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.decision.VerdictPolicy;
import dev.vigil.event.EventCodec;
import dev.vigil.event.InvalidEventException;
import dev.vigil.event.KycRiskLevel;
import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.rules.RuleEngine;
import dev.vigil.score.ModelScore;
import dev.vigil.score.RiskModel;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Re-runs a recorded decision: the raw event as received, the recorded feature snapshot and
 * account facts, the model and the rules of the recorded versions, and compares the outcome with
 * the record. The features are the recorded ones because the feature store's state at that moment
 * is not kept; what is re-run is the scoring and the rules.
 */
public final class AuditReplay {
    private AuditReplay() {}

    /**
     * The outcome.
     *
     * @param differences empty when the replay reproduced the verdict, the hits and the score; else one line each
     */
    public record Result(Verdict recordedVerdict, Verdict replayedVerdict, double recordedScore, double replayedScore,
            List<Hit> replayedHits, List<String> differences) {
        public Result {
            replayedHits = List.copyOf(replayedHits);
            differences = List.copyOf(differences);
        }

        public boolean same() {
            return differences.isEmpty();
        }
    }

    /**
     * Replays {@code d} with {@code rules} and {@code model}, which the caller has checked are the
     * recorded versions (see {@link #versionProblem}).
     */
    public static Result replay(StoredDecision d, RuleEngine rules, RiskModel model) {
        Objects.requireNonNull(d, "decision");
        TransactionEvent event;
        try {
            // The clock the event was judged against: the decision time, so no event looks "from the future".
            event = new EventCodec(Clock.fixed(d.processedAt(), ZoneOffset.UTC), EventCodec.DEFAULT_MAX_FUTURE_SKEW,
                    Math.max(EventCodec.DEFAULT_MAX_PAYLOAD_BYTES, d.rawEvent().length)).parseTransaction(d.rawEvent());
        } catch (InvalidEventException e) {
            throw new IllegalStateException("the recorded raw event of " + d.transactionId() + " does not parse: " + e.getMessage(), e);
        }
        Features features = d.featureSnapshot();
        AccountProfile account = account(d.account());
        ModelScore score = model.score(features);
        List<Hit> hits = new ArrayList<>(rules.evaluate(event, features, account, score));
        hits.sort(Comparator.comparing(Hit::ruleId));
        Verdict verdict = VerdictPolicy.combine(hits);

        List<String> diff = new ArrayList<>();
        if (verdict != d.verdict()) diff.add("verdict: recorded " + d.verdict() + ", replayed " + verdict);
        if (Double.compare(score.probability(), d.score()) != 0) {
            diff.add("score: recorded " + d.score() + ", replayed " + score.probability());
        }
        List<String> recorded = d.hits().stream().map(h -> h.ruleId() + " " + h.verdict()).toList();
        List<String> replayed = hits.stream().map(h -> h.ruleId() + " " + h.verdict()).toList();
        for (String r : recorded) if (!replayed.contains(r)) diff.add("rule fired then, not now: " + r);
        for (String r : replayed) if (!recorded.contains(r)) diff.add("rule fires now, did not then: " + r);
        for (Hit h : hits) {
            d.hits().stream().filter(o -> o.ruleId().equals(h.ruleId()) && o.verdict() == h.verdict()
                    && !o.reason().equals(h.reason())).findFirst()
                    .ifPresent(o -> diff.add("reason of " + h.ruleId() + ": recorded \"" + o.reason() + "\", replayed \""
                            + h.reason() + "\""));
        }
        return new Result(d.verdict(), verdict, d.score(), score.probability(), hits, diff);
    }

    /**
     * Null when the rules and model given are the versions {@code d} records; else what is needed,
     * in words an operator can act on.
     */
    public static String versionProblem(StoredDecision d, RuleEngine rules, RiskModel model) {
        List<String> problems = new ArrayList<>();
        if (!d.ruleSetVersion().contentHash().equals(rules.version().contentHash())) {
            problems.add("the rules folder holds rule set " + rules.version() + "; this decision was made by rule set "
                    + d.ruleSetVersion().label() + " with content hash " + d.ruleSetVersion().contentHash()
                    + " (check out the rules folder at that version, e.g. from version control, and pass it with --rules-dir)");
        }
        if (!Objects.equals(d.modelVersion(), model.version())) {
            problems.add("the model is version " + model.version() + "; this decision was scored by model version "
                    + d.modelVersion() + " (pass its folder with --model-dir)");
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** The account facts as AuditJson.account wrote them, back as the fact the rules saw. */
    static AccountProfile account(Map<String, Object> m) {
        if (m == null) return null;
        Object worth = m.get("declared_net_worth");
        Object currency = m.get("net_worth_currency");
        Object opened = m.get("opened_at");
        Object kyc = m.get("kyc_risk_level");
        return new AccountProfile((String) m.get("account_id"), (String) m.get("customer_id"),
                opened == null ? null : Instant.parse(opened.toString()),
                worth == null ? null : new BigDecimal(worth.toString()),
                currency == null ? null : Currency.getInstance(currency.toString()), (String) m.get("country"),
                kyc == null ? null : KycRiskLevel.valueOf(kyc.toString()), Boolean.TRUE.equals(m.get("closed")),
                Boolean.TRUE.equals(m.get("kyc_failed")), Boolean.TRUE.equals(m.get("watchlist_hit")));
    }
}
