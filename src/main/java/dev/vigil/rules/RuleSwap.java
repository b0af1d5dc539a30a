package dev.vigil.rules;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one swap path of rules that change while Vigil runs, whether they come from a watched folder
 * ({@link ReloadingRuleEngine}) or a watched release ({@link KjarRuleEngine}): build the candidate
 * off the event path, then either swap it in with one reference write (each evaluation reads the
 * reference once, so a decision never mixes two rule sets) or refuse it and keep what runs; tell the
 * listeners either way.
 */
final class RuleSwap {
    private static final Logger log = LoggerFactory.getLogger(RuleSwap.class);

    private final String source;
    private final Clock clock;
    private final AtomicReference<DroolsRuleEngine> current;
    private final List<Consumer<RuleReload>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** @param source what the rules come from, for the log: a folder or Maven coordinates */
    RuleSwap(String source, Clock clock, DroolsRuleEngine first) {
        this.source = Objects.requireNonNull(source, "source");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.current = new AtomicReference<>(Objects.requireNonNull(first, "first"));
    }

    DroolsRuleEngine current() {
        return current.get();
    }

    void addListener(Consumer<RuleReload> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** From now on a failed build is the owner shutting down, not a broken change: nobody is told. */
    void close() {
        closed = true;
    }

    /**
     * Builds a candidate and swaps it in if it builds, refuses it otherwise.
     *
     * @param what names the candidate in a problem when it cannot even be read ({@code rules/}, a release)
     * @return what happened, or empty when the candidate is the version already running
     */
    synchronized Optional<RuleReload> offer(String what, Supplier<DroolsRuleEngine> build) {
        DroolsRuleEngine running = current.get();
        DroolsRuleEngine next;
        try {
            next = build.get();
        } catch (RuleBuildException e) {
            return Optional.of(refuse(e.problems()));
        } catch (RuntimeException e) {
            // A file vanishing mid-read (a save by rename), an artifact that cannot be read: the next change retries.
            return Optional.of(refuse(List.of(what + ": cannot be read: " + e)));
        }
        if (next.version().equals(running.version())) {
            log.debug("Rules from {} changed but build to the running version {}", source, running.version());
            return Optional.empty();
        }
        current.set(next);
        RuleReload r = new RuleReload(RuleReload.Outcome.APPLIED, running.version(), next.version(), List.of(),
                clock.instant());
        log.info("Rules reloaded: {} -> {} ({} rules, from {})", running.version(), next.version(), next.rules().size(),
                source);
        notifyListeners(r);
        return Optional.of(r);
    }

    /** Refuses a change that did not build; the rules running stay in force. */
    synchronized RuleReload refuse(List<String> problems) {
        DroolsRuleEngine running = current.get();
        RuleReload r = new RuleReload(RuleReload.Outcome.REFUSED, running.version(), running.version(), problems,
                clock.instant());
        if (closed) return r;
        log.error("{}: rules change from {} refused, {} stays in force; {} problem(s):\n  - {}", RuleBuildException.CODE,
                source, running.version(), problems.size(), String.join("\n  - ", problems));
        notifyListeners(r);
        return r;
    }

    private void notifyListeners(RuleReload r) {
        for (Consumer<RuleReload> l : listeners) {
            try {
                l.accept(r);
            } catch (RuntimeException e) {
                log.warn("Rule reload listener failed on {}: {}", r.outcome(), e.toString());
            }
        }
    }
}
