package dev.vigil.score;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An unsupervised anomaly score for a deployment without labels (Liu, Ting and Zhou, "Isolation
 * Forest", 2008), in plain Java on the model's feature rows. Each tree isolates points of a random
 * subsample with random splits; an unusual row is isolated in few splits. The score is
 * {@code 2^(-E[h(x)] / c(n))}: near 1 for anomalies, about 0.5 or below for ordinary rows.
 *
 * <p>Immutable once fitted and safe for many threads. Not yet a fact in the rule session.
 */
public final class IsolationForest {

    private static final double EULER = 0.5772156649015329;

    private final Node[] trees;
    private final int sampleSize;
    private final int columns;

    /** A split (feature, value) with two children, or a leaf holding how many sample rows reached it. */
    private record Node(int feature, float split, Node left, Node right, int size) {
        boolean leaf() {
            return left == null;
        }
    }

    private IsolationForest(Node[] trees, int sampleSize, int columns) {
        this.trees = trees;
        this.sampleSize = sampleSize;
        this.columns = columns;
    }

    /**
     * @param values row-major feature rows, {@code columns} floats each
     * @param trees number of trees (100 in the paper)
     * @param sampleSize rows per tree (256 in the paper); capped at the number of rows
     */
    public static IsolationForest fit(float[] values, int columns, int trees, int sampleSize, long seed) {
        Objects.requireNonNull(values, "values");
        if (columns < 1 || values.length % columns != 0) throw new IllegalArgumentException(values.length + " values are not rows of " + columns);
        int rows = values.length / columns;
        if (rows < 2) throw new IllegalArgumentException("need at least 2 rows, got " + rows);
        if (trees < 1 || sampleSize < 2) throw new IllegalArgumentException("trees " + trees + ", sampleSize " + sampleSize);
        int psi = Math.min(sampleSize, rows);
        int depthLimit = (int) Math.ceil(Math.log(psi) / Math.log(2));
        SplittableRandom random = new SplittableRandom(seed);
        Node[] forest = new Node[trees];
        for (int t = 0; t < trees; t++) {
            int[] sample = sample(rows, psi, random);
            forest[t] = grow(values, columns, sample, 0, sample.length, 0, depthLimit, random);
        }
        return new IsolationForest(forest, psi, columns);
    }

    /** A sample of {@code k} distinct row indices (partial Fisher-Yates). */
    private static int[] sample(int rows, int k, SplittableRandom random) {
        if (k == rows) {
            int[] all = new int[rows];
            Arrays.setAll(all, i -> i);
            return all;
        }
        java.util.HashMap<Integer, Integer> swapped = new java.util.HashMap<>();
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(rows - i);
            int vj = swapped.getOrDefault(j, j);
            int vi = swapped.getOrDefault(i, i);
            swapped.put(j, vi);
            out[i] = vj;
        }
        return out;
    }

    private static Node grow(float[] v, int cols, int[] idx, int from, int to, int depth, int limit, SplittableRandom random) {
        int n = to - from;
        if (depth >= limit || n <= 1) return new Node(-1, 0, null, null, n);
        // Only features that vary among these rows can split them.
        int[] candidates = new int[cols];
        int nc = 0;
        float[] min = new float[cols];
        float[] max = new float[cols];
        for (int c = 0; c < cols; c++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int k = from; k < to; k++) {
                float x = v[idx[k] * cols + c];
                if (x < lo) lo = x;
                if (x > hi) hi = x;
            }
            min[c] = lo;
            max[c] = hi;
            if (hi > lo) candidates[nc++] = c;
        }
        if (nc == 0) return new Node(-1, 0, null, null, n);
        int f = candidates[random.nextInt(nc)];
        float split = (float) (min[f] + random.nextDouble() * (max[f] - min[f]));
        if (!(split > min[f])) split = Math.nextUp(min[f]); // rows < split go left: both sides get a row
        int mid = from;
        for (int k = from; k < to; k++) {
            if (v[idx[k] * cols + f] < split) {
                int tmp = idx[mid];
                idx[mid] = idx[k];
                idx[k] = tmp;
                mid++;
            }
        }
        return new Node(f, split, grow(v, cols, idx, from, mid, depth + 1, limit, random),
                grow(v, cols, idx, mid, to, depth + 1, limit, random), n);
    }

    /** The anomaly score of one row, in (0, 1]. */
    public double score(float[] row) {
        if (row.length != columns) throw new IllegalArgumentException(row.length + " values, the forest has " + columns + " columns");
        double sum = 0;
        for (Node t : trees) sum += pathLength(t, row, 0);
        return Math.pow(2, -(sum / trees.length) / averagePathLength(sampleSize));
    }

    private static double pathLength(Node node, float[] row, int depth) {
        Node n = node;
        int d = depth;
        while (!n.leaf()) {
            n = row[n.feature()] < n.split() ? n.left() : n.right();
            d++;
        }
        return d + averagePathLength(n.size());
    }

    /** c(n): the average path length of an unsuccessful search in a binary search tree of n points. */
    static double averagePathLength(int n) {
        if (n <= 1) return 0;
        if (n == 2) return 1;
        return 2 * (Math.log(n - 1) + EULER) - 2.0 * (n - 1) / n;
    }
}
