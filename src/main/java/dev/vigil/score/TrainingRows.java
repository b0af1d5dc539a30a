package dev.vigil.score;

import dev.vigil.feature.Features;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Labelled feature rows in the compact form training needs: one float per feature per row, row-major,
 * the columns being {@code features} in order (a selection of {@link Features#NAMES}). Arrays, not
 * records per row: a replay of two million transactions fits in a few hundred megabytes this way.
 * The arrays are taken as they are, not copied; do not change them afterwards.
 *
 * @param features the columns, in order
 * @param values {@code rows × features.size()} floats, row-major
 * @param labels true for fraud, one per row
 * @param eventTimeMillis each row's event time in epoch milliseconds; the validation split follows it
 */
public record TrainingRows(List<String> features, float[] values, boolean[] labels, long[] eventTimeMillis) {
    public TrainingRows {
        features = List.copyOf(Objects.requireNonNull(features, "features"));
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(eventTimeMillis, "eventTimeMillis");
        if (features.isEmpty()) throw new IllegalArgumentException("no features");
        if (new HashSet<>(features).size() != features.size()) throw new IllegalArgumentException("duplicate feature in " + features);
        for (String f : features) {
            if (!Features.NAMES.contains(f)) throw new IllegalArgumentException("unknown feature '" + f + "'; known: " + Features.NAMES);
        }
        if (labels.length != eventTimeMillis.length || (long) labels.length * features.size() != values.length) {
            throw new IllegalArgumentException(values.length + " values, " + labels.length + " labels and "
                    + eventTimeMillis.length + " times do not make rows of " + features.size() + " features");
        }
    }

    /** Rows from feature records, all columns of {@link Features#NAMES}. */
    public static TrainingRows of(List<Features> rows, List<Boolean> labels, List<Instant> eventTimes) {
        return of(Features.NAMES, rows, labels, eventTimes);
    }

    /** Rows from feature records, the columns {@code features}. */
    public static TrainingRows of(List<String> features, List<Features> rows, List<Boolean> labels, List<Instant> eventTimes) {
        int n = rows.size();
        if (labels.size() != n || eventTimes.size() != n) {
            throw new ModelException(ModelException.Code.BAD_TRAINING_DATA, n + " rows, " + labels.size()
                    + " labels and " + eventTimes.size() + " event times: they must be parallel lists");
        }
        int cols = features.size();
        float[] values = new float[n * cols];
        boolean[] y = new boolean[n];
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            if (rows.get(i) == null || labels.get(i) == null || eventTimes.get(i) == null) {
                throw new ModelException(ModelException.Code.BAD_TRAINING_DATA, "row " + i + " has a null feature row, label or event time");
            }
            System.arraycopy(rows.get(i).vector(features), 0, values, i * cols, cols);
            y[i] = labels.get(i);
            t[i] = eventTimes.get(i).toEpochMilli();
        }
        return new TrainingRows(features, values, y, t);
    }

    public int size() {
        return labels.length;
    }

    public int columns() {
        return features.size();
    }

    /** The rows whose indices are given, in that order. */
    public TrainingRows select(int[] rows) {
        int cols = columns();
        float[] v = new float[rows.length * cols];
        boolean[] y = new boolean[rows.length];
        long[] t = new long[rows.length];
        for (int k = 0; k < rows.length; k++) {
            System.arraycopy(values, rows[k] * cols, v, k * cols, cols);
            y[k] = labels[rows[k]];
            t[k] = eventTimeMillis[rows[k]];
        }
        return new TrainingRows(features, v, y, t);
    }
}
