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
            sb.append(" [line ").append(m.getLine());
            if (m.getColumn() > 0) sb.append(", column ").append(m.getColumn());
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
