package dev.vigil.rules;

import static dev.vigil.rules.Facts.cleanAccount;
import static dev.vigil.rules.Facts.features;
import static dev.vigil.rules.Facts.lowScore;
import static dev.vigil.rules.Facts.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.decision.Hit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running Vigil picks up a saved change to its rules folder, refuses a broken one while the old
 * rules keep deciding, and never lets one decision see two rule sets. Works on a temporary copy of
 * the shipped rules, with the real file watcher.
 */
class ReloadingRuleEngineTest {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration QUIET = Duration.ofMillis(150);
    /** Bounded wait for the watcher: builds take up to a few seconds on a busy machine. */
    private static final long WAIT_SECONDS = 15;

    @TempDir
    Path tmp;

    private ReloadingRuleEngine engine;
    private final LinkedBlockingQueue<RuleReload> reloads = new LinkedBlockingQueue<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    @AfterEach
    void close() {
        if (engine != null) engine.close();
    }

    private RulesDir watchedCopy() {
        RulesDir rules = RulesDir.copyOfShipped(tmp);
        // Count first, then hand the reload to the test thread: listeners run in order, and the test
        // reads the counters as soon as it takes the reload.
        engine = ReloadingRuleEngine.load(rules.dir).addListener(r -> {
            if (r.outcome() == RuleReload.Outcome.APPLIED) applied.incrementAndGet();
            else refused.incrementAndGet();
        }).addListener(reloads::add);
        return rules;
    }

    /** Saves as editors do: a temporary file beside the target, renamed over it. */
    private static void save(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(".~" + file.getFileName() + ".tmp");
        Files.writeString(temp, text);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String velocityWithLimit(Path file, int limit) throws IOException {
        return withLimit(Files.readString(file), limit);
    }

    private static String withLimit(String drl, int limit) {
        assertTrue(drl.contains("txCount1m > 5") && drl.contains("(limit 5)"), "the shipped VEL-001 changed: " + drl);
        return drl.replace("txCount1m > 5", "txCount1m > " + limit).replace("(limit 5)", "(limit " + limit + ")");
    }

    private RuleReload nextReload() throws InterruptedException {
        RuleReload r = reloads.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(r, "no reload within " + WAIT_SECONDS + " s");
        return r;
    }

    /** Five transactions in the last minute: VEL-001 fires only when its limit is below 5. */
    private List<Hit> fiveInAMinute(RuleEngine rules) {
        return rules.evaluate(tx().build(), features().txCount1m(5).build(), cleanAccount(), lowScore());
    }

    private static boolean velocityFired(List<Hit> hits) {
        return hits.stream().anyMatch(h -> h.ruleId().equals("VEL-001"));
    }

    @Test
    void shouldApplyASavedThresholdChangeAndChangeTheVersion() throws Exception {
        // Given the shipped rules, watched; 5 transactions in a minute is within the limit of 5
        RulesDir rules = watchedCopy();
        engine.startWatching(POLL, QUIET);
        RuleSetVersion before = engine.version();
        assertFalse(velocityFired(fiveInAMinute(engine)));

        // When an analyst lowers the limit to 4 and saves
        save(rules.path("drl/velocity.drl"), velocityWithLimit(rules.path("drl/velocity.drl"), 4));

        // Then the change is applied: new version, and the same transaction now fires VEL-001
        RuleReload r = nextReload();
        assertEquals(RuleReload.Outcome.APPLIED, r.outcome(), () -> "problems: " + r.problems());
        assertEquals(before, r.previous());
        assertNotEquals(before, r.running());
        assertEquals(before.label(), r.running().label(), "VERSION was not touched");
        assertEquals(r.running(), engine.version());
        List<Hit> hits = fiveInAMinute(engine);
        assertTrue(velocityFired(hits), hits::toString);
        assertTrue(hits.get(0).reason().contains("(limit 4)"), hits::toString);
        assertEquals(1, applied.get());
        assertEquals(0, refused.get());
    }

    @Test
    void shouldSeeASavedChangeByPollingWhenTheFileSystemSendsNoEvents() throws Exception {
        // Given the shipped rules, watched by comparison only (as on a network share)
        RulesDir rules = watchedCopy();
        engine.startWatching(POLL, QUIET, false);
        RuleSetVersion before = engine.version();

        // When an analyst lowers the VEL-001 limit to 4 in place
        Files.writeString(rules.path("drl/velocity.drl"), velocityWithLimit(rules.path("drl/velocity.drl"), 4));

        // Then the poll sees it and applies it
        RuleReload r = nextReload();
        assertEquals(RuleReload.Outcome.APPLIED, r.outcome(), () -> "problems: " + r.problems());
        assertEquals(before, r.previous());
        assertTrue(velocityFired(fiveInAMinute(engine)));
    }

    @Test
    void shouldRefuseABrokenFileKeepTheRunningRulesAndApplyTheFix() throws Exception {
        // Given the shipped rules, watched
        RulesDir rules = watchedCopy();
        engine.startWatching(POLL, QUIET);
        RuleSetVersion original = engine.version();
        Path velocity = rules.path("drl/velocity.drl");
        String shipped = Files.readString(velocity);

        // When a constraint loses its right-hand side
        save(velocity, shipped.replace("txCount1m > 5", "txCount1m > "));

        // Then the change is refused, naming the file, and the old rules keep deciding (limit 5)
        RuleReload r = nextReload();
        assertEquals(RuleReload.Outcome.REFUSED, r.outcome());
        assertEquals(original, r.previous());
        assertEquals(original, r.running());
        assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("rules/drl/velocity.drl")), r.problems()::toString);
        assertEquals(original, engine.version());
        assertFalse(velocityFired(fiveInAMinute(engine)));
        assertTrue(velocityFired(engine.evaluate(tx().build(), features().txCount1m(6).build(), cleanAccount(),
                lowScore())));
        assertEquals(1, refused.get());
        JsonNode event = new ObjectMapper().readTree(r.toJson());
        assertEquals("REFUSED", event.get("outcome").asText());
        assertEquals(original.contentHash(), event.get("hash").asText());
        assertTrue(event.get("problems").get(0).asText().startsWith("rules/drl/velocity.drl"), event::toString);

        // When the analyst fixes it (with a limit of 4)
        save(velocity, withLimit(shipped, 4));

        // Then the fix is applied on top of the rules that were running
        RuleReload fixed = nextReload();
        assertEquals(RuleReload.Outcome.APPLIED, fixed.outcome(), () -> "problems: " + fixed.problems());
        assertEquals(original, fixed.previous());
        assertTrue(velocityFired(fiveInAMinute(engine)));
        assertEquals(1, applied.get());
        assertEquals(1, refused.get());
    }

    @Test
    void shouldRebuildOnceForASaveThatTouchesSeveralFiles() throws Exception {
        // Given the shipped rules, watched
        RulesDir rules = watchedCopy();
        engine.startWatching(POLL, QUIET);
        RuleSetVersion original = engine.version();

        // When a release changes a threshold and the VERSION label back to back
        save(rules.path("drl/velocity.drl"), velocityWithLimit(rules.path("drl/velocity.drl"), 4));
        save(rules.path("VERSION"), "2099.1.1\n");

        // Then one reload brings in both, and no second one follows
        RuleReload r = nextReload();
        assertEquals(RuleReload.Outcome.APPLIED, r.outcome(), () -> "problems: " + r.problems());
        assertEquals(original, r.previous());
        assertEquals("2099.1.1", r.running().label());
        assertTrue(velocityFired(fiveInAMinute(engine)));
        assertNull(reloads.poll(POLL.plus(QUIET).multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void shouldPickUpAChangeInANewSubfolderFileAndStopWatchingOnClose() throws Exception {
        // Given the shipped rules, watched
        RulesDir rules = watchedCopy();
        engine.startWatching(POLL, QUIET);

        // When a file that is not a rule file changes (the README), nothing is reloaded;
        // when a new DRL file is added, it is
        Files.writeString(rules.path("README.md"), "notes\n");
        rules.drl("extra.drl", """
                rule "EXT-001 Extra"
                when
                    Features( txCount1m > 100 )
                then
                    RuleActions.raise(drools, Verdict.REVIEW, "extra");
                end
                """);
        RuleReload r = nextReload();
        assertEquals(RuleReload.Outcome.APPLIED, r.outcome(), () -> "problems: " + r.problems());
        assertTrue(engine.current().rules().stream().anyMatch(l -> l.id().equals("EXT-001")));

        // Then close stops the watcher thread
        engine.close();
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("vigil-rules-watch") && t.isAlive()));
    }

    @Test
    void shouldGiveEveryEvaluationTheResultOfOneWholeRuleSetDuringReloads() throws Exception {
        // Given two versions of the rules: A (the shipped, limit 5) and B (limit 4). Five
        // transactions in a minute fire VEL-001 under B and not under A.
        RulesDir rules = watchedCopy();
        Path velocity = rules.path("drl/velocity.drl");
        String a = Files.readString(velocity);
        String b = velocityWithLimit(velocity, 4);
        RuleSetVersion versionA = engine.version();
        Set<RuleSetVersion> seen = ConcurrentHashMap.newKeySet();

        // When 3 threads evaluate without pause while the rules swap A -> B -> A -> B
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<List<String>>> workers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            workers.add(pool.submit(() -> {
                List<String> wrong = new ArrayList<>();
                long n = 0;
                while (!stop.get() || n == 0) {
                    RuleEvaluation e = engine.evaluateVersioned(tx().build(), features().txCount1m(5).build(),
                            cleanAccount(), lowScore());
                    n++;
                    seen.add(e.version());
                    boolean isA = e.version().equals(versionA);
                    if (velocityFired(e.hits()) == isA) wrong.add(e.version() + " gave " + e.hits());
                }
                return wrong;
            }));
        }
        List<RuleSetVersion> applied = new ArrayList<>();
        try {
            for (String text : List.of(b, a, b)) {
                Files.writeString(velocity, text);
                RuleReload r = engine.reloadNow().orElseThrow();
                assertEquals(RuleReload.Outcome.APPLIED, r.outcome(), () -> "problems: " + r.problems());
                applied.add(r.running());
            }
        } finally {
            stop.set(true);
            pool.shutdown();
        }

        // Then no evaluation failed, each was consistent with the version it reports, and only
        // the two versions were ever seen
        for (Future<List<String>> w : workers) {
            List<String> wrong = w.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(wrong.isEmpty(), () -> wrong.size() + " inconsistent results, e.g. " + wrong.get(0));
        }
        assertEquals(List.of(applied.get(0), versionA, applied.get(0)), applied);
        assertTrue(Set.of(versionA, applied.get(0)).containsAll(seen), seen::toString);
    }
}
