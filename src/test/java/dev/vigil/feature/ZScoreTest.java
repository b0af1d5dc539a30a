package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * {@link FeatureMath#zScore} answers from doubles when they provably round as the 20-digit BigDecimal computation it
 * replaced, and falls back to that computation otherwise: compared here with that computation, written out again,
 * on amounts as the store keeps them and on quotients built to lie exactly on, or a hair from, a rounding boundary.
 */
class ZScoreTest {

    /** The z-score as it was computed before the doubles: the square root at 20 digits, then an exact division. */
    private static BigDecimal twentyDigits(long n, BigInteger s, BigInteger q, long x) {
        BigInteger nb = BigInteger.valueOf(n);
        BigInteger var = nb.multiply(q).subtract(s.multiply(s));
        if (n < 2 || var.signum() <= 0) return new BigDecimal("0.0000");
        return new BigDecimal(nb.multiply(BigInteger.valueOf(x)).subtract(s))
                .divide(new BigDecimal(var).sqrt(new MathContext(20, RoundingMode.HALF_EVEN)), 4, RoundingMode.HALF_UP);
    }

    @Provide
    Arbitrary<List<Long>> amounts() {
        // Whole units as the store keeps them (capped at 10^8), from many equal ones to a wide spread.
        return Arbitraries.oneOf(
                        Arbitraries.longs().between(0, 100_000_000L),
                        Arbitraries.longs().between(95, 105),
                        Arbitraries.of(10L, 10L, 10L, 11L))
                .list().ofMinSize(2).ofMaxSize(300);
    }

    @Property(tries = 2000)
    void shouldGiveWhatTheTwentyDigitRootGaveOnAmounts(@ForAll("amounts") List<Long> earlier,
            @ForAll @LongRange(min = 0, max = 100_000_000L) long x) {
        long n = earlier.size();
        BigInteger s = BigInteger.ZERO;
        BigInteger q = BigInteger.ZERO;
        for (long a : earlier) {
            s = s.add(BigInteger.valueOf(a));
            q = q.add(BigInteger.valueOf(a).pow(2));
        }
        assertEquals(twentyDigits(n, s, q, x), FeatureMath.zScore(n, s, q, x));
    }

    /**
     * var = (20000 m)^2 and num = (2k + 1) m + d: the quotient is (2k + 1 + d / m) / 20000, exactly half a unit of the
     * 4th decimal past k when d = 0, and a relative 1 / m or less from it otherwise: too near for doubles to decide
     * once m is large, so both ways are met.
     */
    @Property(tries = 2000)
    void shouldFallBackNearAHalfAndAnswerExactlyFromDoublesOtherwise(
            @ForAll @IntRange(min = -500_000, max = 500_000) int k,
            @ForAll @LongRange(min = 1, max = 1_000_000_000_000L) long m,
            @ForAll @IntRange(min = -1, max = 1) int d) {
        BigInteger root = BigInteger.valueOf(m).multiply(BigInteger.valueOf(20_000));
        BigInteger num = BigInteger.valueOf(2L * k + 1).multiply(BigInteger.valueOf(m)).add(BigInteger.valueOf(d));
        BigDecimal quick = FeatureMath.quotientOfRoot(num, root.pow(2));
        Statistics.label("answered from doubles").collect(quick != null);
        if (d == 0) assertNull(quick, "exactly on a half: doubles must not decide");
        if (quick != null) assertEquals(new BigDecimal(num).divide(new BigDecimal(root), 4, RoundingMode.HALF_UP), quick);
        Statistics.label("answered from doubles").coverage(c -> {
            c.check(true).percentage(p -> p >= 10);
            c.check(false).percentage(p -> p >= 10);
        });
    }

    @Test
    void shouldAnswerFromDoublesAwayFromAHalfAndKeepFourDecimals() {
        // 7 / sqrt(2) = 4.94974746...: far from a half.
        assertEquals(new BigDecimal("4.9497"), FeatureMath.quotientOfRoot(BigInteger.valueOf(7), BigInteger.TWO));
        assertEquals(new BigDecimal("-4.9497"), FeatureMath.quotientOfRoot(BigInteger.valueOf(-7), BigInteger.TWO));
        assertEquals(new BigDecimal("0.0000"), FeatureMath.quotientOfRoot(BigInteger.ZERO, BigInteger.TWO));
        // 1.00005 exactly (num 20001, root 20000): doubles must leave it to BigDecimal, which gives 1.0001 (HALF_UP).
        assertNull(FeatureMath.quotientOfRoot(BigInteger.valueOf(20_001), BigInteger.valueOf(20_000).pow(2)));
        // Amounts 0 and 40000, then x = 20001: num = 2, var = 40000^2, so z = 0.00005 exactly, through the fallback.
        assertNull(FeatureMath.quotientOfRoot(BigInteger.TWO, BigInteger.valueOf(40_000).pow(2)));
        assertEquals(new BigDecimal("0.0001"),
                FeatureMath.zScore(2, BigInteger.valueOf(40_000), BigInteger.valueOf(40_000).pow(2), 20_001));
        // Past the doubles' range: left to BigDecimal.
        assertNull(FeatureMath.quotientOfRoot(BigInteger.ONE.shiftLeft(1100), BigInteger.ONE.shiftLeft(2000)));
    }
}
