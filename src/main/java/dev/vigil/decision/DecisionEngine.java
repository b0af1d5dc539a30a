package dev.vigil.decision;

import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.Enrichment;
import dev.vigil.feature.FeatureStore;
import dev.vigil.feature.Features;
import dev.vigil.rules.RuleEngine;
import dev.vigil.rules.RuleEvaluation;
import dev.vigil.score.ModelScore;
import dev.vigil.score.RiskModel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The decision core: event, then features, then score, then rules, then verdict. Plain Java: it
 * knows nothing of Kafka, Camel or HTTP, so every entry point shares this one path.
 */
public final class DecisionEngine {
    private final FeatureStore features;
    private final RiskModel model;
    private final RuleEngine rules;
    private final Clock clock;

    public DecisionEngine(FeatureStore features, RiskModel model, RuleEngine rules, Clock clock) {
        this.features = features;
        this.model = model;
        this.rules = rules;
        this.clock = clock;
    }

    public Decision decide(TransactionEvent event) {
        return decideAll(List.of(event)).get(0);
    }

    /**
     * Decides a batch in event order: one feature-store round trip and one model call for the whole
     * batch, then the rules per event.
     */
    public List<Decision> decideAll(List<TransactionEvent> events) {
        if (events.isEmpty()) return List.of();
        long start = System.nanoTime();
        List<Enrichment> enriched = features.enrichAll(events);
        List<Features> vectors = new ArrayList<>(enriched.size());
        for (Enrichment e : enriched) vectors.add(e.features());
        List<ModelScore> scores = events.size() == 1 ? List.of(model.score(vectors.get(0))) : model.scoreAll(vectors);
        long sharedNanos = System.nanoTime() - start;

        List<Decision> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            long ruleStart = System.nanoTime();
            TransactionEvent event = events.get(i);
            Enrichment e = enriched.get(i);
            // Hits and version read together: a reload between them must not cite the wrong rule set.
            RuleEvaluation evaluation = rules.evaluateVersioned(event, e.features(), e.account(), scores.get(i));
            List<Hit> hits = new ArrayList<>(evaluation.hits());
            hits.sort(Comparator.comparing(Hit::ruleId));
            long micros = (sharedNanos / events.size() + (System.nanoTime() - ruleStart)) / 1000;
            out.add(new Decision(
                    Decision.decisionIdFor(event.transactionId()), event, VerdictPolicy.combine(hits), hits,
                    scores.get(i), e.features(), e.account(), evaluation.version(), clock.instant(), micros));
        }
        return out;
    }
}
