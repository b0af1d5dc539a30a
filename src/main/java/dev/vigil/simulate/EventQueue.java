package dev.vigil.simulate;

import java.util.Arrays;

/**
 * A binary min-heap of {@link Simulator.Entry} ordered by (time, scheduling order). The keys live in primitive
 * arrays beside the entries: with one entry per account in the heap, comparing without dereferencing every entry
 * is what keeps generation fast (java.util.PriorityQueue spent most of the time in cache misses).
 */
final class EventQueue {
    private long[] at;
    private long[] seq;
    private Simulator.Entry[] items;
    private int size;
    private long nextSeq;

    EventQueue(int capacity) {
        int c = Math.max(16, capacity);
        at = new long[c];
        seq = new long[c];
        items = new Simulator.Entry[c];
    }

    int size() {
        return size;
    }

    void add(Simulator.Entry e) {
        if (size == items.length) grow();
        long t = e.at;
        long s = nextSeq++;
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(t, s, at[parent], seq[parent])) break;
            put(i, at[parent], seq[parent], items[parent]);
            i = parent;
        }
        put(i, t, s, e);
    }

    /** Removes and returns the earliest entry; the queue must not be empty. */
    Simulator.Entry poll() {
        Simulator.Entry top = items[0];
        int last = --size;
        long t = at[last];
        long s = seq[last];
        Simulator.Entry e = items[last];
        items[last] = null;
        if (last > 0) {
            int i = 0;
            int half = last >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                int right = child + 1;
                if (right < last && less(at[right], seq[right], at[child], seq[child])) child = right;
                if (!less(at[child], seq[child], t, s)) break;
                put(i, at[child], seq[child], items[child]);
                i = child;
            }
            put(i, t, s, e);
        }
        return top;
    }

    private static boolean less(long t1, long s1, long t2, long s2) {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }

    private void put(int i, long t, long s, Simulator.Entry e) {
        at[i] = t;
        seq[i] = s;
        items[i] = e;
    }

    private void grow() {
        int c = items.length * 2;
        at = Arrays.copyOf(at, c);
        seq = Arrays.copyOf(seq, c);
        items = Arrays.copyOf(items, c);
    }
}
