package dev.vigil.rules;

import java.util.function.Consumer;

/**
 * Rules that change while Vigil runs: a watched rules folder ({@link ReloadingRuleEngine}) or a
 * watched release in a Maven repository ({@link KjarRuleEngine}). Either way a change is built in the
 * background and swapped in between events, or refused with the running rules kept, and every
 * listener hears of it. Decisions should use {@link #evaluateVersioned} so the version they record is
 * the one that judged.
 */
public interface LiveRuleEngine extends RuleEngine, AutoCloseable {

    /** Called after every change applied or refused, on the watching thread. */
    LiveRuleEngine addListener(Consumer<RuleReload> listener);

    /** Where the rules come from: the folder's absolute path, or {@code groupId:artifactId:version} as configured. */
    String source();

    /** Stops watching; the rules running now stay usable. */
    @Override
    void close();
}
