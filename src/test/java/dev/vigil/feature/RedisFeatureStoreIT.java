package dev.vigil.feature;

import static dev.vigil.feature.Tx.opened;
import static dev.vigil.feature.Tx.tx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.infra.EmbeddedRedisServer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * The worked examples of {@link FeatureStoreContract} against a real Redis, and what is Redis's
 * own: the lateness horizon, bounded state, key layout and TTLs, outages, script reloads, restarts, and
 * two instances racing on the same states.
 */
class RedisFeatureStoreIT extends FeatureStoreContract {

    @TempDir static Path dataDir;
    private static EmbeddedRedisServer redis;
    private static RedisFeatureStore store;
    private static RedisClient raw;

    @BeforeAll
    static void startRedis() {
        redis = EmbeddedRedisServer.start(dataDir, 0);
        store = new RedisFeatureStore(redis.host(), redis.port());
        raw = RedisClient.create(redis.host(), redis.port());
    }

    @AfterAll
    static void stopRedis() {
        if (store != null) store.close();
        if (raw != null) raw.close();
        if (redis != null) redis.close();
    }

    /** The options of a store that keeps decoded states between batches (off by default). */
    private static final RedisFeatureStore.Options CACHING = RedisFeatureStore.Options.defaults().withStateCacheEntries(1_000);

    @Override
    FeatureStore store() {
        return store;
    }

    @Test
    void shouldMissTrimmedBucketsOnlyForEventsBeyondTheLatenessHorizon() {
        enrich(tx(acct, "a", T0));
        enrich(tx(acct, "b", T0.plus(Duration.ofMinutes(20))));
        // c is 19.5 minutes behind the newest event, beyond the 5-minute horizon: the 1-minute
        // bucket of a was dropped when b came, so c's minute misses it (by definition it holds a).
        Features c = enrich(tx(acct, "c", T0.plusSeconds(30)));
        assertEquals(1, c.txCount1m(), "documented: beyond the horizon the 1-minute window lost a");
        assertEquals(2, c.txCount1h(), "a's minute bucket is still within the horizon's reach of the hour");
        assertEquals(30, c.secondsSincePrevious(), "the last time before the horizon is kept");
    }


    @Test
    void shouldRefuseEventTimesBefore1970() {
        assertThrows(IllegalArgumentException.class, () -> store.enrich(tx(acct, "x", Instant.ofEpochSecond(-1)).build()));
    }


    @Test
    void shouldThrowUnavailableWhenRedisCannotBeReached() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (RedisFeatureStore down = new RedisFeatureStore("127.0.0.1", closedPort)) {
            assertFalse(down.isHealthy());
            var e = assertThrows(FeatureStoreUnavailableException.class, () -> down.enrich(tx(acct, "t", T0).build()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());
            assertThrows(FeatureStoreUnavailableException.class, () -> down.enrichAll(List.of(tx(acct, "t", T0).build())));
            assertThrows(FeatureStoreUnavailableException.class, () -> down.apply(opened(acct, "o", T0, null, null)));
        }
        assertTrue(store.isHealthy());
    }


    @Test
    void shouldReloadTheScriptAfterRedisForgetsIt() {
        raw.scriptFlush();
        assertEquals(1, enrich(tx(acct, "1", T0)).txCount1m());
        raw.scriptFlush();
        List<Enrichment> batch = store.enrichAll(List.of(tx(acct, "2", T0).build(), tx(acct, "3", T0).build()));
        assertEquals(List.of(2L, 3L), batch.stream().map(e -> e.features().txCount1m()).toList());
        assertFalse(batch.get(0).replayed());
        raw.scriptFlush();
        store.apply(opened(acct, "o", T0.minus(Duration.ofDays(1)), null, null));
        assertEquals(1, enrich(tx(acct, "4", T0)).accountAgeDays());
    }


    @Test
    void shouldKeepOneStateValuePerEntityUnderItsEscapedHashTag() {
        String weird = "we{ird}:id%" + acct;
        // The label index is keyed by transaction id alone: an id of this test's own, so another test's earlier
        // transaction "1" (first writer wins) cannot leave an older TTL there.
        String id = "only-" + acct;
        store.apply(opened(weird, "o", T0, "1.00", "USD"));
        store.enrich(tx(weird, id, T0).merchant("m").device("d").type(TransactionType.BALANCE_DEPOSIT).build());
        String tag = RedisFeatureStore.hashTag(weird);
        assertEquals("{a:we%7Bird%7D%3Aid%25" + acct + "}", tag);
        Set<String> keys = raw.keys(tag + "*");
        assertEquals(Set.of(tag + ":p", tag + ":ae:o", tag + ":tx:" + id, tag + ":st"), keys);
        // Every other entity of the event has one state value under its own tag, and no replay record of its own.
        for (String other : List.of(RedisFeatureStore.hashTag("c", "cust-" + weird), RedisFeatureStore.hashTag("d", "d"),
                RedisFeatureStore.hashTag("i", "10.0.0.1"), RedisFeatureStore.hashTag("m", "m"))) {
            assertTrue(raw.keys(other + "*").contains(other + ":st"), other);
            assertEquals(Set.of(), raw.keys(other + ":tx:*"), other);
        }
        assertEquals(-1, raw.ttl(tag + ":p"), "the profile does not expire");
        long history = 90 * 86_400;
        long stateTtl = raw.ttl(tag + ":st");
        assertTrue(stateTtl > history - 10 && stateTtl <= history, "the account state: 90 days of history: " + stateTtl);
        long entity = 30 * 86_400 + 300 + 3600;
        long deviceTtl = raw.ttl(RedisFeatureStore.hashTag("d", "d") + ":st");
        assertTrue(deviceTtl > entity - 10 && deviceTtl <= entity, "a device: 30 days + lateness + grace: " + deviceTtl);
        long replayTtl = raw.ttl(tag + ":tx:" + id);
        assertTrue(replayTtl > 8 * 86_400 - 10 && replayTtl <= 8 * 86_400, "8 days: " + replayTtl);
        // The label index: an entry in the hash of today and the id's shard, which expires 39 days after today ends.
        long today = Instant.now().getEpochSecond() / 86_400;
        String index = LabelIndex.key(today, LabelIndex.shard(id));
        assertTrue(raw.hget(index, id).startsWith("m|"), raw.hget(index, id));
        long indexTtl = raw.ttl(index);
        assertTrue(indexTtl > 39 * 86_400 && indexTtl <= 40 * 86_400, "the label index: 39 days after today: " + indexTtl);
        assertEquals(Set.of(), raw.keys(RedisFeatureStore.hashTag("t", id) + "*"), "no key of the index's layout before");
    }

    @Test
    void shouldFindTheMerchantOfALabelledTransactionIndexedOnAnyDayALabelCanStillMatter() {
        Instant now = Instant.now();
        try (RedisFeatureStore other = new RedisFeatureStore(redis.host(), redis.port())) {
            // Indexed 38 days ago (wall clock), 41 days ago, and today
            other.clock = Clock.fixed(now.minus(Duration.ofDays(38)), ZoneOffset.UTC);
            other.enrich(tx(acct, acct + "-38", T0).merchant("shop-38-" + acct).build());
            other.clock = Clock.fixed(now.minus(Duration.ofDays(41)), ZoneOffset.UTC);
            other.enrich(tx(acct, acct + "-41", T0.plusSeconds(1)).merchant("shop-41-" + acct).build());
            other.clock = Clock.fixed(now, ZoneOffset.UTC);
            other.enrich(tx(acct, acct + "-0", T0.plusSeconds(2)).merchant("shop-0-" + acct).build());
            assertTrue(other.applyLabel(new Label(acct + "-38", Label.Kind.FRAUD, "chargeback", T0.plusSeconds(10))),
                    "38 days after its day, the entry is still kept");
            assertEquals(Set.of(acct + "-38"), raw.hkeys(RedisFeatureStore.hashTag("m", "shop-38-" + acct) + ":fl"));
            assertTrue(other.applyLabel(new Label(acct + "-0", Label.Kind.FRAUD, "chargeback", T0.plusSeconds(10))));
            assertEquals(Set.of(acct + "-0"), raw.hkeys(RedisFeatureStore.hashTag("m", "shop-0-" + acct) + ":fl"));
            // 41 days back, the hash's expiry (39 days after its day ended) had passed when it was written: Redis
            // dropped it at once, so the label finds nothing, as it would had the hash expired in time.
            assertFalse(other.applyLabel(new Label(acct + "-41", Label.Kind.FRAUD, "chargeback", T0.plusSeconds(10))));
            assertFalse(raw.exists(LabelIndex.key(now.minus(Duration.ofDays(41)).getEpochSecond() / 86_400,
                    LabelIndex.shard(acct + "-41"))));
        }
    }

    @Test
    void shouldGiveALabelToTheMerchantOfTheFirstEnrichmentAcrossDays() {
        Instant now = Instant.now();
        String id = acct + "-t";
        try (RedisFeatureStore other = new RedisFeatureStore(redis.host(), redis.port())) {
            other.clock = Clock.fixed(now.minus(Duration.ofDays(9)), ZoneOffset.UTC);
            other.enrich(tx(acct, id, T0).merchant("first-" + acct).build());
            // Nine days later its replay record has expired (8 days): a redelivery is enriched again, under another
            // merchant, and indexed in today's hash
            raw.del(RedisFeatureStore.hashTag(acct) + ":tx:" + id);
            other.clock = Clock.fixed(now, ZoneOffset.UTC);
            assertFalse(other.enrich(tx(acct, id, T0).merchant("second-" + acct).build()).replayed());
            assertTrue(other.applyLabel(new Label(id, Label.Kind.FRAUD, "chargeback", T0.plusSeconds(10))));
            assertEquals(Set.of(id), raw.hkeys(RedisFeatureStore.hashTag("m", "first-" + acct) + ":fl"), "the oldest entry wins");
            assertFalse(raw.exists(RedisFeatureStore.hashTag("m", "second-" + acct) + ":fl"));
        }
    }

    @Test
    void shouldStillFindTransactionsInTheLabelIndexOfTheLayoutBefore() {
        // A build before the index's hashes wrote one key per transaction; for 39 days after an upgrade labels find those
        String id = acct + "-old";
        raw.setex(RedisFeatureStore.hashTag("t", id) + ":m", 39 * 86_400,
                "old-shop-" + acct + "|" + RedisFeatureStore.encodeTime(T0));
        assertTrue(store.applyLabel(new Label(id, Label.Kind.FRAUD, "chargeback", T0.plusSeconds(100))));
        assertEquals(Map.of(id, RedisFeatureStore.encodeTime(T0) + "|" + RedisFeatureStore.encodeTime(T0.plusSeconds(100))),
                raw.hgetAll(RedisFeatureStore.hashTag("m", "old-shop-" + acct) + ":fl"));
        Features rated = enrich(tx(acct, "later", T0.plusSeconds(200)).merchant("old-shop-" + acct));
        assertEquals(new BigDecimal("1.0000"), rated.merchantFraudRate1d(), "the label counts; the merchant's only other transaction is this one");
    }

    @Test
    void shouldGiveALabelIndexHashAnExpiryAgainWhenRedisLostIt() {
        // Two ids in one shard: after the hash of the first is gone (a restart without persistence, an eviction), the
        // second recreates it, with its expiry
        String first = acct + "-a";
        int shard = LabelIndex.shard(first);
        String second = null;
        for (int i = 0; second == null; i++) {
            if (LabelIndex.shard(acct + "-b" + i) == shard) second = acct + "-b" + i;
        }
        enrich(tx(acct, first, T0).merchant("m"));
        String hash = LabelIndex.key(Instant.now().getEpochSecond() / 86_400, shard);
        raw.del(hash);
        enrich(tx(acct, second, T0.plusSeconds(1)).merchant("m"));
        assertEquals(Set.of(second), raw.hkeys(hash));
        assertTrue(raw.ttl(hash) > 39 * 86_400, "expires: " + raw.ttl(hash));
    }


    @Test
    void shouldBoundTheStateOfABusyAccount() {
        // 1000 transactions one second apart: the 1-minute buckets and the recent times are trimmed
        // to what events up to 5 minutes late can still need.
        List<TransactionEvent> events = new ArrayList<>();
        for (int i = 0; i < 1000; i++) events.add(tx(acct, "t" + i, T0.plusSeconds(i)).build());
        for (int from = 0; from < events.size(); from += 100) store.enrichAll(events.subList(from, from + 100));
        AccountState state = AccountState.decode(raw.get(bytes(RedisFeatureStore.hashTag(acct) + ":st")));
        assertEquals(60 + 300, state.countBuckets(Series.COUNT_1M).size(), "1-second buckets newest-359 .. newest");
        assertEquals(301 + 1, state.times().size(), "times within 300 s of the newest, and the one before");
        Features f = store.enrich(tx(acct, "late", T0.plusSeconds(999 - 300)).build()).features();
        assertEquals(61, f.txCount1m(), "300 s late, it still sees its full minute: 60 buckets and itself");
        assertEquals(0, f.secondsSincePrevious());
    }


    @Test
    void shouldKeepAMerchantsDayCountsForTheDelayedWindowsOnly() {
        // A transaction at noon every day for 60 days: the delayed 30-day window of the newest reaches back 37 days.
        String merchant = "daily-" + acct;
        long day0 = T0.getEpochSecond() / 86_400 + 1;
        for (int d = 0; d < 60; d++) {
            store.enrich(tx(acct, "t" + d, Instant.ofEpochSecond((day0 + d) * 86_400 + 12 * 3600)).merchant(merchant).build());
        }
        String key = RedisFeatureStore.hashTag("m", merchant) + ":st";
        Set<Long> expected = new java.util.TreeSet<>();
        for (long d = day0 + 59 - 37; d <= day0 + 59; d++) expected.add(d);
        assertEquals(expected, new java.util.TreeSet<>(EntityState.decode(raw.get(bytes(key))).days()),
                "the newest day and the 37 before it");
        long ttl = raw.ttl(key);
        long most = 38L * 86_400 + 300 + 3600;
        assertTrue(ttl > most - 10 && ttl <= most, "38 days + lateness + grace: " + ttl);
    }

    /**
     * Two Vigil instances enrich the same transactions (each delivered to both, as after a consumer-group
     * rebalance) and others of their own, in batches, at the same time, on the same accounts and merchant:
     * their compare-and-set writes must count every transaction exactly once.
     */
    @Test
    void shouldCountEveryTransactionOnceWhenTwoInstancesRace() throws Exception {
        Race race = Race.of("t", "race-" + acct, acct);
        try (RedisFeatureStore one = new RedisFeatureStore(redis.host(), redis.port());
                RedisFeatureStore other = new RedisFeatureStore(redis.host(), redis.port())) {
            race.run(one, other, 20);
        }
        race.assertCountedOnce(this::enrich);
    }

    /**
     * In one process the Kafka consumers and the HTTP batcher share one store: their batches overlap, each counting on
     * what the batches before it computed, so however they interleave on shared merchants none is refused for another's
     * write (two instances still can, above).
     */
    @Test
    void shouldLetBatchesOfOneProcessTakeTurnsInsteadOfConflicting() throws Exception {
        String merchant = "turns-" + acct;
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        try (RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port())) {
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                int writer = k;
                threads.add(new Thread(() -> {
                    try {
                        start.await();
                        for (int b = 0; b < 30; b++) {
                            List<TransactionEvent> batch = new ArrayList<>();
                            for (int i = 0; i < 10; i++) {
                                int n = b * 10 + i;
                                batch.add(tx(acct + "-w" + writer, "w" + writer + "-" + n, T0.plusMillis(50L * n)).merchant(merchant).build());
                            }
                            store.enrichAll(batch);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) t.join();
            assertEquals(List.of(), failures);
            assertEquals(0, store.conflicts(), "batches of one store wait for each other rather than refuse each other");
        }
        Features probe = enrich(tx(acct + "-w0", "probe", T0.plusMillis(50L * 300)).merchant(merchant));
        assertEquals(601, probe.merchantTxCount24h(), "both writers' 600 transactions and the probe");
    }

    /**
     * The same transactions reaching two batches of one store at once (a redelivery racing the original on another
     * consumer thread): each is counted once, both batches return its features, and neither is refused for the other's
     * write.
     */
    @Test
    void shouldCountOnceWhenTwoBatchesOfOneStoreCarryTheSameTransactions() throws Exception {
        Race race = Race.of("o", "overlap-" + acct, acct);
        try (RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port())) {
            race.run(store, store, 10);
            assertEquals(0, store.conflicts(), "batches of one store take turns rather than refuse each other");
        }
        race.assertCountedOnce(this::enrich);
    }

    // ---- one batch computed while the one before it is written ----

    /**
     * Runs {@code first} on its own thread, holding it just before its first write until {@code second} (then started on
     * another thread) has computed and waits to write; {@code atHold} runs at that point. Returns what each batch
     * returned, or threw.
     */
    private static Object[] overlapping(RedisFeatureStore store, List<TransactionEvent> first, List<TransactionEvent> second,
            Runnable atHold) throws InterruptedException {
        Object[] out = new Object[2];
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        Thread[] firstThread = new Thread[1];
        store.beforeWrite = attempt -> {
            if (Thread.currentThread() != firstThread[0] || attempt != 1) return;
            held.countDown();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!store.batchWaitingToWrite()) {
                if (System.nanoTime() > deadline) throw new AssertionError("the second batch never came to wait for the write turn");
                Thread.onSpinWait();
            }
            atHold.run();
        };
        try {
            firstThread[0] = new Thread(() -> out[0] = attempt(() -> store.enrichAll(first)));
            firstThread[0].start();
            held.await();
            Thread secondThread = new Thread(() -> out[1] = attempt(() -> store.enrichAll(second)));
            secondThread.start();
            firstThread[0].join();
            secondThread.join();
        } finally {
            store.beforeWrite = attempt -> {};
        }
        return out;
    }

    private static Object attempt(java.util.function.Supplier<Object> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return e;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Enrichment> enrichments(Object returned) {
        if (returned instanceof RuntimeException e) throw new AssertionError("the batch failed", e);
        return (List<Enrichment>) returned;
    }

    /**
     * The next batch reads while the one before it is still to be written, and counts on what that one will write
     * instead of on what Redis held when it read: both are written without a conflict, each transaction counted once.
     */
    @Test
    void shouldCountOnTheStatesTheBatchBeforeIsStillToWrite() throws Exception {
        String merchant = "lean-" + acct;
        try (RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port())) {
            Object[] out = overlapping(store, List.of(tx(acct, "a", T0).merchant(merchant).build()),
                    List.of(tx(acct, "b", T0.plusSeconds(1)).merchant(merchant).build()), () -> {});
            assertEquals(1L, enrichments(out[0]).get(0).features().txCount1m());
            Features b = enrichments(out[1]).get(0).features();
            assertEquals(2L, b.txCount1m(), "the second batch counted the first one's transaction");
            assertEquals(2L, b.merchantTxCount1m());
            assertEquals(1, b.secondsSincePrevious());
            assertEquals(1, store.leanedOnBatchBefore(), "the second batch counted on the first one's states");
            assertEquals(0, store.conflicts(), "so its compare-and-set met the version the first one wrote");
            assertEquals(0, store.computedAgainForBatchBefore());
        }
        assertEquals(3L, enrich(tx(acct, "c", T0.plusSeconds(2)).merchant(merchant)).txCount1m(), "a, b and c, each once");
    }

    /**
     * A redelivered transaction reaches the next batch while the batch that counts it is still to be written, and that
     * write then fails: the next batch must not return it as already counted (it never was), but count it itself.
     */
    @Test
    void shouldCountItselfWhatTheBatchBeforeFailedToWrite() throws Exception {
        TransactionEvent x = tx(acct, "x", T0).build();
        try (RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port())) {
            Object[] out = overlapping(store, List.of(x), List.of(x, tx(acct, "y", T0.plusSeconds(1)).build()), () -> {
                throw new IllegalStateException("the first batch's write fails");
            });
            assertTrue(out[0] instanceof IllegalStateException, "the first batch failed: " + out[0]);
            List<Enrichment> second = enrichments(out[1]);
            assertFalse(second.get(0).replayed(), "x was never written by the first batch: the second one counts it");
            assertEquals(List.of(1L, 2L), second.stream().map(e -> e.features().txCount1m()).toList());
            assertEquals(1, store.leanedOnBatchBefore());
            assertEquals(1, store.computedAgainForBatchBefore(), "computed again once the first batch was known to have failed");
        }
        assertEquals(3L, enrich(tx(acct, "z", T0.plusSeconds(2))).txCount1m(), "x, y and z, each once");
    }

    /**
     * The batch before meets another instance's write and is computed again, so what it writes is not what the next
     * batch counted on: a next batch holding only a redelivery of its transaction must return the features written,
     * not those of the first computing.
     */
    @Test
    void shouldReturnWhatTheBatchBeforeWroteAfterItWasComputedAgain() throws Exception {
        TransactionEvent x = tx(acct, "x", T0.plusSeconds(1)).build();
        try (RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port());
                RedisFeatureStore other = new RedisFeatureStore(redis.host(), redis.port())) {
            Object[] out = overlapping(store, List.of(x), List.of(x), () -> other.enrich(tx(acct, "other", T0).build()));
            Enrichment first = enrichments(out[0]).get(0);
            assertEquals(2L, first.features().txCount1m(), "the first batch, computed again, counts the other instance's transaction");
            assertEquals(1, store.conflicts());
            Enrichment second = enrichments(out[1]).get(0);
            assertTrue(second.replayed());
            assertEquals(first.features(), second.features(), "the redelivery returns the features written");
            assertEquals(1, store.computedAgainForBatchBefore());
        }
    }

    /**
     * Merging: the batch before meets another instance's write on the merchant alone and is written after merging it.
     * The next batch, which counted on it, writes what it computed (no computing again); its merchant, expected at a
     * version never written, is merged in turn. Every transaction is counted once.
     */
    @Test
    void shouldGoOnToWriteAfterTheBatchBeforeWasWrittenMerged() throws Exception {
        String merchant = "lean-merged-" + acct;
        RedisFeatureStore.Options merging = RedisFeatureStore.Options.defaults().withMergeSharedStates(true);
        try (RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port(), merging);
                RedisFeatureStore other = new RedisFeatureStore(redis.host(), redis.port(), merging)) {
            Object[] out = overlapping(store, List.of(tx(acct, "x", T0.plusSeconds(1)).merchant(merchant).build()),
                    List.of(tx(acct, "y", T0.plusSeconds(2)).merchant(merchant).build()),
                    () -> other.enrich(tx(acct + "-other", "o", T0).merchant(merchant).build()));
            Features x = enrichments(out[0]).get(0).features();
            Features y = enrichments(out[1]).get(0).features();
            assertEquals(List.of(1L, 2L), List.of(x.merchantTxCount1m(), y.merchantTxCount1m()), "as computed: y counted on x");
            assertEquals(2L, y.txCount1m());
            assertEquals(1, store.leanedOnMerged(), "y counted on x, written merged");
            assertEquals(0, store.computedAgainForBatchBefore());
            assertEquals(2, store.merges(), "x's merchant, then y's");
        }
        assertEquals(4L, enrich(tx(acct + "-later", "z", T0.plusSeconds(3)).merchant(merchant)).merchantTxCount1m(),
                "o, x, y and z, each once");
    }

    /**
     * Merging, but the batch before met a change of its account and was computed again: the next batch, holding a
     * redelivery of its transaction, must compute again too and return the features written.
     */
    @Test
    void shouldComputeAgainAfterTheBatchBeforeWasComputedAgainEvenWhenMerging() throws Exception {
        TransactionEvent x = tx(acct, "x", T0.plusSeconds(1)).build();
        RedisFeatureStore.Options merging = RedisFeatureStore.Options.defaults().withMergeSharedStates(true);
        try (RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port(), merging);
                RedisFeatureStore other = new RedisFeatureStore(redis.host(), redis.port(), merging)) {
            Object[] out = overlapping(store, List.of(x), List.of(x), () -> other.enrich(tx(acct, "other", T0).build()));
            Enrichment first = enrichments(out[0]).get(0);
            assertEquals(2L, first.features().txCount1m(), "computed again, with the other instance's transaction");
            Enrichment second = enrichments(out[1]).get(0);
            assertEquals(first.features(), second.features(), "the redelivery returns the features written");
            assertEquals(1, store.computedAgainForBatchBefore());
            assertEquals(0, store.merges());
        }
    }

    /**
     * A batch reads, two batches are computed and written before it computes, and the store keeps only the last one's
     * values (as with many consumer threads): counting on that one alone would miss the first one's replay record and
     * count its transaction again, on a state that already holds it. The batch must read again instead.
     */
    @Test
    void shouldReadAgainWhenBatchesWrittenSinceItsReadAreNoLongerKept() throws Exception {
        TransactionEvent x = tx(acct, "x", T0).build();
        try (RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port())) {
            store.publishedKept = 1;
            java.util.concurrent.CountDownLatch read = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch othersDone = new java.util.concurrent.CountDownLatch(1);
            Thread[] late = new Thread[1];
            store.afterRead = () -> {
                if (Thread.currentThread() != late[0]) return;
                read.countDown();
                await(othersDone);
            };
            Object[] out = new Object[1];
            late[0] = new Thread(() -> out[0] = attempt(() -> store.enrichAll(List.of(x, tx(acct, "z", T0.plusSeconds(2)).build()))));
            late[0].start();
            await(read); // it read before x was counted
            store.enrich(x);
            store.enrich(tx(acct, "y", T0.plusSeconds(1)).build());
            othersDone.countDown();
            late[0].join();
            store.afterRead = () -> {};
            List<Enrichment> lateBatch = enrichments(out[0]);
            assertTrue(lateBatch.get(0).replayed(), "x was counted by the first batch");
            assertEquals(3L, lateBatch.get(1).features().txCount1m(), "x, y and z");
            assertEquals(1, store.readAgainForBatchesNotKept());
        }
        assertEquals(4L, enrich(tx(acct, "probe", T0.plusSeconds(3))).txCount1m(), "x, y, z and the probe, each once");
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            if (!latch.await(10, java.util.concurrent.TimeUnit.SECONDS)) throw new AssertionError("timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * 600 transactions on three accounts and one merchant: a third of them (shared) fed to both writers, the rest to one
     * writer each; each writer's stream in time order.
     */
    record Race(String merchant, String account, List<TransactionEvent> shared, List<List<TransactionEvent>> fed,
            List<List<Enrichment>> results) {

        static Race of(String idPrefix, String merchant, String acct) {
            List<TransactionEvent> shared = new ArrayList<>();
            List<List<TransactionEvent>> own = List.of(new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < 600; i++) {
                Tx t = tx(acct + "-" + (i % 3), idPrefix + i, T0.plusMillis(100L * i)).merchant(merchant);
                if (i % 3 == 0) shared.add(t.build());
                else own.get(i % 2).add(t.build());
            }
            List<List<TransactionEvent>> fed = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                List<TransactionEvent> mine = new ArrayList<>(shared);
                mine.addAll(own.get(k));
                mine.sort(java.util.Comparator.comparing(TransactionEvent::occurredAt));
                fed.add(mine);
            }
            return new Race(merchant, acct, shared, fed, List.of(
                    java.util.Collections.synchronizedList(new ArrayList<>()), java.util.Collections.synchronizedList(new ArrayList<>())));
        }

        /** Feeds each stream through its writer on its own thread, both starting together, in batches of {@code batch}. */
        void run(RedisFeatureStore first, RedisFeatureStore second, int batch) throws InterruptedException {
            List<RedisFeatureStore> writers = List.of(first, second);
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                List<TransactionEvent> mine = fed.get(k);
                List<Enrichment> out = results.get(k);
                RedisFeatureStore writer = writers.get(k);
                threads.add(new Thread(() -> {
                    try {
                        start.await();
                        for (int from = 0; from < mine.size(); from += batch) {
                            out.addAll(writer.enrichAll(mine.subList(from, Math.min(mine.size(), from + batch))));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) t.join();
            assertEquals(List.of(), failures);
        }

        /** Each shared transaction counted by one writer, both returned its features, and the windows hold each once. */
        void assertCountedOnce(java.util.function.Function<Tx, Features> enrich) {
            java.util.Map<String, List<Enrichment>> byId = new java.util.HashMap<>();
            for (int k = 0; k < 2; k++) {
                for (int i = 0; i < fed.get(k).size(); i++) {
                    byId.computeIfAbsent(fed.get(k).get(i).transactionId(), x -> new ArrayList<>()).add(results.get(k).get(i));
                }
            }
            for (TransactionEvent e : shared) {
                List<Enrichment> both = byId.get(e.transactionId());
                assertEquals(1, both.stream().filter(x -> !x.replayed()).count(), e.transactionId() + " counted once");
                assertEquals(both.get(0).features(), both.get(1).features(), e.transactionId() + ": the same features");
            }
            Features probe = enrich.apply(tx(account + "-0", "probe-" + merchant, T0.plusMillis(100L * 600)).merchant(merchant));
            assertEquals(601, probe.merchantTxCount24h(), "600 transactions and the probe");
            assertEquals(201, probe.txCount24h(), "a third of them on this account, and the probe");
        }
    }

    /**
     * Another instance counts a transaction of the same account and merchant after this batch read its states and
     * before it writes them: the write must be refused, and the batch computed again on the new states.
     */
    @Test
    void shouldComputeAgainWhenAnotherInstanceWroteBetweenReadAndWrite() {
        String merchant = "between-" + acct;
        try (RedisFeatureStore first = new RedisFeatureStore(redis.host(), redis.port());
                RedisFeatureStore second = new RedisFeatureStore(redis.host(), redis.port())) {
            first.beforeWrite = attempt -> {
                if (attempt == 1) second.enrich(tx(acct, "other", T0).merchant(merchant).build());
            };
            List<Enrichment> batch = first.enrichAll(List.of(
                    tx(acct, "a", T0.plusSeconds(1)).merchant(merchant).build(),
                    tx(acct, "b", T0.plusSeconds(2)).merchant(merchant).build()));
            assertEquals(1, first.conflicts(), "the first write met the other instance's version");
            assertEquals(List.of(2L, 3L), batch.stream().map(e -> e.features().txCount1m()).toList(),
                    "computed again: the other instance's transaction counts before them");
            assertEquals(List.of(2L, 3L), batch.stream().map(e -> e.features().merchantTxCount1m()).toList());
            assertEquals(1, batch.get(0).features().secondsSincePrevious());
        }
        Features after = enrich(tx(acct, "c", T0.plusSeconds(3)).merchant(merchant));
        assertEquals(4, after.txCount1m(), "each of the three counted once");
        assertEquals(4, after.merchantTxCount1m());
    }

    /**
     * Merging ({@code mergeSharedStates}): another instance counts a transaction of another account at the same
     * merchant and IP between this batch's read and write. The batch keeps the features it computed and counts its
     * transactions again into the merchant's and the IP's new states: no transaction is lost or counted twice.
     */
    @Test
    void shouldCountTheBatchIntoTheSharedStatesAnotherInstanceChangedWhenMerging() {
        String merchant = "merged-" + acct;
        String ip = "merged-ip-" + acct;
        RedisFeatureStore.Options merging = RedisFeatureStore.Options.defaults().withMergeSharedStates(true);
        try (RedisFeatureStore first = new RedisFeatureStore(redis.host(), redis.port(), merging);
                RedisFeatureStore second = new RedisFeatureStore(redis.host(), redis.port(), merging)) {
            first.beforeWrite = attempt -> {
                if (attempt == 1) second.enrich(tx(acct + "-other", "other", T0).merchant(merchant).ip(ip).build());
            };
            List<Enrichment> batch = first.enrichAll(List.of(
                    tx(acct, "a", T0.plusSeconds(1)).merchant(merchant).ip(ip).build(),
                    tx(acct, "b", T0.plusSeconds(2)).merchant(merchant).ip(ip).build()));
            assertEquals(1, first.conflicts());
            assertEquals(1, first.merges(), "settled by counting the merchant and the IP again, not the whole batch");
            assertEquals(List.of(1L, 2L), batch.stream().map(e -> e.features().merchantTxCount1m()).toList(),
                    "the features as computed, before the other instance's transaction was written");
            assertEquals(List.of(1L, 2L), batch.stream().map(e -> e.features().ipTxCount1h()).toList());
        }
        Features after = enrich(tx(acct + "-later", "c", T0.plusSeconds(3)).merchant(merchant).ip(ip));
        assertEquals(4, after.merchantTxCount1m(), "each of the three counted once");
        assertEquals(4, after.ipTxCount1h());
        assertEquals(1, after.merchantSecondsSincePrevious(), "b, at T0 + 2 s, is the merchant's latest before c");
    }

    /** Merging does not apply to an account: another instance counted a transaction of it, and the batch is computed again. */
    @Test
    void shouldComputeAgainWhenAnotherInstanceChangedTheAccountEvenWhenMerging() {
        String merchant = "unmerged-" + acct;
        RedisFeatureStore.Options merging = RedisFeatureStore.Options.defaults().withMergeSharedStates(true);
        try (RedisFeatureStore first = new RedisFeatureStore(redis.host(), redis.port(), merging);
                RedisFeatureStore second = new RedisFeatureStore(redis.host(), redis.port(), merging)) {
            first.beforeWrite = attempt -> {
                if (attempt == 1) second.enrich(tx(acct, "other", T0).merchant(merchant).build());
            };
            List<Enrichment> batch = first.enrichAll(List.of(tx(acct, "a", T0.plusSeconds(1)).merchant(merchant).build()));
            assertEquals(1, first.conflicts());
            assertEquals(0, first.merges());
            assertEquals(2, batch.get(0).features().txCount1m(), "computed again: the account's other transaction counts");
            assertEquals(2, batch.get(0).features().merchantTxCount1m());
        }
    }

    /**
     * write-states.lua writes each state as it checks its version (SET ... GET). Here the account, which it writes
     * last, was changed by another instance, so the merchant, customer, IP and a device never seen before were
     * written before the script met the account: they must be put back exactly, and the device be absent again,
     * before the batch is computed again.
     */
    @Test
    void shouldPutBackTheStatesARefusedWriteHadAlreadyWritten() {
        String merchant = "putback-" + acct;
        String ip = "putback-ip-" + acct;
        String device = "putback-device-" + acct;
        String deviceKey = RedisFeatureStore.hashTag("d", device) + ":st";
        List<String> keys = List.of(RedisFeatureStore.hashTag("m", merchant) + ":st",
                RedisFeatureStore.hashTag("c", "cust-" + acct) + ":st", RedisFeatureStore.hashTag("i", ip) + ":st", deviceKey,
                RedisFeatureStore.hashTag(acct) + ":st");
        Map<String, byte[]> before = new HashMap<>();
        try (RedisFeatureStore first = new RedisFeatureStore(redis.host(), redis.port());
                RedisFeatureStore second = new RedisFeatureStore(redis.host(), redis.port())) {
            first.enrich(tx(acct, "a", T0).merchant(merchant).ip(ip).build());
            first.beforeWrite = attempt -> {
                if (attempt == 1) {
                    // The other instance counts a transaction of the account alone (no merchant, another IP).
                    second.enrich(tx(acct, "other", T0.plusSeconds(1)).ip("other-ip-" + acct).build());
                    for (String k : keys) before.put(k, raw.get(k.getBytes(StandardCharsets.UTF_8)));
                } else {
                    for (String k : keys) {
                        assertArrayEquals(before.get(k), raw.get(k.getBytes(StandardCharsets.UTF_8)), k + ": as before the refused write");
                    }
                }
            };
            Features b = first.enrich(tx(acct, "b", T0.plusSeconds(2)).merchant(merchant).ip(ip).device(device).build()).features();
            assertEquals(1, first.conflicts(), "refused once, then written");
            assertNull(before.get(deviceKey), "the device had no state before the refused write");
            assertEquals(3, b.txCount1m(), "a, other and b");
            assertEquals(3, b.customerTxCount1h());
            assertEquals(2, b.merchantTxCount1m(), "a and b");
            assertEquals(2, b.ipTxCount1h(), "a and b");
            assertEquals(1, b.deviceTxCount1h(), "b alone");
        }
    }

    /**
     * A state key that holds another type makes Redis refuse the SET ... GET of write-states.lua half-way through the
     * batch's states: the states written before it are put back, so the batch is written whole or not at all.
     */
    @Test
    void shouldWriteNothingOfABatchWhenRedisRefusesOneOfItsStates() {
        String merchant = "refusing-" + acct;
        String ip = "refusing-ip-" + acct;
        String device = "refusing-device-" + acct;
        String deviceKey = RedisFeatureStore.hashTag("d", device) + ":st";
        store.enrich(tx(acct, "a", T0).merchant(merchant).ip(ip).build());
        raw.hset(deviceKey, "not", "a state");
        // Merchants come first, then the customer, this device and the IP, the account last: the merchant and the
        // customer are written before Redis refuses the device.
        List<String> keys = List.of(RedisFeatureStore.hashTag("m", merchant) + ":st",
                RedisFeatureStore.hashTag("c", "cust-" + acct) + ":st", RedisFeatureStore.hashTag("i", ip) + ":st",
                RedisFeatureStore.hashTag(acct) + ":st");
        Map<String, byte[]> before = new HashMap<>();
        for (String k : keys) before.put(k, raw.get(k.getBytes(StandardCharsets.UTF_8)));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> store.enrich(tx(acct, "b", T0.plusSeconds(1)).merchant(merchant).ip(ip).device(device).build()));
        assertTrue(refused.getMessage().contains("WRONGTYPE"), refused.getMessage());
        for (String k : keys) assertArrayEquals(before.get(k), raw.get(k.getBytes(StandardCharsets.UTF_8)), k + ": as before the batch");
        assertFalse(raw.exists(RedisFeatureStore.hashTag(acct) + ":tx:b"), "no replay record");
        raw.del(deviceKey);
        Features c = enrich(tx(acct, "c", T0.plusSeconds(2)).merchant(merchant).ip(ip));
        assertEquals(2, c.txCount1m(), "a and c: b was never counted");
        assertEquals(2, c.merchantTxCount1m());
    }

    /**
     * read-lists.lua finds a batch's listed entities by halving the range of its list hashes: every entity must get
     * its own flags wherever its hash lies, here among 5,000 (more than one EXISTS call takes): the first and the last
     * hash of the batch, neighbours, both lists at once, either side of hash 4,000, and a hash emptied again.
     */
    @Test
    void shouldFindEveryListedEntityOfABatchWhereverItsHashLies() {
        String p = "search-" + acct + "-";
        int n = 1_000; // each event names 5 entities of its own: hashes 5i+1 to 5i+5 (account, customer, device, IP, merchant)
        List<TransactionEvent> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(tx(p + "a" + i, "t" + i, T0.plusMillis(i)).device(p + "d" + i).ip(p + "i" + i).merchant(p + "m" + i).build());
        }
        record Listed(ListEntry.Entity entity, int event, ListEntry.Kind list) {}
        List<Listed> listed = List.of(
                new Listed(ListEntry.Entity.ACCOUNT, 0, ListEntry.Kind.BLACKLIST),
                new Listed(ListEntry.Entity.MERCHANT, n - 1, ListEntry.Kind.WHITELIST),
                new Listed(ListEntry.Entity.DEVICE, 400, ListEntry.Kind.BLACKLIST),
                new Listed(ListEntry.Entity.IP, 400, ListEntry.Kind.BLACKLIST),
                new Listed(ListEntry.Entity.CUSTOMER, 700, ListEntry.Kind.BLACKLIST),
                new Listed(ListEntry.Entity.CUSTOMER, 700, ListEntry.Kind.WHITELIST),
                new Listed(ListEntry.Entity.DEVICE, 799, ListEntry.Kind.WHITELIST),
                new Listed(ListEntry.Entity.ACCOUNT, 800, ListEntry.Kind.BLACKLIST),
                new Listed(ListEntry.Entity.MERCHANT, 801, ListEntry.Kind.BLACKLIST));
        java.util.function.BiFunction<ListEntry.Entity, Integer, String> id = (entity, i) -> switch (entity) {
            case ACCOUNT -> p + "a" + i;
            case CUSTOMER -> "cust-" + p + "a" + i;
            case DEVICE -> p + "d" + i;
            case IP -> p + "i" + i;
            case MERCHANT -> p + "m" + i;
        };
        for (Listed l : listed) store.applyList(new ListEntry(l.list(), l.entity(), id.apply(l.entity(), l.event()), true));
        store.applyList(new ListEntry(ListEntry.Kind.BLACKLIST, ListEntry.Entity.IP, id.apply(ListEntry.Entity.IP, 500), true));
        store.applyList(new ListEntry(ListEntry.Kind.BLACKLIST, ListEntry.Entity.IP, id.apply(ListEntry.Entity.IP, 500), false));

        List<Enrichment> out = store.enrichAll(batch);
        int flagged = 0;
        for (int i = 0; i < n; i++) {
            Features f = out.get(i).features();
            boolean[][] got = {
                {f.accountBlacklisted(), f.accountWhitelisted()}, {f.customerBlacklisted(), f.customerWhitelisted()},
                {f.deviceBlacklisted(), f.deviceWhitelisted()}, {f.ipBlacklisted(), f.ipWhitelisted()},
                {f.merchantBlacklisted(), f.merchantWhitelisted()}};
            for (ListEntry.Entity entity : ListEntry.Entity.values()) {
                for (ListEntry.Kind list : ListEntry.Kind.values()) {
                    boolean expected = listed.contains(new Listed(entity, i, list));
                    assertEquals(expected, got[entity.ordinal()][list.ordinal()], entity + " " + list + " of event " + i);
                    if (expected) flagged++;
                }
            }
        }
        assertEquals(listed.size(), flagged);
    }

    /**
     * This instance keeps the states it wrote, decoded; another instance then counts a transaction of the same
     * account and merchant between two of its batches. The versions no longer match, so this instance must read
     * and decode the other's states rather than count on its own copies.
     */
    @Test
    void shouldSeeWhatAnotherInstanceWroteBetweenTwoBatchesOfThisOne() {
        String merchant = "cached-" + acct;
        String accountKey = RedisFeatureStore.hashTag(acct) + ":st";
        String merchantKey = RedisFeatureStore.hashTag("m", merchant) + ":st";
        try (RedisFeatureStore first = new RedisFeatureStore(redis.host(), redis.port(), CACHING);
                RedisFeatureStore second = new RedisFeatureStore(redis.host(), redis.port(), CACHING)) {
            first.enrich(tx(acct, "a", T0).merchant(merchant).build());
            assertTrue(first.cache().contains(accountKey) && first.cache().contains(merchantKey),
                    "the states just written are cached: the next batch would use them");

            second.enrich(tx(acct, "other", T0.plusSeconds(1)).merchant(merchant).build());
            Features b = first.enrich(tx(acct, "b", T0.plusSeconds(2)).merchant(merchant).build()).features();

            assertEquals(3, b.txCount1m(), "a, the other instance's transaction, b");
            assertEquals(3, b.merchantTxCount1m());
            assertEquals(1, b.secondsSincePrevious(), "the previous transaction is the other instance's");
            assertEquals(0, first.conflicts(), "seen at the read, not at the write");
        }
    }

    /**
     * A batch counts on the cached states it took; when its write is refused (another instance wrote) or fails, the
     * states it changed must not stay cached: the next batch would count the refused transactions again.
     */
    @Test
    void shouldLeaveNoChangedStateCachedWhenAWriteIsRefusedOrFails() {
        String merchant = "refused-" + acct;
        String accountKey = RedisFeatureStore.hashTag(acct) + ":st";
        try (RedisFeatureStore first = new RedisFeatureStore(redis.host(), redis.port(), CACHING);
                RedisFeatureStore second = new RedisFeatureStore(redis.host(), redis.port(), CACHING)) {
            first.enrich(tx(acct, "a", T0).merchant(merchant).build()); // warm: states cached

            // Refused: the other instance writes between this batch's read and its write.
            first.beforeWrite = attempt -> {
                if (attempt == 1) second.enrich(tx(acct, "other", T0.plusSeconds(1)).merchant(merchant).build());
            };
            Features b = first.enrich(tx(acct, "b", T0.plusSeconds(2)).merchant(merchant).build()).features();
            assertEquals(1, first.conflicts());
            assertEquals(3, b.txCount1m(), "computed again from Redis's states, not from the copy the refused attempt changed");
            assertEquals(3, b.merchantTxCount1m());

            // Fails: nothing is written, and the state the batch had counted on must be gone from the cache.
            first.beforeWrite = attempt -> {
                throw new IllegalStateException("the write never happens");
            };
            assertThrows(IllegalStateException.class,
                    () -> first.enrich(tx(acct, "lost", T0.plusSeconds(3)).merchant(merchant).build()));
            assertFalse(first.cache().contains(accountKey), "the state the failed batch changed is not cached");

            first.beforeWrite = attempt -> {};
            Features c = first.enrich(tx(acct, "c", T0.plusSeconds(4)).merchant(merchant).build()).features();
            assertEquals(4, c.txCount1m(), "a, other, b and c: the failed transaction is not counted");
            assertEquals(4, c.merchantTxCount1m());
        }
    }

    /** A state Redis no longer holds (expired or deleted) is not taken from the cache: counting starts afresh, as Redis says. */
    @Test
    void shouldNotUseACachedStateThatRedisNoLongerHolds() {
        String accountKey = RedisFeatureStore.hashTag(acct) + ":st";
        try (RedisFeatureStore own = new RedisFeatureStore(redis.host(), redis.port(), CACHING)) {
            own.enrich(tx(acct, "a", T0).build());
            own.enrich(tx(acct, "b", T0.plusSeconds(1)).build());
            assertTrue(own.cache().contains(accountKey));
            raw.del(accountKey); // as its TTL would
            Features c = own.enrich(tx(acct, "c", T0.plusSeconds(2)).build()).features();
            assertEquals(1, c.txCount1m(), "the account's state is gone from Redis: only c is counted");
            assertTrue(c.firstTransaction());
        }
    }

    /**
     * The cache holds at most its capacity, least recently used dropped first, and a store that caches nothing
     * (capacity 0) or evicts all the time computes exactly what a caching one does.
     */
    @Test
    void shouldBoundTheCacheAndComputeTheSameWhateverItHolds(@TempDir Path ownDir) {
        RedisFeatureStore.Options defaults = RedisFeatureStore.Options.defaults();
        List<List<Features>> results = new ArrayList<>();
        for (int capacity : new int[] {CACHING.stateCacheEntries(), 3, 0}) {
            List<Features> out = new ArrayList<>();
            try (EmbeddedRedisServer own = EmbeddedRedisServer.start(ownDir.resolve("c" + capacity), 0);
                    RedisFeatureStore s = new RedisFeatureStore(own.host(), own.port(), defaults.withStateCacheEntries(capacity))) {
                for (int b = 0; b < 20; b++) {
                    List<TransactionEvent> batch = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        int n = b * 5 + i;
                        // Four accounts, their customers, two devices each, three merchants, one IP: 20 states in all.
                        batch.add(tx("acct-" + n % 4, "t" + n, T0.plusSeconds(7L * n)).merchant("m-" + n % 3)
                                .device("d-" + n % 8).amount((n % 11) + ".25", "EUR").build());
                    }
                    for (Enrichment e : s.enrichAll(batch)) out.add(e.features());
                    assertTrue(s.cache().size() <= capacity, "at most " + capacity + " states cached: " + s.cache().size());
                }
                if (capacity > 20) assertEquals(20, s.cache().size(), "every state fits: all cached");
            }
            results.add(out);
        }
        assertEquals(results.get(0), results.get(1), "evicting states changes no feature");
        assertEquals(results.get(0), results.get(2), "caching nothing changes no feature");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void shouldKeepStateAcrossARedisRestart(@TempDir Path ownDir) {
        int port;
        try (EmbeddedRedisServer own = EmbeddedRedisServer.start(ownDir, 0);
                RedisFeatureStore s = new RedisFeatureStore(own.host(), own.port())) {
            port = own.port();
            s.apply(opened(acct, "o", T0.minus(Duration.ofDays(1)), "10.00", "USD"));
            s.enrich(tx(acct, "1", T0).build());
            s.enrich(tx(acct, "2", T0.plusSeconds(1)).build());
        }
        try (EmbeddedRedisServer own = EmbeddedRedisServer.start(ownDir, port);
                RedisFeatureStore s = new RedisFeatureStore(own.host(), own.port())) {
            assertTrue(s.enrich(tx(acct, "1", T0).build()).replayed());
            Enrichment third = s.enrich(tx(acct, "3", T0.plusSeconds(2)).build());
            assertEquals(3, third.features().txCount1m());
            assertNotNull(third.account());
            assertEquals(1, third.features().accountAgeDays());
        }
    }

}
