package dev.vigil.rules;

import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What running the analysts' test cases against a rule base found.
 *
 * @param version the rule set the cases ran against
 * @param ruleIds every rule id of that rule set
 * @param results one per case, in sheet and row order
 * @param problems broken case sheets: each names the file, the sheet and the cell (or row) to fix;
 *     a case on such a row did not run
 * @param unexercised rule ids that no case made fire, sorted
 */
public record RuleTestReport(RuleSetVersion version, Set<String> ruleIds, List<CaseResult> results,
        List<String> problems, List<String> unexercised) {

    public RuleTestReport {
        Objects.requireNonNull(version, "version");
        ruleIds = Set.copyOf(ruleIds);
        results = List.copyOf(results);
        problems = List.copyOf(problems);
        unexercised = List.copyOf(unexercised);
    }

    /**
     * One case's outcome.
     *
     * @param caseId the analyst's id for the case
     * @param place where the case is written: {@code rules/tests/velocity.xlsx, sheet 'Velocity', row 7}
     * @param description the case's description, empty when none
     * @param expectedVerdict the verdict the case expects
     * @param expectedRules the rule ids the case expects to fire, exactly
     * @param actualVerdict the verdict the rules gave (strictest hit, ALLOW when none)
     * @param hits what fired
     * @param failures each expectation that failed, said plainly; empty when the case passed
     */
    public record CaseResult(String caseId, String place, String description, Verdict expectedVerdict,
            Set<String> expectedRules, Verdict actualVerdict, List<Hit> hits, List<String> failures) {
        public CaseResult {
            expectedRules = Set.copyOf(expectedRules);
            hits = List.copyOf(hits);
            failures = List.copyOf(failures);
        }

        public boolean passed() {
            return failures.isEmpty();
        }
    }

    /** True when every case ran and passed and no case sheet is broken. */
    public boolean passed() {
        return problems.isEmpty() && results.stream().allMatch(CaseResult::passed);
    }

    public List<CaseResult> failed() {
        return results.stream().filter(r -> !r.passed()).toList();
    }
}
