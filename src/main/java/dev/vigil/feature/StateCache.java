package dev.vigil.feature;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The decoded entity states this process last wrote, by state key, each with the version it was written
 * at, so a batch whose read returns that same version uses the state as it is instead of decoding the
 * bytes again. Least recently used entries go first once {@code capacity} is reached; capacity 0 keeps
 * nothing.
 *
 * <p>Safe by construction rather than by invalidation: a batch <em>takes</em> each state out of the
 * cache before it changes it ({@link #take}), and only a compare-and-set that Redis accepted puts states
 * back ({@link #put}), at the version just written. A conflict, an error or an unreachable Redis leaves
 * those keys out of the cache, and a version read from Redis that differs from the cached one (another
 * instance wrote, or the key expired and came back) drops the entry and the bytes read are decoded.
 * Thread-safe (its methods are synchronized): {@link RedisFeatureStore} computes one batch while it writes the one
 * before, and may compute that one again after a conflict, so two batches may take and put at once. A state taken
 * is owned by one batch alone, whichever takes it first.
 */
final class StateCache {

    private record Entry(long version, Object state) {}

    private final int capacity;
    private final LinkedHashMap<String, Entry> entries;

    StateCache(int capacity) {
        if (capacity < 0) throw new IllegalArgumentException("state cache capacity must be 0 or more: " + capacity);
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > StateCache.this.capacity;
            }
        };
    }

    /**
     * Removes the key's entry and returns its state if it was cached at {@code version}; null otherwise.
     * The caller owns the state from then on: it is in the cache again only if {@link #put} puts it back.
     */
    synchronized Object take(String key, long version) {
        Entry e = entries.remove(key);
        return e != null && e.version() == version ? e.state() : null;
    }

    /** Drops the key's entry, if any. */
    synchronized void remove(String key) {
        entries.remove(key);
    }

    /** Records the state Redis now holds under the key, at this version. */
    synchronized void put(String key, long version, Object state) {
        if (capacity > 0) entries.put(key, new Entry(version, state));
    }

    /** Drops every entry. */
    synchronized void clear() {
        entries.clear();
    }

    /** The number of states cached. */
    synchronized int size() {
        return entries.size();
    }

    /** Whether the key is cached, at any version: for tests. */
    synchronized boolean contains(String key) {
        return entries.containsKey(key);
    }
}
