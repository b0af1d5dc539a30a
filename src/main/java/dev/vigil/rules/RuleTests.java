package dev.vigil.rules;

import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.decision.VerdictPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs the analysts' test cases ({@code <rules>/tests/*.xlsx}, one row per case, see
 * {@code rules/README.md}) against a real rule base: each case gives a transaction, its features,
 * the account and the model score, and expects a verdict and exactly a set of rule ids.
 */
public final class RuleTests {
    /** The folder, inside a rules folder, holding the case workbooks. */
    public static final String FOLDER = "tests";

    private RuleTests() {}

    /**
     * Builds the rules of {@code rulesDir} as a running Vigil would and runs every case under
     * {@code rulesDir/tests}.
     *
     * @throws RuleBuildException when the rules themselves do not build
     */
    public static RuleTestReport run(Path rulesDir) {
        return run(DroolsRuleEngine.load(rulesDir), rulesDir.resolve(FOLDER));
    }

    /** Runs every case workbook in {@code testsDir} (not its subfolders) against {@code rules}. */
    public static RuleTestReport run(DroolsRuleEngine rules, Path testsDir) {
        return run(rules, testsDir, dev.vigil.feature.Features.class);
    }

    /** As {@link #run(DroolsRuleEngine, Path)}, with a stand-in for the features fact (see CaseSheets). */
    static RuleTestReport run(DroolsRuleEngine rules, Path testsDir, Class<? extends Record> featuresType) {
        List<String> problems = new ArrayList<>();
        List<CaseSheets.Case> cases = new ArrayList<>();
        Path root = testsDir.toAbsolutePath().normalize();
        String base = root.getParent() == null || root.getParent().getFileName() == null
                ? FOLDER : root.getParent().getFileName() + "/" + root.getFileName();
        if (!Files.isDirectory(root)) {
            problems.add(base + "/: no such folder; put the case workbooks (*.xlsx) there");
        } else {
            try (Stream<Path> list = Files.list(root)) {
                List<Path> files = list.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.endsWith(".xlsx") && !n.startsWith("~$") && !n.startsWith(".") && Files.isRegularFile(p);
                }).sorted().toList();
                if (files.isEmpty()) problems.add(base + "/: no case workbooks (*.xlsx)");
                for (Path p : files) {
                    cases.addAll(CaseSheets.read(base + "/" + p.getFileName(), Files.readAllBytes(p), problems,
                            featuresType));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + root, e);
            }
        }
        Map<String, String> placeById = new HashMap<>();
        for (CaseSheets.Case c : cases) {
            String earlier = placeById.putIfAbsent(c.id(), c.place());
            if (earlier != null) problems.add(c.place() + ": case id " + c.id() + " is already used at " + earlier);
        }

        Set<String> ruleIds = rules.rules().stream().map(DroolsRuleEngine.LoadedRule::id)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> exercised = new TreeSet<>();
        List<RuleTestReport.CaseResult> results = new ArrayList<>();
        for (CaseSheets.Case c : cases) {
            List<Hit> hits = rules.evaluateFacts(c.tx(), c.features(), c.account(), c.score());
            results.add(judge(c, hits, ruleIds));
            for (Hit h : hits) if (c.expectedRules().contains(h.ruleId())) exercised.add(h.ruleId());
        }
        List<String> unexercised = ruleIds.stream().filter(id -> !exercised.contains(id)).toList();
        return new RuleTestReport(rules.version(), ruleIds, results, problems, unexercised);
    }

    static RuleTestReport.CaseResult judge(CaseSheets.Case c, List<Hit> hits, Set<String> ruleIds) {
        Verdict actual = VerdictPolicy.combine(hits);
        Set<String> fired = hits.stream().map(Hit::ruleId).collect(Collectors.toCollection(TreeSet::new));
        List<String> failures = new ArrayList<>();
        if (actual != c.expectedVerdict()) {
            failures.add("expected verdict " + c.expectedVerdict() + ", got " + actual);
        }
        for (String id : c.expectedRules()) {
            if (!ruleIds.contains(id)) failures.add(id + " is not in the rule base (misspelt, retired, or not loaded)");
            else if (!fired.contains(id)) failures.add(id + " was expected to fire and did not");
        }
        for (Hit h : hits) {
            if (!c.expectedRules().contains(h.ruleId())) {
                failures.add(h.ruleId() + " fired and was not expected (" + h.verdict() + ": " + h.reason() + ")");
            }
        }
        return new RuleTestReport.CaseResult(c.id(), c.place(), c.description(), c.expectedVerdict(),
                c.expectedRules(), actual, hits, failures);
    }
}
