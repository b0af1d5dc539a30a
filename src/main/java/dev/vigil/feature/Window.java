package dev.vigil.feature;

import java.time.Duration;
import java.time.Instant;

/**
 * The feature windows. A window of length W is cut into {@value #SPAN} buckets of W/60; the window
 * of an event in bucket b is the buckets b-59..b (see {@link Features}).
 */
enum Window {
    MINUTE(Duration.ofMinutes(1)),
    HOUR(Duration.ofHours(1)),
    DAY(Duration.ofHours(24)),
    WEEK(Duration.ofDays(7));

    static final int SPAN = 60;

    private final Duration length;

    Window(Duration length) {
        this.length = length;
    }

    Duration length() {
        return length;
    }

    long bucketSeconds() {
        return length.toSeconds() / SPAN;
    }

    long bucket(Instant t) {
        return Math.floorDiv(t.getEpochSecond(), bucketSeconds());
    }

    /** True when {@code other} falls in the window of an event at {@code t}. */
    boolean covers(Instant t, Instant other) {
        long b = bucket(t);
        long o = bucket(other);
        return o >= b - (SPAN - 1) && o <= b;
    }
}
