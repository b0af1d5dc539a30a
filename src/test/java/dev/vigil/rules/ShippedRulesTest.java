package dev.vigil.rules;

import static dev.vigil.rules.Facts.cleanAccount;
import static dev.vigil.rules.Facts.features;
import static dev.vigil.rules.Facts.lowScore;
import static dev.vigil.rules.Facts.score;
import static dev.vigil.rules.Facts.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.event.TransactionType;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped rules in {@code rules/}, each at and just past its threshold. Every input row says
 * why it should or should not fire. Facts not named in a test are the quiet defaults of
 * {@link Facts}, on which no rule fires.
 */
class ShippedRulesTest {
    static DroolsRuleEngine rules;

    @BeforeAll
    static void load() {
        rules = ShippedRules.engine();
    }

    static List<String> ids(List<Hit> hits) {
        return hits.stream().map(Hit::ruleId).toList();
    }

    static List<String> expectIf(boolean fires, String ruleId) {
        return fires ? List.of(ruleId) : List.of();
    }

    @Test
    void shouldRaiseNothingForAnOrdinaryPurchaseOnAQuietAccount() {
        // Given a 25.00 USD purchase, 1 transaction this minute, a 400-day-old clean account, probability 0.02
        // When
        List<Hit> hits = rules.evaluate(tx().build(), features().build(), cleanAccount(), lowScore());
        // Then
        assertEquals(List.of(), hits);
    }

    @Nested
    class VelocityDrl {
        @ParameterizedTest(name = "{0} transactions in the last minute fire VEL-001: {1}")
        @CsvSource(textBlock = """
                # 5 is the limit itself: allowed
                5, false
                # one over the limit
                6, true
                # well over
                15, true
                """)
        void shouldReviewOnlyWhenMoreThanFiveTransactionsInSixtySeconds(long count, boolean fires) {
            // Given the account's count of transactions in the last minute, this one included
            var features = features().txCount1m(count).build();
            // When
            List<Hit> hits = rules.evaluate(tx().build(), features, cleanAccount(), lowScore());
            // Then
            assertEquals(expectIf(fires, "VEL-001"), ids(hits));
        }

        @Test
        void shouldNameTheCountAndTheLimitInTheReason() {
            // Given 7 transactions in the last minute
            var features = features().txCount1m(7).build();
            // When
            Hit hit = rules.evaluate(tx().build(), features, cleanAccount(), lowScore()).get(0);
            // Then
            assertEquals(new Hit("VEL-001", Verdict.REVIEW, "7 transactions in the last minute (limit 5)"), hit);
        }
    }

    @Nested
    class CardTestingDrl {
        @ParameterizedTest(name = "{0} {1} after {2} in 5 min at {3} merchants fires CARD-001: {4}")
        @CsvSource(textBlock = """
                # every limit exactly: 5 transactions, 5 merchants, 5.00
                PURCHASE, 5.00, 5, 5, true
                # one transaction short
                PURCHASE, 5.00, 4, 4, false
                # 5 transactions, but at 4 merchants
                PURCHASE, 1.50, 5, 4, false
                # a cent over a probe
                PURCHASE, 5.01, 5, 5, false
                # a classic burst of 1.00 probes at 8 merchants
                PURCHASE, 1.00, 9, 8, true
                # a transfer is not a card purchase
                TRANSFER_OUT, 1.00, 9, 8, false
                """)
        void shouldBlockSmallPurchasesAtFiveOrMoreMerchantsWithinFiveMinutes(TransactionType type, String amount,
                long transactions, long merchants, boolean fires) {
            // Given the account's transactions and distinct merchants in the 5 minutes up to this one
            var features = features().lastFiveMinutes(transactions, merchants).build();
            // When
            List<Hit> hits = rules.evaluate(tx().type(type).amount(amount).build(), features, cleanAccount(), lowScore());
            // Then
            assertEquals(expectIf(fires, "CARD-001"), ids(hits));
        }

        @Test
        void shouldNameTheCountsAndTheLimitsInTheReason() {
            // Given 6 purchases at 6 merchants in 5 minutes, this one of 1.50 USD
            var features = features().lastFiveMinutes(6, 6).build();
            // When
            Hit hit = rules.evaluate(tx().amount("1.50").build(), features, cleanAccount(), lowScore()).get(0);
            // Then
            assertEquals(new Hit("CARD-001", Verdict.BLOCK, "Purchase of 1.50 USD after 6 transactions at 6 different "
                    + "merchants in 5 minutes (limits: 5 and 5, amounts up to 5.00)"), hit);
        }
    }

    @Nested
    class WatchlistDrl {
        @Test
        void shouldBlockWhenTheCustomerIsOnAWatchlist() {
            // Given an account flagged by the watchlist screening, KYC passed
            var account = Facts.account(true, false);
            // When
            List<Hit> hits = rules.evaluate(tx().build(), features().build(), account, lowScore());
            // Then
            assertEquals(List.of(new Hit("LST-001", Verdict.BLOCK, "Customer cust-1 of account acc-1 is on a watchlist")),
                    hits);
        }

        @Test
        void shouldReviewWhenKycFailed() {
            // Given an account whose KYC checks failed, not on a watchlist
            var account = Facts.account(false, true);
            // When
            List<Hit> hits = rules.evaluate(tx().build(), features().build(), account, lowScore());
            // Then
            assertEquals(List.of(new Hit("LST-002", Verdict.REVIEW, "Customer cust-1 of account acc-1 failed KYC checks")),
                    hits);
        }

        @Test
        void shouldRaiseBothWhenOnAWatchlistAndKycFailed() {
            // Given an account with both flags
            var account = Facts.account(true, true);
            // When
            List<Hit> hits = rules.evaluate(tx().build(), features().build(), account, lowScore());
            // Then both hits, ordered by rule id
            assertEquals(List.of("LST-001", "LST-002"), ids(hits));
        }

        @Test
        void shouldRaiseNothingWhenNoAccountEventWasSeen() {
            // Given no account profile at all (null: no Account fact in the session)
            // When
            List<Hit> hits = rules.evaluate(tx().build(), features().build(), null, lowScore());
            // Then the list rules have nothing to look at
            assertEquals(List.of(), hits);
        }
    }

    @Nested
    class StructuringDslr {
        @ParameterizedTest(name = "cash deposit of {0} {1} fires AML-STR-001: {2}")
        @CsvSource(textBlock = """
                # a cent under the 9,000 watch band: ordinary cash
                8999.99, USD, false
                # the lower edge of the band, included
                9000, USD, true
                # the same amount written with cents: BigDecimal scale must not matter
                9000.00, USD, true
                # the upper edge of the band, included
                9999.99, USD, true
                # a tenth of a cent over the band, which a double comparison would get wrong
                9999.991, USD, false
                # the reporting threshold itself: reported anyway, not structuring
                10000, USD, false
                # the band is in USD; a EUR deposit of the same figure is out of scope
                9500, EUR, false
                """)
        void shouldReviewCashDepositsJustUnderTheReportingThreshold(String amount, String currency, boolean fires) {
            // Given a cash deposit of this amount
            var deposit = tx().type(TransactionType.CASH_DEPOSIT).amount(amount).currency(currency).build();
            // When
            List<Hit> hits = rules.evaluate(deposit, features().build(), cleanAccount(), lowScore());
            // Then
            assertEquals(expectIf(fires, "AML-STR-001"), ids(hits));
        }

        @Test
        void shouldNotReviewOtherTransactionTypesInTheBand() {
            // Given a 9,500 USD transfer in: right amount, but not cash
            var transfer = tx().type(TransactionType.TRANSFER_IN).amount("9500").build();
            // When
            List<Hit> hits = rules.evaluate(transfer, features().build(), cleanAccount(), lowScore());
            // Then
            assertEquals(List.of(), hits);
        }

        @Test
        void shouldNameTheAmountInTheReason() {
            // Given a 9,850.00 USD cash deposit
            var deposit = tx().type(TransactionType.CASH_DEPOSIT).amount("9850.00").build();
            // When
            Hit hit = rules.evaluate(deposit, features().build(), cleanAccount(), lowScore()).get(0);
            // Then
            assertEquals(new Hit("AML-STR-001", Verdict.REVIEW, "Cash deposit of 9850.00 USD, just under the 10000 USD "
                    + "reporting threshold (watch band 9000 to 9999.99 USD)"), hit);
        }
    }

    @Nested
    class LargeAmountOnYoungAccountDslr {
        @ParameterizedTest(name = "{1} USD on a {0}-day-old account fires AMT-001: {2}")
        @CsvSource(textBlock = """
                # young account, a cent over 5,000
                29, 5000.01, true
                # 5,000 exactly is not over 5,000
                29, 5000.00, false
                # opened today
                0, 7500, true
                # 30 days is no longer younger than 30 days
                30, 7500, false
                # opening never seen (-1): not known to be young
                -1, 7500, false
                """)
        void shouldReviewLargeAmountsOnAccountsYoungerThanThirtyDays(long ageDays, String amount, boolean fires) {
            // Given a purchase of this amount on an account of this age
            var purchase = tx().amount(amount).build();
            var features = features().accountAgeDays(ageDays).build();
            // When
            List<Hit> hits = rules.evaluate(purchase, features, cleanAccount(), lowScore());
            // Then
            assertEquals(expectIf(fires, "AMT-001"), ids(hits));
        }

        @Test
        void shouldNameAmountAndAgeInTheReason() {
            // Given 6,000 USD on a 12-day-old account
            var purchase = tx().amount("6000").build();
            var features = features().accountAgeDays(12).build();
            // When
            Hit hit = rules.evaluate(purchase, features, cleanAccount(), lowScore()).get(0);
            // Then
            assertEquals(new Hit("AMT-001", Verdict.REVIEW,
                    "Amount of 6000 USD (limit 5000 USD) on an account 12 days old (limit 30 days)"), hit);
        }
    }

    @Nested
    class NewAccountDecisionTable {
        @ParameterizedTest(name = "age {0} d, deposits {1}, ratio {2}, {3} {4} fires AML-NEW: {5}")
        @CsvSource(textBlock = """
                # every limit met exactly: 180 days, 15,000, ratio 1.25
                180, 15000, 1.25, BALANCE_DEPOSIT, USD, AML-NEW-001
                # one day too old
                181, 15000, 1.25, BALANCE_DEPOSIT, USD,
                # opened today
                0, 20000, 2.0, BALANCE_DEPOSIT, USD, AML-NEW-001
                # opening never seen (-1): not known to be new
                -1, 20000, 2.0, BALANCE_DEPOSIT, USD,
                # deposits a cent short of 15,000
                90, 14999.99, 1.25, BALANCE_DEPOSIT, USD,
                # ratio just under 1.25 times net worth
                90, 15000, 1.24, BALANCE_DEPOSIT, USD,
                # net worth unknown (-1): the ratio cannot be judged
                90, 50000, -1, BALANCE_DEPOSIT, USD,
                # the same sums, but this transaction is a cash deposit, not a balance deposit
                90, 15000, 1.25, CASH_DEPOSIT, USD,
                # EUR has its own row
                90, 15000, 1.25, BALANCE_DEPOSIT, EUR, AML-NEW-002
                # no row for GBP
                90, 15000, 1.25, BALANCE_DEPOSIT, GBP,
                """)
        void shouldReviewLargeBalanceDepositsOnNewAccounts(long ageDays, String depositSum, String ratio,
                TransactionType type, String currency, String expectedRule) {
            // Given a small deposit of this type (the 7-day sum is what counts) on an account of this age
            var deposit = tx().type(type).amount("100.00").currency(currency).build();
            var features = features().accountAgeDays(ageDays).balanceDeposits7d(depositSum, ratio).build();
            // When
            List<Hit> hits = rules.evaluate(deposit, features, cleanAccount(), lowScore());
            // Then
            assertEquals(expectedRule == null ? List.of() : List.of(expectedRule), ids(hits));
        }

        @Test
        void shouldNameTheValuesAndTheRowsLimitsInTheReason() {
            // Given 16,000.00 USD of balance deposits, 1.60 times net worth, on a 12-day-old account
            var deposit = tx().type(TransactionType.BALANCE_DEPOSIT).amount("4000.00").build();
            var features = features().accountAgeDays(12).balanceDeposits7d("16000.00", "1.60").build();
            // When
            Hit hit = rules.evaluate(deposit, features, cleanAccount(), lowScore()).get(0);
            // Then
            assertEquals(new Hit("AML-NEW-001", Verdict.REVIEW, "Account 12 days old (limit 180) received 16000.00 USD "
                    + "in balance deposits in 7 days (limit 15000), 1.60 times the declared net worth (limit 1.25)"), hit);
        }
    }

    @Nested
    class ModelScoreDecisionTable {
        @ParameterizedTest(name = "probability {0} -> {1}")
        @CsvSource(textBlock = """
                # just under the review band
                0.799, ,
                # lower edge of the review band, included
                0.80, SCORE-002, REVIEW
                # upper edge of the review band: 0.95 is not above 0.95
                0.95, SCORE-002, REVIEW
                # just above 0.95: block
                0.951, SCORE-001, BLOCK
                # certain
                1.0, SCORE-001, BLOCK
                """)
        void shouldBlockAboveNinetyFiveAndReviewFromEightyToNinetyFive(double p, String expectedRule, Verdict verdict) {
            // Given the model's fraud probability for an otherwise ordinary purchase
            var modelScore = score(p);
            // When
            List<Hit> hits = rules.evaluate(tx().build(), features().build(), cleanAccount(), modelScore);
            // Then
            assertEquals(expectedRule == null ? List.of() : List.of(expectedRule), ids(hits));
            if (expectedRule != null) assertEquals(verdict, hits.get(0).verdict());
        }

        @Test
        void shouldNameTheProbabilityModelAndLimitInTheReason() {
            // Given probability 0.97 from model-test-1
            // When
            Hit hit = rules.evaluate(tx().build(), features().build(), cleanAccount(), score(0.97)).get(0);
            // Then
            assertEquals(new Hit("SCORE-001", Verdict.BLOCK,
                    "Model model-test-1 gives a fraud probability of 0.97 (limit: above 0.95)"), hit);
        }
    }

    @Test
    void shouldFireRulesFromDrlDslrAndXlsxSources() {
        // Given a 9,500 USD cash deposit (AML-STR-001, .dslr), 6 in a minute (VEL-001, .drl),
        // probability 0.99 (SCORE-001, .xlsx)
        var deposit = tx().type(TransactionType.CASH_DEPOSIT).amount("9500").build();
        var features = features().txCount1m(6).build();
        // When
        List<Hit> hits = rules.evaluate(deposit, features, cleanAccount(), score(0.99));
        // Then each hit comes from a different kind of rule file
        Map<String, String> fileById = rules.rules().stream()
                .collect(Collectors.toMap(DroolsRuleEngine.LoadedRule::id, DroolsRuleEngine.LoadedRule::file));
        assertEquals(List.of("AML-STR-001", "SCORE-001", "VEL-001"), ids(hits));
        assertEquals("rules/dsl/aml.dslr", fileById.get("AML-STR-001"));
        assertEquals("rules/decision-tables/model-score.xlsx", fileById.get("SCORE-001"));
        assertEquals("rules/drl/velocity.drl", fileById.get("VEL-001"));
    }

    @Test
    void shouldReturnEveryHitOrderedByRuleId() {
        // Given an event that trips rules in all files: watchlisted and KYC-failed, 8 in a minute,
        // a 20,000 USD balance deposit on a 10-day-old account (also over 5,000 on a young account),
        // 3 times net worth, probability 0.9
        var deposit = tx().type(TransactionType.BALANCE_DEPOSIT).amount("20000").build();
        var features = features().txCount1m(8).accountAgeDays(10).balanceDeposits7d("20000", "3").build();
        // When
        List<Hit> hits = rules.evaluate(deposit, features, Facts.account(true, true), score(0.9));
        // Then
        assertEquals(List.of("AML-NEW-001", "AMT-001", "LST-001", "LST-002", "SCORE-002", "VEL-001"), ids(hits));
        for (Hit h : hits) assertTrue(!h.reason().contains("$"), "unfilled placeholder in: " + h.reason());
    }

    @Test
    void shouldLoadEveryShippedRuleWithItsIdAndFile() {
        // Given the shipped rules folder; When loaded; Then every rule is there, under the file it is documented in
        Map<String, String> fileById = rules.rules().stream()
                .collect(Collectors.toMap(DroolsRuleEngine.LoadedRule::id, DroolsRuleEngine.LoadedRule::file));
        Map<String, String> expected = new java.util.TreeMap<>(Map.of(
                "VEL-001", "rules/drl/velocity.drl",
                "VEL-002", "rules/dsl/velocity.dslr",
                "LST-001", "rules/drl/watchlist.drl",
                "LST-002", "rules/drl/watchlist.drl",
                "AML-STR-001", "rules/dsl/aml.dslr",
                "AMT-001", "rules/dsl/aml.dslr",
                "AML-DOR-001", "rules/dsl/aml.dslr",
                "GEO-003", "rules/dsl/geography.dslr",
                "GEO-004", "rules/dsl/geography.dslr"));
        expected.putAll(Map.ofEntries(
                Map.entry("GEO-001", "rules/drl/geography.drl"), Map.entry("GEO-002", "rules/drl/geography.drl"),
                Map.entry("LST-010", "rules/drl/lists.drl"), Map.entry("LST-011", "rules/drl/lists.drl"),
                Map.entry("LST-012", "rules/drl/lists.drl"), Map.entry("LST-013", "rules/drl/lists.drl"),
                Map.entry("LST-020", "rules/drl/lists.drl"), Map.entry("CARD-001", "rules/drl/card-testing.drl"),
                Map.entry("AML-STR-002", "rules/dsl/aml-typologies.dslr"), Map.entry("AML-STR-003", "rules/dsl/aml-typologies.dslr"),
                Map.entry("AML-RIO-001", "rules/dsl/aml-typologies.dslr"), Map.entry("AML-FIN-001", "rules/dsl/aml-typologies.dslr"),
                Map.entry("AML-FOUT-001", "rules/dsl/aml-typologies.dslr")));
        expected.putAll(Map.of(
                "AML-NEW-001", "rules/decision-tables/aml-new-account.xlsx",
                "AML-NEW-002", "rules/decision-tables/aml-new-account.xlsx",
                "SCORE-001", "rules/decision-tables/model-score.xlsx",
                "SCORE-002", "rules/decision-tables/model-score.xlsx"));
        for (String id : new String[] {"AMT-010", "AMT-011", "AMT-012", "AMT-013", "AMT-014", "AMT-015", "AMT-016",
            "AMT-020", "AMT-021"}) {
            expected.put(id, "rules/decision-tables/amount-thresholds.xlsx");
        }
        assertEquals(expected, new java.util.TreeMap<>(fileById));
        assertEquals("2026.11.1", rules.version().label());
    }
}
