package dev.vigil.rules;

import static dev.vigil.rules.Facts.features;
import static dev.vigil.rules.Facts.lowScore;
import static dev.vigil.rules.Facts.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.decision.Hit;
import dev.vigil.event.TransactionType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sentences of {@code rules/dsl/vigil.dsl} for windows in minutes, the other entities' windows, dormancy,
 * unusual amounts, the merchant's confirmed frauds, places and channels,
 * one test rule each (not shipped rules).
 */
class DslWindowAndPlaceSentencesTest {
    @TempDir
    static Path tmp;

    static DroolsRuleEngine engine;

    @BeforeAll
    static void load() throws Exception {
        RulesDir rules = RulesDir.in(tmp.resolve("ok"));
        Files.copy(ShippedRules.DIR.resolve("dsl/vigil.dsl"), rules.path("dsl/vigil.dsl"));
        rules.file("dsl/sentences.dslr", """
                package vigil.rules;
                expander vigil.dsl
                rule "DSL-101 one minute"
                when
                    there were more than 3 transactions in the last 1 minutes
                then
                    raise REVIEW because "$txCount in 1 minute"
                end
                rule "DSL-102 sixty minutes"
                when
                    there were more than 10 transactions in the last 60 minutes
                then
                    raise REVIEW because "$txCount in 60 minutes"
                end
                rule "DSL-103 dormant"
                when
                    the account had no transaction for at least 30 days
                then
                    raise REVIEW because "$dormantDays days dormant"
                end
                rule "DSL-104 place"
                when
                    the transaction is located in one of KP, ir
                then
                    raise BLOCK because "in $country"
                end
                rule "DSL-106 device burst"
                when
                    the device had more than 10 transactions in the last 5 minutes
                then
                    raise REVIEW because "device: $entityTxCount in 5 minutes"
                end
                rule "DSL-107 merchant hour"
                when
                    the merchant had more than 500 transactions in the last 60 minutes
                then
                    raise REVIEW because "merchant: $entityTxCount in an hour"
                end
                rule "DSL-108 ip month"
                when
                    the ip had more than 1000 transactions in the last 30 days
                then
                    raise REVIEW because "ip: $entityTxCount in 30 days"
                end
                rule "DSL-109 customer day"
                when
                    the customer had more than 40 transactions in the last 24 hours
                then
                    raise REVIEW because "customer: $entityTxCount in 24 hours"
                end
                rule "DSL-110 account month"
                when
                    there were more than 100 transactions in the last 30 days
                then
                    raise REVIEW because "$txCount30d in 30 days"
                end
                rule "DSL-111 unusual amounts"
                when
                    the account had at least 2 unusual amounts in the last 7 days
                then
                    raise REVIEW because "$unusualAmounts unusual amounts in 7 days"
                end
                rule "DSL-112 merchant confirmed frauds"
                when
                    the merchant had at least 3 confirmed frauds in the day that ended 7 days ago
                then
                    raise REVIEW because "merchant: $merchantConfirmedFrauds confirmed frauds a week ago"
                end
                rule "DSL-105 channel"
                when
                    the channel is ATM
                    the transaction is a transfer in
                then
                    raise REVIEW because "$channel"
                end
                """);
        engine = DroolsRuleEngine.load(rules.dir);
    }

    static List<String> fired(List<Hit> hits) {
        return hits.stream().map(h -> h.ruleId() + " " + h.verdict() + " " + h.reason()).toList();
    }

    @Test
    void shouldReadTheMinuteWindowsFromTheMatchingCounts() {
        // Given 4 this minute (more than 3) and 11 this hour (more than 10)
        var f = features().txCount1m(4).txCount1h(11).build();
        // When / Then: "1 minutes" reads txCount1m, "60 minutes" reads txCount1h
        assertEquals(List.of("DSL-101 REVIEW 4 in 1 minute", "DSL-102 REVIEW 11 in 60 minutes"),
                fired(engine.evaluate(tx().build(), f, null, lowScore())));
        // and 3 and 10 are the limits themselves
        assertEquals(List.of(), fired(engine.evaluate(tx().build(), features().txCount1m(3).txCount1h(10).build(), null,
                lowScore())));
    }

    @Test
    void shouldCountDormancyInWholeDaysFromTheFirstSecondOfTheLimit() {
        assertEquals(List.of("DSL-103 REVIEW 30 days dormant"), fired(engine.evaluate(tx().build(),
                features().secondsSincePrevious(30L * 86_400).build(), null, lowScore())));
        assertEquals(List.of(), fired(engine.evaluate(tx().build(),
                features().secondsSincePrevious(30L * 86_400 - 1).build(), null, lowScore())));
        // a first transaction (-1) is not dormancy
        assertEquals(List.of(), fired(engine.evaluate(tx().build(),
                features().secondsSincePrevious(-1).build(), null, lowScore())));
    }

    @Test
    void shouldMatchCountriesOfTheListIgnoringCaseAndNeverAMissingLocation() {
        assertEquals(List.of("DSL-104 BLOCK in KP"),
                fired(engine.evaluate(tx().country("KP").build(), features().build(), null, lowScore())));
        assertEquals(List.of("DSL-104 BLOCK in IR"),
                fired(engine.evaluate(tx().country("IR").build(), features().build(), null, lowScore())));
        assertEquals(List.of(), fired(engine.evaluate(tx().country("IRL").build(), features().build(), null, lowScore())));
        assertEquals(List.of(), fired(engine.evaluate(tx().country(null).build(), features().build(), null, lowScore())));
    }

    @Test
    void shouldMatchTheChannelExactly() {
        var atmIn = tx().type(TransactionType.TRANSFER_IN).channel("ATM").build();
        assertEquals(List.of("DSL-105 REVIEW ATM"), fired(engine.evaluate(atmIn, features().build(), null, lowScore())));
        var branchIn = tx().type(TransactionType.TRANSFER_IN).channel("BRANCH").build();
        assertEquals(List.of(), fired(engine.evaluate(branchIn, features().build(), null, lowScore())));
    }

    @Test
    void shouldReadTheAccountsThirtyDaysFromItsOwnCount() {
        assertEquals(List.of("DSL-110 REVIEW 101 in 30 days"), fired(engine.evaluate(tx().build(),
                features().with("tx_count_30d", 101L).with("customer_tx_count_30d", 5L).build(), null, lowScore())));
        assertEquals(List.of(), fired(engine.evaluate(tx().build(),
                features().with("tx_count_30d", 100L).with("customer_tx_count_30d", 500L).build(), null, lowScore())));
    }

    @Test
    void shouldReadTheOtherEntitiesWindowsFromTheirOwnCounts() {
        // Each sentence reads its entity's count of its window, and only that one
        var f = features().with("device_tx_count_5m", 11L).with("device_tx_count_1m", 500L)
                .with("merchant_tx_count_1h", 501L).with("merchant_tx_count_24h", 400L)
                .with("ip_tx_count_30d", 1001L).with("ip_tx_count_7d", 9L)
                .with("customer_tx_count_24h", 41L).with("customer_tx_count_7d", 4000L).build();
        assertEquals(List.of("DSL-106 REVIEW device: 11 in 5 minutes", "DSL-107 REVIEW merchant: 501 in an hour",
                "DSL-108 REVIEW ip: 1001 in 30 days", "DSL-109 REVIEW customer: 41 in 24 hours"),
                fired(engine.evaluate(tx().build(), f, null, lowScore())).stream().sorted().toList());
        // The limits themselves do not fire, whatever the other windows hold
        var atLimits = features().with("device_tx_count_5m", 10L).with("device_tx_count_15m", 5000L)
                .with("merchant_tx_count_1h", 500L).with("merchant_tx_count_1m", 900L)
                .with("ip_tx_count_30d", 1000L).with("customer_tx_count_24h", 40L).with("customer_tx_count_30d", 90L).build();
        assertEquals(List.of(), fired(engine.evaluate(tx().build(), atLimits, null, lowScore())));
    }

    @Test
    void shouldReadUnusualAmountsAndTheMerchantsConfirmedFraudsFromTheirFeatures() {
        assertEquals(List.of("DSL-111 REVIEW 2 unusual amounts in 7 days", "DSL-112 REVIEW merchant: 3 confirmed frauds a week ago"),
                fired(engine.evaluate(tx().build(), features().with("amount_outliers_7d", 2L)
                        .with("merchant_fraud_count_24h_delayed", 3L).build(), null, lowScore())).stream().sorted().toList());
        // Below the limits nothing fires, whatever the neighbouring features hold
        assertEquals(List.of(), fired(engine.evaluate(tx().build(), features().with("amount_outliers_7d", 1L)
                .with("max_amount_to_median_ratio_7d", new java.math.BigDecimal("40.0000"))
                .with("merchant_fraud_count_24h_delayed", 2L).with("merchant_fraud_streak_delayed", 9L).build(), null, lowScore())));
    }

    @Test
    void shouldRefuseAnEntityWindowTheFeaturesDoNotKeepNamingTheFileAndLine() throws Exception {
        assertRefused("bad-entity", "the merchant had more than 3 transactions in the last 10 minutes", "merchantTxCount10m");
    }

    @Test
    void shouldRefuseAWindowTheFeaturesDoNotKeepNamingTheFileAndLine() throws Exception {
        // a 7-minute window, which no feature counts
        assertRefused("bad", "there were more than 3 transactions in the last 7 minutes", "txCount7m");
    }

    /** A rule of the one sentence fails the load, naming its file and the field no feature has. */
    private static void assertRefused(String dir, String sentence, String missingField) throws Exception {
        RulesDir rules = RulesDir.in(tmp.resolve(dir));
        Files.copy(ShippedRules.DIR.resolve("dsl/vigil.dsl"), rules.path("dsl/vigil.dsl"));
        rules.file("dsl/bad.dslr", """
                package vigil.rules;
                expander vigil.dsl
                rule "DSL-201 a window no feature keeps"
                when
                    %s
                then
                    raise REVIEW because "refused"
                end
                """.formatted(sentence));
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("rules/dsl/bad.dslr") && p.contains(missingField)),
                e.problems()::toString);
    }
}
