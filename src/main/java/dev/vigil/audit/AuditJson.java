package dev.vigil.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.score.Contribution;
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

    static String account(AccountProfile a) {
        if (a == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("account_id", Text.clean(a.accountId()));
        m.put("customer_id", Text.clean(a.customerId()));
        m.put("opened_at", a.openedAt() == null ? null : a.openedAt().toString());
        m.put("declared_net_worth", value(a.declaredNetWorth()));
        m.put("net_worth_currency", a.netWorthCurrency() == null ? null : a.netWorthCurrency().getCurrencyCode());
        m.put("country", Text.clean(a.country()));
        m.put("kyc_risk_level", a.kycRiskLevel() == null ? null : a.kycRiskLevel().name());
        m.put("closed", a.closed());
        m.put("kyc_failed", a.kycFailed());
        m.put("watchlist_hit", a.watchlistHit());
        return write(m);
    }

    static String hits(List<Hit> hits) {
        List<Map<String, Object>> out = new ArrayList<>(hits.size());
        for (Hit h : hits) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule_id", Text.clean(h.ruleId()));
            m.put("verdict", h.verdict().name());
            m.put("reason", Text.clean(h.reason()));
            out.add(m);
        }
        return write(out);
    }

    /** The SHAP contributions, largest first; null when there are none (the score was not explained). */
    static String contributions(List<Contribution> contributions) {
        if (contributions.isEmpty()) return null;
        List<Map<String, Object>> out = new ArrayList<>(contributions.size());
        for (Contribution c : contributions) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("feature", Text.clean(c.feature()));
            m.put("value", c.value());
            m.put("contribution", c.contribution());
            out.add(m);
        }
        return write(out);
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
}
