package dev.vigil.rules;

import static dev.vigil.rules.Facts.features;
import static dev.vigil.rules.Facts.lowScore;
import static dev.vigil.rules.Facts.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.decision.Hit;
import dev.vigil.event.KycRiskLevel;
import dev.vigil.event.TransactionType;
import dev.vigil.feature.AccountProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every sentence of the shipped {@code rules/dsl/vigil.dsl}, one rule each, so a sentence works
 * before an analyst first uses it. The rules below are test rules, not shipped ones.
 */
class DslSentencesTest {
    @TempDir
    static Path tmp;

    static DroolsRuleEngine engine;

    @BeforeAll
    static void load() throws Exception {
        RulesDir rules = RulesDir.in(tmp);
        Files.copy(ShippedRules.DIR.resolve("dsl/vigil.dsl"), rules.path("dsl/vigil.dsl"));
        rules.file("dsl/sentences.dslr", """
                package vigil.rules;
                expander vigil.dsl
                rule "DSL-001 cash deposit"
                when
                    the transaction is a cash deposit
                then
                    raise REVIEW because "cash deposit"
                end
                rule "DSL-002 balance deposit"
                when
                    the transaction is a balance deposit
                then
                    raise REVIEW because "balance deposit"
                end
                rule "DSL-003 cash withdrawal"
                when
                    the transaction is a cash withdrawal
                then
                    raise REVIEW because "cash withdrawal"
                end
                rule "DSL-004 transfer out"
                when
                    the transaction is a transfer out
                then
                    raise REVIEW because "transfer out"
                end
                rule "DSL-005 between"
                when
                    the amount is between 100 and 200.50 EUR
                then
                    raise REVIEW because "$amount $currency"
                end
                rule "DSL-006 over"
                when
                    the amount is over 300 EUR
                then
                    raise BLOCK because "$amount $currency"
                end
                rule "DSL-007 young"
                when
                    the account is younger than 7 days
                then
                    raise REVIEW because "$accountAgeDays days"
                end
                rule "DSL-008 per minute"
                when
                    there were more than 3 transactions in the last minute
                then
                    raise REVIEW because "$txCount1m in a minute"
                end
                rule "DSL-009 per hour"
                when
                    there were more than 20 transactions in the last hour
                then
                    raise REVIEW because "$txCount1h in an hour"
                end
                rule "DSL-010 per day"
                when
                    there were more than 50 transactions in the last 24 hours
                then
                    raise REVIEW because "$txCount24h in a day"
                end
                rule "DSL-011 risk"
                when
                    the customer's risk rating is HIGH
                then
                    raise ALLOW because "high risk"
                end
                """);
        engine = DroolsRuleEngine.load(rules.dir);
    }

    static List<String> fired(List<Hit> hits) {
        return hits.stream().map(h -> h.ruleId() + " " + h.verdict() + " " + h.reason()).toList();
    }

    @Test
    void shouldMatchEachTransactionTypeSentenceOnItsOwnType() {
        // Given one transaction of each type the sentences name, and a purchase that none names
        for (var type : List.of(TransactionType.CASH_DEPOSIT, TransactionType.BALANCE_DEPOSIT,
                TransactionType.CASH_WITHDRAWAL, TransactionType.TRANSFER_OUT, TransactionType.PURCHASE)) {
            // When
            List<Hit> hits = engine.evaluate(tx().type(type).currency("GBP").build(), features().build(), null, lowScore());
            // Then exactly its own sentence fires
            List<String> expected = switch (type) {
                case CASH_DEPOSIT -> List.of("DSL-001 REVIEW cash deposit");
                case BALANCE_DEPOSIT -> List.of("DSL-002 REVIEW balance deposit");
                case CASH_WITHDRAWAL -> List.of("DSL-003 REVIEW cash withdrawal");
                case TRANSFER_OUT -> List.of("DSL-004 REVIEW transfer out");
                default -> List.of();
            };
            assertEquals(expected, fired(hits), type.name());
        }
    }

    @Test
    void shouldCompareAmountsExactlyWithInclusiveBetweenAndExclusiveOver() {
        record Row(String amount, String currency, List<String> expected) {}
        List<Row> rows = List.of(
                // just under the between band
                new Row("99.99", "EUR", List.of()),
                // both ends of the band are included
                new Row("100", "EUR", List.of("DSL-005 REVIEW 100 EUR")),
                new Row("200.50", "EUR", List.of("DSL-005 REVIEW 200.50 EUR")),
                // a thousandth over the band
                new Row("200.501", "EUR", List.of()),
                // 300 is not over 300; a cent more is
                new Row("300", "EUR", List.of()),
                new Row("300.01", "EUR", List.of("DSL-006 BLOCK 300.01 EUR")),
                // the currency is part of the sentence
                new Row("150", "USD", List.of()));
        for (Row r : rows) {
            // Given a purchase of this amount; When evaluated; Then
            List<Hit> hits = engine.evaluate(tx().amount(r.amount()).currency(r.currency()).build(),
                    features().build(), null, lowScore());
            assertEquals(r.expected(), fired(hits), r.amount() + " " + r.currency());
        }
    }

    @Test
    void shouldReadAgeAndCountsFromTheFeatures() {
        // Given a 6-day-old account (younger than 7) with 4 transactions this minute (more than 3),
        // 4 this hour (not more than 20)
        var young = features().accountAgeDays(6).txCount1m(4).build();
        // and a 7-day-old account (not younger than 7) with 1 this minute
        var week = features().accountAgeDays(7).build();
        // When / Then
        assertEquals(List.of("DSL-007 REVIEW 6 days", "DSL-008 REVIEW 4 in a minute"),
                fired(engine.evaluate(tx().currency("GBP").build(), young, null, lowScore())));
        assertEquals(List.of(), fired(engine.evaluate(tx().currency("GBP").build(), week, null, lowScore())));
    }

    @Test
    void shouldReadHourAndDayCountsFromTheFeatures() {
        // Given 21 transactions this minute, so 21 this hour (more than 20) and 24 in 24 hours (not more than 50)
        var busy = features().txCount1m(21).build();
        // When
        List<Hit> hits = engine.evaluate(tx().currency("GBP").build(), busy, null, lowScore());
        // Then
        assertEquals(List.of("DSL-008 REVIEW 21 in a minute", "DSL-009 REVIEW 21 in an hour"), fired(hits));
    }

    @Test
    void shouldReadTheRiskRatingFromTheAccount() {
        // Given a HIGH-risk account, and a LOW-risk one
        AccountProfile low = Facts.cleanAccount();
        AccountProfile high = new AccountProfile(low.accountId(), low.customerId(), low.openedAt(), low.declaredNetWorth(),
                low.netWorthCurrency(), low.country(), KycRiskLevel.HIGH, false, false, false);
        // When / Then
        assertEquals(List.of("DSL-011 ALLOW high risk"),
                fired(engine.evaluate(tx().currency("GBP").build(), features().build(), high, lowScore())));
        assertEquals(List.of(), fired(engine.evaluate(tx().currency("GBP").build(), features().build(), low, lowScore())));
    }
}
