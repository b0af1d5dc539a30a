package dev.vigil.rules;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules of a rules folder, rebuilt in the background when an analyst saves a change and
 * swapped in between events. A change that does not build is refused: it is logged with its
 * problems, reported to the listeners, and the rules already running stay in force.
 *
 * <p>Each evaluation reads the current rule base once, so one decision never mixes two rule sets;
 * {@link #evaluateVersioned} returns the version of exactly the rules that judged.
 *
 * <p>Changes are seen through a {@link WatchService} on the folder and its subfolders, and, because
 * editors save by rename and some file systems (network mounts, some containers) deliver no
 * events, by comparing a fingerprint of the folder's bytes every poll interval. A rebuild waits for
 * a quiet period, so a save that touches several files is one rebuild.
 */
public final class ReloadingRuleEngine implements LiveRuleEngine {
    private static final Logger log = LoggerFactory.getLogger(ReloadingRuleEngine.class);

    /** How often the folder is compared with what was last built, events or not. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(2);
    /** How long the folder must stay unchanged before a rebuild starts. */
    public static final Duration DEFAULT_QUIET = Duration.ofMillis(300);

    private final Path dir;
    private final RuleSwap swap;
    private volatile String lastSeen;
    private volatile boolean closed;
    private volatile WatchService watch;
    private Thread watcher;

    private ReloadingRuleEngine(Path dir, Clock clock, String fingerprint, DroolsRuleEngine first) {
        this.dir = dir;
        this.lastSeen = fingerprint;
        this.swap = new RuleSwap(dir.toString(), clock, first);
    }

    /**
     * Builds the rules of {@code rulesDir}; nothing is watched until {@link #startWatching}.
     *
     * @throws RuleBuildException when the folder does not build (there is no older rule set to keep)
     */
    public static ReloadingRuleEngine load(Path rulesDir) {
        return load(rulesDir, Clock.systemUTC());
    }

    public static ReloadingRuleEngine load(Path rulesDir, Clock clock) {
        Path dir = rulesDir.toAbsolutePath().normalize();
        // Fingerprint before building: a save during the build then shows as a change, never as a miss.
        String fingerprint = RuleFiles.fingerprint(dir);
        return new ReloadingRuleEngine(dir, Objects.requireNonNull(clock, "clock"), fingerprint, DroolsRuleEngine.load(dir));
    }

    /** Called, on the watcher's thread, after every reload that applied or refused a change. */
    @Override
    public ReloadingRuleEngine addListener(Consumer<RuleReload> listener) {
        swap.addListener(listener);
        return this;
    }

    /** The folder's absolute path. */
    @Override
    public String source() {
        return dir.toString();
    }

    /** Starts watching with {@link #DEFAULT_POLL} and {@link #DEFAULT_QUIET}. */
    public ReloadingRuleEngine startWatching() {
        return startWatching(DEFAULT_POLL, DEFAULT_QUIET);
    }

    /**
     * Starts the background watcher (once).
     *
     * @param poll how often the folder's fingerprint is compared even without file events
     * @param quiet how long the folder must stay unchanged before a rebuild
     */
    public ReloadingRuleEngine startWatching(Duration poll, Duration quiet) {
        return startWatching(poll, quiet, true);
    }

    /** With {@code fileEvents} false, only the periodic comparison sees changes (as on a file system without events). */
    synchronized ReloadingRuleEngine startWatching(Duration poll, Duration quiet, boolean fileEvents) {
        if (closed) throw new IllegalStateException("closed");
        if (watcher != null) return this;
        if (poll.isNegative() || poll.isZero() || quiet.isNegative()) {
            throw new IllegalArgumentException("poll must be positive and quiet not negative: " + poll + ", " + quiet);
        }
        try {
            if (fileEvents) {
                watch = FileSystems.getDefault().newWatchService();
                registerTree(dir);
            }
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("Rules folder {} cannot be watched ({}); checking it every {} ms instead", dir, e.toString(),
                    poll.toMillis());
            closeWatch();
        }
        watcher = new Thread(() -> watchLoop(poll, quiet), "vigil-rules-watch");
        watcher.setDaemon(true);
        watcher.start();
        log.info("Watching rules folder {} ({}poll {} ms, quiet {} ms)", dir, watch == null ? "no file events, " : "",
                poll.toMillis(), quiet.toMillis());
        return this;
    }

    @Override
    public DroolsRuleEngine current() {
        return swap.current();
    }

    /** The rules folder watched. */
    public Path dir() {
        return dir;
    }

    /**
     * Rebuilds from the folder now, on the caller's thread, and swaps the result in if it builds.
     *
     * @return what happened, or empty when the folder builds to the version already running
     */
    public Optional<RuleReload> reloadNow() {
        return swap.offer(dir.getFileName() + "/", () -> DroolsRuleEngine.load(dir));
    }

    private void watchLoop(Duration poll, Duration quiet) {
        while (!closed) {
            try {
                awaitChange(poll);
                String seen = RuleFiles.fingerprint(dir);
                if (seen.equals(lastSeen)) continue;
                // Wait for a quiet period: no file event and no change in the bytes.
                while (!closed) {
                    boolean more = awaitChange(quiet);
                    String again = RuleFiles.fingerprint(dir);
                    if (!more && again.equals(seen)) break;
                    seen = again;
                }
                if (closed) break;
                lastSeen = seen;
                reloadNow();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                if (closed) break;
                log.warn("Rules watcher interrupted while running; it goes on");
            } catch (RuntimeException e) {
                log.error("Rules watcher error (the running rules stay in force): {}", e.toString(), e);
            }
        }
        log.debug("Rules watcher for {} stopped", dir);
    }

    /** Waits up to {@code d} for a file event; true if one came. Without a watch service it only waits. */
    private boolean awaitChange(Duration d) throws InterruptedException {
        WatchService w = watch;
        if (w == null) {
            Thread.sleep(Math.max(1, d.toMillis()));
            return false;
        }
        WatchKey key = w.poll(Math.max(1, d.toMillis()), TimeUnit.MILLISECONDS);
        if (key == null) return false;
        while (key != null) {
            Path base = (Path) key.watchable();
            for (WatchEvent<?> e : key.pollEvents()) {
                if (e.kind() == StandardWatchEventKinds.ENTRY_CREATE && e.context() instanceof Path p) {
                    Path created = base.resolve(p);
                    if (Files.isDirectory(created)) {
                        try {
                            registerTree(created);
                        } catch (IOException ex) {
                            log.warn("Cannot watch new rules subfolder {}: {}", created, ex.toString());
                        }
                    }
                }
            }
            key.reset();
            key = w.poll();
        }
        return true;
    }

    private void registerTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isDirectory).toList()) {
                p.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
            }
        }
    }

    private void closeWatch() {
        WatchService w = watch;
        watch = null;
        if (w != null) {
            try {
                w.close();
            } catch (IOException e) {
                log.debug("closing the rules watch service: {}", e.toString());
            }
        }
    }

    /** Stops the watcher; the rules running now stay usable. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) return;
            closed = true;
            swap.close();
            t = watcher;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeWatch();
    }
}
