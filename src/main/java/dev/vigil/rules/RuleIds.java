package dev.vigil.rules;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The stable-id convention: a rule's name starts with its id, e.g. {@code AML-STR-001 Cash deposit ...}. */
final class RuleIds {
    /** Upper-case words joined by hyphens, ending in a three-digit number: VEL-001, AML-NEW-001, SCORE-002. */
    static final Pattern NAME = Pattern.compile("^([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-[0-9]{3})(?:\\s+\\S.*)?$");

    private RuleIds() {}

    /** The id a rule name starts with; the first word of the name when it does not follow the convention. */
    static String idOf(String ruleName) {
        Matcher m = NAME.matcher(ruleName.strip());
        if (m.matches()) return m.group(1);
        String s = ruleName.strip();
        int space = s.indexOf(' ');
        return space < 0 ? s : s.substring(0, space);
    }

    static boolean follows(String ruleName) {
        Matcher m = NAME.matcher(ruleName.strip());
        return m.matches() && m.group(0).length() > m.group(1).length();
    }
}
