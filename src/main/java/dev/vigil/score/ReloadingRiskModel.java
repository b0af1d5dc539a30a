package dev.vigil.score;

import dev.vigil.feature.Features;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A risk model that follows its model folder without a restart. The folder is resolved as
 * {@link ModelDirectory#resolve} does (a version folder, a {@code CURRENT} pointer, or the newest
 * version); when that resolves to another version, or the card changes, the new version is loaded
 * and verified in the background (card, booster hash, features, a probe score) and swapped in at
 * once. A version that fails is refused and the running one stays.
 *
 * <p>Callers that score and then explain one batch take {@link #current()} once, so the batch is
 * scored and explained by one version. A replaced version is closed only after a grace period, so
 * a batch that took it just before the swap finishes on it.
 */
public final class ReloadingRiskModel implements RiskModel {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingRiskModel.class);

    /** How often the folder is checked. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(5);
    /** How long a replaced version stays usable for batches that took it before the swap. */
    static final Duration GRACE = Duration.ofSeconds(30);

    private final Path dir;
    private final Clock clock;
    private final AtomicReference<Loaded> current;
    private final List<Consumer<ModelReload>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    private final Object reloadLock = new Object();
    private volatile String lastSeen;
    private volatile boolean closed;
    private boolean watching;

    private record Loaded(XgboostRiskModel model, String fingerprint) {}

    private ReloadingRiskModel(Path dir, Clock clock, Loaded first) {
        this.dir = dir;
        this.clock = clock;
        this.current = new AtomicReference<>(first);
        this.lastSeen = first.fingerprint();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vigil-model-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Loads the version the folder resolves to now; nothing is watched until {@link #startWatching}.
     *
     * @throws ModelException or {@link IllegalArgumentException} when there is no loadable version
     *     (there is no older one to keep)
     */
    public static ReloadingRiskModel load(Path modelDir) {
        return load(modelDir, Clock.systemUTC());
    }

    public static ReloadingRiskModel load(Path modelDir, Clock clock) {
        Path dir = modelDir.toAbsolutePath().normalize();
        Path version = ModelDirectory.resolve(dir);
        String fingerprint = fingerprint(version);
        return new ReloadingRiskModel(dir, clock, new Loaded(verified(version), fingerprint));
    }

    /** Called, on the watcher's thread, after every reload that applied or refused a change. */
    public ReloadingRiskModel addListener(Consumer<ModelReload> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Checks the folder every {@code poll} on a background thread (once). */
    public synchronized ReloadingRiskModel startWatching(Duration poll) {
        if (closed) throw new IllegalStateException("closed");
        if (watching) return this;
        if (poll.isNegative() || poll.isZero()) throw new IllegalArgumentException("poll must be positive: " + poll);
        watching = true;
        timer.scheduleWithFixedDelay(() -> {
            try {
                reloadNow();
            } catch (RuntimeException e) {
                LOG.error("Model watcher error (model {} stays in force): {}", version(), e.toString(), e);
            }
        }, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Watching model folder {} every {} ms", dir, poll.toMillis());
        return this;
    }

    /**
     * Looks at the folder now, on the caller's thread, and swaps in the version it resolves to if that
     * differs from the running one and verifies.
     *
     * @return what happened, or empty when nothing changed since the last look
     */
    public Optional<ModelReload> reloadNow() {
        synchronized (reloadLock) {
            if (closed) return Optional.empty();
            Loaded running = current.get();
            Path version;
            String seen;
            try {
                version = ModelDirectory.resolve(dir);
                seen = fingerprint(version);
            } catch (RuntimeException e) {
                String problem = "the model folder does not resolve to a version: " + e.getMessage();
                if (problem.equals(lastSeen)) return Optional.empty();
                lastSeen = problem;
                return Optional.of(refused(running, dir, problem));
            }
            if (seen.equals(lastSeen)) return Optional.empty();
            // Remembered whether it loads or not: a refused version is not retried until it changes again.
            lastSeen = seen;
            if (seen.equals(running.fingerprint())) return Optional.empty();
            XgboostRiskModel next;
            try {
                next = verified(version);
            } catch (RuntimeException e) {
                return Optional.of(refused(running, version, e.getMessage()));
            }
            current.set(new Loaded(next, seen));
            retire(running.model());
            ModelReload r = new ModelReload(ModelReload.Outcome.APPLIED, running.model().version(), next.version(), version,
                    null, clock.instant());
            LOG.info("Model swapped: {} -> {} from {}", r.from(), r.to(), version);
            notifyListeners(r);
            return Optional.of(r);
        }
    }

    private ModelReload refused(Loaded running, Path version, String problem) {
        ModelReload r = new ModelReload(ModelReload.Outcome.REFUSED, running.model().version(), running.model().version(),
                version, problem, clock.instant());
        LOG.error("Model change in {} refused, {} stays in force: {}", version, r.from(), problem);
        notifyListeners(r);
        return r;
    }

    /** Loads and checks a version: the loader's checks, then a probe row must score a probability. */
    static XgboostRiskModel verified(Path version) {
        XgboostRiskModel m = XgboostRiskModel.load(version);
        try {
            float p = m.predict(new float[m.card().features().size()], 1)[0];
            if (!(p >= 0 && p <= 1)) {
                throw new ModelException(ModelException.Code.BAD_BOOSTER, "model " + m.version() + " scores a probe row " + p);
            }
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The version folder's path and its card's bytes: a new card in place is a new model too. */
    private static String fingerprint(Path version) {
        try {
            byte[] card = Files.readAllBytes(version.resolve(ModelCard.FILE_NAME));
            return version + "|" + ModelTrainer.sha256Hex(card);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the card in " + version, e);
        }
    }

    private void retire(XgboostRiskModel old) {
        try {
            timer.schedule(old::close, GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            old.close(); // shutting down: no batch will use it
        }
    }

    private void notifyListeners(ModelReload r) {
        for (Consumer<ModelReload> l : listeners) {
            try {
                l.accept(r);
            } catch (RuntimeException e) {
                LOG.warn("Model reload listener failed on {}: {}", r.outcome(), e.toString());
            }
        }
    }

    @Override
    public ModelScore score(Features features) {
        return current.get().model().score(features);
    }

    @Override
    public List<ModelScore> scoreAll(List<Features> features) {
        return current.get().model().scoreAll(features);
    }

    @Override
    public List<List<Contribution>> explainAll(List<Features> features, int top) {
        return current.get().model().explainAll(features, top);
    }

    /** The loaded version in force now. */
    @Override
    public XgboostRiskModel current() {
        return current.get().model();
    }

    @Override
    public String version() {
        return current.get().model().version();
    }

    /** The model folder followed. */
    public Path dir() {
        return dir;
    }

    /** Stops watching and closes the running version and any replaced one still in its grace period. */
    @Override
    public void close() {
        synchronized (reloadLock) {
            if (closed) return;
            closed = true;
        }
        List<Runnable> pendingCloses = timer.shutdownNow();
        for (Runnable r : pendingCloses) r.run(); // the delayed closes of replaced versions
        current.get().model().close();
    }
}
