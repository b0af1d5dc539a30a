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
