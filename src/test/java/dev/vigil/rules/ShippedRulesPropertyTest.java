package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.decision.Hit;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.score.ModelScore;
import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The rule engine against {@link ReferencePolicy}, on inputs crowded around every threshold: any
 * disagreement (a double compared to an amount, an inclusive edge made exclusive, a rule that fires
 * twice) shows as a counterexample.
 */
class ShippedRulesPropertyTest {

    /** One transaction's facts; account may be null. */
    record Case(TransactionEvent tx, Features features, AccountProfile account, ModelScore score) {}

    @Property(tries = 2000)
    void shouldAgreeWithTheReferencePolicy(@ForAll("cases") Case c) {
        List<Hit> hits = ShippedRules.engine().evaluate(c.tx(), c.features(), c.account(), c.score());
        assertEquals(ReferencePolicy.expected(c.tx(), c.features(), c.account(), c.score()), ReferencePolicy.asMap(hits),
                () -> "hits " + hits);
    }

    @Provide
    Arbitrary<Case> cases() {
        return CaseArbitraries.cases();
    }

    /** Shared with the concurrency test. */
    static final class CaseArbitraries {
        private CaseArbitraries() {}

        static Arbitrary<Case> cases() {
            Arbitrary<TransactionEvent> tx = Combinators.combine(
                    Arbitraries.of(TransactionType.class), amounts(), Arbitraries.of("USD", "USD", "USD", "EUR", "GBP"),
                    Arbitraries.of("ECOM", "MOBILE", "ATM", "POS", "BRANCH", "web").injectNull(0.1),
                    Arbitraries.of("US", "DE", "GB", "KP", "IR", "MM", "SY", "VN", "NG").injectNull(0.3))
                    .as((type, amount, currency, channel, country) -> Facts.tx().type(type).amount(amount)
                            .currency(currency).channel(channel).country(country).build());
            Arbitrary<Features> features = Combinators.combine(
                    Arbitraries.longs().between(0, 12),
                    Arbitraries.oneOf(Arbitraries.of(-1L, 0L, 29L, 30L, 31L, 179L, 180L, 181L),
                            Arbitraries.longs().between(0, 2000)),
                    Arbitraries.oneOf(Arbitraries.of("0", "14999.99", "15000", "15000.00", "15000.01"),
                            Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("60000")).ofScale(2)
                                    .map(BigDecimal::toPlainString)),
                    Arbitraries.oneOf(Arbitraries.of("-1", "1.24", "1.2499", "1.25", "1.250", "1.2501"),
                            Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("5")).ofScale(4)
                                    .map(BigDecimal::toPlainString)),
                    Arbitraries.oneOf(Arbitraries.of(0L, 20L, 21L), Arbitraries.longs().between(0, 40)),
                    Arbitraries.oneOf(Arbitraries.of(-1L, 30L, 180L * 86_400 - 1, 180L * 86_400, 180L * 86_400 + 1),
                            Arbitraries.longs().between(0, 400L * 86_400)),
                    // (transactions, distinct merchants) in 5 minutes, crowded around CARD-001's 5 and 5
                    Combinators.combine(Arbitraries.longs().between(0, 8), Arbitraries.longs().between(0, 8))
                            .as((n, m) -> new long[] {Math.max(n, m), m}))
                    .as((count, age, sum, ratio, hour, idle, five) -> Facts.features().txCount1m(count).txCount1h(hour)
                            .accountAgeDays(age).balanceDeposits7d(sum, ratio).secondsSincePrevious(idle)
                            .lastFiveMinutes(five[0], five[1]).build());
            Arbitrary<AccountProfile> account = Combinators.combine(Arbitraries.of(true, false, false, false),
                            Arbitraries.of(true, false, false, false))
                    .as(Facts::account).injectNull(0.25);
            Arbitrary<ModelScore> score = Arbitraries.oneOf(
                    Arbitraries.of(0.0, 0.79, 0.7999999, 0.8, 0.8000001, 0.95, 0.9500001, 0.951, 1.0),
                    Arbitraries.doubles().between(0, 1)).map(Facts::score);
            return Combinators.combine(tx, features, account, score).as(Case::new);
        }

        /** Amounts near every money threshold (5.00 for a card probe; 5,000; 9,000; 9,999.99; 10,000), in several scales, and anywhere. */
        static Arbitrary<BigDecimal> amounts() {
            Arbitrary<BigDecimal> edges = Arbitraries.of("1.50", "4.99", "5", "5.00", "5.01", "4999.99", "5000", "5000.00", "5000.001", "5000.01",
                    "8999.99", "8999.999", "9000", "9000.00", "9000.001", "9999.98", "9999.99", "9999.990",
                    "9999.991", "10000", "10000.00", "2000", "2000.01", "4500", "4500.01", "8000", "8000.01", "9000.01",
                "10000.01", "45000", "45000.01", "50000", "50000.00", "50000.01").map(BigDecimal::new);
            Arbitrary<BigDecimal> anywhere =
                    Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("60000")).ofScale(2);
            return Arbitraries.oneOf(edges, anywhere);
        }
    }
}
