package dev.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vigil rules check}: what an analyst reads and what CI gets as the exit code. */
class RulesCommandTest {
    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) {}

    private static Run check(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RulesCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] all = Stream.concat(Stream.of("check"), Stream.of(args)).toArray(String[]::new);
        int code = cli.execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    private static Run test(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RulesCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(Stream.concat(Stream.of("test"), Stream.of(args)).toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void shouldPassTheShippedCasesAndExitZero() throws Exception {
        // Given a copy of the shipped rules and their cases
        Path dir = copyOfShipped();
        // When
        Run run = test(dir.toString());
        // Then
        assertEquals(0, run.exitCode(), run::out);
        assertTrue(run.out().lines().anyMatch(l -> l.matches("OK: \\d+ cases, \\d+ passed, 0 failed, 0 broken sheet entries; "
                + "rules 2026.11.1\\+[0-9a-f]{16}")), run.out());
        assertTrue(run.out().contains("Every rule (35) is exercised by a case."), run.out());
    }

    @Test
    void shouldReportAFailingCaseWithWhatFiredAndExitOne() throws Exception {
        // Given the shipped cases against rules where VEL-001's limit was raised from 5 to 6
        Path dir = copyOfShipped();
        Path velocity = dir.resolve("drl/velocity.drl");
        Files.writeString(velocity, Files.readString(velocity).replace("txCount1m > 5", "txCount1m > 6"));
        // When
        Run run = test(dir.toString());
        // Then the case with 6 transactions fails, saying so, and VEL-001 is reported with it
        assertEquals(1, run.exitCode(), run::out);
        assertTrue(run.out().contains("FAIL VEL-001-b (rules/tests/shipped-rules.xlsx, sheet 'Velocity', row 6): "
                + "6 in the last minute: one over"), run.out());
        assertTrue(run.out().contains("    - expected verdict REVIEW, got ALLOW"), run.out());
        assertTrue(run.out().contains("    - VEL-001 was expected to fire and did not"), run.out());
        assertTrue(run.out().contains("NOT OK: "), run.out());
    }

    @Test
    void shouldFailWithRequireEveryRuleWhenARuleHasNoCase() throws Exception {
        // Given the shipped cases and one more rule that no case exercises
        Path dir = copyOfShipped();
        Files.writeString(dir.resolve("drl/extra.drl"), """
                package vigil.rules;
                import dev.vigil.feature.Features;
                import dev.vigil.decision.Verdict;
                import dev.vigil.rules.RuleActions;
                rule "VEL-099 Untested"
                when
                    Features( txCount1m > 1000 )
                then
                    RuleActions.raise(drools, Verdict.REVIEW, "untested");
                end
                """);
        // When / Then: reported either way, and a failure only when asked
        Run plain = test(dir.toString());
        assertEquals(0, plain.exitCode(), plain::out);
        assertTrue(plain.out().contains("No case exercises 1 of 36 rules: VEL-099"), plain.out());
        Run strict = test("--require-every-rule", dir.toString());
        assertEquals(1, strict.exitCode(), strict::out);
    }

    @Test
    void shouldNotReleaseAFolderWhoseCasesFailAndExitOne() throws Exception {
        // Given the shipped rules with VEL-001's limit raised from 5 to 6 (its case now fails)
        Path dir = copyOfShipped();
        Path velocity = dir.resolve("drl/velocity.drl");
        Files.writeString(velocity, Files.readString(velocity).replace("txCount1m > 5", "txCount1m > 6"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RulesCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        // When
        int code = cli.execute("release", "dev.vigil.test:never-released:1.0.0", dir.toString());
        // Then nothing is released, and the failing case is named (the KJAR path itself: KjarRuleEngineIT)
        assertEquals(1, code, out::toString);
        assertTrue(err.toString().startsWith("NOT RELEASED: not released: the analysts' cases do not pass:"), err::toString);
        assertTrue(err.toString().contains("VEL-001-b (rules/tests/shipped-rules.xlsx, sheet 'Velocity', row 6)"),
                err::toString);
        // and coordinates that are not group:artifact:version are refused
        assertEquals(1, cli.execute("release", "just-a-name", dir.toString()));
    }

    /** A copy of the shipped rules folder at {@code tmp/rules}. */
    private Path copyOfShipped() throws IOException {
        Path shipped = Path.of("rules");
        Path dir = tmp.resolve("rules");
        try (Stream<Path> all = Files.walk(shipped)) {
            for (Path p : all.sorted().toList()) {
                Path target = dir.resolve(shipped.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
        return dir;
    }

    @Test
    void shouldListTheRulesAndExitZeroWhenTheFolderBuilds() throws Exception {
        // Given a copy of the shipped rules
        Path dir = copyOfShipped();
        // When
        Run run = check(dir.toString());
        // Then exit 0, the version, and each rule with its id, title and file
        assertEquals(0, run.exitCode(), run::err);
        assertTrue(run.out().startsWith("OK: " + dir + " builds, version 2026.11.1+"), run.out());
        assertTrue(run.out().contains(", 35 rules"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches(
                "\\s+VEL-001\\s+More than 5 transactions in 60 s\\s+rules/drl/velocity.drl")), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches(
                "\\s+SCORE-001\\s+Model fraud probability above 0.95\\s+rules/decision-tables/model-score.xlsx")),
                run.out());
        assertEquals(36, run.out().lines().count(), run.out());
        assertEquals("", run.err());
    }

    @Test
    void shouldReportEveryProblemWithItsPlaceAndExitOne() throws Exception {
        // Given the shipped rules with two mistakes: a DRL constraint without its right-hand side
        // (line 12 of velocity.drl), and a decision-table CONDITION snippet without $param, which
        // Drools itself would accept as a condition that never matches
        Path dir = copyOfShipped();
        Path velocity = dir.resolve("drl/velocity.drl");
        Files.writeString(velocity, Files.readString(velocity).replace("txCount1m > 5", "txCount1m > "));
        String cell = dropParamFromFirstCondition(dir.resolve("decision-tables/model-score.xlsx"));

        // When
        Run run = check(dir.toString());

        // Then exit 1, and each problem names its file and place
        assertEquals(1, run.exitCode(), run::out);
        List<String> problems = run.err().lines().filter(l -> l.startsWith("  - ")).map(l -> l.substring(4)).toList();
        assertEquals(2, problems.size(), run.err());
        assertTrue(run.err().startsWith("NOT OK: " + dir + " does not build: 2 problems."), run.err());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("rules/drl/velocity.drl [line 12, column 26]: unexpected ','")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("rules/decision-tables/model-score.xlsx, sheet '")
                && p.contains("cell " + cell + ": the CONDITION snippet")
                && p.contains("has no $param")), problems::toString);
        assertEquals("", run.out());
    }

    @Test
    void shouldExitOneForAFolderThatIsNotThere() {
        Run run = check(tmp.resolve("nowhere").toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("nowhere: not a folder"), run.err());
    }

    /**
     * Rewrites the first CONDITION snippet of the workbook's first RuleTable without its
     * {@code $param} (as an analyst might "simplify" it) and returns the cell's A1 reference.
     */
    private static String dropParamFromFirstCondition(Path xlsx) {
        try (InputStream in = Files.newInputStream(xlsx); Workbook wb = WorkbookFactory.create(in)) {
            String ref = null;
            for (Sheet sheet : wb) {
                for (Row row : sheet) {
                    for (Cell c : row) {
                        if (ref != null || c.getCellType() != CellType.STRING) continue;
                        if (!c.getStringCellValue().strip().startsWith("RuleTable")) continue;
                        Row kinds = sheet.getRow(row.getRowNum() + 1);
                        Row snippets = sheet.getRow(row.getRowNum() + 3);
                        for (Cell k : kinds) {
                            if (ref != null || !"CONDITION".equals(k.getStringCellValue().strip())) continue;
                            Cell s = snippets.getCell(k.getColumnIndex());
                            String snippet = s.getStringCellValue();
                            assertTrue(snippet.contains("$param"), snippet);
                            s.setCellValue(snippet.replaceAll("\\$param[A-Z]?", "0.95").replaceAll(",.*", ""));
                            ref = s.getAddress().formatAsString();
                        }
                    }
                }
            }
            assertTrue(ref != null, "no CONDITION column in " + xlsx);
            try (OutputStream out = Files.newOutputStream(xlsx)) {
                wb.write(out);
            }
            return ref;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
