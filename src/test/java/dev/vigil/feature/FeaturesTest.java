package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.score.ModelScore;
import dev.vigil.score.XgboostRiskModel;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The catalogue's shape: names, bean getters for Drools, old snapshots, model vectors. */
class FeaturesTest {

    private static final List<String> FIRST_FIFTEEN = List.of(
            "tx_count_1m", "tx_count_1h", "tx_count_24h", "tx_count_7d",
            "tx_sum_1m", "tx_sum_1h", "tx_sum_24h", "tx_sum_7d",
            "account_age_days",
            "balance_deposit_count_7d", "balance_deposit_sum_7d", "deposit_to_net_worth_ratio",
            "new_merchant", "new_device", "seconds_since_previous");

    private static Features sample() {
        return new Features(2, 5, 9, 31, new BigDecimal("10.00"), new BigDecimal("20.00"), new BigDecimal("30.00"),
                new BigDecimal("40.00"), 12, 1, new BigDecimal("5.00"), new BigDecimal("0.0010"), true, false, 42);
    }

    @Test
    void shouldKeepTheFirstFifteenNamesFirstAndInOrder() {
        assertEquals(FIRST_FIFTEEN, Features.NAMES.subList(0, 15));
        assertTrue(Features.NAMES.size() >= 50, "catalogue of " + Features.NAMES.size());
        assertEquals(Features.NAMES.size(), Set.copyOf(Features.NAMES).size(), "names are distinct");
    }

    @Test
    void shouldHaveABeanGetterNamedAfterEveryFeature() throws Exception {
        Set<String> properties = Stream.of(Introspector.getBeanInfo(Features.class).getPropertyDescriptors())
                .filter(p -> p.getReadMethod() != null)
                .map(PropertyDescriptor::getName)
                .collect(Collectors.toSet());
        for (String name : Features.NAMES) {
            assertTrue(properties.contains(camel(name)), "Drools reads " + camel(name) + " for " + name);
        }
    }

    @Test
    void shouldReadASnapshotOfTheFirstFifteenWithDefaultsForTheRest() {
        Features f = sample();
        Map<String, Object> old = new LinkedHashMap<>();
        // As the audit store holds it: strings for money, numbers, booleans, only the first fifteen.
        for (String n : FIRST_FIFTEEN) {
            Object v = f.toMap().get(n);
            old.put(n, v instanceof BigDecimal b ? b.toPlainString() : v);
        }
        Features back = Features.fromMap(old);
        assertEquals(f, back);
        assertEquals(-1L, back.daysDormant());
        assertEquals(new BigDecimal("-1.0000"), back.amountToMedianRatio30d());
        assertEquals(0L, back.merchantTxCount1h());
        Map<String, Object> missing = new HashMap<>(old);
        missing.remove("tx_count_7d");
        assertThrows(IllegalArgumentException.class, () -> Features.fromMap(missing), "the first fifteen are required");
    }

    @Test
    void shouldRoundTripEveryFeatureThroughTheMap() {
        Features f = sample();
        assertEquals(Features.NAMES, List.copyOf(f.toMap().keySet()));
        assertEquals(f, Features.fromMap(f.toMap()));
    }

    @Test
    void shouldBuildAVectorInTheOrderAskedFor() {
        Features f = sample();
        assertArrayEquals(new float[] {42f, 1f, 2f, 40f}, f.vector(Features.positions(List.of("seconds_since_previous", "new_merchant",
                "tx_count_1m", "tx_sum_7d"))));
        assertEquals(Features.NAMES.size(), f.toModelVector().length);
        assertThrows(IllegalArgumentException.class, () -> f.vector(Features.positions(List.of("tx_count_1fortnight"))));
    }

    @Test
    void shouldScoreWithTheCommittedFifteenFeatureDemoModel() throws Exception {
        Path demo;
        try (Stream<Path> dirs = Files.list(Path.of("models/vigil-demo"))) {
            demo = dirs.filter(Files::isDirectory).sorted().findFirst().orElseThrow();
        }
        try (XgboostRiskModel model = XgboostRiskModel.load(demo)) {
            Features f = sample();
            ModelScore one = model.score(f);
            ModelScore batch = model.scoreAll(List.of(f, f)).get(1);
            assertEquals(one.probability(), batch.probability(), 1e-6);
            assertTrue(one.probability() >= 0 && one.probability() <= 1);
        }
    }

    private static String camel(String snake) {
        String[] p = snake.split("_");
        StringBuilder b = new StringBuilder(p[0]);
        for (int i = 1; i < p.length; i++) b.append(Character.toUpperCase(p[i].charAt(0))).append(p[i].substring(1));
        return b.toString();
    }
    /**
     * The stores assemble features in {@link Features.Values} (an array by position) rather than a map: the same
     * values by name must give the same snapshot, and a missing or unknown name must still be refused.
     */
    @net.jqwik.api.Property(tries = 200)
    void shouldBuildTheSameFeaturesFromValuesAsFromAMap(@net.jqwik.api.ForAll("snapshots") Features f) {
        Features.Values v = new Features.Values();
        f.toMap().forEach(v::put);
        assertEquals(f, Features.exact(v));
        assertEquals(f, Features.exact(f.toMap()));

        Features.Values lacking = new Features.Values();
        f.toMap().forEach((name, value) -> {
            if (!name.equals("merchant_fraud_streak_delayed")) lacking.put(name, value);
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Features.exact(lacking));
        assertTrue(e.getMessage().contains("merchant_fraud_streak_delayed"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> v.put("no_such_feature", 1L));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Features> snapshots() {
        return RandomFeatures.snapshots(net.jqwik.api.Arbitraries.bigDecimals().between(new BigDecimal("-1e9"), new BigDecimal("1e9"))
                .ofScale(4));
    }
}
