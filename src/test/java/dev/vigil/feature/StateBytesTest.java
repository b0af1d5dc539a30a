package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.math.BigDecimal;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The replay record wrote a decimal's unscaled value as {@code BigInteger.toByteArray()}; the writer now writes
 * the same bytes from a long where it fits. Records already in Redis and records written now must read alike.
 */
class StateBytesTest {

    @Provide
    Arbitrary<Long> longs() {
        Arbitrary<Long> powers = Arbitraries.integers().between(0, 63).flatMap(k -> Arbitraries.of(
                1L << k, (1L << k) - 1, -(1L << k), -(1L << k) - 1, (1L << k) + 1));
        return Arbitraries.oneOf(Arbitraries.longs(), powers, Arbitraries.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    @Property(tries = 2000)
    void shouldWriteALongAsItsBigIntegerBytes(@ForAll("longs") long v) {
        assertArrayEquals(new StateBytes.Writer().bytes(BigInteger.valueOf(v).toByteArray()).toBytes(),
                new StateBytes.Writer().twosComplement(v).toBytes());
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        Arbitrary<BigInteger> unscaled = Arbitraries.oneOf(
                longs().map(BigInteger::valueOf),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))); // past a long
        return net.jqwik.api.Combinators.combine(unscaled, Arbitraries.integers().between(-6, 12))
                .as(BigDecimal::new);
    }

    @Property(tries = 2000)
    void shouldWriteADecimalsUnscaledValueAsItsBigIntegerBytes(@ForAll("decimals") BigDecimal d) {
        assertArrayEquals(new StateBytes.Writer().bytes(d.unscaledValue().toByteArray()).toBytes(),
                new StateBytes.Writer().unscaled(d).toBytes());
    }
}
