package dev.vigil.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@code freeFailures} wrong passwords in a row for a username (or
 * from one address), each further attempt must wait, doubling from one second up to
 * {@code maxDelay}. A correct password clears the username's count. Kept in memory per Vigil
 * process; a restart forgets it, the stored hashes' cost still applies.
 */
final class LoginThrottle {
    private record Failures(int count, Instant last) {}

    private static final Duration FORGET = Duration.ofHours(1);

    private final Clock clock;
    private final int freeFailures;
    private final Duration maxDelay;
    private final Map<String, Failures> byKey = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock, int freeFailures, Duration maxDelay) {
        this.clock = clock;
        this.freeFailures = freeFailures;
        this.maxDelay = maxDelay;
    }

    /** Zero when an attempt may be made now, else how long to wait. */
    Duration waitBefore(String username, String address) {
        Duration a = waitFor("u:" + username.toLowerCase(Locale.ROOT));
        Duration b = address == null ? Duration.ZERO : waitFor("a:" + address);
        return a.compareTo(b) >= 0 ? a : b;
    }

    void failed(String username, String address) {
        Instant now = clock.instant();
        add("u:" + username.toLowerCase(Locale.ROOT), now);
        // An address gets more room (see waitFor): several people may share one.
        if (address != null) add("a:" + address, now);
    }

    private void add(String key, Instant now) {
        // A run of failures an hour old is forgotten: the throttle is against guessing, not a lockout.
        byKey.merge(key, new Failures(1, now), (o, n) -> Duration.between(o.last, now).compareTo(FORGET) > 0
                ? new Failures(1, now) : new Failures(o.count + 1, now));
    }

    void succeeded(String username) {
        byKey.remove("u:" + username.toLowerCase(Locale.ROOT));
    }

    private Duration waitFor(String key) {
        Failures f = byKey.get(key);
        int free = key.startsWith("a:") ? freeFailures * 4 : freeFailures;
        if (f == null || f.count < free) return Duration.ZERO;
        int over = Math.min(30, f.count - free);
        Duration delay = Duration.ofSeconds(1L << over);
        if (delay.compareTo(maxDelay) > 0) delay = maxDelay;
        Duration left = Duration.between(clock.instant(), f.last.plus(delay));
        if (left.isNegative() || left.isZero()) return Duration.ZERO;
        return left;
    }
}
