package dev.vigil.rules;

import dev.vigil.decision.Hit;
import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.score.ModelScore;
import java.util.List;
import java.util.function.Consumer;

/**
 * Rules that change while Vigil runs: a watched rules folder ({@link ReloadingRuleEngine}) or a
 * watched release in a Maven repository ({@link KjarRuleEngine}). Either way a change is built in the
 * background and swapped in between events, or refused with the running rules kept, and every
 * listener hears of it. Decisions should use {@link #evaluateVersioned} so the version they record is
 * the one that judged.
 */
public interface LiveRuleEngine extends RuleEngine, AutoCloseable {

    /** The rule base in force now. */
    DroolsRuleEngine current();

    @Override
    default List<Hit> evaluate(TransactionEvent transaction, Features features, AccountProfile account, ModelScore score) {
        return current().evaluate(transaction, features, account, score);
    }

    /** Judges with one rule base and cites its version, even if a swap happens meanwhile. */
    @Override
    default RuleEvaluation evaluateVersioned(TransactionEvent transaction, Features features, AccountProfile account,
            ModelScore score) {
        DroolsRuleEngine rules = current();
        return new RuleEvaluation(rules.evaluate(transaction, features, account, score), rules.version());
    }

    /** The version in force now; a decision should cite {@link RuleEvaluation#version()} instead. */
    @Override
    default RuleSetVersion version() {
        return current().version();
    }

    /** Called after every change applied or refused, on the watching thread. */
    LiveRuleEngine addListener(Consumer<RuleReload> listener);

    /** Where the rules come from: the folder's absolute path, or {@code groupId:artifactId:version} as configured. */
    String source();

    /** Stops watching; the rules running now stay usable. */
    @Override
    void close();
}
