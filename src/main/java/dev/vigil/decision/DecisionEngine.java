package dev.vigil.decision;

import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.Enrichment;
import dev.vigil.feature.FeatureStore;
import dev.vigil.feature.Features;
import dev.vigil.rules.RuleEngine;
import dev.vigil.rules.RuleEvaluation;
import dev.vigil.score.Contribution;
import dev.vigil.score.ModelScore;
import dev.vigil.score.RiskModel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.ObjLongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision core: event, then features, then score, then rules, then verdict, then the explanation
 * of the score for the decisions a person will read. Plain Java: it knows nothing of Kafka, Camel or
 * HTTP, so every entry point shares this one path.
 *
 * <p>A challenger model, when configured, scores the same batch in shadow: the rules run again with its
 * score to find the verdict it would have led to. Its hits are not kept and it never changes the
 * decision; a failing challenger is logged and the batch is decided without it.
 */
public final class DecisionEngine {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionEngine.class);

    /** Contributions kept per explained decision. */
    public static final int TOP_CONTRIBUTIONS = 5;

    private final FeatureStore features;
    private final RiskModel model;
    private final RiskModel challenger;
    private final RuleEngine rules;
    private final Clock clock;
    private final boolean explainAllow;
    private volatile ObjLongConsumer<String> stageTimer = (stage, nanos) -> {};

    public DecisionEngine(FeatureStore features, RiskModel model, RuleEngine rules, Clock clock) {
        this(features, model, null, rules, clock, false);
    }

    /**
     * @param model the champion: its score decides
     * @param challenger a model scored in shadow, or null
     * @param explainAllow explain ALLOW decisions too (REVIEW and BLOCK always are)
     */
    public DecisionEngine(FeatureStore features, RiskModel model, RiskModel challenger, RuleEngine rules, Clock clock,
            boolean explainAllow) {
        this.features = Objects.requireNonNull(features, "features");
        this.model = Objects.requireNonNull(model, "model");
        this.challenger = challenger;
        this.rules = Objects.requireNonNull(rules, "rules");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.explainAllow = explainAllow;
    }

    /**
     * Hands the wall time of each part of a batch's decision to {@code timer}: {@code decide: features}
     * (the feature store), {@code decide: model} (scoring, the challenger's too), {@code decide: rules}
     * and {@code decide: explain} (the SHAP contributions), in nanoseconds.
     */
    public void timeStagesWith(ObjLongConsumer<String> timer) {
        this.stageTimer = Objects.requireNonNull(timer, "timer");
    }

    public Decision decide(TransactionEvent event) {
        return decideAll(List.of(event)).get(0);
    }

    /**
     * Decides a batch in event order: one feature-store round trip and one model call for the whole
     * batch, then the rules per event, then one explanation call for the decisions that need it.
     */
    public List<Decision> decideAll(List<TransactionEvent> events) {
        if (events.isEmpty()) return List.of();
        ObjLongConsumer<String> timer = stageTimer;
        long start = System.nanoTime();
        List<Enrichment> enriched = features.enrichAll(events);
        long featuresDone = System.nanoTime();
        timer.accept("decide: features", featuresDone - start);
        List<Features> vectors = new ArrayList<>(enriched.size());
        for (Enrichment e : enriched) vectors.add(e.features());
        // One model for the whole batch, score and explanation alike, even if a new one is swapped in meanwhile.
        RiskModel champion = model.current();
        List<ModelScore> scores = score(champion, vectors);
        List<ModelScore> shadow = shadowScores(vectors);
        long scored = System.nanoTime();
        timer.accept("decide: model", scored - featuresDone);
        long sharedNanos = scored - start;

        int n = events.size();
        Verdict[] verdicts = new Verdict[n];
        List<List<Hit>> hitsOf = new ArrayList<>(n);
        List<RuleEvaluation> evaluations = new ArrayList<>(n);
        long[] micros = new long[n];
        List<ShadowScore> challengers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long ruleStart = System.nanoTime();
            TransactionEvent event = events.get(i);
            Enrichment e = enriched.get(i);
            // Hits and version read together: a reload between them must not cite the wrong rule set.
            RuleEvaluation evaluation = rules.evaluateVersioned(event, e.features(), e.account(), scores.get(i));
            List<Hit> hits = new ArrayList<>(evaluation.hits());
            hits.sort(Comparator.comparing(Hit::ruleId));
            evaluations.add(evaluation);
            hitsOf.add(hits);
            verdicts[i] = VerdictPolicy.combine(hits);
            micros[i] = (sharedNanos / n + (System.nanoTime() - ruleStart)) / 1000;
            challengers.add(shadow == null ? null : wouldBe(event, e, shadow.get(i)));
        }
        long ruled = System.nanoTime();
        timer.accept("decide: rules", ruled - scored);

        List<ModelScore> explained = explain(champion, vectors, scores, verdicts);
        timer.accept("decide: explain", System.nanoTime() - ruled);
        List<Decision> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TransactionEvent event = events.get(i);
            Enrichment e = enriched.get(i);
            out.add(new Decision(
                    Decision.decisionIdFor(event.transactionId()), event, verdicts[i], hitsOf.get(i),
                    explained.get(i), e.features(), e.account(), evaluations.get(i).version(), clock.instant(),
                    micros[i], challengers.get(i)));
        }
        return out;
    }

    private static List<ModelScore> score(RiskModel m, List<Features> vectors) {
        return vectors.size() == 1 ? List.of(m.score(vectors.get(0))) : m.scoreAll(vectors);
    }

    /** The challenger's scores, or null when there is none or it failed (the decision goes on without it). */
    private List<ModelScore> shadowScores(List<Features> vectors) {
        if (challenger == null) return null;
        try {
            return score(challenger.current(), vectors);
        } catch (RuntimeException e) {
            LOG.warn("Challenger model {} failed to score a batch of {}; decided without it: {}",
                    safeVersion(challenger), vectors.size(), e.toString());
            return null;
        }
    }

    private ShadowScore wouldBe(TransactionEvent event, Enrichment e, ModelScore s) {
        try {
            Verdict v = VerdictPolicy.combine(rules.evaluate(event, e.features(), e.account(), s));
            return new ShadowScore(s.modelVersion(), s.probability(), v);
        } catch (RuntimeException ex) {
            LOG.warn("Rules failed on the challenger's score for {}: {}", event.transactionId(), ex.toString());
            return null;
        }
    }

    /** The scores with their top contributions where the verdict calls for an explanation, in one model call. */
    private List<ModelScore> explain(RiskModel m, List<Features> vectors, List<ModelScore> scores, Verdict[] verdicts) {
        List<Integer> which = new ArrayList<>();
        for (int i = 0; i < verdicts.length; i++) {
            if (verdicts[i].isAlert() || explainAllow) which.add(i);
        }
        if (which.isEmpty()) return scores;
        List<Features> rows = new ArrayList<>(which.size());
        for (int i : which) rows.add(vectors.get(i));
        List<List<Contribution>> top = m.explainAll(rows, TOP_CONTRIBUTIONS);
        List<ModelScore> out = new ArrayList<>(scores);
        for (int k = 0; k < which.size(); k++) {
            int i = which.get(k);
            out.set(i, scores.get(i).withContributions(top.get(k)));
        }
        return out;
    }

    private static String safeVersion(RiskModel m) {
        try {
            return m.version();
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
