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
 * The sentences of {@code rules/dsl/vigil.dsl} for windows in minutes, dormancy, places and channels,
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
    void shouldRefuseAWindowTheFeaturesDoNotKeepNamingTheFileAndLine() throws Exception {
        // Given a rule asking for a 7-minute window, which no feature counts
        RulesDir rules = RulesDir.in(tmp.resolve("bad"));
        Files.copy(ShippedRules.DIR.resolve("dsl/vigil.dsl"), rules.path("dsl/vigil.dsl"));
        rules.file("dsl/bad.dslr", """
                package vigil.rules;
                expander vigil.dsl
                rule "DSL-201 seven minutes"
                when
                    there were more than 3 transactions in the last 7 minutes
                then
                    raise REVIEW because "$txCount"
                end
                """);
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then the load fails, naming the file
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("rules/dsl/bad.dslr") && p.contains("txCount7m")),
                e.problems()::toString);
    }
}
