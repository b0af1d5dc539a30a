package dev.vigil.rules;

import dev.vigil.decision.Hit;
import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.score.ModelScore;
import java.util.List;

/** Evaluates the compliance rules on one transaction's facts. Safe for use by many threads. */
public interface RuleEngine {

    /**
     * Fires the rules on these facts and returns the hits, ordered by rule id.
     *
     * @param account null when no account event was seen for the account (no Account fact is inserted)
     */
    List<Hit> evaluate(TransactionEvent transaction, Features features, AccountProfile account, ModelScore score);

    /** The rule-set version every decision records: human version plus content hash. */
    RuleSetVersion version();

    /**
     * Fires the rules and returns the hits with the version of the rules that fired them. An
     * engine whose rules can change (a reload) overrides this so both come from one rule set.
     */
    default RuleEvaluation evaluateVersioned(TransactionEvent transaction, Features features, AccountProfile account,
            ModelScore score) {
        return new RuleEvaluation(evaluate(transaction, features, account, score), version());
    }
}
