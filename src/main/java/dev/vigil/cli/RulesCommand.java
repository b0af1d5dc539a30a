package dev.vigil.cli;

import dev.vigil.config.Settings;
import dev.vigil.rules.DroolsRuleEngine;
import dev.vigil.rules.RuleBuildException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Working with the rules folder: {@code vigil rules check}. */
@Command(name = "rules", description = "Check the compliance rules.", subcommands = {RulesCommand.Check.class})
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
}
