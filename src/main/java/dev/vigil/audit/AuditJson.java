package dev.vigil.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.score.Contribution;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON kept in the audit rows' jsonb columns, written and read one way only. */
final class AuditJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};
    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() {};

    private AuditJson() {}

    /**
     * Decimals become JSON strings with their exact digits and scale, so no reader (psql, a
     * spreadsheet, JavaScript) rounds them through a double; SQL reads them with {@code ::numeric}.
     */
    static String features(Features f) {
        Map<String, Object> m = new LinkedHashMap<>();
        f.toMap().forEach((k, v) -> m.put(k, value(v)));
        return write(m);
    }

    /**
     * The account facts as a JSON object. Written field by field with Jackson's streaming generator
     * (the same bytes {@code ObjectMapper} writes for the equivalent map, without building it: this
     * runs for every audit row).
     */
    static String account(AccountProfile a) {
        if (a == null) return null;
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("account_id", Text.clean(a.accountId()));
            g.writeStringField("customer_id", Text.clean(a.customerId()));
            g.writeStringField("opened_at", a.openedAt() == null ? null : a.openedAt().toString());
            g.writeStringField("declared_net_worth", a.declaredNetWorth() == null ? null : decimal(a.declaredNetWorth()));
            g.writeStringField("net_worth_currency", a.netWorthCurrency() == null ? null : a.netWorthCurrency().getCurrencyCode());
            g.writeStringField("country", Text.clean(a.country()));
            g.writeStringField("kyc_risk_level", a.kycRiskLevel() == null ? null : a.kycRiskLevel().name());
            g.writeBooleanField("closed", a.closed());
            g.writeBooleanField("kyc_failed", a.kycFailed());
            g.writeBooleanField("watchlist_hit", a.watchlistHit());
            g.writeEndObject();
        });
    }

    static String hits(List<Hit> hits) {
        return write(g -> {
            g.writeStartArray();
            for (Hit h : hits) {
                g.writeStartObject();
                g.writeStringField("rule_id", Text.clean(h.ruleId()));
                g.writeStringField("verdict", h.verdict().name());
                g.writeStringField("reason", Text.clean(h.reason()));
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /** The SHAP contributions, largest first; null when there are none (the score was not explained). */
    static String contributions(List<Contribution> contributions) {
        if (contributions.isEmpty()) return null;
        return write(g -> {
            g.writeStartArray();
            for (Contribution c : contributions) {
                g.writeStartObject();
                g.writeStringField("feature", Text.clean(c.feature()));
                g.writeNumberField("value", c.value());
                g.writeNumberField("contribution", c.contribution());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    static List<Contribution> readContributions(String json) {
        if (json == null) return List.of();
        try {
            List<Contribution> out = new ArrayList<>();
            for (Map<String, Object> m : MAPPER.readValue(json, LIST)) {
                out.add(new Contribution((String) m.get("feature"), number(m.get("value")), number(m.get("contribution"))));
            }
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored contributions are not a JSON array: " + e.getOriginalMessage(), e);
        }
    }

    private static double number(Object v) {
        // Jackson writes a non-finite double as the string "NaN" or "Infinity".
        return v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
    }

    static Map<String, Object> readMap(String json) {
        if (json == null) return null;
        try {
            return MAPPER.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not an object: " + e.getOriginalMessage(), e);
        }
    }

    static List<Hit> readHits(String json) {
        try {
            List<Hit> hits = new ArrayList<>();
            for (Map<String, Object> m : MAPPER.readValue(json, LIST)) {
                hits.add(new Hit((String) m.get("rule_id"), Verdict.valueOf((String) m.get("verdict")),
                        (String) m.get("reason")));
            }
            return hits;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored hits are not a JSON array: " + e.getOriginalMessage(), e);
        }
    }

    static String decimal(BigDecimal d) {
        // toPlainString keeps scale for scale >= 0 and avoids 1E-7 forms; a negative scale
        // (1E+3) would lose its scale in plain form, so it keeps the exponent.
        return d.scale() >= 0 ? d.toPlainString() : d.toString();
    }

    private static Object value(Object v) {
        if (v instanceof BigDecimal d) return decimal(d);
        if (v instanceof String s) return Text.clean(s);
        return v;
    }

    private static String write(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write audit JSON", e);
        }
    }

    private interface Generation {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(Generation generation) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            generation.write(g);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write audit JSON", e);
        }
        return out.toString();
    }
}
