package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A replay record returns the first enrichment's values exactly, a decimal with its scale, whether its unscaled value
 * fits a long (written as a varint) or not (its bytes); and a record of format 2 (a type byte before every value),
 * in Redis for up to 8 days after an upgrade, reads back the same as the record written now.
 */
class ReplayRecordTest {

    @Provide
    Arbitrary<BigDecimal> decimals() {
        Arbitrary<Long> powers = Arbitraries.integers().between(0, 63).flatMap(k -> Arbitraries.of(
                1L << k, (1L << k) - 1, -(1L << k), -(1L << k) - 1, (1L << k) + 1));
        Arbitrary<BigInteger> unscaled = Arbitraries.oneOf(
                Arbitraries.longs().map(BigInteger::valueOf),
                powers.map(BigInteger::valueOf),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE).map(BigInteger::valueOf),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))); // past a long
        return Combinators.combine(unscaled, Arbitraries.integers().between(-6, 12)).as(BigDecimal::new);
    }

    /** Features whose every value is 0 but a few: {@code tx_sum_1m} and two others take {@code d}, {@code tx_count_1m} takes {@code n}. */
    private static Features features(BigDecimal d, long n, boolean flag) {
        Map<String, Object> values = new HashMap<>();
        for (String name : Features.NAMES) values.put(name, "0");
        values.put("tx_sum_1m", d);
        values.put("deposit_to_net_worth_ratio", d.negate());
        values.put("merchant_tx_sum_30d", d);
        values.put("tx_count_1m", n);
        values.put("seconds_since_previous", -n);
        values.put("new_merchant", flag);
        values.put("merchant_whitelisted", !flag);
        return Features.fromMap(values);
    }

    @Property(tries = 2000)
    void shouldReturnEveryValueWithItsScale(@ForAll("decimals") BigDecimal d, @ForAll long n, @ForAll boolean flag) {
        Features f = features(d, n, flag);
        Features back = ReplayRecord.decode("a", ReplayRecord.encode(f, null)).features();
        assertEquals(f.toMap(), back.toMap()); // BigDecimal.equals compares the scale too
        assertEquals(d.scale(), back.getTxSum1m().scale());
    }

    @Property(tries = 500)
    void shouldReadARecordOfFormatTwoAsTheSameValues(@ForAll("decimals") BigDecimal d, @ForAll long n, @ForAll boolean flag) {
        Features f = features(d, n, flag);
        StateBytes.Writer w = new StateBytes.Writer().unsigned(2).unsigned(Features.NAMES.size());
        f.visitValues(new Features.ValueVisitor() {
            @Override
            public void count(long value) {
                w.unsigned(0).signed(value);
            }

            @Override
            public void decimal(BigDecimal value) {
                w.unsigned(3).signed(value.scale()).bytes(value.unscaledValue().toByteArray());
            }

            @Override
            public void flag(boolean value) {
                w.unsigned(value ? 2 : 1);
            }
        });
        w.bool(false);
        byte[] formatTwo = w.toBytes();
        byte[] now = ReplayRecord.encode(f, null);
        assertEquals(f.toMap(), ReplayRecord.decode("a", formatTwo).features().toMap());
        assertTrue(now.length < formatTwo.length, now.length + " bytes now, " + formatTwo.length + " in format 2");
    }

    @Property(tries = 1)
    void shouldWriteAZeroCountOrFlagInOneByteAndAZeroDecimalInTwo() {
        // No type bytes: the format and the number of values (1 byte each), one byte per count or flag, two per decimal
        // (its scale, its value), and one for "no profile".
        Features zeros = features(BigDecimal.ZERO, 0, false);
        long decimals = zeros.toMap().values().stream().filter(v -> v instanceof BigDecimal).count();
        assertEquals(2 + Features.NAMES.size() + decimals + 1, ReplayRecord.encode(zeros, null).length);
        assertEquals(List.copyOf(zeros.toMap().values()), List.copyOf(ReplayRecord.decode("a", ReplayRecord.encode(zeros, null))
                .features().toMap().values()));
    }
}
