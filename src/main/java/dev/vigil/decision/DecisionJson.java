package dev.vigil.decision;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.score.Contribution;
import java.math.BigDecimal;
import java.util.Map;

/**
 * The decision as published on {@code vigil.decisions} and {@code vigil.alerts} and answered by
 * {@code POST /v1/decisions}. Amounts and decimal features are JSON strings, so no consumer reads
 * them through a binary float.
 */
public final class DecisionJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DecisionJson() {}

    public static ObjectNode toJson(Decision d) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("decision_id", d.decisionId().toString());
        n.put("transaction_id", d.transactionId());
        n.put("account_id", d.event().accountId());
        n.put("customer_id", d.event().customerId());
        n.put("occurred_at", d.event().occurredAt().toString());
        n.put("amount", d.event().amount().toPlainString());
        n.put("currency", d.event().currency().getCurrencyCode());
        n.put("verdict", d.verdict().name());
        // Only when true, so decisions made with features read exactly as before.
        if (DegradedDecider.isDegraded(d)) n.put("degraded", true);
        ObjectNode score = n.putObject("score");
        score.put("probability", d.score().probability());
        score.put("risk_score", d.score().riskScore());
        score.put("tier", d.score().tier().name());
        // The SHAP explanation, when one was computed: the case queue shows it to the analyst.
        if (!d.score().contributions().isEmpty()) {
            ArrayNode contributions = score.putArray("contributions");
            for (dev.vigil.score.Contribution c : d.score().contributions()) {
                ObjectNode o = contributions.addObject();
                o.put("feature", c.feature());
                if (Double.isFinite(c.value())) o.put("value", c.value());
                else o.putNull("value"); // a missing feature: JSON has no NaN
                o.put("contribution", Double.isFinite(c.contribution()) ? c.contribution() : 0.0);
            }
        }
        ArrayNode reasons = n.putArray("reasons");
        for (Hit h : d.hits()) {
            ObjectNode r = reasons.addObject();
            r.put("rule_id", h.ruleId());
            r.put("verdict", h.verdict().name());
            r.put("reason", h.reason());
        }
        n.put("rule_set_version", d.ruleSetVersion().label());
        n.put("rule_set_hash", d.ruleSetVersion().contentHash());
        n.put("model_version", d.modelVersion());
        if (d.challenger() != null) {
            ObjectNode c = n.putObject("challenger");
            c.put("model_version", d.challenger().modelVersion());
            c.put("probability", d.challenger().probability());
            c.put("would_be_verdict", d.challenger().wouldBeVerdict().name());
        }
        n.put("decided_at", d.decidedAt().toString());
        n.put("latency_micros", d.latencyMicros());
        ObjectNode features = n.putObject("features");
        for (Map.Entry<String, Object> e : d.features().toMap().entrySet()) {
            Object v = e.getValue();
            if (v instanceof BigDecimal b) features.put(e.getKey(), b.toPlainString());
            else if (v instanceof Long l) features.put(e.getKey(), l);
            else if (v instanceof Boolean b) features.put(e.getKey(), b);
            else features.put(e.getKey(), String.valueOf(v));
        }
        return n;
    }

    public static byte[] toBytes(Decision d) {
        try {
            return MAPPER.writeValueAsBytes(toJson(d));
        } catch (Exception e) {
            throw new IllegalStateException("cannot write decision " + d.decisionId(), e);
        }
    }
}
