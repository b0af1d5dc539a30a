package dev.vigil.rules;

import java.util.Map;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.kie.api.builder.Message;
import org.kie.api.definition.rule.Rule;

/** Turns Drools build messages into lines that name the analyst's file (and sheet and row). */
final class BuildProblems {
    /** Drools adds this after any parse error in a file; it says nothing the first error did not. */
    static final String NULL_PACKAGE = "Parser returned a null Package";

    private BuildProblems() {}

    /** Where a text Drools compiled came from: a rule file, or one sheet of a decision table. */
    record Origin(String display, DecisionTables.SheetDrl sheet) {}

    private static final java.util.regex.Pattern PARSER_POSITION =
            java.util.regex.Pattern.compile("^\\[ERR \\d+\\] Line (\\d+):(\\d+) (.*)$");

    /** The parser's wording, said the way an analyst would look for the mistake. */
    static String plain(String parserText) {
        String t = parserText.replaceFirst("^no viable alternative at input (\\S+)",
                "unexpected $1 here: something is missing or misspelt just before it;");
        t = t.replaceFirst("^mismatched input (\\S+) expecting (\\S+)", "found $1 where $2 was expected;");
        t = t.replaceFirst("^extraneous input (\\S+) expecting (\\S+)", "$1 does not belong here ($2 was expected);");
        return t.endsWith(";") ? t.substring(0, t.length() - 1) : t;
    }

    static String describe(Message m, Map<String, Origin> origins) {
        String text = oneLine(m.getText());
        Origin origin = m.getPath() == null ? null : origins.get(m.getPath());
        if (origin == null) return (m.getPath() == null ? "(no file)" : m.getPath()) + ": " + text;
        StringBuilder sb = new StringBuilder(origin.display());
        if (origin.sheet() != null) {
            sb.append(", ").append(origin.sheet().locate(m.getLine(), text));
            // Line numbers in the text count lines of the DRL made from the sheet, which no analyst sees.
            text = text.replaceAll("\\s*\\[Line: \\d+, Column: \\d+\\]", "").strip();
        } else if (m.getLine() > 0) {
            int column = m.getColumn();
            // Parser errors carry the column only in their text: "[ERR 101] Line 12:26 no viable ...".
            java.util.regex.Matcher at = PARSER_POSITION.matcher(text);
            if (at.find() && Integer.parseInt(at.group(1)) == m.getLine()) {
                if (column <= 0) column = Integer.parseInt(at.group(2));
                text = plain(at.group(3));
            }
            sb.append(" [line ").append(m.getLine());
            if (column > 0) sb.append(", column ").append(column);
            sb.append(']');
        }
        return sb.append(": ").append(text).toString();
    }

    /** Drools' messages span lines and point with a caret at a column of a line the reader cannot see. */
    static String oneLine(String text) {
        if (text == null) return "";
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\\R")) {
            String l = line.strip();
            if (l.isEmpty() || l.equals("^") || l.startsWith("[Rule name=")) continue;
            if (sb.length() > 0) sb.append(' ');
            sb.append(l);
        }
        return sb.toString().replaceAll("\\s+", " ");
    }

    /** The analyst's file a compiled rule came from; the package name if Drools kept no source. */
    static String sourceOf(Rule rule, Map<String, Origin> origins) {
        if (rule instanceof RuleImpl impl && impl.getResource() != null) {
            String path = impl.getResource().getSourcePath();
            if (path != null) {
                Origin origin = origins.get(path);
                if (origin != null) return origin.display();
                for (Map.Entry<String, Origin> e : origins.entrySet()) {
                    if (path.endsWith(e.getKey())) return e.getValue().display();
                }
                return path;
            }
        }
        return "package " + rule.getPackageName();
    }
}
