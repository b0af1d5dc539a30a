package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.feature.Features;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingRiskModelTest {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @TempDir
    static Path trained;

    @TempDir
    Path models;

    static List<Features> rows;

    @BeforeAll
    static void trainTwoVersions() {
        SyntheticFraud.Data a = SyntheticFraud.generate(3000, 31, T0);
        ModelTrainer.train(a.rows(), a.labels(), a.times(), TrainingOptions.defaults().withVersion("model-a").withCreatedAt(T0))
                .writeTo(trained.resolve("a"));
        SyntheticFraud.Data b = SyntheticFraud.generate(3000, 32, T0);
        ModelTrainer.train(b.rows(), b.labels(), b.times(), TrainingOptions.defaults().withVersion("model-b").withCreatedAt(T0))
                .writeTo(trained.resolve("b"));
        rows = SyntheticFraud.generate(200, 33, T0).rows();
    }

    private void install(String which, String folder) throws Exception {
        Path dir = models.resolve(folder);
        Files.createDirectories(dir);
        // Booster first, card last: as the trainer writes, so a half-copied version has no card yet.
        Files.copy(trained.resolve(which).resolve("model.ubj"), dir.resolve("model.ubj"));
        Files.copy(trained.resolve(which).resolve("model.json"), dir.resolve("model.json"));
    }

    @Test
    void shouldSwapInANewerVersionAndKeepTheReplacedOneUsableForABatchInFlight() throws Exception {
        install("a", "2026.11.01");
        try (ReloadingRiskModel m = ReloadingRiskModel.load(models)) {
            assertEquals("model-a", m.version());
            RiskModel inFlight = m.current();
            assertEquals(Optional.empty(), m.reloadNow(), "nothing changed");

            install("b", "2026.11.02");
            ModelReload r = m.reloadNow().orElseThrow();
            assertEquals(ModelReload.Outcome.APPLIED, r.outcome());
            assertEquals("model-a", r.from());
            assertEquals("model-b", r.to());
            assertEquals("model-b", m.version());
            assertEquals("model-b", m.score(rows.get(0)).modelVersion());
            // The new version brings its own trees: one row is walked in Java through b's trees, and the
            // probability is b's booster's, bit for bit (not a's).
            XgboostRiskModel b = m.current();
            assertTrue(b.walksTrees());
            for (Features f : rows.subList(0, 20)) {
                float[] row = f.vector(Features.positions(b.card().features()));
                assertEquals((double) b.predict(row, 1)[0], m.score(f).probability());
            }
            assertTrue(rows.stream().anyMatch(f -> m.score(f).probability() != inFlight.score(f).probability()),
                    "versions a and b score differently");
            // A batch that took version a just before the swap finishes on it.
            assertEquals("model-a", inFlight.scoreAll(rows).get(0).modelVersion());
            assertEquals(5, inFlight.explainAll(rows.subList(0, 1), 5).get(0).size());
        }
    }

    @Test
    void shouldRefuseABrokenVersionAndKeepTheRunningOne() throws Exception {
        install("a", "2026.11.01");
        try (ReloadingRiskModel m = ReloadingRiskModel.load(models)) {
            List<ModelReload> heard = new CopyOnWriteArrayList<>();
            m.addListener(heard::add);
            install("b", "2026.11.02");
            Path booster = models.resolve("2026.11.02/model.ubj");
            byte[] bytes = Files.readAllBytes(booster);
            bytes[bytes.length / 2] ^= 1; // no longer the booster its card describes
            Files.write(booster, bytes);

            ModelReload r = m.reloadNow().orElseThrow();
            assertEquals(ModelReload.Outcome.REFUSED, r.outcome());
            assertTrue(r.problem().contains("BAD_BOOSTER"), r.problem());
            assertEquals("model-a", m.version());
            assertEquals("model-a", m.scoreAll(rows).get(0).modelVersion());
            assertEquals(List.of(r), heard);
            assertEquals(Optional.empty(), m.reloadNow(), "a refused version is not retried until it changes");

            // Fixed in place: the card is rewritten (same bytes, so copy the whole version again under a new name).
            install("b", "2026.11.03");
            assertEquals(ModelReload.Outcome.APPLIED, m.reloadNow().orElseThrow().outcome());
            assertEquals("model-b", m.version());
        }
    }

    @Test
    void shouldFollowTheCurrentPointerForARollback() throws Exception {
        install("a", "2026.11.01");
        install("b", "2026.11.02");
        try (ReloadingRiskModel m = ReloadingRiskModel.load(models)) {
            assertEquals("model-b", m.version(), "the newest version without a pointer");
            Files.writeString(models.resolve("CURRENT"), "2026.11.01\n");
            assertEquals("model-a", m.reloadNow().orElseThrow().to());
            Files.writeString(models.resolve("CURRENT"), "no-such-version\n");
            ModelReload r = m.reloadNow().orElseThrow();
            assertEquals(ModelReload.Outcome.REFUSED, r.outcome());
            assertEquals("model-a", m.version());
        }
    }

    // While one thread scores without pause, the watcher swaps versions: no call fails, and every
    // score names a version that was in force.
    @Test
    void shouldSwapWhileScoringWithoutAFailedCall() throws Exception {
        install("a", "2026.11.01");
        try (ReloadingRiskModel m = ReloadingRiskModel.load(models).startWatching(Duration.ofMillis(20))) {
            Set<String> seen = ConcurrentHashMap.newKeySet();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread scorer = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        RiskModel pinned = m.current();
                        List<ModelScore> s = pinned.scoreAll(rows);
                        pinned.explainAll(rows.subList(0, 3), 5);
                        seen.add(s.get(0).modelVersion());
                    } catch (Throwable t) {
                        failure.set(t);
                        return;
                    }
                }
            });
            scorer.start();
            install("b", "2026.11.02");
            awaitVersion(m, "model-b");
            Files.writeString(models.resolve("CURRENT"), "2026.11.01");
            awaitVersion(m, "model-a");
            stop.set(true);
            scorer.join();
            assertEquals(null, failure.get());
            assertTrue(seen.contains("model-b"), "scored by the new version: " + seen);
            assertTrue(Set.of("model-a", "model-b").containsAll(seen), seen.toString());
        }
    }

    private static void awaitVersion(ReloadingRiskModel m, String version) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!m.version().equals(version)) {
            if (System.nanoTime() > deadline) throw new AssertionError("still " + m.version() + ", expected " + version);
            Thread.sleep(10);
        }
        Thread.sleep(50); // let the scorer use it
    }
}
