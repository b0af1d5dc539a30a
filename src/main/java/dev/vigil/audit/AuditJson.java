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
    private static final TypeReference<List<Object>> VALUES = new TypeReference<>() {};
    private static final TypeReference<List<List<Object>>> TRIPLES = new TypeReference<>() {};

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

    /** The account facts' keys, in the order the object (formats 1 to 4) and the array (format 5 on) hold them. */
    static final List<String> ACCOUNT_KEYS = List.of("account_id", "customer_id", "opened_at", "declared_net_worth",
            "net_worth_currency", "country", "kyc_risk_level", "closed", "kyc_failed", "watchlist_hit");

    /**
     * The account facts as the row's feature format stores them: from format 5 (V012) a JSON array
     * of the values in {@link #ACCOUNT_KEYS} order, before it an object with those keys. Written
     * field by field with Jackson's streaming generator (the same bytes {@code ObjectMapper} writes
     * for the equivalent list or map, without building it: this runs for every audit row).
     */
    static String account(int format, AccountProfile a) {
        if (a == null) return null;
        boolean array = format >= CanonicalRows.COMPACT_FACTS_FORMAT;
        return write(g -> {
            if (array) g.writeStartArray();
            else g.writeStartObject();
            string(g, array, "account_id", Text.clean(a.accountId()));
            string(g, array, "customer_id", Text.clean(a.customerId()));
            string(g, array, "opened_at", a.openedAt() == null ? null : a.openedAt().toString());
            string(g, array, "declared_net_worth", a.declaredNetWorth() == null ? null : decimal(a.declaredNetWorth()));
            string(g, array, "net_worth_currency", a.netWorthCurrency() == null ? null : a.netWorthCurrency().getCurrencyCode());
            string(g, array, "country", Text.clean(a.country()));
            string(g, array, "kyc_risk_level", a.kycRiskLevel() == null ? null : a.kycRiskLevel().name());
            flag(g, array, "closed", a.closed());
            flag(g, array, "kyc_failed", a.kycFailed());
            flag(g, array, "watchlist_hit", a.watchlistHit());
            if (array) g.writeEndArray();
            else g.writeEndObject();
        });
    }

    /** The stored account facts as the object formats 1 to 4 held, whatever the row's format; null when none. */
    static Map<String, Object> readAccount(int format, String json) {
        if (json == null || format < CanonicalRows.COMPACT_FACTS_FORMAT) return readMap(json);
        try {
            List<Object> values = MAPPER.readValue(json, VALUES);
            if (values.size() != ACCOUNT_KEYS.size()) {
                throw new IllegalStateException("stored account facts have " + values.size() + " values, format " + format
                        + " has " + ACCOUNT_KEYS.size());
            }
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < values.size(); i++) m.put(ACCOUNT_KEYS.get(i), values.get(i));
            return m;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored account facts are not a JSON array: " + e.getOriginalMessage(), e);
        }
    }

    private static void string(JsonGenerator g, boolean array, String key, String value) throws IOException {
        if (!array) g.writeFieldName(key);
        g.writeString(value);
    }

    private static void flag(JsonGenerator g, boolean array, String key, boolean value) throws IOException {
        if (!array) g.writeFieldName(key);
        g.writeBoolean(value);
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

    /**
     * The SHAP contributions, largest first, as the row's feature format stores them: from format 5
     * (V012) {@code [feature, value, contribution]} arrays, before it {@code {feature, value,
     * contribution}} objects; null when there are none (the score was not explained).
     */
    static String contributions(int format, List<Contribution> contributions) {
        if (contributions.isEmpty()) return null;
        boolean array = format >= CanonicalRows.COMPACT_FACTS_FORMAT;
        return write(g -> {
            g.writeStartArray();
            for (Contribution c : contributions) {
                if (array) {
                    g.writeStartArray();
                    g.writeString(Text.clean(c.feature()));
                    g.writeNumber(c.value());
                    g.writeNumber(c.contribution());
                    g.writeEndArray();
                } else {
                    g.writeStartObject();
                    g.writeStringField("feature", Text.clean(c.feature()));
                    g.writeNumberField("value", c.value());
                    g.writeNumberField("contribution", c.contribution());
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
        });
    }

    static List<Contribution> readContributions(int format, String json) {
        if (json == null) return List.of();
        try {
            List<Contribution> out = new ArrayList<>();
            if (format >= CanonicalRows.COMPACT_FACTS_FORMAT) {
                for (List<Object> c : MAPPER.readValue(json, TRIPLES)) {
                    out.add(new Contribution((String) c.get(0), number(c.get(1)), number(c.get(2))));
                }
            } else {
                for (Map<String, Object> m : MAPPER.readValue(json, LIST)) {
                    out.add(new Contribution((String) m.get("feature"), number(m.get("value")), number(m.get("contribution"))));
                }
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
