package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link Aggregates} replaced a {@code Map<Integer, BigInteger>} built with {@code merge(k, v, BigInteger::add)}: fed
 * the same additions, in any order, it must give the same sums, key by key, including sums past 2^63 - 1.
 */
class AggregatesTest {

    @Provide
    Arbitrary<List<long[]>> additions() {
        Arbitrary<long[]> addition = Combinators.combine(
                        Arbitraries.integers().between(0, 40),
                        Arbitraries.oneOf(
                                Arbitraries.longs().between(1, 1_000),
                                Arbitraries.longs().between(Long.MAX_VALUE / 3, Long.MAX_VALUE))) // sums past 2^63
                .as((k, v) -> new long[] {1000L * (k / 8) + k % 8, v});
        return addition.list().ofMaxSize(80);
    }

    @Property(tries = 500)
    void shouldSumAsAMapOfBigIntegers(@ForAll("additions") List<long[]> additions) {
        Map<Integer, BigInteger> expected = new HashMap<>();
        Aggregates actual = new Aggregates(2); // small, so it also grows
        for (long[] a : additions) {
            expected.merge((int) a[0], BigInteger.valueOf(a[1]), BigInteger::add);
            actual.add((int) a[0], a[1]);
        }
        assertEquals(new TreeMap<>(expected), actual.toMap());
        assertEquals(Aggregates.of(expected), actual);
        for (int k = 0; k < 6000; k++) {
            BigInteger sum = expected.getOrDefault(k, BigInteger.ZERO);
            assertEquals(sum, actual.get(k));
            assertEquals(new BigDecimal(sum, 2), actual.money(k, 2));
            if (sum.bitLength() < 64) {
                assertEquals(sum.longValueExact(), actual.longValueExact(k));
            } else {
                int key = k;
                assertThrows(ArithmeticException.class, () -> actual.longValueExact(key));
            }
        }
        // The keys in ascending order from any start, as the median's histogram scan reads them.
        List<Integer> sorted = List.copyOf(new TreeMap<>(expected).keySet());
        for (int from = 0; from < 6000; from += 500) {
            int i = actual.indexFrom(from);
            int f = from;
            List<Integer> tail = sorted.stream().filter(k -> k >= f).toList();
            for (int k : tail) assertEquals(k, actual.keyAt(i++));
            assertEquals(actual.size(), i);
        }
    }

    @Test
    void shouldKeepAnAbsentKeyAtZeroWithTheScaleOfItsCurrency() {
        Aggregates none = new Aggregates(0);
        assertEquals(BigInteger.ZERO, none.get(1000));
        assertEquals(0, none.longValueExact(1000));
        assertEquals(new BigDecimal("0.00"), none.money(1000, 2));
        assertEquals(new BigDecimal("0"), none.money(1000, 0));
    }
    /**
     * {@link BucketTable#aggregate} merges an event's increments into the sums in one pass when they come in key order,
     * as {@link EntityState#increments} gives them for the account's and the other entities' series.
     */
    @Test
    void shouldGiveEveryEventsIncrementsInKeyOrder() {
        java.time.Instant t = java.time.Instant.parse("2025-03-03T10:15:00Z");
        List<dev.vigil.event.TransactionEvent> events = List.of(
                Tx.tx("a", "1", t).build(),
                Tx.tx("a", "2", t).type(dev.vigil.event.TransactionType.CASH_DEPOSIT).amount("9500.00", "USD").build(),
                Tx.tx("a", "3", t).type(dev.vigil.event.TransactionType.BALANCE_DEPOSIT).amount("120.50", "EUR").at(48.85, 2.35, "FR").build(),
                Tx.tx("a", "4", t).type(dev.vigil.event.TransactionType.TRANSFER_IN).amount("77", "JPY").counterparty("b").build());
        for (dev.vigil.event.TransactionEvent e : events) {
            long[] all = Series.increments(e);
            for (Series[] series : List.of(FeatureMath.ACCOUNT_SERIES, FeatureMath.ENTITY_SERIES)) {
                for (boolean perCurrency : new boolean[] {false, true}) {
                    long[] increments = EntityState.increments(series, all, perCurrency);
                    for (int i = 2; i < increments.length; i += 2) {
                        assertTrue(increments[i - 2] < increments[i], "keys " + increments[i - 2] + " then " + increments[i]);
                    }
                }
            }
        }
    }

    /** Out of key order the increments are still each added once: the same sums, built by binary searches. */
    @Test
    void shouldAggregateTheSameWhateverTheIncrementsOrder() {
        long t = 1_741_000_000L;
        long[] history = {1000, 1, 2000, 1, 6000, 1, 14010, 1}; // the minute, hour, 5 minutes, and the hour-of-day bin 10
        long[] sorted = {1000, 1, 2000, 1, 4000, 1, 6000, 1, 14007, 1};
        long[] reversed = {14007, 1, 6000, 1, 4000, 1, 2000, 1, 1000, 1};
        BucketTable one = new BucketTable();
        BucketTable other = new BucketTable();
        for (long s = 0; s < 3; s++) {
            one.aggregate(t - 30 + s, 0, history);
            other.aggregate(t - 30 + s, 0, history);
        }
        Aggregates inOrder = one.aggregate(t, 0, sorted);
        assertEquals(inOrder, other.aggregate(t, 0, reversed));
        assertEquals(BigInteger.valueOf(4), inOrder.get(1000), "three earlier events in the minute's series, and this one");
        assertEquals(BigInteger.ONE, inOrder.get(14007), "a bin no earlier event used");
    }
}
