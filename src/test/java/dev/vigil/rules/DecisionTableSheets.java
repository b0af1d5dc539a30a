package dev.vigil.rules;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.poi.ss.usermodel.BorderStyle;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.DataValidation;
import org.apache.poi.ss.usermodel.DataValidationHelper;
import org.apache.poi.ss.usermodel.FillPatternType;
import org.apache.poi.ss.usermodel.Font;
import org.apache.poi.ss.usermodel.IndexedColors;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.ss.util.CellRangeAddressList;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

/**
 * How the decision tables in {@code rules/decision-tables/} were first made. Analysts own the .xlsx
 * files from then on and edit them in Excel or LibreOffice; running this again would overwrite
 * their edits, so it is not part of the build. Run it by hand only to start over:
 * {@code java -cp target/test-classes:<test class path> dev.vigil.rules.DecisionTableSheets rules/decision-tables}.
 *
 * <p>Layout (Drools' spreadsheet format): a RuleSet block (package, imports), then a RuleTable
 * whose first four rows are for developers (column kinds, the fact each condition reads, the
 * constraint with {@code $param} where the cell's value goes, and a caption), then one row per
 * rule. Conditions on the same fact have that fact's cell merged across their columns; every
 * snippet uses {@code $param}, since a snippet without it silently becomes a constraint that never
 * matches.
 */
public final class DecisionTableSheets {

    /** A RuleTable column: its kind, the fact it reads (conditions), the snippet, the caption analysts see. */
    record Column(String kind, String snippet, String caption, int width) {}

    /** A fact spanning consecutive condition columns. */
    record Fact(String binding, int firstColumn, int lastColumn) {}

    record Table(String file, String sheet, String title, List<String> imports, List<Fact> facts,
            List<Column> columns, List<Object[]> rows, List<String> notes, String[] typeChoices) {}

    private static final String PACKAGE = "vigil.rules";
    private static final String VERDICT_SNIPPET = "Verdict verdict = Verdict.$param;";
    private static final String REASON_SNIPPET = "RuleActions.raise(drools, verdict, \"$param\");";

    /** Args: the folder, then optionally the files to write (e.g. amount-thresholds.xlsx); default all. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "rules/decision-tables");
        List<String> only = args.length > 1 ? List.of(args).subList(1, args.length) : List.of();
        Files.createDirectories(dir);
        for (Table t : List.of(amlNewAccount(), modelScore(), amountThresholds())) {
            if (only.isEmpty() || only.contains(t.file())) write(dir.resolve(t.file()), t);
        }
    }

    static Table amlNewAccount() {
        List<Column> cols = List.of(
                new Column("NAME", null, "Rule (stable id first, then a short title)", 44),
                new Column("CONDITION", "type == TransactionType.$param", "Transaction type", 18),
                new Column("CONDITION", "currencyCode == \"$param\"", "Currency", 10),
                new Column("CONDITION", "accountAgeDays >= $param", "Account age at least (days)", 14),
                new Column("CONDITION", "accountAgeDays <= $param, $maxAgeDays : $param", "Account age at most (days)", 14),
                new Column("CONDITION", "balanceDepositSum7d >= $paramB, $minDeposits : $paramB",
                        "Balance deposits in the last 7 days at least", 20),
                new Column("CONDITION", "depositToNetWorthRatio >= $paramB, $minRatio : $paramB",
                        "Those deposits / declared net worth at least", 18),
                new Column("ACTION", VERDICT_SNIPPET, "Verdict", 10),
                new Column("ACTION", REASON_SNIPPET, "Reason ($names are filled in, see the notes)", 110));
        String reason = "Account $f.accountAgeDays days old (limit $maxAgeDays) received $f.balanceDepositSum7d "
                + "$tx.currencyCode in balance deposits in 7 days (limit $minDeposits), "
                + "$f.depositToNetWorthRatio times the declared net worth (limit $minRatio)";
        return new Table("aml-new-account.xlsx", "AML new account", "RuleTable New account deposits",
                List.of("dev.vigil.event.TransactionEvent", "dev.vigil.event.TransactionType",
                        "dev.vigil.feature.Features", "dev.vigil.decision.Verdict", "dev.vigil.rules.RuleActions"),
                List.of(new Fact("$tx : TransactionEvent", 2, 3), new Fact("$f : Features", 4, 7)),
                cols,
                List.of(
                        new Object[] {"AML-NEW-001 New account, large balance deposits for its declared net worth",
                            "BALANCE_DEPOSIT", "USD", 0, 180, 15000, 1.25, "REVIEW", reason},
                        new Object[] {"AML-NEW-002 New account, large balance deposits for its declared net worth (EUR)",
                            "BALANCE_DEPOSIT", "EUR", 0, 180, 15000, 1.25, "REVIEW", reason}),
                List.of(
                        "One row per rule. Edit the white cells; the grey rows above the captions are for developers.",
                        "A blank condition cell means: no condition on that column for this row.",
                        "Amounts are in the transaction's currency, compared exactly. Ratios: 1.25 means 125 %.",
                        "Reason: $f.<feature> is the transaction's feature (e.g. $f.accountAgeDays), $tx.<field> the "
                                + "transaction; $maxAgeDays, $minDeposits, $minRatio are this row's limits.",
                        "A new row needs a new id (AML-NEW-003, ...). Never reuse or renumber an id: audit rows cite it."),
                new String[] {"BALANCE_DEPOSIT", "CASH_DEPOSIT", "TRANSFER_IN", "TRANSFER_OUT", "CASH_WITHDRAWAL",
                    "PURCHASE", "REFUND"});
    }

    static Table modelScore() {
        List<Column> cols = List.of(
                new Column("NAME", null, "Rule (stable id first, then a short title)", 44),
                new Column("CONDITION", "probability > $param, $above : $param", "Fraud probability above", 16),
                new Column("CONDITION", "probability >= $param, $atLeast : $param", "Fraud probability at least", 16),
                new Column("CONDITION", "probability <= $param, $atMost : $param", "Fraud probability at most", 16),
                new Column("ACTION", VERDICT_SNIPPET, "Verdict", 10),
                new Column("ACTION", REASON_SNIPPET, "Reason ($names are filled in, see the notes)", 90));
        return new Table("model-score.xlsx", "Model score", "RuleTable Model score",
                List.of("dev.vigil.score.ModelScore", "dev.vigil.decision.Verdict", "dev.vigil.rules.RuleActions"),
                List.of(new Fact("$s : ModelScore", 2, 4)),
                cols,
                List.of(
                        new Object[] {"SCORE-001 Model fraud probability above 0.95", 0.95, null, null, "BLOCK",
                            "Model $s.modelVersion gives a fraud probability of $s.probability (limit: above $above)"},
                        new Object[] {"SCORE-002 Model fraud probability from 0.80 to 0.95", null, 0.80, 0.95, "REVIEW",
                            "Model $s.modelVersion gives a fraud probability of $s.probability "
                                    + "(review band $atLeast to $atMost)"}),
                List.of(
                        "One row per rule. Edit the white cells; the grey rows above the captions are for developers.",
                        "A blank condition cell means: no condition on that column for this row.",
                        "Probabilities run from 0 to 1. 'above' excludes the value itself, 'at least' and 'at most' include it.",
                        "Reason: $s.probability and $s.modelVersion come from the model; $above, $atLeast, $atMost are "
                                + "this row's limits.",
                        "A new row needs a new id (SCORE-003, ...). Never reuse or renumber an id: audit rows cite it."),
                null);
    }

    static Table amountThresholds() {
        List<Column> cols = List.of(
                new Column("NAME", null, "Rule (stable id first, then a short title)", 44),
                new Column("CONDITION", "channel == \"$param\"", "Channel (blank: any)", 12),
                new Column("CONDITION", "currencyCode == \"$param\"", "Currency", 10),
                new Column("CONDITION", "amount > $paramB, $limit : $paramB", "Amount over", 14),
                new Column("ACTION", VERDICT_SNIPPET, "Verdict", 10),
                new Column("ACTION", REASON_SNIPPET, "Reason ($names are filled in, see the notes)", 90));
        String perChannel = "$tx.channel payment of $tx.amount $tx.currencyCode (limit $limit $tx.currencyCode on this channel)";
        String any = "Payment of $tx.amount $tx.currencyCode (limit $limit $tx.currencyCode on any channel)";
        return new Table("amount-thresholds.xlsx", "Amount thresholds", "RuleTable Amount thresholds",
                List.of("dev.vigil.event.TransactionEvent", "dev.vigil.decision.Verdict", "dev.vigil.rules.RuleActions"),
                List.of(new Fact("$tx : TransactionEvent", 2, 4)),
                cols,
                List.of(
                        new Object[] {"AMT-010 Large online payment (USD)", "ECOM", "USD", 10000, "REVIEW", perChannel},
                        new Object[] {"AMT-011 Large online payment (EUR)", "ECOM", "EUR", 9000, "REVIEW", perChannel},
                        new Object[] {"AMT-012 Large online payment (GBP)", "ECOM", "GBP", 8000, "REVIEW", perChannel},
                        new Object[] {"AMT-013 Large mobile payment (USD)", "MOBILE", "USD", 5000, "REVIEW", perChannel},
                        new Object[] {"AMT-014 Large mobile payment (EUR)", "MOBILE", "EUR", 4500, "REVIEW", perChannel},
                        new Object[] {"AMT-015 Large ATM withdrawal (USD)", "ATM", "USD", 2000, "REVIEW", perChannel},
                        new Object[] {"AMT-016 Large ATM withdrawal (EUR)", "ATM", "EUR", 2000, "REVIEW", perChannel},
                        new Object[] {"AMT-020 Very large payment on any channel (USD)", null, "USD", 50000, "BLOCK", any},
                        new Object[] {"AMT-021 Very large payment on any channel (EUR)", null, "EUR", 45000, "BLOCK", any}),
                List.of(
                        "One row per rule. Edit the white cells; the grey rows above the captions are for developers.",
                        "A blank channel means: any channel. Channels are the rail's words: ECOM, MOBILE, POS, ATM, BRANCH.",
                        "'Amount over' excludes the limit itself: 10000 means 10000.01 and more. Amounts are exact, in the row's currency.",
                        "Reason: $tx.<field> is the transaction (e.g. $tx.amount, $tx.channel); $limit is this row's limit.",
                        "A new row needs a new id (AMT-017, ...). Never reuse or renumber an id: audit rows cite it."),
                null);
    }

    /** Writes the tables into one workbook, one sheet each, in order. */
    static void write(Path file, Table... tables) throws IOException {
        try (Workbook wb = new XSSFWorkbook()) {
            Styles st = new Styles(wb);
            for (Table t : tables) addSheet(wb, st, t);
            try (OutputStream out = Files.newOutputStream(file)) {
                wb.write(out);
            }
        }
    }

    private static void addSheet(Workbook wb, Styles st, Table t) {
        Sheet sh = wb.createSheet(t.sheet());
        sh.setColumnWidth(0, 2 * 256);
        for (int c = 0; c < t.columns().size(); c++) sh.setColumnWidth(c + 1, t.columns().get(c).width() * 256);

        set(sh, 0, 1, "RuleSet", st.keyword);
        set(sh, 0, 2, PACKAGE, st.code);
        set(sh, 1, 1, "Import", st.keyword);
        set(sh, 1, 2, String.join(", ", t.imports()), st.code);
        // Read number cells as numbers even if an analyst formats them (15,000.00 must stay 15000).
        set(sh, 2, 1, "IgnoreNumericFormat", st.keyword);
        set(sh, 2, 2, "true", st.code);

        int tableRow = 4;
        set(sh, tableRow, 1, t.title(), st.title);
        int kindRow = tableRow + 1, factRow = tableRow + 2, snippetRow = tableRow + 3, captionRow = tableRow + 4;
        for (int c = 0; c < t.columns().size(); c++) {
            Column col = t.columns().get(c);
            set(sh, kindRow, c + 1, col.kind(), st.code);
            set(sh, factRow, c + 1, "", st.code);
            set(sh, snippetRow, c + 1, col.snippet() == null ? "" : col.snippet(), st.code);
            set(sh, captionRow, c + 1, col.caption(), st.caption);
        }
        for (Fact f : t.facts()) {
            set(sh, factRow, f.firstColumn(), f.binding(), st.code);
            if (f.lastColumn() > f.firstColumn()) {
                sh.addMergedRegion(new CellRangeAddress(factRow, factRow, f.firstColumn(), f.lastColumn()));
            }
        }
        int r = captionRow + 1;
        for (Object[] values : t.rows()) {
            for (int c = 0; c < values.length; c++) {
                Cell cell = cellAt(sh, r, c + 1);
                Object v = values[c];
                if (v instanceof Number n) cell.setCellValue(n.doubleValue());
                else if (v != null) cell.setCellValue(v.toString());
                cell.setCellStyle(st.data);
            }
            r++;
        }
        int lastDataRow = r - 1;
        addChoices(sh, captionRow + 1, lastDataRow + 20, verdictColumn(t), new String[] {"ALLOW", "REVIEW", "BLOCK"});
        if (t.typeChoices() != null) addChoices(sh, captionRow + 1, lastDataRow + 20, 2, t.typeChoices());

        // A blank row ends the RuleTable; the notes below it are plain text for people.
        int notesRow = lastDataRow + 2;
        set(sh, notesRow, 1, "Notes for analysts", st.title);
        for (int i = 0; i < t.notes().size(); i++) set(sh, notesRow + 1 + i, 1, t.notes().get(i), st.note);
        sh.createFreezePane(2, captionRow + 1);
    }

    private static int verdictColumn(Table t) {
        for (int c = 0; c < t.columns().size(); c++) {
            if (VERDICT_SNIPPET.equals(t.columns().get(c).snippet())) return c + 1;
        }
        throw new IllegalStateException("no verdict column in " + t.file());
    }

    private static void addChoices(Sheet sh, int firstRow, int lastRow, int column, String[] choices) {
        DataValidationHelper helper = sh.getDataValidationHelper();
        DataValidation v = helper.createValidation(helper.createExplicitListConstraint(choices),
                new CellRangeAddressList(firstRow, lastRow, column, column));
        v.setShowErrorBox(true);
        sh.addValidationData(v);
    }

    private static Cell cellAt(Sheet sh, int row, int col) {
        Row r = sh.getRow(row) == null ? sh.createRow(row) : sh.getRow(row);
        return r.getCell(col) == null ? r.createCell(col) : r.getCell(col);
    }

    private static void set(Sheet sh, int row, int col, String value, CellStyle style) {
        Cell c = cellAt(sh, row, col);
        c.setCellValue(value);
        c.setCellStyle(style);
    }

    private static final class Styles {
        final CellStyle keyword, code, title, caption, data, note;

        Styles(Workbook wb) {
            Font bold = wb.createFont();
            bold.setBold(true);
            Font mono = wb.createFont();
            mono.setFontName("Courier New");
            mono.setColor(IndexedColors.GREY_80_PERCENT.getIndex());
            keyword = wb.createCellStyle();
            keyword.setFont(bold);
            code = wb.createCellStyle();
            code.setFont(mono);
            code.setFillForegroundColor(IndexedColors.GREY_25_PERCENT.getIndex());
            code.setFillPattern(FillPatternType.SOLID_FOREGROUND);
            title = wb.createCellStyle();
            title.setFont(bold);
            caption = wb.createCellStyle();
            caption.setFont(bold);
            caption.setWrapText(true);
            caption.setFillForegroundColor(IndexedColors.LIGHT_CORNFLOWER_BLUE.getIndex());
            caption.setFillPattern(FillPatternType.SOLID_FOREGROUND);
            caption.setBorderBottom(BorderStyle.THIN);
            data = wb.createCellStyle();
            data.setBorderBottom(BorderStyle.HAIR);
            data.setWrapText(false);
            note = wb.createCellStyle();
        }
    }
}
