package dev.vigil.feature;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ClusterPipeline;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.SetParams;

/**
 * Writes a batch's states to a Redis Cluster all or nothing, although they live in many slots: a transaction in
 * three phases, each one script per entity (one hash tag, one slot), in the manner of Percolator.
 *
 * <ol>
 *   <li><b>Prewrite</b> ({@code prewrite-state.lua}): each entity's lock {@code {x:…}:lk} is taken for the batch if
 *       no other batch holds it and the state's version is still the one read; the lock parks what the batch will
 *       write under that tag (the state; for an account also the replay records of its transactions). Nothing
 *       visible changes.
 *   <li><b>Commit</b>: one key, {@code {bt:<batch id>}}, set to {@code C} if absent. This single write is the
 *       moment the whole batch counts.
 *   <li><b>Roll forward</b> ({@code roll-forward-state.lua}): each lock's parked values are written and the lock
 *       removed; then the commit key is deleted.
 * </ol>
 *
 * <p>When a prewrite finds a changed version or another batch's lock, the caller reads those states again and
 * computes again, as after a version conflict on one Redis, and the batch keeps the locks it took: its next attempt
 * parks new values in them. A lock of another batch is resolved by its commit key: committed, it is rolled forward
 * here (its writer died between commit and roll-forward); aborted ({@code A}), released; neither, and older than
 * the lock timeout, that batch is aborted here by setting its key to {@code A} if absent, so a late writer's commit
 * fails. A live lock is waited for; but a batch waits holding locks only for a younger batch (priority: the time of
 * its first attempt), and gives up all its locks before waiting for an older one (wait-die), so two batches never
 * wait for each other and the oldest always gets through. A batch that failed half-way (Redis unreachable) is
 * settled by this writer before its next batch ({@code release-lock.lua}, or the roll-forward had it committed), so
 * its own retry does not wait for the timeout.
 *
 * <p>Lock times are the writers' wall clocks in milliseconds: instances whose clocks differ by more than a small
 * part of the lock timeout may abort each other's live batches, which costs a retry, never a count. Not
 * thread-safe: {@link RedisFeatureStore} calls it under its turn.
 */
final class ClusterStateWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterStateWriter.class);
    static final LuaScript PREWRITE = LuaScript.load("prewrite-state.lua");
    static final LuaScript ROLL_FORWARD = LuaScript.load("roll-forward-state.lua");
    static final LuaScript RELEASE = LuaScript.load("release-lock.lua");
    private static final List<LuaScript> SCRIPTS = List.of(PREWRITE, ROLL_FORWARD, RELEASE);
    private static final String COMMITTED = "C";
    private static final String ABORTED = "A";
    /** How long a writer waits between looks at a younger lock of another batch. */
    private static final long LOCK_POLL_MILLIS = 5;

    /** What one batch writes under one hash tag: the entity's state (compare-and-set on the version read) and the rest. */
    record Cell(String tag, String stateKey, byte[] readVersion, List<Put> puts) {
        Cell {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(stateKey, "stateKey");
            Objects.requireNonNull(readVersion, "readVersion");
            puts = List.copyOf(puts);
        }

        String lockKey() {
            return tag + ":lk";
        }

        /** The lock's TTL: as long as the longest-lived value it parks, so a committed lock outlives no value. */
        long lockTtlSeconds() {
            long ttl = 1;
            for (Put p : puts) ttl = Math.max(ttl, p.ttlSeconds());
            return ttl;
        }
    }

    /** A key to write with its value and TTL. */
    record Put(String key, byte[] value, long ttlSeconds) {}

    /** A lock of another batch met by a prewrite. */
    private record ForeignLock(String lockKey, String batch, long lockedAtMillis, String priority) {}

    /**
     * A batch of this writer that failed, or ran out of attempts, between its first prewrite and its last roll-forward:
     * the cells of its last attempt, and the locks it knew it held.
     */
    private record Unfinished(String batch, List<Cell> cells, Set<String> held) {}

    private final RedisClusterClient client;
    private final Supplier<ClusterPipeline> pipelines;
    private final long lockTimeoutMillis;
    private final long commitTtlSeconds;
    private final Clock clock;
    private final List<Unfinished> unfinished = new ArrayList<>();
    /** The batch begun last, its priority (its first attempt's time, then its first id: older sorts first), and the locks it holds. */
    private String batch;
    private String priority;
    private final Set<String> held = new HashSet<>();
    private List<Cell> lastCells = List.of();
    /** Set once the scripts were loaded: a master that restarts without them answers NOSCRIPT, and they are loaded again. */
    private boolean scriptsLoaded;
    /**
     * Before the commit ({@link #BEFORE_COMMIT}), between the commit and the roll-forward ({@link #BEFORE_ROLL_FORWARD}), and
     * at each look at another batch's live lock while waiting for it ({@link #WAITING}): lets a test stop a batch there by
     * throwing, as a process death would, hold it there, or see what it holds while it waits ({@link #heldLocks()}).
     */
    volatile IntConsumer checkpoint = at -> {};
    static final int BEFORE_COMMIT = 0;
    static final int BEFORE_ROLL_FORWARD = 1;
    static final int WAITING = 2;

    /**
     * @param pipelines a new pipeline to the masters
     * @param lockTimeout how old another batch's uncommitted lock must be before it is aborted
     * @param commitTtl how long a commit key is kept when its batch's writer died before deleting it: at least as
     *     long as any state, so a lock it left is never orphaned
     */
    ClusterStateWriter(RedisClusterClient client, Supplier<ClusterPipeline> pipelines, Duration lockTimeout, Duration commitTtl,
            Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.pipelines = Objects.requireNonNull(pipelines, "pipelines");
        this.lockTimeoutMillis = lockTimeout.toMillis();
        this.commitTtlSeconds = commitTtl.toSeconds();
        this.clock = Objects.requireNonNull(clock, "clock");
        if (lockTimeoutMillis <= 0) throw new IllegalArgumentException("lockTimeout must be positive: " + lockTimeout);
    }

    /**
     * Starts a batch (a call of {@link RedisFeatureStore#enrichAll}): a new id, and the priority it keeps through all its
     * attempts, so that a batch that gave way to older ones becomes the oldest in time and is given way to.
     */
    void begin() {
        batch = newBatchId();
        priority = String.format(Locale.ROOT, "%015d-%s", clock.millis(), batch);
        held.clear();
        lastCells = List.of();
    }

    /**
     * Ends the batch begun last, written or not: locks it may still hold (it failed, or ran out of attempts) are left to
     * {@link #finishUnfinished} before the next batch, which releases them or, had it committed, rolls them forward.
     */
    void end() {
        if (batch != null && (!held.isEmpty() || !lastCells.isEmpty())) unfinished.add(new Unfinished(batch, lastCells, Set.copyOf(held)));
        batch = null;
        held.clear();
        lastCells = List.of();
    }

    /**
     * One attempt to write every cell, or none, for the batch begun last. Locks taken stay held through the following
     * attempts (the caller reads again and computes again, and the next attempt parks new values in them) unless the
     * batch gives way to an older one.
     *
     * <p>Two batches that want each other's entities never wait for each other: a batch that meets the lock of an older
     * one (by priority) releases all its locks and waits for that lock to go; a batch that meets the lock of a younger
     * one keeps its locks and waits. Waits therefore run from older to younger batches only, and the oldest batch is
     * never made to give way.
     *
     * @param index entries written if absent, outside the transaction (the label index: derived from the event alone,
     *     so writing it for a batch that then fails changes nothing a retry would not write)
     * @param indexExpiresAt when the index's hashes expire (epoch seconds), set with every entry
     * @return the state keys to read again before computing again (their version changed, or another batch held
     *     them); empty when the batch was written
     */
    List<String> write(List<Cell> cells, java.util.Collection<LabelIndex.Put> index, long indexExpiresAt) {
        if (batch == null) throw new IllegalStateException("write without begin");
        if (!scriptsLoaded) loadScripts();
        finishUnfinished();
        long lockedAt = clock.millis();
        lastCells = cells;
        List<Response<Object>> replies = new ArrayList<>(cells.size());
        try (ClusterPipeline p = pipelines.get()) {
            for (LabelIndex.Put e : index) {
                p.hsetnx(e.key(), e.transactionId(), e.value());
                p.expireAt(e.key(), indexExpiresAt);
            }
            for (Cell c : cells) replies.add(p.evalsha(bytes(PREWRITE.sha1()), List.of(bytes(c.stateKey()), bytes(c.lockKey())),
                    prewriteArgs(c, batch, lockedAt, priority)));
            p.sync();
        }
        // Locks of earlier attempts whose entity this attempt no longer writes (its transactions were counted meanwhile).
        Set<String> wanted = new HashSet<>();
        for (Cell c : cells) wanted.add(c.lockKey());
        List<String> stale = held.stream().filter(k -> !wanted.contains(k)).toList();
        if (!stale.isEmpty()) {
            releaseLocks(batch, stale);
            stale.forEach(held::remove);
        }
        List<String> reread = new ArrayList<>();
        List<ForeignLock> foreign = new ArrayList<>();
        boolean noScript = false;
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            List<?> reply;
            try {
                reply = (List<?>) RedisFeatureStore.reply(replies.get(i));
            } catch (JedisNoScriptException e) {
                noScript = true;
                reread.add(c.stateKey());
                continue;
            }
            switch (string(reply.get(0))) {
                case "K" -> held.add(c.lockKey());
                case "C" -> {
                    held.remove(c.lockKey()); // the script dropped it if it was ours
                    reread.add(c.stateKey());
                }
                case "L" -> {
                    reread.add(c.stateKey());
                    // A lock without a priority is given way to, as if older than any.
                    foreign.add(new ForeignLock(c.lockKey(), string(reply.get(1)), Long.parseLong(string(reply.get(2))),
                            reply.get(3) == null ? "" : string(reply.get(3))));
                }
                default -> throw new IllegalStateException("unexpected reply from prewrite-state.lua: " + reply);
            }
        }
        if (reread.isEmpty()) {
            checkpoint.accept(BEFORE_COMMIT);
            if (commit(batch, lockedAt)) {
                checkpoint.accept(BEFORE_ROLL_FORWARD);
                rollForward(batch, cells);
                client.del(commitKey(batch));
                held.clear();
                lastCells = List.of();
                return List.of();
            }
            // Aborted by another writer that found its locks too old: those are released, or will be by the next batch.
            LOG.debug("batch {} was aborted by another writer before it committed; computing again", batch);
            releaseLocks(batch, List.copyOf(held));
            held.clear();
            batch = newBatchId(); // the aborted id can never commit; the priority stays
            for (Cell c : cells) reread.add(c.stateKey());
            return reread;
        }
        if (noScript) loadScripts();
        if (!held.isEmpty() && foreign.stream().anyMatch(f -> f.priority().compareTo(priority) < 0)) {
            // An older batch holds what we want: give way, all of it, before waiting for anyone.
            releaseLocks(batch, List.copyOf(held));
            held.clear();
        }
        for (ForeignLock f : foreign) resolve(f);
        return reread;
    }

    /** Commits the batch unless it took so long since locking that another writer may be aborting it. */
    private boolean commit(String batch, long lockedAt) {
        SetParams ifAbsent = SetParams.setParams().nx().ex(commitTtlSeconds);
        if (clock.millis() - lockedAt > lockTimeoutMillis / 2) {
            // Too close to the timeout: abort it ourselves rather than race another writer's abort.
            client.set(bytes(commitKey(batch)), bytes(ABORTED), ifAbsent);
            return false;
        }
        return "OK".equals(client.set(bytes(commitKey(batch)), bytes(COMMITTED), ifAbsent));
    }

    private void rollForward(String batch, List<Cell> cells) {
        List<List<String>> keys = new ArrayList<>(cells.size());
        for (Cell c : cells) {
            List<String> k = new ArrayList<>(c.puts().size() + 1);
            k.add(c.lockKey());
            for (Put put : c.puts()) k.add(put.key());
            keys.add(k);
        }
        runOnEach(ROLL_FORWARD, keys, batch);
    }

    private void releaseLocks(String batch, java.util.Collection<String> lockKeys) {
        List<List<String>> keys = new ArrayList<>(lockKeys.size());
        for (String k : lockKeys) keys.add(List.of(k));
        runOnEach(RELEASE, keys, batch);
    }

    /** Runs one of the lock scripts once per key list, pipelined; both are idempotent, so NOSCRIPT loads and runs all again. */
    private void runOnEach(LuaScript script, List<List<String>> keyLists, String batch) {
        for (int attempt = 1; ; attempt++) {
            List<Response<Object>> replies = new ArrayList<>(keyLists.size());
            try (ClusterPipeline p = pipelines.get()) {
                List<byte[]> args = List.of(bytes(batch));
                for (List<String> keys : keyLists) replies.add(p.evalsha(bytes(script.sha1()), keys.stream().map(ClusterStateWriter::bytes).toList(), args));
                p.sync();
            }
            try {
                for (Response<Object> r : replies) RedisFeatureStore.reply(r);
                return;
            } catch (JedisNoScriptException e) {
                if (attempt == 2) throw e;
                loadScripts();
            }
        }
    }

    /**
     * Settles a lock of another batch: rolled forward, released, aborted once too old, or waited for. Its age is read
     * afresh at each look: a live batch that keeps its locks across attempts renews their time at each attempt.
     */
    private void resolve(ForeignLock f) {
        while (true) {
            List<String> lock = client.hmget(f.lockKey(), "b", "t");
            if (!f.batch().equals(lock.get(0))) return; // its writer (or another) has settled it
            long lockedAt = lock.get(1) == null ? f.lockedAtMillis() : Long.parseLong(lock.get(1));
            String status = client.get(commitKey(f.batch()));
            if (COMMITTED.equals(status)) {
                LOG.info("Rolling forward {} of batch {}, committed by a writer that did not finish", f.lockKey(), f.batch());
                Map<String, String> parked = client.hgetAll(f.lockKey());
                List<String> keys = new ArrayList<>();
                keys.add(f.lockKey());
                for (int i = 1; parked.containsKey("k" + i); i++) keys.add(parked.get("k" + i));
                runOnEach(ROLL_FORWARD, List.of(keys), f.batch());
                return;
            }
            if (ABORTED.equals(status)) {
                runOnEach(RELEASE, List.of(List.of(f.lockKey())), f.batch());
                return;
            }
            if (clock.millis() - lockedAt > lockTimeoutMillis) {
                // Its writer is gone or stalled: abort the batch, unless it committed meanwhile (then the next turn rolls it forward).
                if ("OK".equals(client.set(bytes(commitKey(f.batch())), bytes(ABORTED), SetParams.setParams().nx().ex(commitTtlSeconds)))) {
                    LOG.info("Aborted batch {}: its lock {} was older than {} ms", f.batch(), f.lockKey(), lockTimeoutMillis);
                }
                continue;
            }
            checkpoint.accept(WAITING);
            sleep(LOCK_POLL_MILLIS + ThreadLocalRandom.current().nextLong(LOCK_POLL_MILLIS));
        }
    }

    /** Settles this writer's own batches that failed half-way: committed ones are rolled forward, the others aborted and released. */
    private void finishUnfinished() {
        while (!unfinished.isEmpty()) {
            Unfinished u = unfinished.get(0);
            String key = commitKey(u.batch());
            boolean aborted = "OK".equals(client.set(bytes(key), bytes(ABORTED), SetParams.setParams().nx().ex(commitTtlSeconds)));
            String status = aborted ? ABORTED : client.get(key);
            if (ABORTED.equals(status)) {
                Set<String> locks = new HashSet<>(u.held());
                for (Cell c : u.cells()) locks.add(c.lockKey());
                releaseLocks(u.batch(), locks);
            } else if (COMMITTED.equals(status)) {
                rollForward(u.batch(), u.cells());
                client.del(key);
            } // absent: it committed and was rolled forward and cleaned up before the failure was seen
            LOG.info("Settled batch {} left unfinished by a failure: {}", u.batch(), status == null ? "already written" : status);
            unfinished.remove(0);
        }
    }

    /** How many locks the current batch holds: for tests. */
    int heldLocks() {
        return held.size();
    }

    /** Loads the three lock scripts on every master (Jedis sends SCRIPT LOAD to each). */
    void loadScripts() {
        for (LuaScript s : SCRIPTS) {
            String sha = client.scriptLoad(s.source());
            if (!s.sha1().equals(sha)) throw new IllegalStateException("Redis hashed " + s.name() + " as " + sha + ", expected " + s.sha1());
        }
        scriptsLoaded = true;
        LOG.info("Loaded the cluster write scripts on every Redis master");
    }

    private static List<byte[]> prewriteArgs(Cell c, String batch, long lockedAt, String priority) {
        List<byte[]> args = new ArrayList<>(9 + 6 * c.puts().size());
        args.add(c.readVersion());
        args.add(bytes(Long.toString(c.lockTtlSeconds())));
        args.add(bytes(batch));
        args.add(bytes("b"));
        args.add(bytes(batch));
        args.add(bytes("t"));
        args.add(bytes(Long.toString(lockedAt)));
        args.add(bytes("p"));
        args.add(bytes(priority));
        for (int i = 0; i < c.puts().size(); i++) {
            Put put = c.puts().get(i);
            args.add(bytes("k" + (i + 1)));
            args.add(bytes(put.key()));
            args.add(bytes("v" + (i + 1)));
            args.add(put.value());
            args.add(bytes("x" + (i + 1)));
            args.add(bytes(Long.toString(put.ttlSeconds())));
        }
        return args;
    }

    static String commitKey(String batch) {
        return "{bt:" + batch + "}";
    }

    private static String newBatchId() {
        byte[] id = new byte[16];
        ThreadLocalRandom.current().nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FeatureStoreUnavailableException("interrupted while waiting for another writer's lock", e);
        }
    }

    private static String string(Object reply) {
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

}
