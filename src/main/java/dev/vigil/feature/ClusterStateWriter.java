package dev.vigil.feature;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;
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
 * <p>When a prewrite finds a changed version or another batch's lock, this batch releases its own locks
 * ({@code release-lock.lua}) and the caller reads again and computes again, as after a version conflict on one
 * Redis. A lock of another batch is resolved by its commit key: committed, it is rolled forward here (its writer
 * died between commit and roll-forward); aborted ({@code A}), released; neither, and older than the lock
 * timeout, the batch is aborted here by setting its key to {@code A} if absent, so a late writer's commit fails
 * and it releases its own locks. A younger lock is waited for. A batch that failed here half-way (Redis
 * unreachable) is resolved by this writer before its next batch, so its own retry does not wait for the timeout.
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
    private static final byte[] COMMITTED = bytes("C");
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
            return lockKey(tag);
        }

        static String lockKey(String tag) {
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
    private record ForeignLock(String lockKey, String batch, long lockedAtMillis) {}

    /** A batch of this writer that failed between its first prewrite and its last roll-forward. */
    private record Unfinished(String batch, List<Cell> cells) {}

    private final RedisClusterClient client;
    private final long lockTimeoutMillis;
    private final long commitTtlSeconds;
    private final Clock clock;
    private final List<Unfinished> unfinished = new ArrayList<>();
    /** Set once the scripts were loaded: a master that restarts without them answers NOSCRIPT, and they are loaded again. */
    private boolean scriptsLoaded;
    /** Before the commit ({@link #BEFORE_COMMIT}) and between the commit and the roll-forward ({@link #BEFORE_ROLL_FORWARD}):
     *  lets a test stop a batch there by throwing, as a process death would. */
    volatile IntConsumer checkpoint = at -> {};
    static final int BEFORE_COMMIT = 0;
    static final int BEFORE_ROLL_FORWARD = 1;

    /**
     * @param lockTimeout how old another batch's uncommitted lock must be before it is aborted
     * @param commitTtl how long a commit key is kept when its batch's writer died before deleting it: at least as
     *     long as any state, so a lock it left is never orphaned
     */
    ClusterStateWriter(RedisClusterClient client, Duration lockTimeout, Duration commitTtl, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.lockTimeoutMillis = lockTimeout.toMillis();
        this.commitTtlSeconds = commitTtl.toSeconds();
        this.clock = Objects.requireNonNull(clock, "clock");
        if (lockTimeoutMillis <= 0) throw new IllegalArgumentException("lockTimeout must be positive: " + lockTimeout);
    }

    /**
     * Writes every cell, or none.
     *
     * @param index keys written if absent, outside the transaction (the label index: derived from the event alone,
     *     so writing it for a batch that then fails changes nothing a retry would not write)
     * @return the state keys to read again before computing again (their version changed, or another batch held
     *     them); empty when the batch was written
     */
    List<String> write(List<Cell> cells, Map<String, String> index, long indexTtlSeconds) {
        if (!scriptsLoaded) loadScripts();
        finishUnfinished();
        String batch = newBatchId();
        long lockedAt = clock.millis();
        Unfinished mine = new Unfinished(batch, cells);
        unfinished.add(mine);
        List<Response<Object>> replies = new ArrayList<>(cells.size());
        try (ClusterPipeline p = client.pipelined()) {
            SetParams indexParams = SetParams.setParams().nx().ex(indexTtlSeconds);
            index.forEach((k, v) -> p.set(bytes(k), bytes(v), indexParams));
            for (Cell c : cells) replies.add(p.evalsha(bytes(PREWRITE.sha1()), List.of(bytes(c.stateKey()), bytes(c.lockKey())),
                    prewriteArgs(c, batch, lockedAt)));
            p.sync();
        }
        List<Cell> locked = new ArrayList<>(cells.size());
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
                case "K" -> locked.add(c);
                case "C" -> reread.add(c.stateKey());
                case "L" -> {
                    reread.add(c.stateKey());
                    foreign.add(new ForeignLock(c.lockKey(), string(reply.get(1)), Long.parseLong(string(reply.get(2)))));
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
                unfinished.remove(mine);
                return List.of();
            }
            LOG.debug("batch {} was aborted by another writer before it committed; computing again", batch);
            locked = cells;
            for (Cell c : cells) reread.add(c.stateKey());
        }
        release(batch, locked);
        unfinished.remove(mine);
        if (noScript) loadScripts();
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
        return "OK".equals(client.set(bytes(commitKey(batch)), COMMITTED, ifAbsent));
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

    private void release(String batch, List<Cell> cells) {
        List<List<String>> keys = new ArrayList<>(cells.size());
        for (Cell c : cells) keys.add(List.of(c.lockKey()));
        runOnEach(RELEASE, keys, batch);
    }

    /** Runs one of the lock scripts once per key list, pipelined; both are idempotent, so NOSCRIPT loads and runs all again. */
    private void runOnEach(LuaScript script, List<List<String>> keyLists, String batch) {
        for (int attempt = 1; ; attempt++) {
            List<Response<Object>> replies = new ArrayList<>(keyLists.size());
            try (ClusterPipeline p = client.pipelined()) {
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

    /** Settles a lock of another batch: rolled forward, released, aborted once too old, or waited for. */
    private void resolve(ForeignLock f) {
        while (true) {
            String owner = client.hget(f.lockKey(), "b");
            if (!f.batch().equals(owner)) return; // its writer (or another) has settled it
            String status = client.get(commitKey(f.batch()));
            if ("C".equals(status)) {
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
            if (clock.millis() - f.lockedAtMillis() > lockTimeoutMillis) {
                // Its writer is gone or stalled: abort the batch, unless it committed meanwhile (then the next turn rolls it forward).
                if ("OK".equals(client.set(bytes(commitKey(f.batch())), bytes(ABORTED), SetParams.setParams().nx().ex(commitTtlSeconds)))) {
                    LOG.info("Aborted batch {}: its lock {} was older than {} ms", f.batch(), f.lockKey(), lockTimeoutMillis);
                }
                continue;
            }
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
                release(u.batch(), u.cells());
            } else if ("C".equals(status)) {
                rollForward(u.batch(), u.cells());
                client.del(key);
            } // absent: it committed and was rolled forward and cleaned up before the failure was seen
            LOG.info("Settled batch {} left unfinished by a failure: {}", u.batch(), status == null ? "already written" : status);
            unfinished.remove(0);
        }
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

    private static List<byte[]> prewriteArgs(Cell c, String batch, long lockedAt) {
        List<byte[]> args = new ArrayList<>(6 + 6 * c.puts().size());
        args.add(c.readVersion());
        args.add(bytes(Long.toString(c.lockTtlSeconds())));
        args.add(bytes("b"));
        args.add(bytes(batch));
        args.add(bytes("t"));
        args.add(bytes(Long.toString(lockedAt)));
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
