package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@code amount_to_median_ratio_30d} finds its median bin by reading the histogram's keys in order instead of
 * filling an array of all 254 bins: it must pick the bin the array scan picked, for any histogram, with or
 * without a key in the event's own bin, and keys of other series around it.
 */
class MedianBinTest {

    private static final int FIRST = Series.AMOUNT_HIST_30D.key(0);

    /** The scan it replaced, as it was: the bin, or -1 where it returned the unknown ratio for an empty histogram. */
    private static int arrayMedianBin(Aggregates sums, int ownKey, long own) {
        long[] bins = new long[254];
        long n = 0;
        for (int i = sums.indexFrom(FIRST); i < sums.size(); i++) {
            int k = sums.keyAt(i);
            if (k >= Series.AMOUNT_HIST_30D.key(bins.length)) break;
            bins[k - FIRST] = sums.longValueExactAt(i);
            n += bins[k - FIRST];
        }
        bins[ownKey - FIRST] -= own;
        n -= own;
        if (n == 0) return -1;
        long need = (n + 1) / 2;
        int bin = 0;
        for (long seen = 0; bin < bins.length; bin++) {
            seen += bins[bin];
            if (seen >= need) break;
        }
        return bin;
    }

    @Provide
    Arbitrary<List<long[]>> histograms() {
        Arbitrary<long[]> entry = Combinators.combine(
                        Arbitraries.oneOf(Arbitraries.integers().between(0, 253).map(b -> FIRST + b),  // amount bins
                                Arbitraries.of(FIRST - 1000, FIRST - 1, FIRST + 254, FIRST + 1000)),   // other series
                        Arbitraries.oneOf(Arbitraries.longs().between(1, 5), Arbitraries.longs().between(-3, 3)))
                .as((k, v) -> new long[] {k, v});
        return entry.list().ofMaxSize(30);
    }

    @Property(tries = 3000)
    void shouldPickTheBinTheArrayScanPicked(@ForAll("histograms") List<long[]> entries,
            @ForAll("bins") int ownBin, @ForAll("owns") long own, @ForAll boolean ownCounted) {
        Aggregates sums = new Aggregates(4);
        for (long[] e : entries) sums.add((int) e[0], e[1]);
        if (ownCounted) sums.add(FIRST + ownBin, own); // as the stores build it: the event's increment included
        assertEquals(arrayMedianBin(sums, FIRST + ownBin, own), FeatureMath.medianBin(sums, FIRST + ownBin, own));
    }

    @Provide
    Arbitrary<Integer> bins() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 253), Arbitraries.of(0, 1, 253));
    }

    @Provide
    Arbitrary<Long> owns() {
        return Arbitraries.oneOf(Arbitraries.of(1L), Arbitraries.longs().between(0, 3));
    }
}
