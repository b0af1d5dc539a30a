package dev.vigil.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.decision.Decision;
import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.score.Contribution;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A REVIEW or BLOCK decision as the case queue needs it, read from {@code vigil.alerts} (the
 * decision JSON) or taken from a {@link Decision}.
 *
 * @param ruleIds the rules that fired, in the decision's order
 * @param contributions the model's SHAP contributions when the alert carried them, else empty
 */
public record Alert(String transactionId, String accountId, String customerId, Instant occurredAt, BigDecimal amount,
        String currency, Verdict verdict, int riskScore, List<String> ruleIds, List<Contribution> contributions) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public Alert {
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(verdict, "verdict");
        if (!verdict.isAlert()) throw new IllegalArgumentException("an ALLOW decision is not an alert: " + transactionId);
        if (riskScore < 0 || riskScore > 100) throw new IllegalArgumentException("riskScore " + riskScore);
        ruleIds = List.copyOf(ruleIds);
        contributions = List.copyOf(contributions);
    }

    public static Alert of(Decision d) {
        return new Alert(d.transactionId(), d.event().accountId(), d.event().customerId(), d.event().occurredAt(),
                d.event().amount(), d.event().currency().getCurrencyCode(), d.verdict(), d.score().riskScore(),
                d.hits().stream().map(Hit::ruleId).toList(), d.score().contributions());
    }

    /**
     * Reads the decision JSON published on {@code vigil.alerts}. Contributions are read from
     * {@code score.contributions} (or a top-level {@code contributions}) as
     * {@code [{feature, value, contribution}]} when present.
     *
     * @throws IllegalArgumentException when the bytes are not such a decision
     */
    public static Alert fromJson(byte[] json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            List<String> rules = new ArrayList<>();
            for (JsonNode r : n.path("reasons")) rules.add(r.path("rule_id").asText());
            JsonNode contrib = n.path("score").has("contributions") ? n.path("score").path("contributions") : n.path("contributions");
            List<Contribution> contributions = new ArrayList<>();
            for (JsonNode c : contrib) {
                contributions.add(new Contribution(c.path("feature").asText(), c.path("value").asDouble(),
                        c.path("contribution").asDouble()));
            }
            return new Alert(text(n, "transaction_id"), text(n, "account_id"), text(n, "customer_id"),
                    Instant.parse(text(n, "occurred_at")), new BigDecimal(text(n, "amount")), text(n, "currency"),
                    Verdict.valueOf(text(n, "verdict")), n.path("score").path("risk_score").asInt(), rules, contributions);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a decision alert: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException("missing " + field);
        return v.asText();
    }
}
