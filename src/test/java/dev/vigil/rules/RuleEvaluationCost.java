package dev.vigil.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A rough measure, not a test: the cost of {@link DroolsRuleEngine#evaluate} per event after
 * warm-up, on one thread and on several. Run by hand:
 * {@code java -cp target/classes:target/test-classes:<test class path> dev.vigil.rules.RuleEvaluationCost [threads]}.
 */
public final class RuleEvaluationCost {
    private RuleEvaluationCost() {}

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        long t0 = System.nanoTime();
        DroolsRuleEngine rules = DroolsRuleEngine.load(ShippedRules.DIR);
        System.out.printf("build: %.0f ms, %d rules%n", (System.nanoTime() - t0) / 1e6, rules.rules().size());

        // The property test's inputs: around every threshold, so a realistic share of them hit rules.
        List<ShippedRulesPropertyTest.Case> cases = ShippedRulesPropertyTest.CaseArbitraries.cases()
                .sampleStream().limit(5000).toList();
        long hitsSeen = 0;
        for (int round = 0; round < 6; round++) {
            long start = System.nanoTime();
            for (var c : cases) hitsSeen += rules.evaluate(c.tx(), c.features(), c.account(), c.score()).size();
            double micros = (System.nanoTime() - start) / 1e3 / cases.size();
            System.out.printf("1 thread, round %d: %.1f µs per event%n", round, micros);
        }

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            List<Future<Long>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    long n = 0;
                    for (var c : cases) n += rules.evaluate(c.tx(), c.features(), c.account(), c.score()).size();
                    return n;
                }));
            }
            for (Future<Long> f : futures) hitsSeen += f.get();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%d threads, round %d: %.0f events/s%n", threads, round, threads * cases.size() / seconds);
        }
        pool.shutdown();
        System.out.println("(hits seen: " + hitsSeen + ")");
    }
}
