package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The encodings the Redis store relies on, in-process. */
class RedisFeatureStoreEncodingTest {

    /** The times sorted set is ordered by lex: the encoding must sort as the instants do. */
    @Property
    void timeEncodingSortsAsTimeAndRoundTrips(
            @ForAll @LongRange(min = 0, max = 999_999_999_999L) long s1, @ForAll @IntRange(min = 0, max = 999_999_999) int n1,
            @ForAll @LongRange(min = 0, max = 999_999_999_999L) long s2, @ForAll @IntRange(min = 0, max = 999_999_999) int n2) {
        Instant a = Instant.ofEpochSecond(s1, n1);
        Instant b = Instant.ofEpochSecond(s2, n2);
        String ea = RedisFeatureStore.encodeTime(a);
        String eb = RedisFeatureStore.encodeTime(b);
        assertEquals(Integer.signum(a.compareTo(b)), Integer.signum(ea.compareTo(eb)), ea + " vs " + eb);
        assertEquals(22, ea.length());
        assertEquals(a, RedisFeatureStore.decodeTime(ea));
    }

    /** Two accounts never share a key, and the tag is never cut short by the id. */
    @Property
    void hashTagsAreDistinctAndWhole(@ForAll String a, @ForAll String b) {
        String ta = RedisFeatureStore.hashTag(a);
        if (!a.equals(b)) assertNotEquals(ta, RedisFeatureStore.hashTag(b));
        assertEquals(ta.length() - 1, ta.indexOf('}'), "the only closing brace ends the tag: " + ta);
        assertEquals(0, ta.indexOf('{'));
        assertEquals(-1, ta.indexOf(':', 3), "no colon after the prefix: " + ta);
    }

    @Example
    void amountsBecomeMinorUnitsOnlyWhenExact() {
        Currency usd = Currency.getInstance("USD");
        assertEquals(1050, RedisFeatureStore.minorUnits(new BigDecimal("10.5"), usd));
        assertEquals(1050, RedisFeatureStore.minorUnits(new BigDecimal("10.500"), usd));
        assertEquals(7, RedisFeatureStore.minorUnits(new BigDecimal("7"), Currency.getInstance("JPY")));
        assertEquals(1234, RedisFeatureStore.minorUnits(new BigDecimal("1.234"), Currency.getInstance("BHD")));
        var tooFine = assertThrows(IllegalArgumentException.class,
                () -> RedisFeatureStore.minorUnits(new BigDecimal("10.001"), usd));
        assertTrue(tooFine.getMessage().contains("10.001 USD"), tooFine.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RedisFeatureStore.minorUnits(new BigDecimal("1"), Currency.getInstance("XAU")));
        assertThrows(IllegalArgumentException.class,
                () -> RedisFeatureStore.minorUnits(new BigDecimal("92233720368547758.08"), usd));
    }

    @Example
    void optionsRefuseRetentionsThatBreakTheContract() {
        var d = RedisFeatureStore.Options.defaults();
        var shortReplay = assertThrows(IllegalArgumentException.class, () -> new RedisFeatureStore.Options(
                d.allowedLateness(), d.windowGrace(), d.historyRetention(), Duration.ofDays(7), d.timeout()));
        assertTrue(shortReplay.getMessage().contains("replayRetention"), shortReplay.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RedisFeatureStore.Options(
                Duration.ofMillis(1500), d.windowGrace(), d.historyRetention(), d.replayRetention(), d.timeout()));
        assertThrows(IllegalArgumentException.class, () -> new RedisFeatureStore.Options(
                Duration.ofSeconds(-1), d.windowGrace(), d.historyRetention(), d.replayRetention(), d.timeout()));
        assertThrows(IllegalArgumentException.class, () -> new RedisFeatureStore.Options(
                d.allowedLateness(), d.windowGrace(), d.historyRetention(), d.replayRetention(), Duration.ZERO));
    }
}
