package dev.vigil.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.cases.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    @Test
    void shouldDoubleTheWaitAfterTheFreeFailuresUpToTheCap() {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
        LoginThrottle t = new LoginThrottle(clock, 3, Duration.ofSeconds(60));
        for (int i = 0; i < 3; i++) {
            assertEquals(Duration.ZERO, t.waitBefore("Ana", null));
            t.failed("ana", null);
        }
        assertEquals(Duration.ofSeconds(1), t.waitBefore("ana", null));
        for (int expected : new int[] {2, 4, 8, 16, 32, 60, 60}) {
            clock.advance(t.waitBefore("ana", null));
            t.failed("ana", null);
            assertEquals(Duration.ofSeconds(expected), t.waitBefore("ana", null));
        }
        t.succeeded("ana");
        assertEquals(Duration.ZERO, t.waitBefore("ana", null));
    }

    @Test
    void shouldThrottleAnAddressTryingManyNames() {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
        LoginThrottle t = new LoginThrottle(clock, 3, Duration.ofMinutes(15));
        for (int i = 0; i < 12; i++) t.failed("user" + i, "10.1.1.1");
        assertTrue(t.waitBefore("someone-new", "10.1.1.1").compareTo(Duration.ZERO) > 0);
        assertEquals(Duration.ZERO, t.waitBefore("someone-new", "10.2.2.2"));
    }

    @Test
    void shouldForgetARunOfFailuresAnHourOld() {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
        LoginThrottle t = new LoginThrottle(clock, 3, Duration.ofMinutes(15));
        for (int i = 0; i < 3; i++) t.failed("bob", null);
        clock.advance(Duration.ofHours(2));
        t.failed("bob", null);
        assertEquals(Duration.ZERO, t.waitBefore("bob", null));
    }
}
