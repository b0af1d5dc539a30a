package dev.vigil.decision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.feature.Features;
import dev.vigil.feature.RandomFeatures;
import dev.vigil.rules.RuleSetVersion;
import dev.vigil.score.Contribution;
import dev.vigil.score.ModelScore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The streamed decision JSON is, byte for byte, what the simple tree-and-map writer (the reference below) wrote. */
class DecisionJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** For tests that inspect the published decision. */
    static JsonNode parse(Decision d) {
        try {
            return MAPPER.readTree(DecisionJson.toBytes(d));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Property(tries = 300)
    void publishedBytesAreWhatTheTreeWriterWrote(@ForAll("decisions") Decision d) throws Exception {
        assertArrayEquals(MAPPER.writeValueAsBytes(reference(d)), DecisionJson.toBytes(d));
    }

    @Property(tries = 100)
    void theHttpAnswerIsTheDecisionThenDuplicateAndRequestId(@ForAll("decisions") Decision d, @ForAll boolean duplicate,
            @ForAll("text") String requestId) throws Exception {
        ObjectNode expected = reference(d);
        expected.put("duplicate", duplicate);
        expected.put("request_id", requestId);
        assertArrayEquals(MAPPER.writeValueAsBytes(expected), DecisionJson.toHttpAnswer(d, duplicate, requestId));
    }

    /** The writer as it was before it streamed: a Jackson tree, the features through their map. */
    private static ObjectNode reference(Decision d) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("decision_id", d.decisionId().toString());
        n.put("transaction_id", d.transactionId());
        n.put("account_id", d.event().accountId());
        n.put("customer_id", d.event().customerId());
        n.put("occurred_at", d.event().occurredAt().toString());
        n.put("amount", d.event().amount().toPlainString());
        n.put("currency", d.event().currency().getCurrencyCode());
        n.put("verdict", d.verdict().name());
        if (DegradedDecider.isDegraded(d)) n.put("degraded", true);
        ObjectNode score = n.putObject("score");
        score.put("probability", d.score().probability());
        score.put("risk_score", d.score().riskScore());
        score.put("tier", d.score().tier().name());
        if (!d.score().contributions().isEmpty()) {
            ArrayNode contributions = score.putArray("contributions");
            for (Contribution c : d.score().contributions()) {
                ObjectNode o = contributions.addObject();
                o.put("feature", c.feature());
                if (Double.isFinite(c.value())) o.put("value", c.value());
                else o.putNull("value");
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

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(30),
                Arbitraries.of("plain", "quote \" back \\ slash", "\u0000\u001f\ud800\ud83d\ude00", "\u2028"));
    }

    private static Arbitrary<BigDecimal> decimals() {
        return Combinators.combine(Arbitraries.bigIntegers().between(BigInteger.TEN.pow(25).negate(), BigInteger.TEN.pow(25)),
                Arbitraries.integers().between(-6, 20)).as(BigDecimal::new);
    }

    private static Arbitrary<Double> doubles() {
        return Arbitraries.oneOf(Arbitraries.doubles(),
                Arbitraries.of(0.0, -0.0, 1e-300, 0.1 + 0.2, Double.NaN, Double.NEGATIVE_INFINITY, Double.MAX_VALUE));
    }

    private static Arbitrary<Features> features() {
        return RandomFeatures.snapshots(decimals());
    }

    @Provide
    Arbitrary<Decision> decisions() {
        Arbitrary<TransactionEvent> events = Combinators.combine(text(), text(), text(),
                        decimals().map(BigDecimal::abs), Arbitraries.of("EUR", "JPY", "CHF"),
                        Arbitraries.longs().between(-2_000_000_000L, 4_000_000_000L), Arbitraries.integers().between(0, 999_999_999))
                .as((id, account, customer, amount, currency, s, ns) -> new TransactionEvent(id, Instant.ofEpochSecond(s, ns), account,
                        customer, TransactionType.PURCHASE, amount, Currency.getInstance(currency), null, "m-1", "5411", "POS",
                        "CARD", Boolean.TRUE, null, null, null));
        Arbitrary<Hit> hits = Combinators.combine(Arbitraries.oneOf(text().filter(s -> !s.isBlank()), Arbitraries.of(DegradedDecider.RULE_ID)),
                Arbitraries.of(Verdict.class), text()).as(Hit::new);
        Arbitrary<ModelScore> scores = Combinators.combine(Arbitraries.doubles().between(0, 1), text().injectNull(0.2),
                        Combinators.combine(text(), doubles(), doubles()).as(Contribution::new).list().ofMaxSize(5))
                .as((p, version, top) -> ModelScore.of(p, version).withContributions(top));
        Arbitrary<ShadowScore> challengers = Combinators.combine(text(), Arbitraries.doubles().between(0, 1), Arbitraries.of(Verdict.class))
                .as(ShadowScore::new).injectNull(0.5);
        Arbitrary<RuleSetVersion> rules = Combinators.combine(text(), text()).as(RuleSetVersion::new);
        return Combinators.combine(events, hits.list().ofMaxSize(4), scores, features(), rules, challengers,
                        Arbitraries.longs().between(0, Long.MAX_VALUE))
                .as((e, hs, score, f, rs, challenger, latency) -> new Decision(Decision.decisionIdFor(e.transactionId()), e,
                        VerdictPolicy.combine(hs), hs, score, f, null, rs, e.occurredAt().plusMillis(40), latency, challenger));
    }
}
