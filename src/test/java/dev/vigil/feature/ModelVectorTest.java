package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A model's row, read by position, holds for every feature what its value in the snapshot map says. */
class ModelVectorTest {

    @Property(tries = 300)
    void eachColumnIsTheNamedValueAsAFloat(@ForAll("snapshots") Features f, @ForAll("columns") List<String> names) {
        Map<String, Object> values = f.toMap();
        float[] expected = new float[names.size()];
        for (int i = 0; i < expected.length; i++) {
            Object v = values.get(names.get(i));
            expected[i] = v instanceof Boolean b ? (b ? 1 : 0) : v instanceof Long l ? (float) l : ((BigDecimal) v).floatValue();
        }
        assertArrayEquals(expected, f.vector(Features.positions(names)));
    }

    @Provide
    Arbitrary<List<String>> columns() {
        // A card's columns: any of the catalogue, in any order, possibly all of it.
        return Arbitraries.oneOf(Arbitraries.of(Features.NAMES).list().uniqueElements().ofMaxSize(Features.NAMES.size()),
                Arbitraries.just(Features.NAMES));
    }

    @Provide
    Arbitrary<Features> snapshots() {
        Arbitrary<BigDecimal> decimals = Combinators.combine(
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(20).negate(), BigInteger.TEN.pow(20)),
                Arbitraries.integers().between(-4, 12)).as(BigDecimal::new);
        return RandomFeatures.snapshots(decimals);
    }
}
