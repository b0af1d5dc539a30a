package dev.vigil.cases;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * A person's verdict on one transaction, published on {@code vigil.labels} as
 * {@code {"transaction_id", "label": "FRAUD"|"LEGIT", "source": "analyst", "known_at"}}, keyed by
 * account id. {@code known_at} is when the analyst closed the case: a feature or a training set
 * built as of an earlier time must not see it.
 */
public record AnalystLabel(String transactionId, String accountId, CaseOutcome label, Instant knownAt) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public AnalystLabel {
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(knownAt, "knownAt");
    }

    public byte[] toJson() {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("transaction_id", transactionId);
        n.put("label", label.name());
        n.put("source", "analyst");
        n.put("known_at", knownAt.toString());
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }
}
