package dev.vigil.cli;

import dev.vigil.config.Settings;
import dev.vigil.rules.DroolsRuleEngine;
import dev.vigil.rules.RuleBuildException;
import dev.vigil.rules.RuleTestReport;
import dev.vigil.rules.RuleTests;
import dev.vigil.decision.Hit;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Working with the rules folder: {@code vigil rules check}, {@code vigil rules test}, {@code vigil rules release}. */
@Command(name = "rules", description = "Check, test and release the compliance rules.",
        subcommands = {RulesCommand.Check.class, RulesCommand.Test.class, RulesCommand.Release.class})
public final class RulesCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Builds every rule file of a rules folder exactly as a running Vigil would (the same build a
     * hot reload does), and says what is wrong, or which rules are in it. Exit code 0 when the
     * folder builds, 1 when it does not, so CI and a pre-commit hook can run it.
     */
    @Command(name = "check", description = {
            "Build every rule file of the rules folder and report each problem with its file (and for a "
                    + "decision table its sheet, row and cell), or list the rules when it builds.",
            "Exit code 0 when the folder builds, 1 when it does not."})
    static final class Check implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "DIR",
                description = "The rules folder. Default: the configured vigil.rules.dir.")
        Path dir;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path folder = dir != null ? dir : Settings.load().rulesDir();
            try {
                DroolsRuleEngine rules = DroolsRuleEngine.load(folder);
                out.printf("OK: %s builds, version %s, %d rules%n", folder, rules.version(), rules.rules().size());
                int idWidth = rules.rules().stream().mapToInt(r -> r.id().length()).max().orElse(0);
                int titleWidth = rules.rules().stream().mapToInt(r -> title(r).length()).max().orElse(0);
                for (DroolsRuleEngine.LoadedRule r : rules.rules()) {
                    out.printf("  %-" + idWidth + "s  %-" + titleWidth + "s  %s%n", r.id(), title(r), r.file());
                }
                out.flush();
                return 0;
            } catch (RuleBuildException e) {
                err.printf("NOT OK: %s does not build: %d %s. A running Vigil refuses this change and keeps its rules.%n",
                        folder, e.problems().size(), e.problems().size() == 1 ? "problem" : "problems");
                for (String p : e.problems()) err.println("  - " + p);
                err.flush();
                return 1;
            } catch (RuntimeException e) {
                err.printf("NOT OK: %s cannot be read: %s%n", folder, e.getMessage());
                err.flush();
                return 1;
            }
        }

        private static String title(DroolsRuleEngine.LoadedRule r) {
            return r.name().strip().substring(r.id().length()).strip();
        }
    }

    /**
     * Runs the analysts' test cases ({@code <dir>/tests/*.xlsx}) against the rules of the folder
     * and reports each failing case with what fired instead, every broken case sheet with its
     * sheet and cell, and every rule no case exercises. Exit code 0 when all cases pass, 1
     * otherwise (with {@code --require-every-rule}, also when a rule is exercised by no case).
     */
    @Command(name = "test", description = {
            "Run the test cases in <dir>/tests/*.xlsx (one row per case) against the rules of <dir>, report "
                    + "each failing case and every rule no case exercises.",
            "Exit code 0 when every case passes, 1 otherwise."})
    static final class Test implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "DIR",
                description = "The rules folder. Default: the configured vigil.rules.dir.")
        Path dir;

        @CommandLine.Option(names = "--require-every-rule",
                description = "Also fail when a rule is exercised by no case.")
        boolean requireEveryRule;

        @CommandLine.Option(names = {"-v", "--verbose"}, description = "List passing cases too.")
        boolean verbose;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path folder = dir != null ? dir : Settings.load().rulesDir();
            RuleTestReport report;
            try {
                report = RuleTests.run(folder);
            } catch (RuleBuildException e) {
                err.printf("NOT OK: %s does not build, so no case ran: %d %s (see 'vigil rules check').%n",
                        folder, e.problems().size(), e.problems().size() == 1 ? "problem" : "problems");
                for (String p : e.problems()) err.println("  - " + p);
                err.flush();
                return 1;
            } catch (RuntimeException e) {
                err.printf("NOT OK: %s cannot be read: %s%n", folder, e.getMessage());
                err.flush();
                return 1;
            }
            print(report, out, verbose);
            boolean ok = report.passed() && (!requireEveryRule || report.unexercised().isEmpty());
            out.flush();
            return ok ? 0 : 1;
        }

        static void print(RuleTestReport report, PrintWriter out, boolean verbose) {
            for (RuleTestReport.CaseResult r : report.results()) {
                if (r.passed() && !verbose) continue;
                out.printf("%s %s (%s)%s%n", r.passed() ? "PASS" : "FAIL", r.caseId(), r.place(),
                        r.description().isEmpty() ? "" : ": " + r.description());
                if (r.passed()) continue;
                for (String f : r.failures()) out.println("    - " + f);
                out.printf("    expected %s %s; fired: %s%n", r.expectedVerdict(),
                        r.expectedRules().isEmpty() ? "with no rule" : new java.util.TreeSet<>(r.expectedRules()),
                        r.hits().isEmpty() ? "nothing (ALLOW)" : "");
                for (Hit h : r.hits()) out.printf("      %s %s: %s%n", h.ruleId(), h.verdict(), h.reason());
            }
            for (String p : report.problems()) out.println("BROKEN " + p);
            long failed = report.failed().size();
            out.printf("%s: %d cases, %d passed, %d failed, %d broken sheet %s; rules %s%n",
                    report.passed() ? "OK" : "NOT OK", report.results().size(), report.results().size() - failed,
                    failed, report.problems().size(), report.problems().size() == 1 ? "entry" : "entries",
                    report.version());
            if (report.unexercised().isEmpty()) {
                out.printf("Every rule (%d) is exercised by a case.%n", report.ruleIds().size());
            } else {
                out.printf("No case exercises %d of %d rules: %s%n", report.unexercised().size(),
                        report.ruleIds().size(), String.join(", ", report.unexercised()));
            }
        }
    }

    /**
     * Releases a rules folder as a KJAR into a Maven repository (for {@code KjarRuleEngine}), only
     * when it builds and every analyst case passes. Exit code 0 when released, 1 otherwise.
     */
    @Command(name = "release", description = {
            "Build the rules folder, run its test cases, and when all pass install it as a KJAR with the given "
                    + "Maven coordinates into a Maven repository (the local one of --maven-settings, or ~/.m2).",
            "Exit code 0 when released, 1 otherwise."})
    static final class Release implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "GROUP:ARTIFACT:VERSION", description = "The release's Maven coordinates.")
        String coordinates;

        @Parameters(index = "1", arity = "0..1", paramLabel = "DIR",
                description = "The rules folder. Default: the configured vigil.rules.dir.")
        Path dir;

        @CommandLine.Option(names = "--maven-settings", paramLabel = "SETTINGS_XML",
                description = "A Maven settings file whose localRepository receives the release.")
        Path mavenSettings;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path folder = dir != null ? dir : Settings.load().rulesDir();
            try {
                if (mavenSettings != null) dev.vigil.rules.KjarRuleEngine.useMavenSettings(mavenSettings);
                dev.vigil.rules.KjarRelease.Released r = dev.vigil.rules.KjarRelease.release(folder, coordinates);
                out.printf("Released %s from %s (rules %s): %d rules, %d cases passed%n", r.releaseId(), folder,
                        r.folderVersion(), r.rules(), r.cases());
                out.flush();
                return 0;
            } catch (RuleBuildException e) {
                err.printf("NOT RELEASED: %s does not build: %d %s (see 'vigil rules check').%n", folder,
                        e.problems().size(), e.problems().size() == 1 ? "problem" : "problems");
                for (String p : e.problems()) err.println("  - " + p);
                err.flush();
                return 1;
            } catch (RuntimeException e) {
                err.printf("NOT RELEASED: %s%n", e.getMessage());
                err.flush();
                return 1;
            }
        }
    }
}
