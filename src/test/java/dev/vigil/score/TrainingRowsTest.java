package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vigil.feature.Features;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TrainingRowsTest {

    private static final List<String> COLS = Features.NAMES.subList(0, 5);

    /** Rows whose column j takes values from a pool of size (j % 3) + 1: columns 0 and 3 are constant. */
    private static TrainingRows rows(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[n * COLS.size()];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < COLS.size(); j++) v[i * COLS.size() + j] = r.nextInt(j % 3 + 1) + (j == 4 && r.nextInt(5) == 0 ? Float.NaN : 0);
        }
        boolean[] y = new boolean[n];
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextBoolean();
            t[i] = i;
        }
        return new TrainingRows(COLS, v, y, t);
    }

    @Property(tries = 50)
    void projectionKeepsEachRowsValuesOfTheChosenColumns(@ForAll @IntRange(min = 1, max = 40) int n, @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 31) int mask) {
        TrainingRows all = rows(n, seed);
        List<String> keep = new ArrayList<>();
        for (int j = COLS.size() - 1; j >= 0; j--) if ((mask >> j & 1) == 1) keep.add(COLS.get(j)); // reversed order too
        if (keep.isEmpty()) return;
        TrainingRows p = all.project(keep);
        assertEquals(keep, p.features());
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < keep.size(); k++) {
                float expected = all.values()[i * COLS.size() + COLS.indexOf(keep.get(k))];
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(p.values()[i * keep.size() + k]));
            }
        }
        assertArrayEquals(all.labels(), p.labels());
        assertArrayEquals(all.eventTimeMillis(), p.eventTimeMillis());
    }

    // Reference: a column varies when its set of distinct values (NaN one value) has more than one element.
    @Property(tries = 50)
    void varyingFeaturesAreTheColumnsWithMoreThanOneDistinctValue(@ForAll @IntRange(min = 1, max = 40) int n, @ForAll long seed) {
        TrainingRows all = rows(n, seed);
        List<String> expected = new ArrayList<>();
        for (int j = 0; j < COLS.size(); j++) {
            Set<Float> distinct = new HashSet<>();
            for (int i = 0; i < n; i++) distinct.add(all.values()[i * COLS.size() + j]);
            if (distinct.size() > 1) expected.add(COLS.get(j));
        }
        assertEquals(expected, all.varyingFeatures());
    }

    @Test
    void projectionOntoTheSameColumnsIsTheRowsThemselves() {
        TrainingRows all = rows(10, 1);
        assertSame(all, all.project(COLS));
        assertThrows(IllegalArgumentException.class, () -> all.project(List.of("no_such_feature")));
        assertEquals(List.of(), rows(1, 1).varyingFeatures(), "one row: nothing varies");
    }
}
