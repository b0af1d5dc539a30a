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
        int[] columns = n == 0 ? new int[0] : Features.positions(features);
        for (int i = 0; i < n; i++) {
            if (rows.get(i) == null || labels.get(i) == null || eventTimes.get(i) == null) {
                throw new ModelException(ModelException.Code.BAD_TRAINING_DATA, "row " + i + " has a null feature row, label or event time");
            }
            System.arraycopy(rows.get(i).vector(columns), 0, values, i * cols, cols);
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

    /** The same rows with only the columns {@code keep}, in that order (a selection of {@link #features()}). */
    public TrainingRows project(List<String> keep) {
        if (keep.equals(features)) return this;
        int cols = columns();
        int[] from = new int[keep.size()];
        for (int j = 0; j < from.length; j++) {
            from[j] = features.indexOf(keep.get(j));
            if (from[j] < 0) throw new IllegalArgumentException("no column '" + keep.get(j) + "' in " + features);
        }
        int n = size();
        float[] v = new float[n * from.length];
        for (int i = 0; i < n; i++) {
            int src = i * cols;
            int dst = i * from.length;
            for (int j = 0; j < from.length; j++) v[dst + j] = values[src + from[j]];
        }
        return new TrainingRows(keep, v, labels, eventTimeMillis);
    }

    /**
     * The columns that take more than one value over these rows, in column order. A tree never splits on a
     * constant column, so leaving those out changes no prediction; it saves the time spent on them in
     * training, and a model card then lists only what the model can use.
     */
    public List<String> varyingFeatures() {
        int cols = columns();
        int n = size();
        List<String> out = new java.util.ArrayList<>();
        for (int j = 0; j < cols; j++) {
            float first = n == 0 ? 0 : values[j];
            for (int i = 1; i < n; i++) {
                float v = values[i * cols + j];
                // Float.compare: a column of missing values (NaN) is constant too.
                if (Float.compare(v, first) != 0) {
                    out.add(features.get(j));
                    break;
                }
            }
        }
        return out;
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
