package dev.vigil.rules;

import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kie.api.runtime.rule.Match;
import org.kie.api.runtime.rule.RuleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What rule consequences call to raise a finding, from DRL, the business DSL and decision tables
 * alike: {@code RuleActions.raise(drools, Verdict.REVIEW, "$count transactions in the last minute (limit 5)")}.
 * The verdict is the enum, not a string, so a misspelt verdict fails the rule build instead of the
 * first matching transaction.
 *
 * <p>The rule id is taken from the rule's name (everything before the first space), so an id is
 * written once and an alert can never cite an id other than the rule's own. The reason is a
 * template: {@code $name} is replaced by the value bound to {@code $name} in the rule's conditions,
 * {@code $name.property} by that property of the bound fact (e.g. {@code $f.accountAgeDays}).
 * Amounts are written in full ({@code 9999.99}, never {@code 1E+4}). A placeholder that names no
 * binding is left as written (and logged), so a typo shows in the alert rather than stopping the
 * pipeline.
 */
public final class RuleActions {
    private static final Logger log = LoggerFactory.getLogger(RuleActions.class);
    private static final Pattern PLACEHOLDER =
            Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)(?:\\.([A-Za-z_][A-Za-z0-9_]*))?");
    private static final Map<String, Method> ACCESSORS = new ConcurrentHashMap<>();
    /** Rule and placeholder pairs already warned about: a rule may fire thousands of times a second. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private RuleActions() {}

    /**
     * Inserts a {@link Hit} for the firing rule.
     *
     * @param drools the consequence's {@code drools} (or {@code kcontext}) variable
     * @param verdict what the rule asks for
     * @param reasonTemplate the analyst's sentence, with {@code $name} placeholders
     */
    public static void raise(RuleContext drools, Verdict verdict, String reasonTemplate) {
        String ruleName = drools.getRule().getName();
        drools.getKieRuntime().insert(
                new Hit(RuleIds.idOf(ruleName), verdict, fill(reasonTemplate, drools.getMatch(), ruleName)));
    }

    static String fill(String template, Match match, String ruleName) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 32);
        while (m.find()) {
            Object value = resolve(match, m.group(1), m.group(2));
            String text;
            if (value == Unresolved.INSTANCE) {
                if (WARNED.add(ruleName + '\u0000' + m.group())) {
                    log.warn("Rule '{}': reason placeholder {} names no binding; left as written", ruleName, m.group());
                }
                text = m.group();
            } else {
                text = format(value);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        m.appendTail(out);
        return out.toString();
    }

    private enum Unresolved { INSTANCE }

    private static Object resolve(Match match, String name, String property) {
        String id = "$" + name;
        Object bound;
        if (match.getDeclarationIds().contains(id)) bound = match.getDeclarationValue(id);
        else if (match.getDeclarationIds().contains(name)) bound = match.getDeclarationValue(name);
        else return Unresolved.INSTANCE;
        if (property == null || bound == null) return bound;
        Method accessor = accessor(bound.getClass(), property);
        if (accessor == null) return Unresolved.INSTANCE;
        try {
            return accessor.invoke(bound);
        } catch (ReflectiveOperationException e) {
            return Unresolved.INSTANCE;
        }
    }

    private static Method accessor(Class<?> type, String property) {
        String key = type.getName() + '#' + property;
        Method cached = ACCESSORS.get(key);
        if (cached != null) return cached;
        String cap = Character.toUpperCase(property.charAt(0)) + property.substring(1);
        for (String candidate : new String[] {property, "get" + cap, "is" + cap}) {
            try {
                Method method = type.getMethod(candidate);
                if (method.getParameterCount() == 0 && method.getReturnType() != void.class) {
                    ACCESSORS.put(key, method);
                    return method;
                }
            } catch (NoSuchMethodException ignored) {
                // try the next naming convention
            }
        }
        return null;
    }

    static String format(Object value) {
        if (value instanceof BigDecimal d) return d.toPlainString();
        if (value instanceof Double || value instanceof Float) {
            return BigDecimal.valueOf(((Number) value).doubleValue()).stripTrailingZeros().toPlainString();
        }
        if (value instanceof Currency c) return c.getCurrencyCode();
        return String.valueOf(value);
    }
}
