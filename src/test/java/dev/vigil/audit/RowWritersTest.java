package dev.vigil.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.event.KycRiskLevel;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.score.Contribution;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The audit row's text columns are written field by field for speed (no feature map, no JSON
 * object tree). Rows already stored were written through maps and {@code ObjectMapper}; these
 * properties hold the fast writers of formats 1 to 4 to exactly the same text, so those rows read
 * (and hash) alike, and format 5's compact account facts and contributions to the same values. The
 * reference writers below are the ones the store used before.
 */
class RowWritersTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Property(tries = 300)
    void featuresTextIsWhatTheMapBasedWriterWrote(@ForAll("allFeatures") Features f) {
        assertEquals(referenceFeatures(f), CanonicalRows.features(f));
    }

    @Property(tries = 300)
    void accountJsonOfFormatsOneToFourIsWhatObjectMapperWrote(@ForAll("accounts") AccountProfile a) throws Exception {
        assertEquals(referenceAccount(a), AuditJson.account(4, a));
    }

    @Property(tries = 300)
    void compactAccountFactsReadBackAsTheObjectFormatFourStored(@ForAll("accounts") AccountProfile a) throws Exception {
        assertEquals(AuditJson.readAccount(4, referenceAccount(a)), AuditJson.readAccount(5, AuditJson.account(5, a)));
    }

    @Property(tries = 300)
    void hitsJsonIsWhatObjectMapperWrote(@ForAll("hits") List<Hit> hits) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Hit h : hits) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule_id", Text.clean(h.ruleId()));
            m.put("verdict", h.verdict().name());
            m.put("reason", Text.clean(h.reason()));
            out.add(m);
        }
        assertEquals(MAPPER.writeValueAsString(out), AuditJson.hits(hits));
    }

    @Property(tries = 300)
    void contributionsJsonIsWhatObjectMapperWrote(@ForAll("contributions") List<Contribution> cs) throws Exception {
        String expected = null;
        if (!cs.isEmpty()) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Contribution c : cs) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("feature", Text.clean(c.feature()));
                m.put("value", c.value());
                m.put("contribution", c.contribution());
                out.add(m);
            }
            expected = MAPPER.writeValueAsString(out);
        }
        assertEquals(expected, AuditJson.contributions(4, cs));
        // Format 5 stores arrays; they read back as the same contributions.
        assertEquals(AuditJson.readContributions(4, expected), AuditJson.readContributions(5, AuditJson.contributions(5, cs)));
    }

    /** The writer of feature formats 1 to 4 before the visitor: the snapshot's map, value by value. */
    private static String referenceFeatures(Features f) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (Object v : f.toMap().values()) {
            if (i++ > 0) b.append(',');
            if (v instanceof BigDecimal d) b.append(AuditJson.decimal(d));
            else if (v instanceof Boolean flag) b.append(flag ? 't' : 'f');
            else b.append(v);
        }
        return b.toString();
    }

    private static String referenceAccount(AccountProfile a) throws Exception {
        if (a == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("account_id", Text.clean(a.accountId()));
        m.put("customer_id", Text.clean(a.customerId()));
        m.put("opened_at", a.openedAt() == null ? null : a.openedAt().toString());
        m.put("declared_net_worth", a.declaredNetWorth() == null ? null : AuditJson.decimal(a.declaredNetWorth()));
        m.put("net_worth_currency", a.netWorthCurrency() == null ? null : a.netWorthCurrency().getCurrencyCode());
        m.put("country", Text.clean(a.country()));
        m.put("kyc_risk_level", a.kycRiskLevel() == null ? null : a.kycRiskLevel().name());
        m.put("closed", a.closed());
        m.put("kyc_failed", a.kycFailed());
        m.put("watchlist_hit", a.watchlistHit());
        return MAPPER.writeValueAsString(m);
    }

    private static Arbitrary<String> text() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(30),
                Arbitraries.strings().withChars("a\"\\\n\t\u0000\ud800\u00e9\u2028/<").ofMaxLength(12),
                Arbitraries.of("acc-1", "DE", "tx_sum_7d"));
    }

    private static Arbitrary<BigDecimal> decimals() {
        return Combinators.combine(Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30)),
                Arbitraries.integers().between(-6, 20)).as(BigDecimal::new);
    }

    @Provide
    Arbitrary<Features> allFeatures() {
        String kinds = CanonicalRows.CURRENT.kinds();
        Arbitrary<Long> counts = Arbitraries.longs().between(-1, Long.MAX_VALUE);
        List<Arbitrary<Object>> each = new ArrayList<>();
        for (int i = 0; i < kinds.length(); i++) {
            each.add(switch (kinds.charAt(i)) {
                case 'n' -> counts.map(v -> (Object) v);
                case 'b' -> Arbitraries.of(true, false).map(v -> (Object) v);
                default -> decimals().map(v -> (Object) v);
            });
        }
        return Combinators.combine(each).as(vs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < vs.size(); i++) m.put(Features.NAMES.get(i), vs.get(i));
            return Features.fromMap(m);
        });
    }

    @Provide
    Arbitrary<AccountProfile> accounts() {
        Arbitrary<Instant> times = Arbitraries.longs().between(-2_000_000_000L, 4_000_000_000L)
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
        Arbitrary<AccountProfile> a = Combinators.combine(
                        Combinators.combine(text().injectNull(0.1), text().injectNull(0.1), times.injectNull(0.2),
                                decimals().injectNull(0.2)).as(java.util.Arrays::asList),
                        Combinators.combine(Arbitraries.of("EUR", "USD", "JPY").map(Currency::getInstance).injectNull(0.2),
                                text().injectNull(0.2), Arbitraries.of(KycRiskLevel.class).injectNull(0.2)).as(java.util.Arrays::asList),
                        Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false),
                                Arbitraries.of(true, false)).as(List::of))
                .as((x, y, z) -> new AccountProfile((String) x.get(0), (String) x.get(1), (Instant) x.get(2),
                        (BigDecimal) x.get(3), (Currency) y.get(0), (String) y.get(1), (KycRiskLevel) y.get(2),
                        (Boolean) z.get(0), (Boolean) z.get(1), (Boolean) z.get(2)));
        return a.injectNull(0.1);
    }

    @Provide
    Arbitrary<List<Hit>> hits() {
        return Combinators.combine(text().filter(s -> !s.isBlank() && !Text.clean(s).isBlank()), Arbitraries.of(Verdict.class), text())
                .as(Hit::new).list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<Contribution>> contributions() {
        Arbitrary<Double> doubles = Arbitraries.oneOf(Arbitraries.doubles(),
                Arbitraries.of(0.0, -0.0, 1e-300, 12000.5, Double.NaN, Double.POSITIVE_INFINITY, 0.1 + 0.2));
        return Combinators.combine(text(), doubles, doubles).as(Contribution::new).list().ofMaxSize(6);
    }
}
