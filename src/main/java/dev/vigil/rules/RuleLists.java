package dev.vigil.rules;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Lists written into a rule as analysts write them, {@code "KP, IR, MM"}, for conditions such as
 * the business sentence {@code the transaction is located in one of KP, IR, MM}:
 * {@code TransactionEvent( geo != null, RuleLists.oneOf(geo.country, "KP, IR, MM") )}.
 */
public final class RuleLists {
    /** A rule's list text is a constant of the rule: split once, not per event. */
    private static final Map<String, Set<String>> PARSED = new ConcurrentHashMap<>();

    private RuleLists() {}

    /**
     * Whether {@code value} is one of the comma-separated entries of {@code list}, ignoring case
     * and spaces around entries; false for a null value.
     */
    public static boolean oneOf(String value, String list) {
        if (value == null) return false;
        return PARSED.computeIfAbsent(list, RuleLists::parse).contains(value.strip().toUpperCase(Locale.ROOT));
    }

    private static Set<String> parse(String list) {
        return Arrays.stream(list.split(",")).map(s -> s.strip().toUpperCase(Locale.ROOT)).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
