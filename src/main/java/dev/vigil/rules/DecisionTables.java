package dev.vigil.rules;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.apache.poi.ss.util.CellReference;
import org.drools.decisiontable.SpreadsheetCompiler;

/**
 * Turns a decision-table workbook into DRL, one sheet at a time, with Drools' own compiler.
 *
 * <p>Done here rather than by handing the .xlsx to the KieBuilder, because the KieBuilder route
 * fails silently in three ways: it skips a spreadsheet whose name does not end in
 * {@code .drl.xlsx}, it reads only the first sheet of a workbook, and it accepts a CONDITION
 * snippet without {@code $param} (which becomes a constraint that may never match). Going sheet by
 * sheet also lets a build error name the sheet and row an analyst has to fix.
 */
final class DecisionTables {
    private static final Pattern RULE_VALUES_AT = Pattern.compile("^// rule values at ([A-Z]+)([0-9]+)");
    private static final Pattern PARAMETER = Pattern.compile("\\$param|\\$[0-9]+|forall\\s*\\(");

    private DecisionTables() {}

    /** One sheet's DRL and what is needed to point from a DRL line back to the sheet. */
    record SheetDrl(String sheet, String drl, NavigableMap<Integer, Integer> sheetRowByDrlLine,
            Map<Integer, Map<String, String>> cellsByRow, Map<String, String> captions, int firstRuleRow) {

        /**
         * Where in the sheet a problem is: the rule's row when the DRL line is known, and the cells
         * (of that row, or of any rule row) whose text the message quotes.
         */
        String locate(int drlLine, String message) {
            StringBuilder sb = new StringBuilder("sheet '").append(sheet).append('\'');
            Integer row = null;
            if (drlLine > 0) {
                Map.Entry<Integer, Integer> e = sheetRowByDrlLine.floorEntry(drlLine);
                if (e != null) row = e.getValue();
            }
            if (row != null) sb.append(", row ").append(row);
            Map<String, String> matches = new LinkedHashMap<>();
            for (Map.Entry<Integer, Map<String, String>> r : cellsByRow.entrySet()) {
                if (r.getKey() < firstRuleRow || (row != null && !r.getKey().equals(row))) continue;
                for (Map.Entry<String, String> c : r.getValue().entrySet()) {
                    if (c.getValue().length() >= 3 && message.contains(c.getValue())) {
                        matches.put(c.getKey() + r.getKey(), c.getValue());
                    }
                }
            }
            // BALANCE_DEPOSIT is quoted inside BALANCE_DEPOSITT: only the longer text is the culprit.
            List<String> quoted = new ArrayList<>();
            for (Map.Entry<String, String> m : matches.entrySet()) {
                boolean inLonger = matches.values().stream()
                        .anyMatch(other -> other.length() > m.getValue().length() && other.contains(m.getValue()));
                if (inLonger) continue;
                String caption = captions.get(m.getKey().replaceAll("[0-9]", ""));
                quoted.add("cell " + m.getKey() + (caption == null ? "" : " (" + caption + ")"));
            }
            if (!quoted.isEmpty() && quoted.size() <= 3) sb.append(", ").append(String.join(", ", quoted));
            return sb.toString();
        }
    }

    /**
     * The DRL of every sheet that holds a RuleTable; problems found before Drools compiles (an
     * unreadable file, a snippet without {@code $param}) are added to {@code problems}.
     */
    static List<SheetDrl> toDrl(String display, byte[] bytes, List<String> problems) {
        List<SheetDrl> out = new ArrayList<>();
        List<String> sheetNames = new ArrayList<>();
        Map<String, Sheet> sheets = new LinkedHashMap<>();
        DataFormatter formatter = new DataFormatter(Locale.ROOT);
        try (Workbook wb = WorkbookFactory.create(new ByteArrayInputStream(bytes))) {
            for (Sheet sheet : wb) {
                if (findRuleTables(sheet).isEmpty()) continue;
                sheetNames.add(sheet.getSheetName());
                sheets.put(sheet.getSheetName(), sheet);
                checkSnippets(display, sheet, formatter, problems);
            }
            if (sheetNames.isEmpty()) {
                problems.add(display + ": no sheet holds a RuleTable");
                return out;
            }
            for (String name : sheetNames) {
                String drl;
                try {
                    drl = new SpreadsheetCompiler().compile(new ByteArrayInputStream(bytes), name);
                } catch (RuntimeException e) {
                    problems.add(display + ", sheet '" + name + "': " + rootMessage(e));
                    continue;
                }
                out.add(index(name, drl, sheets.get(name), formatter));
            }
        } catch (Exception e) {
            problems.add(display + ": cannot be read as an Excel workbook (.xlsx): " + rootMessage(e));
        }
        return out;
    }

    private record Cellpos(int row, int column) {}

    private static List<Cellpos> findRuleTables(Sheet sheet) {
        List<Cellpos> tables = new ArrayList<>();
        for (Row row : sheet) {
            for (Cell cell : row) {
                if (cell.getCellType() == org.apache.poi.ss.usermodel.CellType.STRING
                        && cell.getStringCellValue().strip().startsWith("RuleTable")) {
                    tables.add(new Cellpos(row.getRowNum(), cell.getColumnIndex()));
                }
            }
        }
        return tables;
    }

    /**
     * A RuleTable is: the RuleTable cell, then the column kinds, the facts, the snippets. A
     * CONDITION snippet must say where the cell value goes.
     */
    private static void checkSnippets(String display, Sheet sheet, DataFormatter f, List<String> problems) {
        for (Cellpos t : findRuleTables(sheet)) {
            Row kinds = sheet.getRow(t.row() + 1);
            Row snippets = sheet.getRow(t.row() + 3);
            if (kinds == null) continue;
            for (Cell kind : kinds) {
                String k = f.formatCellValue(kind).strip().toUpperCase(Locale.ROOT);
                if (!(k.equals("CONDITION") || k.equals("C"))) continue;
                Cell snippetCell = snippets == null ? null : snippets.getCell(kind.getColumnIndex());
                String snippet = snippetCell == null ? "" : f.formatCellValue(snippetCell).strip();
                String unmerged = unmergedFact(sheet, t.row() + 2, kind.getColumnIndex(), snippet, f);
                if (unmerged != null) {
                    problems.add(display + ", sheet '" + sheet.getSheetName() + "', cell "
                            + new CellReference(t.row() + 2, kind.getColumnIndex()).formatAsString(false) + ": " + unmerged);
                }
                if (!snippet.isEmpty() && !PARAMETER.matcher(snippet).find()) {
                    problems.add(display + ", sheet '" + sheet.getSheetName() + "', cell "
                            + new CellReference(t.row() + 3, kind.getColumnIndex()).formatAsString(false)
                            + ": the CONDITION snippet '" + snippet + "' has no $param, so Drools would compare "
                            + "the field to the cell text and the condition could never match");
                }
            }
        }
    }

    private static final Pattern PATTERN_SNIPPET = Pattern.compile("^(\\$\\w+\\s*:\\s*)?([A-Za-z_][\\w.]*)\\s*\\(");

    /**
     * A CONDITION whose fact cell is blank and not merged into a fact to its left, while its snippet
     * is a bare constraint ({@code amount > $param}) rather than a whole pattern: what an analyst gets
     * by unmerging the fact cell. Drools then fails with a parser message about the rule name; this
     * says what to fix. Null when the column is fine.
     */
    private static String unmergedFact(Sheet sheet, int factRow, int column, String snippet, DataFormatter f) {
        if (snippet.isEmpty()) return null;
        Matcher pattern = PATTERN_SNIPPET.matcher(snippet);
        if (pattern.find() && !pattern.group(2).equals("eval")) return null;
        for (org.apache.poi.ss.util.CellRangeAddress region : sheet.getMergedRegions()) {
            if (region.isInRange(factRow, column)) return null;
        }
        Row row = sheet.getRow(factRow);
        Cell own = row == null ? null : row.getCell(column);
        if (own != null && !f.formatCellValue(own).isBlank()) return null;
        String here = new CellReference(factRow, column).formatAsString(false);
        for (int c = column - 1; c >= 0 && row != null; c--) {
            Cell left = row.getCell(c);
            if (left != null && !f.formatCellValue(left).isBlank()) {
                String from = new CellReference(factRow, c).formatAsString(false);
                return "the CONDITION '" + snippet + "' has no fact above it: conditions on the same fact need the fact cell "
                        + "merged across their columns (merge " + from + ":" + here + ", '" + f.formatCellValue(left).strip()
                        + "')";
            }
        }
        return "the CONDITION '" + snippet + "' has no fact above it (e.g. '$tx : TransactionEvent' in " + here + ")";
    }

    private static SheetDrl index(String name, String drl, Sheet sheet, DataFormatter f) {
        NavigableMap<Integer, Integer> rows = new TreeMap<>();
        String[] lines = drl.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = RULE_VALUES_AT.matcher(lines[i].strip());
            if (m.find()) rows.put(i + 1, Integer.parseInt(m.group(2)));
        }
        Map<Integer, Map<String, String>> cells = new TreeMap<>();
        for (Row row : sheet) {
            Map<String, String> texts = new LinkedHashMap<>();
            for (Cell cell : row) {
                String text = f.formatCellValue(cell).strip();
                if (!text.isEmpty()) texts.put(CellReference.convertNumToColString(cell.getColumnIndex()), text);
            }
            if (!texts.isEmpty()) cells.put(row.getRowNum() + 1, texts);
        }
        int firstRuleRow = rows.isEmpty() ? Integer.MAX_VALUE : rows.firstEntry().getValue();
        // The caption row sits right above the first rule row.
        Map<String, String> captions = cells.getOrDefault(firstRuleRow - 1, Map.of());
        return new SheetDrl(name, drl, rows, cells, captions, firstRuleRow);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return t == e ? msg : msg + " (" + e.getClass().getSimpleName() + ")";
    }
}
