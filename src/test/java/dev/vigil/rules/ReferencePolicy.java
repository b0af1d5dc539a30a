package dev.vigil.rules;

import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.score.ModelScore;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shipped policy restated in plain Java, as the reference the property tests hold the rule
 * engine to: which rule ids fire, with which verdict. It pins the thresholds in rules/README.md;
 * when analysts change a threshold, this changes with it.
 */
final class ReferencePolicy {
    private ReferencePolicy() {}

    static Map<String, Verdict> expected(TransactionEvent tx, Features f, AccountProfile a, ModelScore s) {
        Map<String, Verdict> out = new TreeMap<>();
        String currency = tx.currency().getCurrencyCode();
        BigDecimal amount = tx.amount();
        // VEL-001, rules/drl/velocity.drl
        if (f.txCount1m() > 5) out.put("VEL-001", Verdict.REVIEW);
        // LST-001, LST-002, rules/drl/watchlist.drl
        if (a != null && a.watchlistHit()) out.put("LST-001", Verdict.BLOCK);
        if (a != null && a.kycFailed()) out.put("LST-002", Verdict.REVIEW);
        // AML-STR-001, AMT-001, rules/dsl/aml.dslr
        if (tx.type() == TransactionType.CASH_DEPOSIT && currency.equals("USD")
                && amount.compareTo(new BigDecimal("9000")) >= 0 && amount.compareTo(new BigDecimal("9999.99")) <= 0) {
            out.put("AML-STR-001", Verdict.REVIEW);
        }
        if (f.accountAgeDays() >= 0 && f.accountAgeDays() < 30 && currency.equals("USD")
                && amount.compareTo(new BigDecimal("5000")) > 0) {
            out.put("AMT-001", Verdict.REVIEW);
        }
        // AML-NEW-001 (USD), AML-NEW-002 (EUR), rules/decision-tables/aml-new-account.xlsx
        if (tx.type() == TransactionType.BALANCE_DEPOSIT && f.accountAgeDays() >= 0 && f.accountAgeDays() <= 180
                && f.balanceDepositSum7d().compareTo(new BigDecimal("15000")) >= 0
                && f.depositToNetWorthRatio().compareTo(new BigDecimal("1.25")) >= 0) {
            if (currency.equals("USD")) out.put("AML-NEW-001", Verdict.REVIEW);
            if (currency.equals("EUR")) out.put("AML-NEW-002", Verdict.REVIEW);
        }
        // SCORE-001, SCORE-002, rules/decision-tables/model-score.xlsx
        if (s.probability() > 0.95) out.put("SCORE-001", Verdict.BLOCK);
        if (s.probability() >= 0.80 && s.probability() <= 0.95) out.put("SCORE-002", Verdict.REVIEW);
        return out;
    }

    static Map<String, Verdict> asMap(Iterable<Hit> hits) {
        Map<String, Verdict> out = new TreeMap<>();
        for (Hit h : hits) {
            if (out.put(h.ruleId(), h.verdict()) != null) throw new AssertionError("rule fired twice: " + h.ruleId());
        }
        return out;
    }
}
