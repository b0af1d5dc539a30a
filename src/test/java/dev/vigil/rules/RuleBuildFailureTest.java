package dev.vigil.rules;

import static dev.vigil.rules.Facts.cleanAccount;
import static dev.vigil.rules.Facts.features;
import static dev.vigil.rules.Facts.lowScore;
import static dev.vigil.rules.Facts.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.decision.Hit;
import dev.vigil.event.TransactionType;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rules folder with a problem never loads in part: the load fails with every problem listed,
 * each naming the file (and for a decision table the sheet, row and cell) an analyst must fix.
 */
class RuleBuildFailureTest {
    @TempDir
    Path tmp;

    static final String VELOCITY = """
            rule "VEL-001 More than 5 transactions in 60 s"
            when
                Features( txCount1m > 5, $count : txCount1m )
            then
                RuleActions.raise(drools, Verdict.REVIEW, "$count transactions in the last minute (limit 5)");
            end
            """;

    static String only(RuleBuildException e) {
        assertEquals(1, e.problems().size(), () -> "expected one problem, got " + e.problems());
        return e.problems().get(0);
    }

    @Test
    void shouldNameTheBrokenDrlFileAmongTheShippedRules() {
        // Given the shipped rules plus a DRL file whose constraint lacks its right-hand side (line 4)
        RulesDir rules = RulesDir.copyOfShipped(tmp).file("drl/broken.drl", """
                package vigil.rules;
                rule "BRK-001 Broken"
                when
                    dev.vigil.feature.Features( txCount1m > )
                then
                end
                """);
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then the one problem names that file and line, and none of the good files
        String problem = only(e);
        assertTrue(problem.startsWith("rules/drl/broken.drl [line 4"), problem);
        assertTrue(e.getMessage().startsWith(RuleBuildException.CODE), e.getMessage());
    }

    @Test
    void shouldRejectAnUnknownFactType() {
        // Given a rule on a type that does not exist
        RulesDir rules = RulesDir.in(tmp).drl("typo.drl", """
                rule "TYP-001 Typo"
                when
                    Featrues( txCount1m > 5 )
                then
                end
                """);
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then
        String problem = only(e);
        assertTrue(problem.startsWith("rules/drl/typo.drl") && problem.contains("Featrues"), problem);
    }

    @Test
    void shouldRejectAMisspeltVerdictWhenBuildingNotWhenFiring() {
        // Given a consequence asking for verdict REVEIW
        RulesDir rules = RulesDir.in(tmp).drl("verdict.drl", VELOCITY.replace("Verdict.REVIEW", "Verdict.REVEIW"));
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then
        String problem = only(e);
        assertTrue(problem.startsWith("rules/drl/verdict.drl") && problem.contains("REVEIW"), problem);
    }

    @Test
    void shouldRejectARuleNameWithoutAStableId() {
        // Given a rule named without an id
        RulesDir rules = RulesDir.in(tmp).drl("noid.drl", VELOCITY.replace("VEL-001 More", "More"));
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then
        String problem = only(e);
        assertTrue(problem.startsWith("rules/drl/noid.drl: rule 'More than 5 transactions in 60 s' does not start"),
                problem);
    }

    @Test
    void shouldRejectAnIdUsedByTwoRulesInDifferentFiles() {
        // Given VEL-001 in two files (different rule names, so Drools itself does not mind)
        RulesDir rules = RulesDir.in(tmp).drl("a.drl", VELOCITY)
                .drl("b.drl", VELOCITY.replace("More than 5 transactions in 60 s", "Copy"));
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then both files are named
        String problem = only(e);
        assertTrue(problem.contains("rule id VEL-001") && problem.contains("rules/drl/a.drl")
                && problem.contains("rules/drl/b.drl"), problem);
    }

    @Test
    void shouldRejectADslrSentenceTheDslDoesNotKnow() throws Exception {
        // Given the shipped DSL and a rule that writes 9,000 with a thousands separator (line 5)
        RulesDir rules = RulesDir.in(tmp);
        Files.copy(ShippedRules.DIR.resolve("dsl/vigil.dsl"), rules.path("dsl/vigil.dsl"));
        rules.file("dsl/typo.dslr", """
                package vigil.rules;
                expander vigil.dsl
                rule "DSL-001 Typo"
                when
                    the amount is over 9,000 USD
                then
                    raise REVIEW because "x"
                end
                """);
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then the first problem names the file, the line and the sentence
        String first = e.problems().get(0);
        assertTrue(first.startsWith("rules/dsl/typo.dslr [line 5") && first.contains("the amount is over 9,000 USD"),
                first);
    }

    @Test
    void shouldNameTheSheetAndCellOfAMisspeltValueInADecisionTable() throws Exception {
        // Given the new-account table with BALANCE_DEPOSITT in the first rule row (row 10, column C)
        RulesDir rules = RulesDir.in(tmp);
        var table = DecisionTableSheets.amlNewAccount();
        List<Object[]> rows = new ArrayList<>(table.rows());
        Object[] first = rows.get(0).clone();
        first[1] = "BALANCE_DEPOSITT";
        rows.set(0, first);
        DecisionTableSheets.write(rules.path("decision-tables/new.xlsx"), withRows(table, rows));
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then
        String problem = only(e);
        assertTrue(problem.startsWith("rules/decision-tables/new.xlsx, sheet 'AML new account'"), problem);
        assertTrue(problem.contains("cell C10 (Transaction type)"), problem);
    }

    @Test
    void shouldNameTheRowOfABadNumberInADecisionTable() throws Exception {
        // Given the new-account table with "15,000" typed as text in the second rule row (row 11)
        RulesDir rules = RulesDir.in(tmp);
        var table = DecisionTableSheets.amlNewAccount();
        List<Object[]> rows = new ArrayList<>(table.rows());
        Object[] second = rows.get(1).clone();
        second[5] = "15,000";
        rows.set(1, second);
        DecisionTableSheets.write(rules.path("decision-tables/new.xlsx"), withRows(table, rows));
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then
        String problem = only(e);
        assertTrue(problem.startsWith("rules/decision-tables/new.xlsx, sheet 'AML new account', row 11"), problem);
    }

    @Test
    void shouldRejectAConditionSnippetWithoutParam() throws Exception {
        // Given a CONDITION snippet that does not say where the cell value goes (Drools would accept it)
        RulesDir rules = RulesDir.in(tmp);
        var table = DecisionTableSheets.modelScore();
        List<DecisionTableSheets.Column> columns = new ArrayList<>(table.columns());
        columns.set(1, new DecisionTableSheets.Column("CONDITION", "probability > 0.95", "Above", 10));
        DecisionTableSheets.write(rules.path("decision-tables/score.xlsx"), new DecisionTableSheets.Table(table.file(),
                table.sheet(), table.title(), table.imports(), table.facts(), columns, table.rows(), table.notes(), null));
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then the snippet cell is named (row 8, column C)
        String problem = only(e);
        assertTrue(problem.startsWith("rules/decision-tables/score.xlsx, sheet 'Model score', cell C8: "
                + "the CONDITION snippet 'probability > 0.95' has no $param"), problem);
    }

    @Test
    void shouldSayWhichFactCellToMergeWhenConditionsOnOneFactAreNotMerged() throws Exception {
        // Given the new-account table with the Features fact cell not merged across its four
        // conditions (an analyst unmerged it): Drools alone reports a parser error on the rule name
        RulesDir rules = RulesDir.in(tmp);
        var table = DecisionTableSheets.amlNewAccount();
        List<DecisionTableSheets.Fact> facts = List.of(table.facts().get(0),
                new DecisionTableSheets.Fact("$f : Features", 4, 4));
        DecisionTableSheets.write(rules.path("decision-tables/aml.xlsx"), new DecisionTableSheets.Table(table.file(),
                table.sheet(), table.title(), table.imports(), facts, table.columns(), table.rows(), table.notes(),
                null));
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then each condition left without a fact is named, with the cells to merge
        assertTrue(e.problems().contains("rules/decision-tables/aml.xlsx, sheet 'AML new account', cell F7: the "
                + "CONDITION 'accountAgeDays <= $param, $maxAgeDays : $param' has no fact above it: conditions on the "
                + "same fact need the fact cell merged across their columns (merge E7:F7, '$f : Features')"),
                e.problems()::toString);
        assertTrue(e.problems().stream().anyMatch(p -> p.contains("cell H7: the CONDITION 'depositToNetWorthRatio")),
                e.problems()::toString);
    }

    @Test
    void shouldRejectAFileThatIsNotAWorkbook() {
        // Given a .xlsx that is not a spreadsheet, beside a good DRL
        RulesDir rules = RulesDir.in(tmp).drl("ok.drl", VELOCITY).file("decision-tables/notes.xlsx", "not a workbook");
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then
        String problem = only(e);
        assertTrue(problem.startsWith("rules/decision-tables/notes.xlsx: cannot be read as an Excel workbook"), problem);
    }

    @Test
    void shouldRejectAWorkbookWithoutARuleTable() throws Exception {
        // Given a real workbook with an empty sheet, beside a good DRL
        RulesDir rules = RulesDir.in(tmp).drl("ok.drl", VELOCITY);
        try (var wb = new XSSFWorkbook(); OutputStream out = Files.newOutputStream(rules.path("decision-tables/empty.xlsx"))) {
            wb.createSheet("Sheet1").createRow(0).createCell(0).setCellValue("just notes");
            wb.write(out);
        }
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then
        assertEquals("rules/decision-tables/empty.xlsx: no sheet holds a RuleTable", only(e));
    }

    @Test
    void shouldRequireAVersionLabel() throws Exception {
        // Given good rules but no VERSION file
        RulesDir rules = RulesDir.in(tmp).drl("ok.drl", VELOCITY);
        Files.delete(rules.path("VERSION"));
        // When
        RuleBuildException e = assertThrows(RuleBuildException.class, () -> DroolsRuleEngine.load(rules.dir));
        // Then
        assertTrue(only(e).startsWith("rules/VERSION: missing"), e.getMessage());
    }

    @Test
    void shouldReadEverySheetOfAWorkbookNotJustTheFirst() throws Exception {
        // Given one workbook holding both shipped tables, model score on the second sheet
        RulesDir rules = RulesDir.in(tmp);
        DecisionTableSheets.write(rules.path("decision-tables/both.xlsx"),
                DecisionTableSheets.amlNewAccount(), DecisionTableSheets.modelScore());
        // When
        DroolsRuleEngine engine = DroolsRuleEngine.load(rules.dir);
        // Then the second sheet's rules are loaded and fire
        assertEquals(List.of("AML-NEW-001", "AML-NEW-002", "SCORE-001", "SCORE-002"),
                engine.rules().stream().map(DroolsRuleEngine.LoadedRule::id).toList());
        List<Hit> hits = engine.evaluate(tx().build(), features().build(), cleanAccount(), Facts.score(0.99));
        assertEquals("SCORE-001", hits.get(0).ruleId());
    }

    @Test
    void shouldReadAFormattedNumberCellAsItsNumber() throws Exception {
        // Given the new-account table where an analyst formatted the 15000 deposit limit as "15,000.00"
        RulesDir rules = RulesDir.in(tmp);
        Path file = rules.path("decision-tables/new.xlsx");
        DecisionTableSheets.write(file, DecisionTableSheets.amlNewAccount());
        formatCell(file, 9, 6, "#,##0.00");
        DroolsRuleEngine engine = DroolsRuleEngine.load(rules.dir);
        var deposit = tx().type(TransactionType.BALANCE_DEPOSIT).amount("100").build();
        // When deposits reach the limit exactly, and fall a cent short
        List<Hit> atLimit = engine.evaluate(deposit,
                features().accountAgeDays(10).balanceDeposits7d("15000", "2").build(), cleanAccount(), lowScore());
        List<Hit> centShort = engine.evaluate(deposit,
                features().accountAgeDays(10).balanceDeposits7d("14999.99", "2").build(), cleanAccount(), lowScore());
        // Then the formatted cell still means 15000
        assertEquals(List.of("AML-NEW-001"), atLimit.stream().map(Hit::ruleId).toList());
        assertEquals(List.of(), centShort);
    }

    @Test
    void shouldIgnoreTheLockFilesSpreadsheetProgramsLeaveBesideAnOpenFile() throws Exception {
        // Given a good table, and the lock files Excel (~$) and LibreOffice (.~lock) leave while it is open
        RulesDir rules = RulesDir.in(tmp);
        DecisionTableSheets.write(rules.path("decision-tables/model-score.xlsx"), DecisionTableSheets.modelScore());
        rules.file("decision-tables/~$model-score.xlsx", "lock").file("decision-tables/.~lock.model-score.xlsx#", "lock");
        // When
        DroolsRuleEngine engine = DroolsRuleEngine.load(rules.dir);
        // Then
        assertEquals(2, engine.rules().size());
    }

    @Test
    void shouldStopARuleThatKeepsMatchingItsOwnInserts() {
        // Given a rule that inserts a fact it matches itself, forever
        RulesDir rules = RulesDir.in(tmp).drl("loop.drl", """
                rule "LOOP-001 Seed"
                when
                    Features()
                then
                    insert(Long.valueOf(0));
                end
                rule "LOOP-002 Count up"
                when
                    $n : Long()
                then
                    insert(Long.valueOf($n + 1));
                end
                """);
        DroolsRuleEngine engine = DroolsRuleEngine.load(rules.dir);
        // When / Then the evaluation stops with an error instead of spinning
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> engine.evaluate(tx().build(), features().build(), null, lowScore()));
        assertTrue(e.getMessage().contains("re-matching"), e.getMessage());
    }

    static DecisionTableSheets.Table withRows(DecisionTableSheets.Table t, List<Object[]> rows) {
        return new DecisionTableSheets.Table(t.file(), t.sheet(), t.title(), t.imports(), t.facts(), t.columns(), rows,
                t.notes(), t.typeChoices());
    }

    static void formatCell(Path file, int row, int column, String format) throws Exception {
        XSSFWorkbook wb;
        try (InputStream in = Files.newInputStream(file)) {
            wb = new XSSFWorkbook(in);
        }
        try (wb) {
            Sheet sheet = wb.getSheetAt(0);
            Row r = sheet.getRow(row);
            Cell c = r.getCell(column);
            CellStyle style = wb.createCellStyle();
            style.setDataFormat(wb.createDataFormat().getFormat(format));
            c.setCellStyle(style);
            try (OutputStream out = Files.newOutputStream(file)) {
                wb.write(out);
            }
        }
    }
}
