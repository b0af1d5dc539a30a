package dev.vigil.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vigil.decision.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertTest {
    @Test
    void shouldReadTheAlertJsonThePipelinePublishes() {
        String json = """
                {"decision_id":"d","transaction_id":"tx-1","account_id":"a-1","customer_id":"c-1",
                 "occurred_at":"2026-03-01T10:00:00Z","amount":"1200.50","currency":"EUR","verdict":"BLOCK",
                 "score":{"probability":0.93,"risk_score":93,"contributions":[{"feature":"amount","value":1200.5,"contribution":2.1}]},
                 "reasons":[{"rule_id":"AML-NEW-001","verdict":"BLOCK","reason":"r"},{"rule_id":"VEL-001","verdict":"REVIEW","reason":"r"}]}
                """;
        Alert a = Alert.fromJson(json.getBytes(StandardCharsets.UTF_8));
        assertEquals("tx-1", a.transactionId());
        assertEquals(Instant.parse("2026-03-01T10:00:00Z"), a.occurredAt());
        assertEquals("1200.50", a.amount().toPlainString());
        assertEquals(Verdict.BLOCK, a.verdict());
        assertEquals(93, a.riskScore());
        assertEquals(List.of("AML-NEW-001", "VEL-001"), a.ruleIds());
        assertEquals(2.1, a.contributions().get(0).contribution());
    }

    @Test
    void shouldReadBackTheDecisionJsonWithItsShapContributions() {
        // Given a BLOCK whose score was explained (one contribution of a missing feature, NaN)
        java.time.Instant t = Instant.parse("2026-03-01T10:00:00Z");
        dev.vigil.event.TransactionEvent e = new dev.vigil.event.TransactionEvent("tx-rt", t, "acc-rt", "cust-rt",
                dev.vigil.event.TransactionType.PURCHASE, new java.math.BigDecimal("310.00"), java.util.Currency.getInstance("EUR"),
                null, null, null, null, null, null, null, null, null);
        dev.vigil.score.ModelScore score = dev.vigil.score.ModelScore.of(0.91, "m1").withContributions(List.of(
                new dev.vigil.score.Contribution("amount", 310.0, 1.5), new dev.vigil.score.Contribution("geo_distance", Double.NaN, -0.2)));
        List<dev.vigil.decision.Hit> hits = List.of(new dev.vigil.decision.Hit("SCORE-001", Verdict.BLOCK, "score 91"));
        dev.vigil.feature.Features f = new dev.vigil.feature.Features(1, 1, 1, 1, java.math.BigDecimal.ONE, java.math.BigDecimal.ONE,
                java.math.BigDecimal.ONE, java.math.BigDecimal.ONE, 0, 0, java.math.BigDecimal.ZERO, java.math.BigDecimal.ZERO, false, false, 10);
        dev.vigil.decision.Decision d = new dev.vigil.decision.Decision(dev.vigil.decision.Decision.decisionIdFor("tx-rt"), e,
                Verdict.BLOCK, hits, score, f, null, new dev.vigil.rules.RuleSetVersion("r1", "abc"), t, 100);
        // When it is published and read back by the case opener
        Alert a = Alert.fromJson(dev.vigil.decision.DecisionJson.toBytes(d));
        // Then the alert equals the one taken from the decision itself, contributions included
        assertEquals(Alert.of(d).ruleIds(), a.ruleIds());
        assertEquals(91, a.riskScore());
        assertEquals(2, a.contributions().size());
        assertEquals(1.5, a.contributions().get(0).contribution());
        assertEquals("geo_distance", a.contributions().get(1).feature());
    }

    @Test
    void shouldRefuseAnAllowOrAMalformedAlert() {
        assertThrows(IllegalArgumentException.class, () -> Alert.fromJson("{\"transaction_id\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> Alert.fromJson("""
                {"transaction_id":"t","account_id":"a","customer_id":"c","occurred_at":"2026-03-01T10:00:00Z",
                 "amount":"1","currency":"EUR","verdict":"ALLOW","score":{"risk_score":1},"reasons":[]}""".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldWriteTheLabelAsTheFeatureEngineReadsIt() {
        AnalystLabel l = new AnalystLabel("tx-9", "a-9", CaseOutcome.FRAUD, Instant.parse("2026-03-01T12:00:00Z"));
        assertEquals("{\"transaction_id\":\"tx-9\",\"label\":\"FRAUD\",\"source\":\"analyst\",\"known_at\":\"2026-03-01T12:00:00Z\"}",
                new String(l.toJson(), StandardCharsets.UTF_8));
    }
}
