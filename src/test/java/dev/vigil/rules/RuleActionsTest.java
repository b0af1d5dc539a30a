package dev.vigil.rules;

import static dev.vigil.rules.Facts.features;
import static dev.vigil.rules.Facts.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a reason template is filled in when its rule fires. */
class RuleActionsTest {
    @TempDir
    Path tmp;

    @Test
    void shouldFillBindingsAndPropertiesAndLeaveTheRestAsWritten() {
        // Given a rule whose reason uses a bound value ($count), a property of a bound fact
        // ($tx.amount, $s.probability), a name bound nowhere ($nope), and a dollar figure ($5)
        RulesDir rules = RulesDir.in(tmp).drl("reasons.drl", """
                rule "RSN-001 Reasons"
                when
                    $tx : TransactionEvent()
                    $s : ModelScore()
                    Features( $count : txCount1m )
                then
                    RuleActions.raise(drools, Verdict.REVIEW,
                            "$count tx, $tx.amount $tx.currencyCode, p=$s.probability, $nope, $5, $tx.nope.");
                end
                """);
        DroolsRuleEngine engine = DroolsRuleEngine.load(rules.dir);
        // When it fires on 3 transactions, an amount of 12000.50 USD (12,000.50 must not print as 1.20005E+4)
        // and a probability of 0.00001 (must not print as 1.0E-5)
        List<Hit> hits = engine.evaluate(tx().amount("12000.50").build(), features().txCount1m(3).build(), null,
                Facts.score(0.00001));
        // Then
        assertEquals(List.of(new Hit("RSN-001", Verdict.REVIEW,
                "3 tx, 12000.50 USD, p=0.00001, $nope, $5, $tx.nope.")), hits);
    }

    @Test
    void shouldTakeTheIdFromTheRuleName() {
        // Given names with and without a title; When / Then
        assertEquals("AML-NEW-001", RuleIds.idOf("AML-NEW-001 New account"));
        assertEquals(true, RuleIds.follows("AML-NEW-001 New account"));
        // an id alone, without a title, is not a rule name
        assertEquals(false, RuleIds.follows("AML-NEW-001"));
        // lower case, or no number, is not an id
        assertEquals(false, RuleIds.follows("vel-001 Velocity"));
        assertEquals(false, RuleIds.follows("VEL Velocity"));
        assertEquals(false, RuleIds.follows("VEL-01 Velocity"));
    }
}
