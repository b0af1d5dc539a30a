package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.decision.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysts' test cases: the shipped ones pass against the shipped rules and exercise every rule
 * ({@code mvn verify} runs this, so CI runs the cases), and a wrong case, a broken sheet and a rule
 * no case reaches are each reported with their place.
 */
class RuleTestsTest {
    @TempDir
    Path tmp;

    private static final List<String> NO_NOTES = List.of("a note for people");

    @Test
    void shouldPassEveryShippedCaseAndExerciseEveryShippedRule() {
        // Given the shipped rules and the shipped cases in rules/tests/
        // When
        RuleTestReport report = RuleTests.run(ShippedRules.engine(), ShippedRules.DIR.resolve(RuleTests.FOLDER));
        // Then every case passes, no sheet is broken, and no rule goes untested
        String failures = report.failed().stream().map(r -> r.caseId() + " " + r.place() + " " + r.failures())
                .collect(Collectors.joining("\n"));
        assertEquals(List.of(), report.problems());
        assertEquals("", failures);
        assertEquals(List.of(), report.unexercised());
        assertTrue(report.results().size() >= report.ruleIds().size(), "at least one case per rule");
        // and the cases are not all of one kind: each verdict is expected somewhere
        Set<Verdict> verdicts = report.results().stream().map(RuleTestReport.CaseResult::expectedVerdict)
                .collect(Collectors.toSet());
        assertEquals(Set.of(Verdict.ALLOW, Verdict.REVIEW, Verdict.BLOCK), verdicts);
    }

    @Test
    void shouldSayWhichExpectationFailedAndWhatFiredInstead() throws Exception {
        // Given a case that wrongly expects 6 transactions in a minute to pass, and one that expects
        // a rule which does not fire
        Path tests = caseFolder(new RuleTestSheets.CaseSheet("Velocity", NO_NOTES,
                List.of("case", "f.txCount1m", "expected verdict", "expected rules"),
                List.<Object[]>of(
                        new Object[] {"wrong-verdict", 6, "ALLOW", ""},
                        new Object[] {"missing-rule", 5, "REVIEW", "VEL-001"})));
        // When
        RuleTestReport report = RuleTests.run(ShippedRules.engine(), tests);
        // Then both fail, each saying what was expected and what happened
        assertFalse(report.passed());
        RuleTestReport.CaseResult first = report.results().get(0);
        assertEquals("wrong-verdict", first.caseId());
        assertEquals("rules/tests/cases.xlsx, sheet 'Velocity', row 4", first.place());
        assertEquals(List.of("expected verdict ALLOW, got REVIEW",
                "VEL-001 fired and was not expected (REVIEW: 6 transactions in the last minute (limit 5))"),
                first.failures());
        RuleTestReport.CaseResult second = report.results().get(1);
        assertEquals(List.of("expected verdict REVIEW, got ALLOW", "VEL-001 was expected to fire and did not"),
                second.failures());
    }

    @Test
    void shouldReportEveryRuleNoCaseExercises() throws Exception {
        // Given one passing case for VEL-001 only
        Path tests = caseFolder(new RuleTestSheets.CaseSheet("Velocity", NO_NOTES,
                List.of("case", "f.txCount1m", "expected verdict", "expected rules"),
                List.<Object[]>of(new Object[] {"vel", 6, "REVIEW", "VEL-001"})));
        // When
        RuleTestReport report = RuleTests.run(ShippedRules.engine(), tests);
        // Then it passes, and every other rule is listed as unexercised
        assertTrue(report.passed());
        Set<String> others = new TreeSet<>(report.ruleIds());
        others.remove("VEL-001");
        assertEquals(List.copyOf(others), report.unexercised());
    }

    @Test
    void shouldNotCountARuleThatFiredWithoutBeingExpectedAsExercised() throws Exception {
        // Given a case that expects only SCORE-001 while VEL-001 fires too
        Path tests = caseFolder(new RuleTestSheets.CaseSheet("Mixed", NO_NOTES,
                List.of("case", "f.txCount1m", "score", "expected verdict", "expected rules"),
                List.<Object[]>of(new Object[] {"mixed", 6, 0.99, "BLOCK", "SCORE-001"})));
        // When
        RuleTestReport report = RuleTests.run(ShippedRules.engine(), tests);
        // Then the case fails on VEL-001, and VEL-001 is still reported as exercised by no case
        assertFalse(report.passed());
        assertTrue(report.unexercised().contains("VEL-001"));
        assertFalse(report.unexercised().contains("SCORE-001"));
    }

    @Test
    void shouldNameTheSheetAndCellOfEachBrokenEntry() throws Exception {
        // Given a sheet with an unknown feature column, and a sheet with bad values in valid columns
        Path tests = caseFolder(
                new RuleTestSheets.CaseSheet("Bad column", NO_NOTES,
                        List.of("case", "f.noSuchFeature", "expected verdict"),
                        List.<Object[]>of(new Object[] {"a", 1, "ALLOW"})),
                new RuleTestSheets.CaseSheet("Bad values", NO_NOTES,
                        List.of("case", "tx.amount", "tx.type", "expected verdict", "expected rules"),
                        List.<Object[]>of(
                                new Object[] {"b", "15,000.00", "PURCHASE", "ALLOW", ""},
                                new Object[] {"c", "10", "PURCHASES", "MAYBE", "vel-1"},
                                new Object[] {null, "10", "PURCHASE", "ALLOW", ""})));
        // When
        RuleTestReport report = RuleTests.run(ShippedRules.engine(), tests);
        // Then nothing ran from those rows, and each problem names sheet and cell
        assertFalse(report.passed());
        assertEquals(List.of(), report.results());
        List<String> p = report.problems();
        assertTrue(p.get(0).startsWith("rules/tests/cases.xlsx, sheet 'Bad column', cell B3: column 'f.noSuchFeature': "
                + "Features has no field 'noSuchFeature' (fields: txCount1m,"), p.get(0));
        assertTrue(p.contains("rules/tests/cases.xlsx, sheet 'Bad values', cell B4: amount '15,000.00': write numbers "
                + "without thousands separators (15000.00, not 15,000.00)"), p::toString);
        assertTrue(p.stream().anyMatch(s -> s.startsWith("rules/tests/cases.xlsx, sheet 'Bad values', cell C5: type "
                + "'PURCHASES': write one of [PURCHASE,")), p::toString);
        assertTrue(p.contains("rules/tests/cases.xlsx, sheet 'Bad values', cell D5: expected verdict 'MAYBE': "
                + "write one of [ALLOW, REVIEW, BLOCK]"), p::toString);
        assertTrue(p.contains("rules/tests/cases.xlsx, sheet 'Bad values', cell E5: 'vel-1' is not a rule id (e.g. VEL-001); "
                + "separate ids with commas"), p::toString);
        assertTrue(p.contains("rules/tests/cases.xlsx, sheet 'Bad values', cell B6: this row has values but no case id in "
                + "the 'case' column"), p::toString);
        assertEquals(6, p.size(), p::toString);
    }

    @Test
    void shouldRejectTheSameCaseIdTwice() throws Exception {
        Path tests = caseFolder(new RuleTestSheets.CaseSheet("Twice", NO_NOTES,
                List.of("case", "expected verdict"),
                List.<Object[]>of(new Object[] {"same", "ALLOW"}, new Object[] {"same", "ALLOW"})));
        RuleTestReport report = RuleTests.run(ShippedRules.engine(), tests);
        assertEquals(List.of("rules/tests/cases.xlsx, sheet 'Twice', row 5: case id same is already used at "
                + "rules/tests/cases.xlsx, sheet 'Twice', row 4"), report.problems());
    }

    @Test
    void shouldBuildTheFactsTheCaseDescribes() throws Exception {
        // Given a case whose expectation only holds if the transaction type, currency, amount (as an
        // exact text), the account age and the missing account are all read as written
        Path tests = caseFolder(new RuleTestSheets.CaseSheet("Facts", NO_NOTES,
                List.of("case", "tx.type", "tx.currency", "tx.amount", "f.accountAgeDays", "account",
                        "expected verdict", "expected rules"),
                List.<Object[]>of(
                        new Object[] {"str", "cash_deposit", "USD", "9999.99", null, "no", "REVIEW", "AML-STR-001"},
                        new Object[] {"str-eur", "CASH_DEPOSIT", "EUR", "9999.99", null, "no", "ALLOW", ""},
                        new Object[] {"young", "TRANSFER_OUT", "USD", "5000.01", 0, "no", "REVIEW", "AMT-001"},
                        new Object[] {"unknown-age", "TRANSFER_OUT", "USD", "5000.01", null, "no", "ALLOW", ""})));
        // When
        RuleTestReport report = RuleTests.run(ShippedRules.engine(), tests);
        // Then
        assertEquals(List.of(), report.problems());
        assertEquals(List.of(), report.failed());
        assertEquals(4, report.results().size());
    }

    private Path caseFolder(RuleTestSheets.CaseSheet... sheets) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("rules/tests"));
        RuleTestSheets.write(dir.resolve("cases.xlsx"), sheets);
        return dir;
    }
}
