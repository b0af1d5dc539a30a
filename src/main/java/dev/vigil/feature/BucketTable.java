package dev.vigil.feature;

import java.util.HashMap;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Time-bucketed counters of one entity: per series and bin, one non-negative 64-bit value per bucket
 * (a count, or a sum in minor units of one currency). A bucket's key is
 * {@code id * 10^13 + bin * 10^8 + bucket index}, the numbering the Lua engine used for its hash fields.
 * The window of an event in bucket b is the buckets b-59 .. b of each series ({@link Series}).
 */
final class BucketTable {

    private static final long FIELD_BASE = 10_000_000_000_000L;
    private static final long BIN_BASE = 100_000_000L;
    /** Bucket seconds by series id; 0 where no series has the id. */
    private static final long[] BUCKET_SECONDS = new long[22];
    private static final boolean[] BINNED = new boolean[22];

    static {
        for (Series s : Series.values()) BUCKET_SECONDS[s.id] = s.bucketSeconds;
        BINNED[Series.HOUR_30D.id] = true;
        BINNED[Series.AMOUNT_HIST_30D.id] = true;
        BINNED[Series.AMOUNT_HIST_7D.id] = true;
    }

    /** Bucket keys in ascending order, and their values: two plain arrays, as this is decoded and encoded per batch. */
    private long[] keys;
    private long[] values;
    private int size;

    BucketTable() {
        this(8);
    }

    /** An empty table with room for {@code capacity} buckets. */
    private BucketTable(int capacity) {
        keys = new long[capacity];
        values = new long[capacity];
    }

    /** A table holding exactly these buckets (bucket key to value), for tests. */
    static BucketTable of(Map<Long, Long> buckets) {
        BucketTable t = new BucketTable(buckets.size() + 1);
        new TreeMap<>(buckets).forEach((k, v) -> {
            t.keys[t.size] = k;
            t.values[t.size++] = v;
        });
        return t;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The number of buckets kept. */
    int size() {
        return size;
    }

    /** The buckets of one series (by id) kept, for tests: bucket key to value. */
    Map<Long, Long> series(int id) {
        Map<Long, Long> out = new TreeMap<>();
        for (int i = 0; i < size; i++) if (keys[i] / FIELD_BASE == id) out.put(keys[i], values[i]);
        return out;
    }

    /**
     * Sums every series over the window of an event at second {@code tSec}, adds the event's increments (to the
     * result always; to its buckets when they are kept), and drops the buckets no event at or after
     * {@code horizonSec} can need. The result is keyed {@code id * 1000 + bin}, as {@link FeatureMath} reads it.
     *
     * @param increments pairs (series id * 1000 + bin, value), value > 0; in ascending key order the result is built
     *     in key order (in any other order it is the same, built by binary searches)
     * @throws IllegalStateException when a bucket would pass 2^63 - 1
     */
    Aggregates aggregate(long tSec, long horizonSec, long[] increments) {
        // Keys sort by series and bin first, so the buckets of one aggregate are a run: summed in a long and
        // appended when the run ends (Aggregates adds up, exactly, a key whose sum passes 2^63 in several runs).
        // The event's increments are merged in: each is appended before the first run of a greater key, so the
        // result is appended to in key order (adding them after, out of order, was 7 % of the store's Java time).
        Aggregates out = new Aggregates(16 + increments.length / 2);
        int runKey = -1;
        long runSum = 0;
        int next = 0; // the next increment to append
        int kept = 0;
        for (int i = 0; i < size; i++) {
            long n = keys[i];
            int w = (int) (n / FIELD_BASE);
            long bs = bucketSeconds(w);
            if (bs != 0) {
                long b = bucketOf(n, w);
                int bin = BINNED[w] ? (int) ((n - w * FIELD_BASE) / BIN_BASE) : 0;
                long mine = Math.floorDiv(tSec, bs);
                if (b >= mine - (Series.SPAN - 1) && b <= mine) {
                    int k = w * 1000 + bin;
                    long v = values[i];
                    if (k != runKey || runSum + v < 0) {
                        if (runKey >= 0) out.add(runKey, runSum);
                        for (; next < increments.length && increments[next] < k; next += 2) out.add((int) increments[next], increments[next + 1]);
                        runKey = k;
                        runSum = 0;
                    }
                    runSum += v;
                }
                if (beforeHorizon(b, bs, horizonSec)) continue; // dropped
            }
            keys[kept] = n;
            values[kept] = values[i];
            kept++;
        }
        size = kept;
        if (runKey >= 0) out.add(runKey, runSum);
        for (; next < increments.length; next += 2) out.add((int) increments[next], increments[next + 1]);
        for (int i = 0; i < increments.length; i += 2) {
            int k = (int) increments[i];
            long v = increments[i + 1];
            int w = k / 1000;
            int bin = k - w * 1000;
            long bs = BUCKET_SECONDS[w];
            long b = Math.floorDiv(tSec, bs);
            // Added to the result above, always (also a key without buckets in the window); to its bucket when kept:
            if (!beforeHorizon(b, bs, horizonSec)) {
                long field = w * FIELD_BASE + b + (BINNED[w] ? bin * BIN_BASE : 0);
                int at = Arrays.binarySearch(keys, 0, size, field);
                if (at < 0) {
                    at = -at - 1;
                    insert(at, field);
                }
                try {
                    values[at] = Math.addExact(values[at], v);
                } catch (ArithmeticException overflow) {
                    throw new IllegalStateException("feature bucket overflows a 64-bit integer", overflow);
                }
            }
        }
        return out;
    }

    /** The bucket length of window field {@code w} in seconds, 0 for a field that is not a window. */
    private static long bucketSeconds(int w) {
        return w < BUCKET_SECONDS.length ? BUCKET_SECONDS[w] : 0;
    }

    /** The bucket number in key {@code n} of window field {@code w}, without its bin. */
    private static long bucketOf(long n, int w) {
        long b = n - w * FIELD_BASE;
        return binned(w) ? b % BIN_BASE : b;
    }

    /** Whether bucket {@code b} (of {@code bs}-second buckets) is older than any window of an event at or after {@code horizonSec} reaches. */
    private static boolean beforeHorizon(long b, long bs, long horizonSec) {
        return b < Math.floorDiv(horizonSec, bs) - (Series.SPAN - 1);
    }

    /** Drops the buckets no event at or after {@code horizonSec} can need (those {@link #aggregate} would drop). */
    void prune(long horizonSec) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            long n = keys[i];
            int w = (int) (n / FIELD_BASE);
            long bs = bucketSeconds(w);
            if (bs != 0 && beforeHorizon(bucketOf(n, w), bs, horizonSec)) continue;
            keys[kept] = n;
            values[kept] = values[i];
            kept++;
        }
        size = kept;
    }

    /** A new bucket with value 0 at position {@code at}, keeping the keys in order. */
    private void insert(int at, long key) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        System.arraycopy(keys, at, keys, at + 1, size - at);
        System.arraycopy(values, at, values, at + 1, size - at);
        keys[at] = key;
        values[at] = 0;
        size++;
    }

    /**
     * The table in runs, one per series and bin (the layout of entity states from format 3 and account states from
     * format 2 on): the number of buckets, then per run its length, the series id's step from the previous run's, the
     * bin (binned series only; its step from the previous run's within one series), the run's first bucket and its
     * value, then each further bucket's step from the one before and its value. The first bucket is written as its
     * distance from the bucket of this series holding the second the previous run ended at, which is within a window
     * (one byte) where the full key's step from the previous series took seven (41 % of the tables' bytes in
     * FeatureStoreBenchmark).
     */
    void write(StateBytes.Writer w) {
        w.unsigned(size);
        int previousSeries = 0;
        int previousBin = 0;
        long previousSecond = -1; // the start of the previous run's last bucket, -1 before the first run
        for (int i = 0; i < size; ) {
            int series = seriesOf(keys[i]);
            int bin = binOf(keys[i], series);
            int end = i + 1;
            while (end < size && seriesOf(keys[end]) == series && binOf(keys[end], series) == bin) end++;
            w.unsigned(end - i);
            w.unsigned(series - previousSeries);
            if (binned(series)) w.unsigned(series == previousSeries ? bin - previousBin : bin);
            long bs = bucketSeconds(series);
            long first = bucketOf(keys[i], series);
            if (previousSecond >= 0 && bs != 0) w.signed(first - Math.floorDiv(previousSecond, bs));
            else w.unsigned(first);
            w.unsigned(values[i]);
            for (int j = i + 1; j < end; j++) {
                w.unsigned(keys[j] - keys[j - 1]);
                w.unsigned(values[j]);
            }
            previousSecond = bs != 0 ? bucketOf(keys[end - 1], series) * bs : -1;
            previousSeries = series;
            previousBin = bin;
            i = end;
        }
    }

    /** What {@link #write} wrote. */
    static BucketTable read(StateBytes.Reader r) {
        int n = r.count();
        BucketTable t = new BucketTable(n + 8); // room for a batch's new buckets without regrowing
        int series = 0;
        int bin = 0;
        long previousSecond = -1;
        for (int i = 0; i < n; ) {
            int length = r.count();
            int step = r.count();
            series += step;
            if (binned(series)) bin = step == 0 ? bin + r.count() : r.count();
            else bin = 0;
            long bs = bucketSeconds(series);
            long bucket = previousSecond >= 0 && bs != 0 ? Math.floorDiv(previousSecond, bs) + r.signed() : r.unsigned();
            long key = series * FIELD_BASE + (binned(series) ? bin * BIN_BASE : 0) + bucket;
            t.keys[i] = key;
            t.values[i++] = r.unsigned();
            for (int j = 1; j < length; j++) {
                key += r.unsigned();
                t.keys[i] = key;
                t.values[i++] = r.unsigned();
            }
            previousSecond = bs != 0 ? bucketOf(key, series) * bs : -1;
        }
        t.size = n;
        return t;
    }

    /** The layout of entity states before format 3 and account states before format 2: each key's step from the one before, and its value. */
    void writeKeySteps(StateBytes.Writer w) {
        w.unsigned(size);
        long previous = 0;
        for (int i = 0; i < size; i++) {
            w.unsigned(keys[i] - previous);
            w.unsigned(values[i]);
            previous = keys[i];
        }
    }

    /** What {@link #writeKeySteps} wrote. */
    static BucketTable readKeySteps(StateBytes.Reader r) {
        int n = r.count();
        BucketTable t = new BucketTable(n + 8);
        long key = 0;
        for (int i = 0; i < n; i++) {
            key += r.unsigned();
            t.keys[i] = key;
            t.values[i] = r.unsigned();
        }
        t.size = n;
        return t;
    }

    private static int seriesOf(long key) {
        return (int) (key / FIELD_BASE);
    }

    private static boolean binned(int series) {
        return series < BINNED.length && BINNED[series];
    }

    /** The bin in {@code key} of series {@code series}, 0 for a series without bins. */
    private static int binOf(long key, int series) {
        return binned(series) ? (int) ((key - series * FIELD_BASE) / BIN_BASE) : 0;
    }

    /** One table per currency: their number, then each currency code and its table. */
    static void writePerCurrency(StateBytes.Writer w, Map<String, BucketTable> tables) {
        w.unsigned(tables.size());
        for (Map.Entry<String, BucketTable> t : tables.entrySet()) {
            w.string(t.getKey());
            t.getValue().write(w);
        }
    }

    /** What {@link #writePerCurrency} wrote; {@code inRuns} false for the layout before runs ({@link #readKeySteps}). */
    static Map<String, BucketTable> readPerCurrency(StateBytes.Reader r, boolean inRuns) {
        Map<String, BucketTable> tables = new HashMap<>();
        for (int i = r.count(); i > 0; i--) tables.put(r.string(), inRuns ? read(r) : readKeySteps(r));
        return tables;
    }

}
