package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.decision.Hit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;

/**
 * One engine, many threads: each thread must get exactly the hits a lone caller gets. A jqwik
 * example (not a JUnit test) because it draws its inputs from the property test's generators.
 */
class ConcurrentEvaluationTest {

    @Example
    void shouldGiveEveryThreadTheSameHitsAsASingleCaller() throws Exception {
        // Given 1,500 events crowded around every threshold, and the hits one thread gets for each,
        // checked against the reference policy
        DroolsRuleEngine rules = ShippedRules.engine();
        Arbitrary<ShippedRulesPropertyTest.Case> arbitrary = ShippedRulesPropertyTest.CaseArbitraries.cases();
        Random seed = new Random(20261120L);
        List<ShippedRulesPropertyTest.Case> cases = arbitrary.generator(1000, true)
                .stream(seed).limit(1500).map(s -> s.value()).toList();
        List<List<Hit>> alone = new ArrayList<>();
        for (var c : cases) {
            List<Hit> hits = rules.evaluate(c.tx(), c.features(), c.account(), c.score());
            assertEquals(ReferencePolicy.expected(c.tx(), c.features(), c.account(), c.score()), ReferencePolicy.asMap(hits));
            alone.add(hits);
        }

        // When 4 threads, released together, each evaluate all of them in their own order
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long shuffleSeed = t;
            results.add(pool.submit(() -> {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < cases.size(); i++) order.add(i);
                Collections.shuffle(order, new Random(shuffleSeed));
                start.await();
                List<String> mismatches = new ArrayList<>();
                for (int i : order) {
                    var c = cases.get(i);
                    List<Hit> hits = rules.evaluate(c.tx(), c.features(), c.account(), c.score());
                    if (!hits.equals(alone.get(i))) mismatches.add("case " + i + ": " + hits + " vs " + alone.get(i));
                }
                return mismatches;
            }));
        }
        start.countDown();

        // Then no thread saw a different hit list (same ids, verdicts and reasons, same order)
        List<String> mismatches = new ArrayList<>();
        for (Future<List<String>> f : results) mismatches.addAll(f.get(2, TimeUnit.MINUTES));
        pool.shutdown();
        assertEquals(List.of(), mismatches);
    }
}
