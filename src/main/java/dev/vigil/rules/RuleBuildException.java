package dev.vigil.rules;

import java.util.List;

/**
 * The rule files could not be turned into a rule base. Vigil never runs a partial rule base, so
 * this stops the start (or a reload keeps the previous rules).
 *
 * <p>The message lists every problem, one a line, each starting with the rule file it is in
 * (relative to the rules folder's parent, e.g. {@code rules/drl/velocity.drl}) and, where Drools
 * says so, the line and column, or for a decision table the sheet, row and column.
 */
public final class RuleBuildException extends RuntimeException {
    /** Stable code for alerts and logs. */
    public static final String CODE = "VIGIL-RULES-BUILD";

    private final List<String> problems;

    public RuleBuildException(List<String> problems) {
        this(problems, null);
    }

    public RuleBuildException(List<String> problems, Throwable cause) {
        super(message(problems), cause);
        this.problems = List.copyOf(problems);
    }

    /** One entry per problem, each naming its file. */
    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        StringBuilder sb = new StringBuilder(CODE).append(": the rule base has ")
                .append(problems.size()).append(problems.size() == 1 ? " problem" : " problems");
        for (String p : problems) sb.append("\n  - ").append(p);
        return sb.toString();
    }
}
