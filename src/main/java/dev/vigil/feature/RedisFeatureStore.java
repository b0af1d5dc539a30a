package dev.vigil.feature;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.KycRiskLevel;
import dev.vigil.event.TransactionEvent;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisBroadcastException;
import redis.clients.jedis.exceptions.JedisClusterException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * The feature store in Redis. Redis keeps one binary state value per entity the events name
 * ({@code {a:<account>}:st}, {@code {c:…}:st}, {@code {d:…}:st}, {@code {i:…}:st}, {@code {m:…}:st}:
 * {@link AccountState}, {@link EntityState}), each starting with an 8-byte version, and one replay record per
 * transaction ({@code {a:<account>}:tx:<id>}, {@link ReplayRecord}); the features are computed here, in Java.
 *
 * <p>A batch costs two round trips: one pipelined read of every state, replay record, profile, list flag and
 * merchant label hash the batch names; then, after the features of every event are computed in event order
 * (events of one entity in the batch see each other), one call of {@code write-states.lua} that writes every
 * changed state, compare-and-set on the version read, with the replay records, all or nothing. When another
 * Vigil instance wrote one of those states in between, nothing is written: the store re-reads the states that
 * changed and the batch's replay records, computes again and retries, so every transaction is counted once.
 * That script names keys of many hash tags, so it needs one Redis.
 *
 * <p>On a Redis Cluster ({@link #cluster}) every key an entity owns carries the entity's hash tag, so it lives in
 * one slot; the batch is read with one command per entity (pipelined to every node at once), and written by
 * {@link ClusterStateWriter}: the same compare-and-set on the versions read, all or nothing, as a transaction in
 * three phases (lock every entity, commit with one key, write and unlock), each phase one pipeline.
 *
 * <p>Windows are kept as per-bucket counters ({@link BucketTable}), so counts and sums are exact by the bucket
 * definition, whatever the arrival order, for events up to {@link Options#allowedLateness()} behind the newest
 * event time seen for the entity. Older events are still counted in their own buckets, but buckets and event
 * times no event within that horizon can need have already been dropped, so their own features may miss part
 * of their windows. Key layout, TTLs, the memory bound and these semantics are in {@code docs/features.md}.
 *
 * <p>Amounts are counted in integer minor units per currency; an amount with more decimals than
 * its currency has, or a currency without minor units (XAU...), is refused with an
 * {@link IllegalArgumentException} before anything is written. Event times must lie between 1970
 * and the year 33658. If Redis cannot be reached every call throws
 * {@link FeatureStoreUnavailableException}; a batch is written whole or not at all. Thread-safe.
 */
public final class RedisFeatureStore implements FeatureStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisFeatureStore.class);
    private static final LuaScript WRITE = LuaScript.load("write-states.lua");
    private static final LuaScript APPLY = LuaScript.load("apply-account-event.lua");
    private static final LuaScript READ_LISTS = LuaScript.load("read-lists.lua");
    private static final long MAX_EPOCH_SECOND = 999_999_999_999L; // 12 digits in the time encoding
    private static final BigDecimal UNKNOWN_RATIO = new BigDecimal("-1.0000");
    private static final int RATIO_SCALE = 4;
    /** How often a batch is computed again after other instances changed its states, before it gives up. */
    private static final int MAX_ATTEMPTS = 50;
    /** The list flags of an entity on no list; shared, never changed. */
    private static final boolean[] NOT_LISTED = {false, false};
    private static final String[] PROFILE_FIELDS = {"cust", "open", "nw", "nwc", "ctry", "kyc", "closed", "kycf", "wl"};
    /** How long a merchant's FRAUD labels are kept after its last one: as long as a label can matter (LabelIndex). */
    private static final long LABELS_TTL_SECONDS = LabelIndex.KEEP_DAYS * 86_400;
    /** How old another batch's uncommitted lock must be before a writer aborts it (Redis Cluster only). */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);
    /** Threads that send one cluster pipeline to the masters in parallel (Jedis's own default is 3). */
    private static final int PIPELINE_WORKERS = 3;

    /**
     * How long state is kept. All durations are whole seconds.
     *
     * @param allowedLateness how far behind the account's newest event time an event may be and
     *     still get exact features (default 5 minutes)
     * @param windowGrace kept beyond window + lateness before an idle customer's, device's, IP's or
     *     merchant's state expires, so a consumer that lags behind event time still finds it (default 1 hour)
     * @param historyRetention how long after the account's last transaction its state (buckets, event
     *     times, the merchants, devices, IPs and countries it used) is kept (default 90 days)
     * @param replayRetention how long a transaction id is remembered for redelivery; at least 8 days
     *     (default 8 days)
     * @param timeout connect and read timeout of the Redis client (default 2 seconds)
     * @param stateCacheEntries how many decoded entity states this process keeps between batches, least
     *     recently used dropped first ({@link StateCache}); 0 keeps none (default {@value #DEFAULT_STATE_CACHE_ENTRIES})
     * @param mergeSharedStates when another writer changed a customer's, device's, IP's or merchant's state under a
     *     batch: count the batch's transactions again into that entity's new state and keep the features computed
     *     (true), instead of computing the whole batch again (false, the default). See docs/features.md, "Entities
     *     shared across accounts".
     */
    public record Options(
            Duration allowedLateness,
            Duration windowGrace,
            Duration historyRetention,
            Duration replayRetention,
            Duration timeout,
            int stateCacheEntries,
            boolean mergeSharedStates) {

        /**
         * The default of {@link #stateCacheEntries}: none. On the benchmark's workload the cache cut the allocation per
         * event by a tenth but cost more CPU than the decoding it saved (docs/features.md, Measured cost); a state
         * cached costs about 1.3 KB of heap.
         */
        public static final int DEFAULT_STATE_CACHE_ENTRIES = 0;

        public Options {
            requireWholeSeconds(allowedLateness, "allowedLateness", false);
            requireWholeSeconds(windowGrace, "windowGrace", false);
            requireWholeSeconds(historyRetention, "historyRetention", true);
            requireWholeSeconds(replayRetention, "replayRetention", true);
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("timeout must be positive and under 24 days: " + timeout);
            }
            if (replayRetention.compareTo(Duration.ofDays(8)) < 0) {
                throw new IllegalArgumentException(
                        "replayRetention must be at least 8 days (the 7-day window and its lateness): " + replayRetention);
            }
            if (stateCacheEntries < 0) throw new IllegalArgumentException("stateCacheEntries must be 0 or more: " + stateCacheEntries);
        }

        /** These options with the default state cache, computing a batch again after a conflict. */
        public Options(Duration allowedLateness, Duration windowGrace, Duration historyRetention, Duration replayRetention,
                Duration timeout) {
            this(allowedLateness, windowGrace, historyRetention, replayRetention, timeout, DEFAULT_STATE_CACHE_ENTRIES, false);
        }

        /** These options with another allowed lateness. */
        public Options withAllowedLateness(Duration lateness) {
            return new Options(lateness, windowGrace, historyRetention, replayRetention, timeout, stateCacheEntries, mergeSharedStates);
        }

        /** These options with another state cache size (0: none). */
        public Options withStateCacheEntries(int entries) {
            return new Options(allowedLateness, windowGrace, historyRetention, replayRetention, timeout, entries, mergeSharedStates);
        }

        /** These options merging, or not, the shared states another writer changed under a batch. */
        public Options withMergeSharedStates(boolean merge) {
            return new Options(allowedLateness, windowGrace, historyRetention, replayRetention, timeout, stateCacheEntries, merge);
        }

        public static Options defaults() {
            return new Options(Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofDays(90),
                    Duration.ofDays(8), Duration.ofSeconds(2));
        }

        private static void requireWholeSeconds(Duration d, String name, boolean positive) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || (positive && d.isZero()) || d.getNano() != 0) {
                throw new IllegalArgumentException(
                        name + " must be a " + (positive ? "positive" : "non-negative") + " whole number of seconds: " + d);
            }
        }
    }

    private final UnifiedJedis client;
    /** Null on one Redis; on a Redis Cluster, what writes a batch across slots. */
    private final ClusterStateWriter clusterWriter;
    /**
     * Null on one Redis; on a Redis Cluster, the threads that send a pipeline to the masters at once. Jedis would
     * otherwise start and stop a pool of threads at each sync, which took a single event from about 0.2 to 2.8 ms.
     */
    private final ExecutorService pipelineWorkers;
    /** Batches computed again because another writer changed their states: for tests and logs. */
    private final AtomicLong conflicts = new AtomicLong();
    /** Conflicts settled by counting the changed shared states again instead of computing the batch again. */
    private final AtomicLong merges = new AtomicLong();
    /** Batches that counted on a batch before them written after a merge, and went on to their write: for tests. */
    private final AtomicLong leanedOnMerged = new AtomicLong();
    /**
     * Batches that counted on values batches before them were still to write, those that counted on two batches or
     * more, and those computed again because such a batch was not written as computed: for tests and logs.
     */
    private final AtomicLong leaned = new AtomicLong();
    private final AtomicLong leanedOnSeveral = new AtomicLong();
    /** Batches read again because batches written since their read were no longer kept: for tests. */
    private final AtomicLong readAgain = new AtomicLong();
    private final AtomicLong computedAgainForBatchBefore = new AtomicLong();
    /**
     * Batches of this process overlap in three stages: a batch reads with no lock, computes holding {@link #computeTurn},
     * takes {@link #writeTurn} before letting go of it, and writes holding only {@code writeTurn}. So batches compute
     * and write in one order, while one batch is written the next is computed and a third read. The Kafka consumers and
     * the HTTP batcher share merchants and IPs: writing concurrently they would refuse each other's compare-and-set, so
     * instead a batch counts on what the batches before it computed but may have written only after its read
     * ({@link Published}), and checks that they were written so before its own write. Both locks are fair, so a single
     * HTTP event waits for at most the batches queued before it. Conflicts remain possible only with other Vigil
     * instances. On a Redis Cluster a batch holds both turns throughout (its write is a three-phase transaction).
     */
    private final ReentrantLock computeTurn = new ReentrantLock(true);
    private final ReentrantLock writeTurn = new ReentrantLock(true);
    /**
     * The last batches computed, in order, numbered from 1 by {@link #publishedSeq}: a batch whose read began before some
     * of them were written counts on their values instead of on what it read. Guarded by {@link #computeTurn}.
     */
    private final java.util.ArrayDeque<Published> published = new java.util.ArrayDeque<>();
    private long publishedSeq;
    /**
     * How many batches {@link #published} keeps (each holds its states and replay records, about 1.5 MB for 500
     * events). A read that began before an older batch was written is done again (8: more than a few consumer threads
     * can compute while one batch of theirs is read). Package-private: tests make it small.
     */
    int publishedKept = 8;
    /** The number of the last batch done with {@link #writeTurn}, written or not: batches settle in their order. */
    private volatile long settledSeq;
    /** Runs after a batch's first read, before its compute turn (one Redis only): lets a test hold a read back. */
    volatile Runnable afterRead = () -> {};
    /** Runs between computing a batch and writing it (argument: the attempt, from 1): lets a test race another writer. */
    volatile IntConsumer beforeWrite = attempt -> {};
    /** Runs once a batch is written (or was all replays), holding {@link #writeTurn}: tests learn the order batches took. */
    volatile java.util.function.Consumer<List<TransactionEvent>> afterWrite = batch -> {};
    private final String where;
    private final Options options;
    /** The wall clock whose UTC day names the label index's hashes ({@link LabelIndex}); tests move it. */
    volatile Clock clock = Clock.systemUTC();
    /** The buffer a batch's first computing encodes its states and replay records through; used only under {@link #computeTurn}. */
    private final StateBytes.Writer scratch = new StateBytes.Writer(16 * 1024);
    /** The same for computing a batch again, which happens holding only {@link #writeTurn}. */
    private final StateBytes.Writer retryScratch = new StateBytes.Writer(16 * 1024);
    /** Decoded states at the version this process last wrote them (synchronized: both turns use it). */
    private final StateCache cache;

    /**
     * The states and replay records a batch computed and will write (keys to values), for the batches computed after
     * it whose read may have come before its write. {@code written} is set, holding {@link #writeTurn}, once exactly
     * these values are in Redis; a batch that counted on them checks it before its own write, and reads and computes
     * again when they were not written (the batch failed, or met another instance's write and was computed again).
     */
    private static final class Published {
        final long seq;
        final Map<String, byte[]> states;
        final Map<String, byte[]> replays;
        volatile boolean written;
        /**
         * Set instead of {@code written} when the batch was written after merging shared states another instance had
         * changed ({@link Options#mergeSharedStates()}): its accounts' states and its replay records are in Redis as
         * computed, some shared states are not. A batch that counted on it still writes what it computed: the shared
         * states it expects at versions never written meet a conflict there, and are merged in turn.
         */
        volatile boolean writtenMerged;

        Published(long seq, Outcome o) {
            this.seq = seq;
            this.states = new HashMap<>(capacityFor(o.states().size()));
            for (StateWrite w : o.states()) states.put(w.key(), w.value());
            this.replays = o.replays();
        }

        /**
         * Puts into the snapshot the values of this batch for the keys the snapshot also names: its read may have
         * come before they were written. Returns whether it named any.
         */
        boolean overlay(Snapshot s) {
            return layOver(s.states, states) | layOver(s.replays, replays); // both, hence | and not ||
        }

        /** Replaces the values read of the keys this batch wrote; returns whether there were any. */
        private static boolean layOver(Map<String, byte[]> read, Map<String, byte[]> mine) {
            boolean any = false;
            for (Map.Entry<String, byte[]> e : read.entrySet()) {
                byte[] value = mine.get(e.getKey());
                if (value != null) {
                    e.setValue(value);
                    any = true;
                }
            }
            return any;
        }
    }

    /** Connects to Redis at host:port with {@link Options#defaults()}. No I/O happens here. */
    public RedisFeatureStore(String host, int port) {
        this(host, port, Options.defaults());
    }

    public RedisFeatureStore(String host, int port, Options options) {
        this(RedisClient.builder()
                .hostAndPort(Objects.requireNonNull(host, "host"), port)
                .clientConfig(clientConfig(options))
                .build(), null, null, host + ":" + port, options);
    }

    /**
     * A store on a Redis Cluster, reached through any of its masters (the client learns the others).
     * Another batch's uncommitted lock is aborted once older than {@link #DEFAULT_LOCK_TIMEOUT}. No I/O happens here.
     */
    public static RedisFeatureStore cluster(Set<HostAndPort> nodes, Options options) {
        return cluster(nodes, options, DEFAULT_LOCK_TIMEOUT);
    }

    static RedisFeatureStore cluster(Set<HostAndPort> nodes, Options options, Duration lockTimeout) {
        if (nodes.isEmpty()) throw new IllegalArgumentException("a Redis Cluster needs at least one node to start from");
        RedisClusterClient client = RedisClusterClient.builder().nodes(Set.copyOf(nodes)).clientConfig(clientConfig(options)).build();
        ExecutorService workers = Executors.newFixedThreadPool(PIPELINE_WORKERS, r -> {
            Thread t = new Thread(r, "vigil-redis-cluster-pipeline");
            t.setDaemon(true);
            return t;
        });
        // A commit key left by a writer that died outlives every lock that may name it (the longest-lived state).
        Duration commitTtl = options.historyRetention().plusDays(1);
        ClusterStateWriter writer = new ClusterStateWriter(client, () -> client.pipelined(workers), lockTimeout, commitTtl, Clock.systemUTC());
        return new RedisFeatureStore(client, writer, workers, "Redis Cluster " + nodes, options);
    }

    private RedisFeatureStore(UnifiedJedis client, ClusterStateWriter clusterWriter, ExecutorService pipelineWorkers, String where,
            Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.client = client;
        this.clusterWriter = clusterWriter;
        this.pipelineWorkers = pipelineWorkers;
        this.where = where;
        this.cache = new StateCache(options.stateCacheEntries());
    }

    private static JedisClientConfig clientConfig(Options options) {
        int timeoutMillis = (int) options.timeout().toMillis();
        return DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeoutMillis)
                .socketTimeoutMillis(timeoutMillis)
                .clientName("vigil-feature-store")
                .build();
    }

    @Override
    public Enrichment enrich(TransactionEvent event) {
        return enrichAll(List.of(event)).get(0);
    }

    /**
     * Reads every state the batch names in one pipeline, computes the features in order, and writes the
     * changed states with one compare-and-set script; on a version conflict re-reads and computes again.
     */
    @Override
    public List<Enrichment> enrichAll(List<TransactionEvent> events) {
        if (events.isEmpty()) return List.of();
        // Validate the whole batch before anything is sent: a bad event must not leave half a batch counted.
        for (TransactionEvent e : events) {
            Objects.requireNonNull(e, "event");
            checkTime(e.occurredAt(), "occurredAt");
            minorUnits(e.amount(), e.currency());
        }
        String what = events.size() == 1
                ? "enrich transaction " + events.get(0).transactionId()
                : "enrich a batch of " + events.size() + " transactions";
        try {
            return clusterWriter != null ? enrichOnCluster(events, what) : enrichInTurn(events, what);
        } catch (JedisException e) {
            throw translate(e, what);
        }
    }

    /**
     * One Redis: reads with no lock; computes in the compute turn, counting on what the batches before it computed
     * (some perhaps written only after the read); then writes in the write turn, after them.
     */
    private List<Enrichment> enrichInTurn(List<TransactionEvent> events, String what) {
        // Batches up to this one were written (or failed) before the read: it sees Redis as they left it. Those after it
        // may write before, during or after the read, so their values are put over it once they are known.
        long settledBefore = settledSeq;
        Snapshot snapshot = read(events);
        afterRead.run();
        List<Published> leanedOn = new ArrayList<>(2);
        Outcome outcome;
        Published mine;
        computeTurn.lock();
        try {
            if (publishedSeq > settledBefore && (published.isEmpty() || published.peekFirst().seq > settledBefore + 1)) {
                // Batches settled since the read are no longer kept: read again. Now only the last batch computed can
                // be unsettled (it holds the write turn), and it is kept.
                readAgain.incrementAndGet();
                settledBefore = settledSeq;
                snapshot = read(events);
            }
            for (Published p : published) {
                if (p.seq > settledBefore && p.overlay(snapshot)) leanedOn.add(p);
            }
            if (!leanedOn.isEmpty()) leaned.incrementAndGet();
            if (leanedOn.size() > 1) leanedOnSeveral.incrementAndGet();
            outcome = compute(events, snapshot, scratch);
            mine = new Published(++publishedSeq, outcome);
            published.addLast(mine);
            while (published.size() > publishedKept) published.removeFirst();
            writeTurn.lock(); // after the batches before have written: so batches write in the order they computed
        } finally {
            computeTurn.unlock();
        }
        try {
            if (leanedOn.stream().anyMatch(p -> !p.written && p.writtenMerged)) leanedOnMerged.incrementAndGet();
            if (leanedOn.stream().anyMatch(p -> !p.written && !p.writtenMerged)) {
                // A batch before did not write what this one counted on: count on Redis as it is now.
                LOG.debug("{}: a batch before it was not written as computed, computing again", what);
                computedAgainForBatchBefore.incrementAndGet();
                snapshot = read(events);
                return writeInTurn(events, what, snapshot, compute(events, snapshot, retryScratch), null);
            }
            return writeInTurn(events, what, snapshot, outcome, mine);
        } finally {
            settledSeq = mine.seq;
            writeTurn.unlock();
        }
    }

    /** A Redis Cluster: the whole batch in both turns, its write a three-phase transaction (no overlap). */
    private List<Enrichment> enrichOnCluster(List<TransactionEvent> events, String what) {
        computeTurn.lock();
        writeTurn.lock();
        try {
            clusterWriter.begin();
            Snapshot snapshot = read(events);
            return writeInTurn(events, what, snapshot, compute(events, snapshot, scratch), null);
        } finally {
            clusterWriter.end();
            writeTurn.unlock();
            computeTurn.unlock();
        }
    }

    /**
     * Writes the outcome (holding {@link #writeTurn}); on a version conflict re-reads, computes again and retries.
     * {@code asComputed}, when not null, holds exactly this outcome's values: it is marked written if they are, or
     * written merged if only shared states were merged before the write.
     */
    private List<Enrichment> writeInTurn(List<TransactionEvent> events, String what, Snapshot snapshot, Outcome outcome,
            Published asComputed) {
        Published published = asComputed;
        boolean onlyMerged = true; // no conflict yet, or only conflicts settled by merging
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            if (outcome.states().isEmpty()) { // every event a replay
                if (asComputed != null) asComputed.written = true;
                afterWrite.accept(events);
                return outcome.results();
            }
            beforeWrite.accept(attempt);
            List<String> changed = write(outcome);
            if (changed.isEmpty()) {
                // Redis now holds exactly these states at these versions.
                for (StateWrite w : outcome.states()) cache.put(w.key(), w.version(), w.state());
                if (asComputed != null) asComputed.written = true;
                else if (published != null && onlyMerged) published.writtenMerged = true;
                afterWrite.accept(events);
                return outcome.results();
            }
            conflicts.incrementAndGet();
            asComputed = null; // what is written now differs from what later batches may have counted on
            // An account changed under the batch is never merged: another instance counted a transaction of it (after a
            // rebalance, perhaps one of this batch), so the batch is computed again on its replay records read again.
            boolean merge = options.mergeSharedStates() && changed.stream().noneMatch(k -> k.startsWith("{a:"));
            reread(snapshot, changed, !merge);
            onlyMerged &= merge;
            if (merge) {
                LOG.debug("{}: {} shared states changed under it (attempt {}), counting them again", what, changed.size(), attempt);
                merges.incrementAndGet();
                outcome = merged(events, snapshot, outcome, changed);
            } else {
                LOG.debug("{}: {} states changed under it (attempt {}), computing again", what, changed.size(), attempt);
                outcome = compute(events, snapshot, retryScratch);
            }
        }
        throw new IllegalStateException("could not " + what + ": other writers changed its states "
                + MAX_ATTEMPTS + " times in a row");
    }

    /**
     * The outcome with each changed shared state (no account's) counted again: the batch's transactions that named it,
     * in batch order, counted into the state another writer left, as if this batch had come after that writer's. The
     * features, replay records and every other state stay as computed. A state holds counts, buckets, event seconds
     * and days; lists and labels are read, not kept, so they are not needed here.
     */
    private Outcome merged(List<TransactionEvent> events, Snapshot s, Outcome o, List<String> changed) {
        Set<String> keys = new HashSet<>(changed);
        long lateness = options.allowedLateness().toSeconds();
        Map<String, EntityState> recounted = new HashMap<>(capacityFor(keys.size()));
        for (int n = 0; n < events.size(); n++) {
            if (o.results().get(n).replayed()) continue; // answered from a replay record, or a repeat within the batch
            TransactionEvent e = events.get(n);
            EventKeys k = s.keys.get(n);
            long[] increments = null;
            for (int i = 0; i < k.states().length; i++) {
                if (!keys.contains(k.states()[i])) continue;
                EntityState state = recounted.computeIfAbsent(k.states()[i], key -> {
                    byte[] value = s.states.get(key);
                    return value == null ? EntityState.empty() : EntityState.decode(value);
                });
                if (increments == null) increments = FeatureMath.Self.of(e).increments();
                state.count(k.kinds()[i], e, increments, lateness, NOT_LISTED, List.of());
            }
        }
        List<StateWrite> writes = new ArrayList<>(o.states().size());
        for (StateWrite w : o.states()) {
            EntityState state = recounted.get(w.key());
            if (state == null) {
                writes.add(w);
            } else {
                long version = newVersion();
                writes.add(new StateWrite(w.key(), readVersion(s.states.get(w.key())), state.encode(version, retryScratch),
                        w.ttlSeconds(), version, state));
            }
        }
        return new Outcome(o.results(), writes, o.replays(), o.index(), o.indexDay());
    }

    // ---- reading ----

    /** What a batch read: raw state values (null: absent) and replay records by key, profiles, lists, labels. */
    private static final class Snapshot {
        final Map<String, byte[]> states;
        final Map<String, byte[]> replays;
        final Map<String, AccountProfile> profiles;
        /**
         * By the entity's tag, {blacklisted, whitelisted}, for the entities of the batch that have a list hash: few do, so
         * the others are not kept (looking up thousands of absent entries was 6 % of a batch's Java time).
         */
        final Map<String, boolean[]> lists = new HashMap<>();
        /** By merchant id: its FRAUD labels, {occurredAt, knownAt}. */
        final Map<String, List<Instant[]>> labels;
        /** The keys of each event of the batch, in its order. */
        final List<EventKeys> keys;

        Snapshot(List<EventKeys> keys) {
            this.keys = keys;
            // Sized for the batch up front: growing them a doubling at a time was 3 % of the store's Java time.
            states = new HashMap<>(capacityFor(5 * keys.size()));
            replays = new HashMap<>(capacityFor(keys.size()));
            profiles = new HashMap<>(capacityFor(keys.size()));
            labels = new HashMap<>(capacityFor(keys.size()));
        }

        /** The list flags of the entity with this tag. */
        boolean[] listed(String tag) {
            return lists.getOrDefault(tag, NOT_LISTED);
        }
    }

    /**
     * The keys one event names, worked out once per batch (reading, computing again after a conflict and computing
     * all use the same strings, whose hashes are then computed once): the account's tag, its replay record and
     * state; per other entity (customer, device, IP, merchant, in that order) its kind, id, tag and state key.
     */
    private record EventKeys(String tag, String replay, String state, String[] kinds, String[] ids, String[] tags,
            String[] states) {

        static EventKeys of(TransactionEvent e) {
            String tag = hashTag(e.accountId());
            List<String[]> entities = entities(e);
            int n = entities.size();
            String[] kinds = new String[n];
            String[] ids = new String[n];
            String[] tags = new String[n];
            String[] states = new String[n];
            for (int i = 0; i < n; i++) {
                kinds[i] = entities.get(i)[0];
                ids[i] = entities.get(i)[1];
                tags[i] = hashTag(kinds[i], ids[i]);
                states[i] = tags[i] + ":st";
            }
            return new EventKeys(tag, tag + ":tx:" + e.transactionId(), tag + ":st", kinds, ids, tags, states);
        }
    }

    private Snapshot read(List<TransactionEvent> events) {
        int n = events.size();
        Set<String> states = new LinkedHashSet<>(capacityFor(5 * n));
        Set<String> replays = new LinkedHashSet<>(capacityFor(n));
        Set<String> accounts = new LinkedHashSet<>(capacityFor(n));
        Set<String> tags = new LinkedHashSet<>(capacityFor(5 * n));
        Set<String> merchants = new LinkedHashSet<>(capacityFor(n));
        List<EventKeys> keys = new ArrayList<>(events.size());
        for (TransactionEvent e : events) {
            EventKeys k = EventKeys.of(e);
            keys.add(k);
            replays.add(k.replay());
            states.add(k.state());
            accounts.add(e.accountId());
            tags.add(k.tag());
            for (int i = 0; i < k.states().length; i++) {
                states.add(k.states()[i]);
                tags.add(k.tags()[i]);
            }
            if (e.merchantId() != null) merchants.add(e.merchantId());
        }
        Snapshot s = new Snapshot(keys);
        List<String> listed = new ArrayList<>(tags);
        List<String> listKeys = new ArrayList<>(listed.size());
        for (String t : listed) listKeys.add(t + ":l");
        try (AbstractPipeline p = pipelined()) {
            Values stateReplies = getAll(p, states);
            Values replayReplies = getAll(p, replays);
            Map<String, Response<List<String>>> profileReplies = new LinkedHashMap<>(capacityFor(accounts.size()));
            for (String a : accounts) profileReplies.put(a, p.hmget(hashTag(a) + ":p", PROFILE_FIELDS));
            // One Redis: one script finds the few listed entities. A cluster: the script would span slots, so an HMGET each.
            Response<Object> listReply = clusterWriter == null ? p.evalsha(READ_LISTS.sha1(), listKeys, List.of()) : null;
            List<Response<List<String>>> listFlags = new ArrayList<>();
            if (clusterWriter != null) for (String k : listKeys) listFlags.add(p.hmget(k, "b", "w"));
            Map<String, Response<List<String>>> labelReplies = new LinkedHashMap<>(capacityFor(merchants.size()));
            for (String m : merchants) labelReplies.put(m, p.hvals(hashTag("m", m) + ":fl"));
            p.sync();
            if (listReply != null) {
                Object found;
                try {
                    found = reply(listReply);
                } catch (JedisNoScriptException e) {
                    // Redis restarted or its scripts were flushed: load the script and read again (a read changes nothing).
                    loadScript(READ_LISTS);
                    return read(events);
                }
                if (!(found instanceof List<?> pairs)) throw new IllegalStateException("unexpected reply from read-lists.lua: " + found);
                for (int i = 0; i < pairs.size(); i += 2) {
                    int flags = ((Long) pairs.get(i + 1)).intValue();
                    s.lists.put(listed.get(((Long) pairs.get(i)).intValue() - 1), new boolean[] {(flags & 1) != 0, (flags & 2) != 0});
                }
            }
            for (int i = 0; i < listFlags.size(); i++) {
                List<String> flags = reply(listFlags.get(i));
                if (flags.get(0) != null || flags.get(1) != null) s.lists.put(listed.get(i), new boolean[] {flags.get(0) != null, flags.get(1) != null});
            }
            s.states.putAll(stateReplies.get());
            s.replays.putAll(replayReplies.get());
            profileReplies.forEach((a, r) -> s.profiles.put(a, profile(a, reply(r))));
            labelReplies.forEach((m, r) -> s.labels.put(m, reply(r).stream().map(RedisFeatureStore::label).toList()));
        }
        return s;
    }

    /** After a conflict: the states that changed and, when {@code replaysToo}, every replay record of the batch (another instance may have counted one). */
    private void reread(Snapshot s, List<String> changed, boolean replaysToo) {
        Set<String> replays = new LinkedHashSet<>();
        if (replaysToo) for (EventKeys k : s.keys) replays.add(k.replay());
        try (AbstractPipeline p = pipelined()) {
            Values stateReplies = getAll(p, changed);
            Values replayReplies = getAll(p, replays);
            p.sync();
            s.states.putAll(stateReplies.get());
            s.replays.putAll(replayReplies.get());
        }
    }

    /** The values of the MGETs sent in a pipeline, by key (null: absent) once the pipeline is synced. */
    private record Values(List<List<String>> names, List<Response<List<byte[]>>> values) {
        Map<String, byte[]> get() {
            Map<String, byte[]> out = new HashMap<>();
            for (int m = 0; m < names.size(); m++) {
                List<String> n = names.get(m);
                List<byte[]> v = reply(values.get(m));
                for (int i = 0; i < n.size(); i++) out.put(n.get(i), v.get(i));
            }
            return out;
        }
    }

    /**
     * One MGET for all the keys on one Redis (a command per key costs Redis about a microsecond more each); on a
     * cluster, one MGET per hash tag, as an MGET must stay within one slot.
     */
    private Values getAll(AbstractPipeline p, java.util.Collection<String> keys) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        if (clusterWriter == null) {
            if (!keys.isEmpty()) groups.put("", List.copyOf(keys));
        } else {
            for (String k : keys) groups.computeIfAbsent(tagOf(k), t -> new ArrayList<>(2)).add(k);
        }
        List<List<String>> names = new ArrayList<>(groups.size());
        List<Response<List<byte[]>>> values = new ArrayList<>(groups.size());
        for (List<String> group : groups.values()) {
            byte[][] raw = new byte[group.size()][];
            for (int i = 0; i < raw.length; i++) raw[i] = bytes(group.get(i));
            names.add(group);
            values.add(p.mget(raw));
        }
        return new Values(names, values);
    }

    /** The hash tag a key starts with: {@code {kind:escaped id}} (an escaped id holds no closing brace). */
    private static String tagOf(String key) {
        return key.substring(0, key.indexOf('}') + 1);
    }

    /** {kind, id} of each entity other than the account the event names, in the order c, d, i, m. */
    private static List<String[]> entities(TransactionEvent e) {
        List<String[]> out = new ArrayList<>(4);
        out.add(new String[] {"c", e.customerId()});
        if (e.deviceFingerprint() != null) out.add(new String[] {"d", e.deviceFingerprint()});
        if (e.ip() != null) out.add(new String[] {"i", e.ip()});
        if (e.merchantId() != null) out.add(new String[] {"m", e.merchantId()});
        return out;
    }

    // ---- computing ----

    /**
     * A changed state to write: its key, the version it was read at ('' absent), the new value, its TTL, and the
     * new value's version and decoded state (for the cache once written).
     */
    private record StateWrite(String key, byte[] readVersion, byte[] value, long ttlSeconds, long version, Object state) {}

    /**
     * What a batch computed: per event its enrichment; the states, replay records and label index entries to write;
     * and the wall-clock day whose index hashes take those entries.
     */
    private record Outcome(List<Enrichment> results, List<StateWrite> states, Map<String, byte[]> replays,
            java.util.Collection<LabelIndex.Put> index, long indexDay) {}

    /** Computes every event of the batch in order from the snapshot; nothing is written here. */
    private Outcome compute(List<TransactionEvent> events, Snapshot s, StateBytes.Writer scratch) {
        long lateness = options.allowedLateness().toSeconds();
        int size = events.size();
        Map<String, AccountState> accounts = new LinkedHashMap<>(capacityFor(size));
        // Customers, devices and IPs apart from merchants: the script takes the states in runs of one TTL.
        Map<String, EntityState> others = new LinkedHashMap<>(capacityFor(3 * size));
        Map<String, EntityState> merchants = new LinkedHashMap<>(capacityFor(size));
        Map<String, Enrichment> done = new HashMap<>(capacityFor(size));
        Map<String, byte[]> replays = new LinkedHashMap<>(capacityFor(size));
        long indexDay = LabelIndex.day(clock.instant());
        Map<String, LabelIndex.Put> index = new LinkedHashMap<>(capacityFor(size)); // by transaction id: the first wins
        List<Enrichment> results = new ArrayList<>(events.size());
        for (int n = 0; n < events.size(); n++) {
            TransactionEvent e = events.get(n);
            EventKeys keys = s.keys.get(n);
            String replayKey = keys.replay();
            Enrichment first = done.get(replayKey);
            if (first == null && s.replays.get(replayKey) != null) {
                first = ReplayRecord.decode(e.accountId(), s.replays.get(replayKey));
                done.put(replayKey, first);
            }
            if (first != null) {
                results.add(first);
                continue;
            }
            AccountState account = accounts.computeIfAbsent(keys.state(),
                    k -> open(k, s.states.get(k), AccountState.class, AccountState::decode, AccountState::empty));
            AccountProfile profile = s.profiles.get(e.accountId());
            FeatureMath.Self self = FeatureMath.Self.of(e);
            long[] increments = self.increments();
            FeatureMath.AccountPart a = account.count(e, increments, profile, s.listed(keys.tag()), lateness);
            FeatureMath.EntityPart customer = null;
            FeatureMath.EntityPart device = null;
            FeatureMath.EntityPart ip = null;
            FeatureMath.EntityPart merchant = null;
            for (int i = 0; i < keys.kinds().length; i++) {
                String kind = keys.kinds()[i];
                boolean isMerchant = kind.equals("m");
                EntityState state = (isMerchant ? merchants : others).computeIfAbsent(keys.states()[i],
                        k -> open(k, s.states.get(k), EntityState.class, EntityState::decode, EntityState::empty));
                FeatureMath.EntityPart part = state.count(kind, e, increments, lateness, s.listed(keys.tags()[i]),
                        isMerchant ? s.labels.get(keys.ids()[i]) : List.of());
                switch (kind) {
                    case "c" -> customer = part;
                    case "d" -> device = part;
                    case "i" -> ip = part;
                    default -> merchant = part;
                }
            }
            Features f = FeatureMath.features(self, a, customer, device, ip, merchant);
            results.add(new Enrichment(f, profile, false));
            done.put(replayKey, new Enrichment(f, profile, true));
            replays.put(replayKey, ReplayRecord.encode(f, profile, scratch));
            if (e.merchantId() != null) {
                index.computeIfAbsent(e.transactionId(), id -> LabelIndex.put(indexDay, id, e.merchantId(), e.occurredAt()));
            }
        }
        // Merchants first, then the others, accounts last: the states other instances are likeliest to have changed
        // (merchants and IPs are shared) come early, so a refused write has little to put back (write-states.lua).
        List<StateWrite> writes = new ArrayList<>(accounts.size() + others.size() + merchants.size());
        merchants.forEach((k, st) -> {
            long version = newVersion();
            writes.add(new StateWrite(k, readVersion(s.states.get(k)), st.encode(version, scratch), merchantTtlSeconds(), version, st));
        });
        others.forEach((k, st) -> {
            long version = newVersion();
            writes.add(new StateWrite(k, readVersion(s.states.get(k)), st.encode(version, scratch), entityTtlSeconds(), version, st));
        });
        accounts.forEach((k, st) -> {
            long version = newVersion();
            writes.add(new StateWrite(k, readVersion(s.states.get(k)), st.encode(version, scratch), options.historyRetention().toSeconds(),
                    version, st));
        });
        return new Outcome(results, writes, replays, index.values(), indexDay);
    }

    /**
     * The state a batch counts on: the cached one when Redis still holds the version this process wrote, else the
     * bytes read, decoded. Either way it leaves the cache: only a successful write puts it back, so a batch that
     * fails or is refused half-way through counting leaves no cached state that differs from Redis.
     */
    private <T> T open(String key, byte[] value, Class<T> type, Function<byte[], T> decode, Supplier<T> empty) {
        if (value == null) {
            cache.remove(key); // expired or never written: whatever was cached is gone from Redis
            return empty.get();
        }
        Object cached = cache.take(key, new StateBytes.Reader(value, 0).version());
        return type.isInstance(cached) ? type.cast(cached) : decode.apply(value);
    }

    private static byte[] readVersion(byte[] value) {
        return value == null ? new byte[0] : Arrays.copyOf(value, StateBytes.VERSION_BYTES);
    }

    /** A random version: a writer that read another version cannot match it by chance (no ABA after an expiry). */
    private static long newVersion() {
        return ThreadLocalRandom.current().nextLong();
    }

    // ---- writing ----

    /** Runs write-states.lua; returns the keys of the states whose version changed (then nothing was written). */
    private List<String> write(Outcome o) {
        if (clusterWriter != null) return writeToCluster(o);
        // States in groups of one TTL (merchants, then others in the order computed, then accounts), each TTL sent once.
        List<long[]> groups = new ArrayList<>();
        for (StateWrite w : o.states()) {
            if (groups.isEmpty() || groups.get(groups.size() - 1)[1] != w.ttlSeconds()) groups.add(new long[] {0, w.ttlSeconds()});
            groups.get(groups.size() - 1)[0]++;
        }
        List<byte[]> keys = new ArrayList<>(o.states().size() + o.replays().size() + o.index().size());
        List<byte[]> args = new ArrayList<>(6 + 2 * groups.size() + 2 * o.states().size() + o.replays().size() + 2 * o.index().size());
        args.add(bytes(Integer.toString(o.states().size())));
        args.add(bytes(Integer.toString(o.replays().size())));
        args.add(bytes(Integer.toString(o.index().size())));
        args.add(bytes(Integer.toString(groups.size())));
        for (long[] g : groups) {
            args.add(bytes(Long.toString(g[0])));
            args.add(bytes(Long.toString(g[1])));
        }
        args.add(bytes(Long.toString(options.replayRetention().toSeconds())));
        args.add(bytes(Long.toString(LabelIndex.expiresAt(o.indexDay()))));
        for (StateWrite w : o.states()) {
            keys.add(bytes(w.key()));
            args.add(w.readVersion());
            args.add(w.value());
        }
        o.replays().forEach((k, v) -> {
            keys.add(bytes(k));
            args.add(v);
        });
        for (LabelIndex.Put put : o.index()) {
            keys.add(bytes(put.key()));
            args.add(bytes(put.transactionId()));
            args.add(bytes(put.value()));
        }
        Object reply;
        try {
            reply = client.evalsha(bytes(WRITE.sha1()), keys, args);
        } catch (JedisNoScriptException e) {
            // NOSCRIPT: the script did not run, so sending it again cannot write twice.
            loadScript(WRITE);
            reply = client.evalsha(bytes(WRITE.sha1()), keys, args);
        }
        if (!(reply instanceof List<?> positions)) throw new IllegalStateException("unexpected reply from write-states.lua: " + reply);
        List<String> changed = new ArrayList<>(positions.size());
        for (Object position : positions) changed.add(o.states().get(((Long) position).intValue() - 1).key());
        return changed;
    }

    /** The batch as one cell per hash tag (an account's state with its transactions' replay records), written by {@link ClusterStateWriter}. */
    private List<String> writeToCluster(Outcome o) {
        Map<String, ClusterStateWriter.Cell> cells = new LinkedHashMap<>();
        Map<String, List<ClusterStateWriter.Put>> replaysByTag = new HashMap<>();
        o.replays().forEach((k, v) -> replaysByTag.computeIfAbsent(tagOf(k), t -> new ArrayList<>())
                .add(new ClusterStateWriter.Put(k, v, options.replayRetention().toSeconds())));
        for (StateWrite w : o.states()) {
            String tag = tagOf(w.key());
            List<ClusterStateWriter.Put> puts = new ArrayList<>();
            puts.add(new ClusterStateWriter.Put(w.key(), w.value(), w.ttlSeconds()));
            puts.addAll(replaysByTag.getOrDefault(tag, List.of()));
            cells.put(tag, new ClusterStateWriter.Cell(tag, w.key(), w.readVersion(), puts));
        }
        return clusterWriter.write(List.copyOf(cells.values()), o.index(), LabelIndex.expiresAt(o.indexDay()));
    }

    /** The capacity a HashMap needs to hold {@code n} entries without growing (its load factor is 0.75). */
    static int capacityFor(int n) {
        return (int) (n / 0.75f) + 1;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The reply of a synced pipeline's command. A cluster pipeline whose node failed during the sync leaves that node's
     * replies unset (Jedis logs the cause on its own thread) and {@link Response#get()} then throws an
     * {@link IllegalStateException}: that is the node being unreachable, not a bug.
     */
    static <T> T reply(Response<T> response) {
        try {
            return response.get();
        } catch (IllegalStateException e) {
            throw new JedisConnectionException("no reply from a Redis node: it failed during the pipeline (" + e.getMessage() + ")", e);
        }
    }

    /** Customers, devices and IPs keep windows up to 30 days. */
    private long entityTtlSeconds() {
        return 30L * 86_400 + options.allowedLateness().toSeconds() + options.windowGrace().toSeconds();
    }

    /**
     * A merchant also keeps its transactions per UTC day for its delayed fraud rates: the 37 days before the day
     * of the newest event minus the lateness, that day, and the grace.
     */
    private long merchantTtlSeconds() {
        return (FeatureMath.DAY_COUNTS_KEPT + 1) * 86_400 + options.allowedLateness().toSeconds()
                + options.windowGrace().toSeconds();
    }

    @Override
    public void apply(AccountEvent event) {
        Objects.requireNonNull(event, "event");
        if (event.openedAt() != null) checkTime(event.openedAt(), "openedAt");
        String tag = hashTag(event.accountId());
        List<String> keys = List.of(tag + ":p", tag + ":ae:" + event.eventId());
        List<String> args = List.of(
                event.type().name(),
                Long.toString(options.replayRetention().toSeconds()),
                event.customerId(),
                present(event.openedAt() == null ? null : encodeTime(event.openedAt())),
                present(event.declaredNetWorth() == null ? null : event.declaredNetWorth().toString()),
                present(event.netWorthCurrency() == null ? null : event.netWorthCurrency().getCurrencyCode()),
                present(event.country()),
                present(event.kycRiskLevel() == null ? null : event.kycRiskLevel().name()));
        try {
            try {
                client.evalsha(APPLY.sha1(), keys, args);
            } catch (JedisNoScriptException e) {
                loadScript(APPLY);
                client.evalsha(APPLY.sha1(), keys, args);
            }
        } catch (JedisException e) {
            throw translate(e, "apply account event " + event.eventId());
        }
    }

    /** Puts the entity on the list or takes it off: one HSET or HDEL on its {@code :l} hash, under its own tag. */
    @Override
    public void applyList(ListEntry entry) {
        Objects.requireNonNull(entry, "entry");
        String key = hashTag(entry.entity().tag, entry.id()) + ":l";
        String field = entry.list() == ListEntry.Kind.BLACKLIST ? "b" : "w";
        try {
            if (entry.member()) client.hset(key, field, "1");
            else client.hdel(key, field);
        } catch (JedisException e) {
            throw translate(e, "apply a list entry for " + entry.entity() + " " + entry.id());
        }
    }

    /**
     * A FRAUD label goes into its merchant's label hash (transaction id to its time and knownAt), if the transaction was
     * enriched and had a merchant; the first FRAUD label of a transaction wins. Two round trips: the transaction's
     * entry in the label index (every day's hash of its shard, and the key of the layout before, in one pipeline),
     * then the merchant's hash.
     */
    @Override
    public boolean applyLabel(Label label) {
        Objects.requireNonNull(label, "label");
        checkTime(label.knownAt(), "knownAt");
        if (label.label() != Label.Kind.FRAUD) return false;
        try {
            String index = indexEntry(label.transactionId());
            if (index == null) return false;
            LabelIndex.Entry entry = LabelIndex.parse(index);
            String key = hashTag("m", entry.merchantId()) + ":fl";
            long added = client.hsetnx(key, label.transactionId(), encodeTime(entry.occurredAt()) + "|" + encodeTime(label.knownAt()));
            client.expire(key, LABELS_TTL_SECONDS);
            return added == 1;
        } catch (JedisException e) {
            throw translate(e, "apply a label for transaction " + label.transactionId());
        }
    }

    /**
     * The transaction's {@code merchant|eventTime} from the label index, null if it has none: the key a build before
     * the index's hashes wrote ({@code {t:<id>}:m}, kept 39 days) if there is one, else the entry of the oldest day.
     */
    private String indexEntry(String transactionId) {
        List<String> keys = LabelIndex.keysToProbe(LabelIndex.day(clock.instant()), transactionId);
        List<Response<String>> found = new ArrayList<>(keys.size() + 1);
        try (AbstractPipeline p = pipelined()) {
            found.add(p.get(hashTag("t", transactionId) + ":m")); // the layout before: older than any day's hash
            for (String key : keys) found.add(p.hget(key, transactionId));
            p.sync();
        }
        for (Response<String> r : found) {
            String entry = reply(r);
            if (entry != null) return entry;
        }
        return null;
    }

    @Override
    public boolean isHealthy() {
        try {
            // On a cluster Jedis sends PING to every master and fails unless all answer: each holds a share of the entities.
            return "PONG".equals(client.ping());
        } catch (JedisException e) {
            LOG.debug("Redis feature store at {} is not healthy: {}", where, e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        client.close();
        if (pipelineWorkers != null) pipelineWorkers.shutdown();
    }

    /** A pipeline: on a cluster, one that sends to the masters on this store's threads. */
    private AbstractPipeline pipelined() {
        return pipelineWorkers == null ? client.pipelined() : ((RedisClusterClient) client).pipelined(pipelineWorkers);
    }

    /** The decoded states kept between batches: for tests. */
    StateCache cache() {
        return cache;
    }

    /** What writes batches to a Redis Cluster (null on one Redis): for tests that stop a batch half-way. */
    ClusterStateWriter clusterWriter() {
        return clusterWriter;
    }

    /** How many times a batch was computed again because another writer had changed one of its states. */
    long conflicts() {
        return conflicts.get();
    }

    /** Conflicts settled by counting the changed shared states again ({@link Options#mergeSharedStates()}). */
    long merges() {
        return merges.get();
    }

    /** Batches that counted on a batch before them that was written after a merge, and still went on to their write. */
    long leanedOnMerged() {
        return leanedOnMerged.get();
    }

    /** Batches that counted on states or replay records a batch before them had computed but not yet written. */
    long leanedOnBatchBefore() {
        return leaned.get();
    }

    /** Of those, the batches that counted on two batches before them or more. */
    long leanedOnSeveralBatchesBefore() {
        return leanedOnSeveral.get();
    }

    /** Batches read again in the compute turn because batches written since their first read were no longer kept. */
    long readAgainForBatchesNotKept() {
        return readAgain.get();
    }

    /** Batches computed again because a batch before them was not written as computed (it failed, or met a conflict). */
    long computedAgainForBatchBefore() {
        return computedAgainForBatchBefore.get();
    }

    /** Whether a batch has computed and waits for the batch before it to finish writing: for tests. */
    boolean batchWaitingToWrite() {
        return writeTurn.hasQueuedThreads();
    }

    @Override
    public String toString() {
        return "RedisFeatureStore[" + where + "]";
    }

    // ---- helpers ----

    /** Loads a script on the one Redis, or on every master of a cluster (Jedis sends SCRIPT LOAD to each). */
    private void loadScript(LuaScript script) {
        String sha = client.scriptLoad(script.source());
        if (!script.sha1().equals(sha)) {
            throw new IllegalStateException("Redis hashed " + script.name() + " as " + sha + ", expected " + script.sha1());
        }
        LOG.info("Loaded {} into Redis at {}", script.name(), where);
    }

    private RuntimeException translate(JedisException e, String what) {
        if (e instanceof JedisRedirectionException && client instanceof RedisClusterClient cluster) {
            // MOVED or ASK reached us (a pipeline does not follow them): slots moved, so learn the new map before the retry.
            cluster.refreshClusterTopology();
        }
        boolean clusterNotReady = e instanceof JedisClusterException // CLUSTERDOWN, TRYAGAIN
                || e instanceof JedisBroadcastException // a master did not answer a command sent to all
                || e instanceof JedisRedirectionException;
        if (e instanceof JedisDataException && !clusterNotReady) {
            // Redis answered, with an error: a bug or an overflow, not an outage.
            return new IllegalStateException("Redis feature store at " + where + " refused to " + what + ": " + e.getMessage(), e);
        }
        return new FeatureStoreUnavailableException(
                "Redis feature store at " + where + " is unavailable, could not " + what + ": " + e.getMessage(), e);
    }

    /** The profile from its hash's fields (HMGET in {@link #PROFILE_FIELDS} order); null when no account event was seen. */
    private static AccountProfile profile(String accountId, List<String> f) {
        // Every account event writes the customer id, so its presence says a profile exists.
        if (f.get(0) == null) return null;
        return new AccountProfile(
                accountId,
                f.get(0),
                f.get(1) == null ? null : decodeTime(f.get(1)),
                f.get(2) == null ? null : new BigDecimal(f.get(2)),
                f.get(3) == null ? null : Currency.getInstance(f.get(3)),
                f.get(4),
                f.get(5) == null ? null : KycRiskLevel.valueOf(f.get(5)),
                f.get(6) != null,
                f.get(7) != null,
                f.get(8) != null);
    }

    /** A label hash value 'occurredAt|knownAt' to {occurredAt, knownAt}. */
    private static Instant[] label(String value) {
        int bar = value.indexOf('|');
        return new Instant[] {decodeTime(value.substring(0, bar)), decodeTime(value.substring(bar + 1))};
    }

    static BigDecimal ratio(BigDecimal depositSum, Currency currency, AccountProfile profile) {
        if (profile == null
                || profile.declaredNetWorth() == null
                || profile.declaredNetWorth().signum() == 0
                || !currency.equals(profile.netWorthCurrency())) {
            return UNKNOWN_RATIO;
        }
        return depositSum.divide(profile.declaredNetWorth(), RATIO_SCALE, RoundingMode.HALF_UP);
    }

    private static String present(String value) {
        return value == null ? "" : "=" + value;
    }

    // ---- encodings ----

    /**
     * The amount in minor units of its currency.
     *
     * @throws IllegalArgumentException with more decimals than the currency has, or none defined
     */
    static long minorUnits(BigDecimal amount, Currency currency) {
        int digits = currency.getDefaultFractionDigits();
        if (digits < 0) {
            throw new IllegalArgumentException("currency " + currency.getCurrencyCode() + " has no minor unit; amounts in it cannot be summed");
        }
        try {
            return amount.movePointRight(digits).toBigIntegerExact().longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("amount " + amount.toPlainString() + " " + currency.getCurrencyCode()
                    + " has more than the " + digits + " decimals of its currency, or is too large", e);
        }
    }

    private static void checkTime(Instant t, String name) {
        Objects.requireNonNull(t, name);
        if (t.getEpochSecond() < 0 || t.getEpochSecond() > MAX_EPOCH_SECOND) {
            throw new IllegalArgumentException(name + " " + t + " is outside what the feature store keeps (1970 to year 33658)");
        }
    }

    /** Fixed width, so that lexicographic order is time order (sorted set by lex). */
    static String encodeTime(Instant t) {
        String s = Long.toString(t.getEpochSecond());
        String n = Integer.toString(t.getNano());
        return "0".repeat(12 - s.length()) + s + "." + "0".repeat(9 - n.length()) + n;
    }

    static Instant decodeTime(String enc) {
        return Instant.ofEpochSecond(Long.parseLong(enc.substring(0, 12)), Long.parseLong(enc.substring(13)));
    }

    /**
     * The account's Redis Cluster hash tag. The id is escaped so that a brace or colon in it can
     * neither cut the tag short nor make two accounts' keys meet.
     */
    static String hashTag(String accountId) {
        return hashTag("a", accountId);
    }

    /** The hash tag of an entity: {@code {<kind>:<escaped id>}}, kind a (account), c, d, i or m. */
    static String hashTag(String kind, String accountId) {
        StringBuilder b = new StringBuilder(accountId.length() + 6).append('{').append(kind).append(':');
        for (int i = 0; i < accountId.length(); i++) {
            char c = accountId.charAt(i);
            switch (c) {
                case '%' -> b.append("%25");
                case '{' -> b.append("%7B");
                case '}' -> b.append("%7D");
                case ':' -> b.append("%3A");
                default -> b.append(c);
            }
        }
        return b.append('}').toString();
    }

}
