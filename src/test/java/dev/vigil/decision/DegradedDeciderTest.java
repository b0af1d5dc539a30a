package dev.vigil.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.event.GeoLocation;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.rules.DroolsRuleEngine;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Degraded decisions (features unavailable, HTTP only when configured) with the shipped rules:
 * never ALLOW, flagged, and what the event alone shows still counts.
 */
class DegradedDeciderTest {
    private static DroolsRuleEngine rules;

    private static synchronized DegradedDecider decider() {
        if (rules == null) rules = DroolsRuleEngine.load(Path.of("rules"));
        return new DegradedDecider(rules, Clock.systemUTC());
    }

    @Property(tries = 200)
    void shouldReviewAnOrdinaryPaymentWithNoRuleFiringOnUnknownFeatures(@ForAll("ordinary") TransactionEvent tx) {
        // An amount below every threshold, no location: the event alone gives no rule a reason to fire,
        // so any hit besides the degraded marker would be a rule firing on the unknown feature values.
        Decision d = decider().decideAll(List.of(tx)).get(0);

        assertEquals(List.of(DegradedDecider.RULE_ID), d.hits().stream().map(Hit::ruleId).toList());
        assertEquals(Verdict.REVIEW, d.verdict(), "never ALLOW because the features are missing");
        assertTrue(DegradedDecider.isDegraded(d));
        assertEquals(DegradedDecider.NO_MODEL, d.modelVersion());
        assertEquals(Decision.decisionIdFor(tx.transactionId()), d.decisionId());
    }

    @Example
    void shouldStillBlockWhatTheEventAloneShows() {
        // 60,000 USD is over the any-channel block threshold (AMT-020); North Korea is under a FATF call for action (GEO-003)
        TransactionEvent large = tx("big", new BigDecimal("60000.00"), "USD", "POS", null);
        TransactionEvent located = tx("kp", new BigDecimal("10.00"), "EUR", "POS", new GeoLocation(39.0, 125.7, "KP"));

        List<Decision> ds = decider().decideAll(List.of(large, located));

        assertEquals(Verdict.BLOCK, ds.get(0).verdict());
        assertEquals(List.of("AMT-020", DegradedDecider.RULE_ID), ds.get(0).hits().stream().map(Hit::ruleId).toList());
        assertEquals(Verdict.BLOCK, ds.get(1).verdict());
        assertTrue(ds.get(1).hits().stream().anyMatch(h -> h.ruleId().equals("GEO-003")));
        assertTrue(DegradedDecider.isDegraded(ds.get(1)));
    }

    @Example
    void shouldFlagTheDecisionJsonOnlyWhenDegraded() {
        Decision degraded = decider().decideAll(List.of(tx("d", new BigDecimal("5.00"), "EUR", "POS", null))).get(0);
        JsonNode json = DecisionJsonTest.parse(degraded);
        assertTrue(json.path("degraded").asBoolean());
        assertEquals("REVIEW", json.path("verdict").asText());
        assertEquals(DegradedDecider.RULE_ID, json.path("reasons").get(0).path("rule_id").asText());

        Decision normal = new Decision(degraded.decisionId(), degraded.event(), Verdict.ALLOW, List.of(), degraded.score(),
                degraded.features(), null, degraded.ruleSetVersion(), degraded.decidedAt(), 1);
        assertFalse(DecisionJsonTest.parse(normal).has("degraded"), "decisions made with features read as before");
    }

    @Provide
    Arbitrary<TransactionEvent> ordinary() {
        Arbitrary<BigDecimal> amount = Arbitraries.bigDecimals().between(new BigDecimal("0.01"), new BigDecimal("1999.99")).ofScale(2);
        Arbitrary<String> currency = Arbitraries.of("USD", "EUR", "GBP", "JPY");
        Arbitrary<String> channel = Arbitraries.of("ONLINE", "ECOM", "MOBILE", "ATM", "POS");
        Arbitrary<TransactionType> type = Arbitraries.of(TransactionType.class);
        Arbitrary<Integer> n = Arbitraries.integers().between(0, 1_000_000);
        return Combinators.combine(amount, currency, channel, type, n).as((a, c, ch, t, i) -> {
            BigDecimal scaled = c.equals("JPY") ? a.setScale(0, java.math.RoundingMode.DOWN).max(BigDecimal.ONE) : a;
            return new TransactionEvent("o-" + i, Instant.parse("2026-11-01T10:00:00Z"), "acct-" + i % 17, "cust-" + i % 17, t,
                    scaled, Currency.getInstance(c), t == TransactionType.TRANSFER_OUT ? "DE89370400440532013000" : null,
                    "m-" + i % 5, "5411", ch, "CARD", Boolean.TRUE, "dev-" + i % 3, "10.0.0." + i % 250, null);
        });
    }

    private static TransactionEvent tx(String id, BigDecimal amount, String currency, String channel, GeoLocation geo) {
        return new TransactionEvent(id, Instant.parse("2026-11-01T10:00:00Z"), "acct-x", "cust-x", TransactionType.PURCHASE,
                amount, Currency.getInstance(currency), null, "m-1", "5411", channel, "CARD", Boolean.TRUE, null, null, geo);
    }
}
