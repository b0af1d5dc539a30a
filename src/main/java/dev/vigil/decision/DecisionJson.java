package dev.vigil.decision;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.vigil.feature.Features;
import dev.vigil.score.Contribution;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;

/**
 * The decision as published on {@code vigil.decisions} and {@code vigil.alerts} and answered by
 * {@code POST /v1/decisions}. Amounts and decimal features are JSON strings, so no consumer reads
 * them through a binary float.
 *
 * <p>Written field by field with a streaming generator: every decision is published, so building a
 * tree and a map of all its features first cost more than writing them.
 */
public final class DecisionJson {
    private static final JsonFactory JSON = new JsonFactory();

    private DecisionJson() {}

    /** The published decision. */
    public static byte[] toBytes(Decision d) {
        return write(d, null, null);
    }

    /** The answer to {@code POST /v1/decisions}: the published decision, then whether it was a duplicate and the request id. */
    public static byte[] toHttpAnswer(Decision d, boolean duplicate, String requestId) {
        return write(d, duplicate, requestId);
    }

    private static byte[] write(Decision d, Boolean duplicate, String requestId) {
        ByteArrayBuilder out = new ByteArrayBuilder(4096);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            writeFields(g, d);
            if (duplicate != null) {
                g.writeBooleanField("duplicate", duplicate);
                g.writeStringField("request_id", requestId);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write decision " + d.decisionId(), e);
        }
        return out.toByteArray();
    }

    private static void writeFields(JsonGenerator g, Decision d) throws IOException {
        g.writeStringField("decision_id", d.decisionId().toString());
        g.writeStringField("transaction_id", d.transactionId());
        g.writeStringField("account_id", d.event().accountId());
        g.writeStringField("customer_id", d.event().customerId());
        g.writeStringField("occurred_at", d.event().occurredAt().toString());
        g.writeStringField("amount", d.event().amount().toPlainString());
        g.writeStringField("currency", d.event().currency().getCurrencyCode());
        g.writeStringField("verdict", d.verdict().name());
        // Only when true, so decisions made with features read exactly as before.
        if (DegradedDecider.isDegraded(d)) g.writeBooleanField("degraded", true);
        g.writeObjectFieldStart("score");
        g.writeNumberField("probability", d.score().probability());
        g.writeNumberField("risk_score", d.score().riskScore());
        g.writeStringField("tier", d.score().tier().name());
        // The SHAP explanation, when one was computed: the case queue shows it to the analyst.
        if (!d.score().contributions().isEmpty()) {
            g.writeArrayFieldStart("contributions");
            for (Contribution c : d.score().contributions()) {
                g.writeStartObject();
                g.writeStringField("feature", c.feature());
                g.writeFieldName("value");
                if (Double.isFinite(c.value())) g.writeNumber(c.value());
                else g.writeNull(); // a missing feature: JSON has no NaN
                g.writeNumberField("contribution", Double.isFinite(c.contribution()) ? c.contribution() : 0.0);
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeArrayFieldStart("reasons");
        for (Hit h : d.hits()) {
            g.writeStartObject();
            g.writeStringField("rule_id", h.ruleId());
            g.writeStringField("verdict", h.verdict().name());
            g.writeStringField("reason", h.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("rule_set_version", d.ruleSetVersion().label());
        g.writeStringField("rule_set_hash", d.ruleSetVersion().contentHash());
        g.writeStringField("model_version", d.modelVersion());
        if (d.challenger() != null) {
            g.writeObjectFieldStart("challenger");
            g.writeStringField("model_version", d.challenger().modelVersion());
            g.writeNumberField("probability", d.challenger().probability());
            g.writeStringField("would_be_verdict", d.challenger().wouldBeVerdict().name());
            g.writeEndObject();
        }
        g.writeStringField("decided_at", d.decidedAt().toString());
        g.writeNumberField("latency_micros", d.latencyMicros());
        g.writeObjectFieldStart("features");
        d.features().visitValues(new FeatureFields(g));
        g.writeEndObject();
    }

    /** Writes each feature under its name: counts as numbers, flags as booleans, decimals as plain strings. */
    private static final class FeatureFields implements Features.ValueVisitor {
        private static final List<String> NAMES = Features.NAMES;
        private final JsonGenerator g;
        private int next;

        FeatureFields(JsonGenerator g) {
            this.g = g;
        }

        @Override
        public void count(long value) {
            try {
                g.writeNumberField(NAMES.get(next++), value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void decimal(BigDecimal value) {
            try {
                g.writeStringField(NAMES.get(next++), value.toPlainString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void flag(boolean value) {
            try {
                g.writeBooleanField(NAMES.get(next++), value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
