package dev.vigil.rules;

import dev.vigil.decision.Hit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.kie.api.runtime.ClassObjectFilter;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.FactHandle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost of judging one event with the whole shipped rule set ({@code rules/}), two ways:
 * <ul>
 *   <li>{@code sessionPerEvent}: what {@link DroolsRuleEngine#evaluate} does, a new session for every
 *       event, disposed after it;
 *   <li>{@code sessionPerMicroBatch}: one session kept for {@code batch} events, its facts and hits
 *       deleted after each event (rules never see two events at once).
 * </ul>
 * Sample-time mode, so JMH reports percentiles per event (p99 is the target: under 50 µs). Inputs are
 * the property test's cases, crowded around every threshold, so a realistic share of them fire rules.
 * Not run by {@code mvn verify}; run by hand from the project root (rules/README.md, "Speed").
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class RuleEvaluationBenchmark {

    @State(Scope.Benchmark)
    public static class Rules {
        DroolsRuleEngine engine;
        List<ShippedRulesPropertyTest.Case> cases;

        @Setup(Level.Trial)
        public void load() {
            engine = DroolsRuleEngine.load(ShippedRules.DIR);
            cases = ShippedRulesPropertyTest.CaseArbitraries.cases().sampleStream().limit(4096).toList();
        }
    }

    /** Each thread walks the cases in turn. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        ShippedRulesPropertyTest.Case next(Rules rules) {
            ShippedRulesPropertyTest.Case c = rules.cases.get(next);
            next = (next + 1) % rules.cases.size();
            return c;
        }
    }

    /** A session kept for {@link #batch} events, then disposed and replaced: the micro-batch. */
    @State(Scope.Thread)
    public static class BatchSession {
        @Param({"500"})
        int batch;

        KieSession session;
        int used;

        @Setup(Level.Trial)
        public void open(Rules rules) {
            session = rules.engine.kieBase().newKieSession();
        }

        KieSession session(Rules rules) {
            if (used++ == batch) {
                session.dispose();
                session = rules.engine.kieBase().newKieSession();
                used = 1;
            }
            return session;
        }

        @TearDown(Level.Trial)
        public void close() {
            session.dispose();
        }
    }

    @Benchmark
    public List<Hit> sessionPerEvent(Rules rules, Cursor cursor) {
        ShippedRulesPropertyTest.Case c = cursor.next(rules);
        return rules.engine.evaluate(c.tx(), c.features(), c.account(), c.score());
    }

    @Benchmark
    public void sessionPerMicroBatch(Rules rules, Cursor cursor, BatchSession batch, Blackhole hole) {
        ShippedRulesPropertyTest.Case c = cursor.next(rules);
        KieSession s = batch.session(rules);
        List<FactHandle> handles = new ArrayList<>(4);
        handles.add(s.insert(c.tx()));
        handles.add(s.insert(c.features()));
        handles.add(s.insert(c.score()));
        if (c.account() != null) handles.add(s.insert(c.account()));
        s.fireAllRules(DroolsRuleEngine.MAX_FIRINGS_PER_EVENT);
        List<Hit> hits = new ArrayList<>();
        // Copied first: deleting while walking the session's handles would change what is walked.
        for (FactHandle h : new ArrayList<FactHandle>(s.getFactHandles(new ClassObjectFilter(Hit.class)))) {
            hits.add((Hit) s.getObject(h));
            handles.add(h);
        }
        for (FactHandle h : handles) s.delete(h);
        hole.consume(hits);
    }
}
