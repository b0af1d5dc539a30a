package dev.vigil.feature;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sums of one transaction's windows, by aggregate key ({@link Series#key}: series id * 1000 + bin), exact:
 * what {@link BucketTable#aggregate} returns and {@link FeatureMath} reads. An absent key sums to 0.
 *
 * <p>Two plain arrays sorted by key, a {@code long} per key and a {@link BigInteger} only for a key whose sum passes
 * 2^63 - 1: each event builds four to ten of these, and a map of boxed keys and BigIntegers cost a fifth of the
 * feature store's allocation. Values compare as numbers: a sum that fits a long equals the same sum built as a
 * BigInteger.
 */
final class Aggregates {

    private int[] keys;
    private long[] values;
    /** Null until a sum passes a long; then, where not null, the sum of that key ({@code values} is then unused). */
    private BigInteger[] big;
    private int size;

    Aggregates(int capacity) {
        keys = new int[Math.max(4, capacity)];
        values = new long[keys.length];
    }

    /** The same sums from a map (the reference store's). */
    static Aggregates of(Map<Integer, BigInteger> sums) {
        Aggregates a = new Aggregates(sums.size());
        new TreeMap<>(sums).forEach((k, v) -> a.add(k, v));
        return a;
    }

    /** Adds {@code v} to the sum of {@code key}; cheapest when keys come in ascending order. */
    void add(int key, long v) {
        int at = position(key);
        if (at < 0) {
            insert(-at - 1, key, v);
            return;
        }
        if (big != null && big[at] != null) {
            big[at] = big[at].add(BigInteger.valueOf(v));
            return;
        }
        long sum = values[at] + v;
        if (((values[at] ^ sum) & (v ^ sum)) < 0) { // overflow: the exact sum as a BigInteger
            if (big == null) big = new BigInteger[keys.length];
            big[at] = BigInteger.valueOf(values[at]).add(BigInteger.valueOf(v));
        } else {
            values[at] = sum;
        }
    }

    private void add(int key, BigInteger v) {
        if (v.bitLength() < 64) {
            add(key, v.longValue());
            return;
        }
        int at = position(key);
        if (at < 0) {
            at = -at - 1;
            insert(at, key, 0);
        }
        if (big == null) big = new BigInteger[keys.length];
        big[at] = (big[at] == null ? BigInteger.valueOf(values[at]) : big[at]).add(v);
    }

    /** The index of the key, or (-(insertion point) - 1); the last key is checked first, as keys come in order. */
    private int position(int key) {
        if (size == 0 || keys[size - 1] < key) return -size - 1;
        if (keys[size - 1] == key) return size - 1;
        return Arrays.binarySearch(keys, 0, size, key);
    }

    private void insert(int at, int key, long v) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, 2 * size);
            values = Arrays.copyOf(values, 2 * size);
            if (big != null) big = Arrays.copyOf(big, 2 * size);
        }
        System.arraycopy(keys, at, keys, at + 1, size - at);
        System.arraycopy(values, at, values, at + 1, size - at);
        if (big != null) System.arraycopy(big, at, big, at + 1, size - at);
        keys[at] = key;
        values[at] = v;
        if (big != null) big[at] = null;
        size++;
    }

    /** The sum of the key, 0 when absent. */
    BigInteger get(int key) {
        int at = Arrays.binarySearch(keys, 0, size, key);
        return at < 0 ? BigInteger.ZERO : valueAt(at);
    }

    /**
     * The sum of the key, 0 when absent.
     *
     * @throws ArithmeticException when it does not fit a long (as {@link BigInteger#longValueExact})
     */
    long longValueExact(int key) {
        int at = Arrays.binarySearch(keys, 0, size, key);
        return at < 0 ? 0 : longValueExactAt(at);
    }

    /** The sum of the key as an amount of {@code digits} decimals (minor units to units), 0 when absent. */
    BigDecimal money(int key, int digits) {
        int at = Arrays.binarySearch(keys, 0, size, key);
        if (at < 0) return BigDecimal.valueOf(0, digits);
        if (big != null && big[at] != null) return new BigDecimal(big[at], digits);
        return BigDecimal.valueOf(values[at], digits);
    }

    /** The number of keys with a sum. */
    int size() {
        return size;
    }

    /** The index of the first key at or after {@code key} (size when none). */
    int indexFrom(int key) {
        int at = Arrays.binarySearch(keys, 0, size, key);
        return at < 0 ? -at - 1 : at;
    }

    int keyAt(int i) {
        return keys[i];
    }

    long longValueExactAt(int i) {
        return big != null && big[i] != null ? big[i].longValueExact() : values[i];
    }

    private BigInteger valueAt(int i) {
        return big != null && big[i] != null ? big[i] : BigInteger.valueOf(values[i]);
    }

    /** Key to sum, ascending: for tests and messages. */
    Map<Integer, BigInteger> toMap() {
        Map<Integer, BigInteger> out = new TreeMap<>();
        for (int i = 0; i < size; i++) out.put(keys[i], valueAt(i));
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Aggregates other && toMap().equals(other.toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
