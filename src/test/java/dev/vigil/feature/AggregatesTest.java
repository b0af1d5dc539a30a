package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
