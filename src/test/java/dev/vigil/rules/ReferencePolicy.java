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
        // VEL-001, rules/drl/velocity.drl; VEL-002, rules/dsl/velocity.dslr
        if (f.txCount1m() > 5) out.put("VEL-001", Verdict.REVIEW);
        if (f.txCount1h() > 20) out.put("VEL-002", Verdict.REVIEW);
        // CARD-001, rules/drl/card-testing.drl: a purchase of 5.00 or less after 5 or more in 5 minutes at 5 or more merchants
        if (tx.type() == TransactionType.PURCHASE && amount.compareTo(new BigDecimal("5.00")) <= 0
                && f.txCount5m() >= 5 && f.distinctMerchants5m() >= 5) {
            out.put("CARD-001", Verdict.BLOCK);
        }
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
        // AML-DOR-001, rules/dsl/aml.dslr: 180 days without a transaction, then more than 5000 USD
        if (f.secondsSincePrevious() >= 180L * 86_400 && currency.equals("USD")
                && amount.compareTo(new BigDecimal("5000")) > 0) {
            out.put("AML-DOR-001", Verdict.REVIEW);
        }
        // GEO-003, GEO-004, rules/dsl/geography.dslr
        String country = tx.geo() == null ? null : tx.geo().country();
        if (country != null && java.util.Set.of("KP", "IR", "MM").contains(country)) out.put("GEO-003", Verdict.BLOCK);
        if (country != null && java.util.Set.of("DZ", "AO", "BO", "BG", "CM", "CI", "CD", "HT", "KE", "LA", "LB", "MC",
                "NA", "NP", "SS", "SY", "VE", "VN", "VG", "YE").contains(country)) {
            out.put("GEO-004", Verdict.REVIEW);
        }
        // AMT-010 to AMT-021, rules/decision-tables/amount-thresholds.xlsx: limit per channel and currency, exclusive
        String channel = tx.channel() == null ? "" : tx.channel();
        String[][] limits = {
            {"AMT-010", "ECOM", "USD", "10000", "REVIEW"}, {"AMT-011", "ECOM", "EUR", "9000", "REVIEW"},
            {"AMT-012", "ECOM", "GBP", "8000", "REVIEW"}, {"AMT-013", "MOBILE", "USD", "5000", "REVIEW"},
            {"AMT-014", "MOBILE", "EUR", "4500", "REVIEW"}, {"AMT-015", "ATM", "USD", "2000", "REVIEW"},
            {"AMT-016", "ATM", "EUR", "2000", "REVIEW"}, {"AMT-020", "*", "USD", "50000", "BLOCK"},
            {"AMT-021", "*", "EUR", "45000", "BLOCK"}};
        for (String[] l : limits) {
            if ((l[1].equals("*") || l[1].equals(channel)) && l[2].equals(currency)
                    && amount.compareTo(new BigDecimal(l[3])) > 0) {
                out.put(l[0], Verdict.valueOf(l[4]));
            }
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
