package dev.vigil.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.feature.ReferenceFeatureStore;
import dev.vigil.rules.RuleEngine;
import dev.vigil.rules.RuleSetVersion;
import dev.vigil.score.Contribution;
import dev.vigil.score.ModelScore;
import dev.vigil.score.ModelTrainer;
import dev.vigil.score.SyntheticFraud;
import dev.vigil.score.TrainingOptions;
import dev.vigil.score.XgboostRiskModel;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model's part in a decision: explanations for the decisions people read, and a challenger in shadow. */
class ModelInDecisionTest {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0.plusSeconds(86_400), ZoneOffset.UTC);

    @TempDir
    static Path tmp;

    static XgboostRiskModel champion;
    static XgboostRiskModel challenger;
    static List<TransactionEvent> events;
    static double[] championP;
    static ThresholdRules rules;

    @BeforeAll
    static void setUp() {
        SyntheticFraud.Data a = SyntheticFraud.generate(4000, 21, T0);
        ModelTrainer.train(a.rows(), a.labels(), a.times(), TrainingOptions.defaults().withVersion("champion-1")
                .withCreatedAt(T0)).writeTo(tmp.resolve("champion"));
        // Another sample and a shallower model: a challenger that scores differently.
        SyntheticFraud.Data b = SyntheticFraud.generate(4000, 22, T0);
        ModelTrainer.train(b.rows(), b.labels(), b.times(), new TrainingOptions("challenger-1", T0, 0.2, 2, 0.3, 50, 10,
                TrainingOptions.StoppingMetric.LOGLOSS, 0.01, 1, 7)).writeTo(tmp.resolve("challenger"));
        champion = XgboostRiskModel.load(tmp.resolve("champion"));
        challenger = XgboostRiskModel.load(tmp.resolve("challenger"));
        events = events();
        // The features the engine will see, computed ahead on a store of their own, set the rule thresholds
        // so that the batch has ALLOW, REVIEW and BLOCK decisions.
        ReferenceFeatureStore ahead = new ReferenceFeatureStore();
        List<Features> f = ahead.enrichAll(events).stream().map(e -> e.features()).toList();
        championP = champion.scoreAll(f).stream().mapToDouble(ModelScore::probability).toArray();
        double[] sorted = championP.clone();
        Arrays.sort(sorted);
        rules = new ThresholdRules(sorted[sorted.length / 2], sorted[sorted.length * 9 / 10]);
    }

    @AfterAll
    static void tearDown() {
        champion.close();
        challenger.close();
    }

    @Test
    void shouldExplainEveryReviewAndBlockDecisionWithItsTopFiveAndNoAllow() {
        List<Decision> decisions = new DecisionEngine(new ReferenceFeatureStore(), champion, rules, CLOCK).decideAll(events);
        int explained = 0;
        for (Decision d : decisions) {
            if (d.verdict().isAlert()) {
                List<Contribution> expected = champion.explainAll(List.of(d.features()), 5).get(0);
                assertEquals(expected, d.score().contributions(), d.transactionId());
                explained++;
            } else {
                assertEquals(List.of(), d.score().contributions(), "ALLOW " + d.transactionId() + " is not explained");
            }
            assertEquals("champion-1", d.modelVersion());
            assertNull(d.challenger());
        }
        assertTrue(explained > 0 && explained < decisions.size(), explained + " of " + decisions.size());
        assertTrue(decisions.stream().anyMatch(d -> d.verdict() == Verdict.BLOCK));
    }

    @Test
    void shouldTimeEachPartOfABatchOnceInOrder() {
        DecisionEngine engine = new DecisionEngine(new ReferenceFeatureStore(), champion, rules, CLOCK);
        List<String> stages = new java.util.ArrayList<>();
        engine.timeStagesWith((stage, nanos) -> {
            assertTrue(nanos >= 0, stage + " took " + nanos + " ns");
            stages.add(stage);
        });
        engine.decideAll(events);
        assertEquals(List.of("decide: features", "decide: model", "decide: rules", "decide: explain"), stages);
    }

    @Test
    void shouldExplainAllowToWhenConfigured() {
        List<Decision> decisions = new DecisionEngine(new ReferenceFeatureStore(), champion, null, rules, CLOCK, true)
                .decideAll(events);
        for (Decision d : decisions) assertEquals(5, d.score().contributions().size(), d.verdict() + " " + d.transactionId());
    }

    @Test
    void shouldRecordTheChallengersScoreAndWouldBeVerdictWithoutChangingTheDecision() {
        List<Decision> alone = new DecisionEngine(new ReferenceFeatureStore(), champion, rules, CLOCK).decideAll(events);
        List<Decision> shadowed = new DecisionEngine(new ReferenceFeatureStore(), champion, challenger, rules, CLOCK, false)
                .decideAll(events);
        int disagree = 0;
        for (int i = 0; i < events.size(); i++) {
            Decision d = shadowed.get(i);
            assertEquals(alone.get(i).verdict(), d.verdict());
            assertEquals(alone.get(i).score(), d.score());
            assertEquals(alone.get(i).hits(), d.hits());
            ShadowScore s = d.challenger();
            double p = challenger.score(d.features()).probability();
            assertEquals("challenger-1", s.modelVersion());
            assertEquals(p, s.probability(), 0);
            assertEquals(rules.verdictFor(p), s.wouldBeVerdict(), d.transactionId());
            if (s.wouldBeVerdict() != d.verdict()) disagree++;
        }
        assertTrue(disagree > 0, "the two models should disagree somewhere, or the test shows nothing");
    }

    @Test
    void shouldDecideWithoutTheChallengerWhenItFails() throws Exception {
        XgboostRiskModel broken = XgboostRiskModel.load(tmp.resolve("challenger"));
        broken.close(); // scoring now throws ModelException CLOSED
        List<Decision> decisions = new DecisionEngine(new ReferenceFeatureStore(), champion, broken, rules, CLOCK, false)
                .decideAll(events);
        assertEquals(events.size(), decisions.size());
        decisions.forEach(d -> assertNull(d.challenger()));
    }

    @Test
    void shouldCarryTierContributionsAndChallengerOnTheDecisionJson() {
        List<Decision> decisions = new DecisionEngine(new ReferenceFeatureStore(), champion, challenger, rules, CLOCK, false)
                .decideAll(events);
        Decision alert = decisions.stream().filter(d -> d.verdict() == Verdict.BLOCK).findFirst().orElseThrow();
        JsonNode json = DecisionJsonTest.parse(alert);
        JsonNode score = json.get("score");
        assertEquals(alert.score().tier().name(), score.get("tier").asText());
        assertEquals(5, score.get("contributions").size());
        JsonNode first = score.get("contributions").get(0);
        Contribution c = alert.score().contributions().get(0);
        assertEquals(c.feature(), first.get("feature").asText());
        assertEquals(c.contribution(), first.get("contribution").asDouble(), 0);
        assertEquals(c.value(), first.get("value").asDouble(), 0);
        assertEquals("challenger-1", json.get("challenger").get("model_version").asText());
        assertEquals(alert.challenger().wouldBeVerdict().name(), json.get("challenger").get("would_be_verdict").asText());

        Decision allow = decisions.stream().filter(d -> d.verdict() == Verdict.ALLOW).findFirst().orElseThrow();
        assertFalse(DecisionJsonTest.parse(allow).get("score").has("contributions"), "no explanation, no array");
        Decision plain = new DecisionEngine(new ReferenceFeatureStore(), champion, rules, CLOCK).decideAll(events).get(0);
        assertFalse(DecisionJsonTest.parse(plain).has("challenger"));
    }

    /** REVIEW from one probability, BLOCK from a higher one: the model's part of a rule set, nothing else. */
    record ThresholdRules(double review, double block) implements RuleEngine {
        Verdict verdictFor(double p) {
            return p >= block ? Verdict.BLOCK : p >= review ? Verdict.REVIEW : Verdict.ALLOW;
        }

        @Override
        public List<Hit> evaluate(TransactionEvent t, Features f, AccountProfile a, ModelScore s) {
            Verdict v = verdictFor(s.probability());
            return v == Verdict.ALLOW ? List.of() : List.of(new Hit("MOD-001", v, "risk score " + s.riskScore()));
        }

        @Override
        public RuleSetVersion version() {
            return new RuleSetVersion("test", "0000");
        }
    }

    /** Accounts with bursts from new devices (what the synthetic fraud looks like) among quiet ones. */
    private static List<TransactionEvent> events() {
        Random r = new Random(5);
        List<TransactionEvent> out = new ArrayList<>();
        Instant t = T0;
        for (int i = 0; i < 300; i++) {
            String account = "acc-" + r.nextInt(40);
            boolean burst = r.nextInt(6) == 0;
            int n = burst ? 2 + r.nextInt(8) : 1;
            for (int k = 0; k < n; k++) {
                t = t.plusSeconds(burst ? 3 : 120 + r.nextInt(600));
                String device = burst || r.nextInt(4) == 0 ? "dev-" + r.nextInt(1000) : "dev-home-" + account;
                out.add(new TransactionEvent("tx-" + out.size(), t, account, "cust-" + account, TransactionType.PURCHASE,
                        new BigDecimal(10 + r.nextInt(300) + ".00"), Currency.getInstance("USD"), null, "m-" + r.nextInt(50),
                        null, null, null, null, device, null, null));
            }
        }
        return out;
    }
}
