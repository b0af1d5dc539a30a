package dev.vigil.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.feature.Features;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class AuditJsonTest {

    @Property(tries = 300)
    void featureSnapshotsRoundTripWithTheSameDigitsAndScale(@ForAll("features") Features f) {
        Map<String, Object> stored = AuditJson.readMap(AuditJson.features(f));
        assertEquals(f, Features.fromMap(stored)); // record equality: BigDecimal.equals compares scale too
    }

    @Property(tries = 300)
    void decimalsAreWrittenAsStringsThatParseBackEqual(@ForAll("decimals") BigDecimal d) {
        String s = AuditJson.decimal(d);
        assertEquals(d, new BigDecimal(s));
        // never a 1E-7 form for non-negative scales: readable and castable to numeric in psql
        if (d.scale() >= 0) assertEquals(d.toPlainString(), s);
    }

    @Property(tries = 200)
    void hitsRoundTripWithAnyTextExceptNul(@ForAll("hits") List<Hit> hits) {
        List<Hit> expected = hits.stream()
                .map(h -> new Hit(Text.clean(h.ruleId()), h.verdict(), Text.clean(h.reason()))).toList();
        assertEquals(expected, AuditJson.readHits(AuditJson.hits(hits)));
    }

    @Test
    void shouldKeepFeatureNamesInModelOrder() {
        Map<String, Object> stored = AuditJson.readMap(AuditJson.features(AuditFixtures.features()));
        assertEquals(Features.NAMES, List.copyOf(stored.keySet()));
        assertEquals("0.0000001234", stored.get("deposit_to_net_worth_ratio"));
        assertEquals(true, stored.get("new_merchant"));
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        Arbitrary<BigInteger> unscaled = Arbitraries.bigIntegers()
                .between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40));
        return Combinators.combine(unscaled, Arbitraries.integers().between(-12, 30)).as(BigDecimal::new);
    }

    @Provide
    Arbitrary<Features> features() {
        Arbitrary<Long> counts = Arbitraries.longs().between(-1, Long.MAX_VALUE);
        Arbitrary<BigDecimal> d = decimals();
        Arbitrary<Boolean> b = Arbitraries.of(true, false);
        return Combinators.combine(
                        Combinators.combine(counts, counts, counts, counts).as(List::of),
                        Combinators.combine(d, d, d, d).as(List::of),
                        Combinators.combine(counts, counts, d, d).as(List::of),
                        Combinators.combine(b, b, counts).as(List::of))
                .as((c, s, m, t) -> new Features(
                        (Long) c.get(0), (Long) c.get(1), (Long) c.get(2), (Long) c.get(3),
                        (BigDecimal) s.get(0), (BigDecimal) s.get(1), (BigDecimal) s.get(2), (BigDecimal) s.get(3),
                        (Long) m.get(0), (Long) m.get(1), (BigDecimal) m.get(2), (BigDecimal) m.get(3),
                        (Boolean) t.get(0), (Boolean) t.get(1), (Long) t.get(2)));
    }

    @Provide
    Arbitrary<List<Hit>> hits() {
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(40);
        Arbitrary<Hit> hit = Combinators.combine(
                        text.filter(s -> !s.isBlank() && !Text.clean(s).isBlank()),
                        Arbitraries.of(Verdict.class), text)
                .as(Hit::new);
        return hit.list().ofMaxSize(5);
    }
}
