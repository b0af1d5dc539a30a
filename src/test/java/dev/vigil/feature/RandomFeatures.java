package dev.vigil.feature;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Feature snapshots with every value random, each of the kind the catalogue gives it. */
public final class RandomFeatures {
    private RandomFeatures() {}

    /** Counts are any long, flags either, decimals drawn from {@code decimals}. */
    public static Arbitrary<Features> snapshots(Arbitrary<BigDecimal> decimals) {
        Map<String, Object> kinds = new Features(0, 0, 0, 0, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                0, 0, BigDecimal.ZERO, BigDecimal.ZERO, false, false, 0).toMap();
        List<Arbitrary<Object>> each = new ArrayList<>();
        for (Object kind : kinds.values()) {
            each.add(kind instanceof Long ? Arbitraries.longs().map(v -> (Object) v)
                    : kind instanceof Boolean ? Arbitraries.of(true, false).map(v -> (Object) v)
                    : decimals.map(v -> (Object) v));
        }
        List<String> names = new ArrayList<>(kinds.keySet());
        return Combinators.combine(each).as(vs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < vs.size(); i++) m.put(names.get(i), vs.get(i));
            return Features.fromMap(m);
        });
    }
}
