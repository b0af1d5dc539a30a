package dev.vigil.feature;

import static dev.vigil.feature.Tx.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.event.TransactionEvent;
import dev.vigil.infra.EmbeddedRedisCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The worked examples of {@link FeatureStoreContract} against a Redis Cluster of three masters, and what is the
 * cluster's own: each entity's keys in one slot, entities spread over the nodes, two instances racing, and a writer
 * stopped at each point of its transaction across slots (before the commit, and between the commit and the
 * roll-forward), after which another writer, or the same one, counts every transaction exactly once.
 */
class RedisClusterFeatureStoreIT extends FeatureStoreContract {

    @TempDir static Path dataDir;
    private static EmbeddedRedisCluster cluster;
    private static RedisFeatureStore store;

    @BeforeAll
    static void startCluster() {
        cluster = EmbeddedRedisCluster.start(dataDir, 3);
        store = RedisFeatureStore.cluster(nodes(), RedisFeatureStore.Options.defaults());
    }

    @AfterAll
    static void stopCluster() {
        if (store != null) store.close();
        if (cluster != null) cluster.close();
    }

    @Override
    FeatureStore store() {
        return store;
    }

    private static Set<HostAndPort> nodes() {
        return Set.copyOf(cluster.nodes());
    }

    /** A stand-in for a process that dies at a point of its write: thrown from the writer's checkpoint. */
    private static final class Died extends RuntimeException {
        Died(int at) {
            super("stopped at checkpoint " + at);
        }
    }

    /** Makes the store's next batch stop at the checkpoint, once. */
    private static void dieOnceAt(RedisFeatureStore s, int checkpoint) {
        ClusterStateWriter w = s.clusterWriter();
        w.checkpoint = at -> {
            if (at == checkpoint) {
                w.checkpoint = x -> {};
                throw new Died(at);
            }
        };
    }

    /**
     * Five transactions of two accounts at one merchant and one IP, all named after the merchant (the tests share one cluster, and
     * the reference they are compared with starts empty), a second apart.
     */
    private List<TransactionEvent> batchAt(String merchant) {
        List<TransactionEvent> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(tx(merchant + "-a" + (i % 2), merchant + "-t" + i, T0.plusSeconds(i)).merchant(merchant).ip("ip-" + merchant).build());
        }
        return batch;
    }

    /** A sixth transaction after {@link #batchAt}'s five, of its first account at its merchant. */
    private static TransactionEvent probe(String merchant) {
        return tx(merchant + "-a0", merchant + "-probe", T0.plusSeconds(10)).merchant(merchant).ip("ip-" + merchant).build();
    }

    /** Every key of the shared cluster that matches the pattern, by master. */
    private static Map<HostAndPort, List<String>> keysByNode(String pattern) {
        Map<HostAndPort, List<String>> out = new HashMap<>();
        for (HostAndPort node : cluster.nodes()) out.put(node, keysOn(node, pattern));
        return out;
    }

    private void assertFeaturesOfTheReference(List<TransactionEvent> batch, List<Enrichment> actual, boolean replayed) {
        List<Enrichment> expected = new ReferenceFeatureStore().enrichAll(batch);
        for (int i = 0; i < batch.size(); i++) {
            assertEquals(expected.get(i).features(), actual.get(i).features(), "transaction " + batch.get(i).transactionId());
            assertEquals(replayed, actual.get(i).replayed(), "transaction " + batch.get(i).transactionId() + " replayed");
        }
    }

    @Test
    void shouldKeepEachEntitysKeysInOneSlotAndSpreadTheEntitiesOverTheMasters() {
        List<TransactionEvent> batch = new ArrayList<>();
        for (int i = 0; i < 60; i++) batch.add(tx(acct + "-" + i, "s" + i, T0.plusSeconds(i)).merchant("spread-" + acct + "-" + i).build());
        store.enrichAll(batch);
        Map<HostAndPort, List<String>> keys = keysByNode("*" + acct + "*");
        for (HostAndPort node : cluster.nodes()) {
            assertFalse(keys.get(node).isEmpty(), "the 60 accounts' and merchants' keys reach every master, not " + node);
        }
        // Every key of an entity (state, replay records, label index aside) is on the node of its hash tag.
        Map<String, HostAndPort> nodeOfTag = new HashMap<>();
        keys.forEach((node, list) -> {
            for (String k : list) {
                HostAndPort first = nodeOfTag.putIfAbsent(k.substring(0, k.indexOf('}') + 1), node);
                assertTrue(first == null || first.equals(node), k + " is on " + node + ", its tag's other keys on " + first);
            }
        });
        List<String> locks = new ArrayList<>();
        keysByNode("*:lk").values().forEach(locks::addAll);
        assertEquals(List.of(), locks, "a written batch leaves no lock");
        assertEquals(List.of(), keysByNode("{bt:*").values().stream().flatMap(List::stream).toList(), "nor its commit key");
        // The label index: each transaction in the hash of today and its shard, which has its expiry
        String s7 = "s7-" + acct;
        store.enrich(tx(acct + "-7", s7, T0.plusSeconds(7)).merchant("spread-" + acct + "-7").build());
        String index = LabelIndex.key(Instant.now().getEpochSecond() / 86_400, LabelIndex.shard(s7));
        List<HostAndPort> holders = keysByNode(index).entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
        assertEquals(1, holders.size(), index + " on one master");
        try (RedisClient raw = RedisClient.create(holders.get(0).getHost(), holders.get(0).getPort())) {
            assertTrue(raw.hget(index, s7).startsWith("spread-" + acct + "-7|"), raw.hget(index, s7));
            assertTrue(raw.ttl(index) > 39 * 86_400 && raw.ttl(index) <= 40 * 86_400, "expires: " + raw.ttl(index));
        }
    }

    @Test
    void shouldBeRefusedByTheClusterWhenConfiguredAsOneRedis() {
        HostAndPort node = cluster.nodes().get(0);
        try (RedisFeatureStore single = new RedisFeatureStore(node.getHost(), node.getPort())) {
            // The one-Redis write script names keys of many slots: a cluster node refuses it (CROSSSLOT or MOVED).
            assertThrows(IllegalStateException.class, () -> single.enrichAll(batchAt("single-" + acct)));
        }
    }

    @Test
    void shouldCountEveryTransactionOnceWhenTwoInstancesRace() throws Exception {
        RedisFeatureStoreIT.Race race = RedisFeatureStoreIT.Race.of("t", "race-" + acct, acct);
        try (RedisFeatureStore one = RedisFeatureStore.cluster(nodes(), RedisFeatureStore.Options.defaults());
                RedisFeatureStore other = RedisFeatureStore.cluster(nodes(), RedisFeatureStore.Options.defaults())) {
            race.run(one, other, 20);
        }
        race.assertCountedOnce(this::enrich);
    }

    /**
     * Two instances whose every batch wants the same ten merchants and ten IPs: neither may starve the other (a batch
     * that met the other's locks and gave up all of its own every time could run out of attempts), and every
     * transaction is counted once.
     */
    @Test
    void shouldLetTwoInstancesWhoseBatchesAllOverlapBothGetThrough() throws Exception {
        int writers = 2;
        int batches = 15;
        int size = 100;
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        try (RedisFeatureStore one = RedisFeatureStore.cluster(nodes(), RedisFeatureStore.Options.defaults());
                RedisFeatureStore other = RedisFeatureStore.cluster(nodes(), RedisFeatureStore.Options.defaults())) {
            List<RedisFeatureStore> stores = List.of(one, other);
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers);
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < writers; k++) {
                int writer = k;
                threads.add(new Thread(() -> {
                    try {
                        start.await();
                        for (int b = 0; b < batches; b++) {
                            List<TransactionEvent> batch = new ArrayList<>();
                            for (int i = 0; i < size; i++) {
                                int n = b * size + i;
                                batch.add(tx(acct + "-w" + writer + "-" + (n % 50), "w" + writer + "-" + n, T0.plusMillis(10L * n))
                                        .merchant("overlap-" + acct + "-" + (n % 10)).ip("ip-" + acct + "-" + (n % 10)).build());
                            }
                            stores.get(writer).enrichAll(batch);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) t.join();
        }
        assertEquals(List.of(), failures);
        for (int m = 0; m < 10; m++) {
            Features probe = enrich(tx(acct + "-probe", "probe-" + m, T0.plusMillis(10L * batches * size))
                    .merchant("overlap-" + acct + "-" + m).ip("ip-" + acct + "-" + m));
            assertEquals(writers * batches * size / 10 + 1, probe.merchantTxCount24h(), "merchant " + m + ": every transaction once");
            assertEquals(writers * batches * size / 10 + 1, probe.ipTxCount24h(), "IP " + m + ": every transaction once");
        }
    }

    /**
     * Wait-die, pinned: of two batches that want the same merchant, the older waits for the younger's lock keeping its
     * own locks, and the younger gives all of its locks up before it waits for the older's. Each side is held at its
     * commit while the other meets its lock; both then go through, and every transaction counts once.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldMakeTheYoungerOfTwoBatchesGiveWayAndTheOlderWaitHoldingItsLocks() throws Exception {
        for (boolean olderHeldAtCommit : List.of(false, true)) {
            String merchant = "waitdie-" + olderHeldAtCommit + "-" + acct;
            List<TransactionEvent> olderBatch = new ArrayList<>();
            List<TransactionEvent> youngerBatch = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                olderBatch.add(tx(merchant + "-old", merchant + "-o" + i, T0.plusSeconds(i)).merchant(merchant).ip("ip-o-" + merchant).build());
                youngerBatch.add(tx(merchant + "-young", merchant + "-y" + i, T0.plusSeconds(i)).merchant(merchant).ip("ip-y-" + merchant).build());
            }
            try (RedisFeatureStore older = RedisFeatureStore.cluster(nodes(), RedisFeatureStore.Options.defaults());
                    RedisFeatureStore younger = RedisFeatureStore.cluster(nodes(), RedisFeatureStore.Options.defaults())) {
                RedisFeatureStore held = olderHeldAtCommit ? older : younger;
                RedisFeatureStore waiting = olderHeldAtCommit ? younger : older;
                java.util.concurrent.CountDownLatch olderBegun = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.CountDownLatch atCommit = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);
                List<Integer> heldWhileWaiting = java.util.Collections.synchronizedList(new ArrayList<>());
                // The older batch begins first; when it is the waiting one, it writes only once the younger is held at its commit.
                older.beforeWrite = attempt -> {
                    olderBegun.countDown();
                    if (!olderHeldAtCommit && attempt == 1) await(atCommit);
                };
                ClusterStateWriter heldWriter = held.clusterWriter();
                heldWriter.checkpoint = at -> {
                    if (at == ClusterStateWriter.BEFORE_COMMIT && atCommit.getCount() > 0) {
                        atCommit.countDown();
                        await(letGo);
                    }
                };
                ClusterStateWriter waitingWriter = waiting.clusterWriter();
                waitingWriter.checkpoint = at -> {
                    if (at == ClusterStateWriter.WAITING) {
                        heldWhileWaiting.add(waitingWriter.heldLocks());
                        if (heldWhileWaiting.size() == 3) letGo.countDown(); // seen waiting a few times: let the other commit
                    }
                };
                List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
                Thread o = new Thread(() -> run(() -> older.enrichAll(olderBatch), failures));
                o.start();
                await(olderBegun);
                if (olderHeldAtCommit) await(atCommit); // the older holds the merchant before the younger tries it
                Thread.sleep(5); // a later millisecond: the younger's priority is strictly younger
                Thread y = new Thread(() -> run(() -> younger.enrichAll(youngerBatch), failures));
                y.start();
                o.join();
                y.join();
                assertEquals(List.of(), failures);
                assertFalse(heldWhileWaiting.isEmpty(), "the second batch waited for the first's lock");
                if (olderHeldAtCommit) {
                    assertTrue(heldWhileWaiting.stream().allMatch(n -> n == 0), "the younger gave all its locks up before waiting: " + heldWhileWaiting);
                } else {
                    assertTrue(heldWhileWaiting.stream().allMatch(n -> n > 0), "the older kept its locks while waiting: " + heldWhileWaiting);
                }
            }
            Features probe = enrich(tx(merchant + "-old", merchant + "-probe", T0.plusSeconds(10)).merchant(merchant).ip("ip-o-" + merchant));
            assertEquals(7, probe.merchantTxCount24h(), "both batches' six transactions once, and the probe");
        }
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("the other batch never got there");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void run(Runnable r, List<Throwable> failures) {
        try {
            r.run();
        } catch (Throwable e) {
            failures.add(e);
        }
    }

    @Test
    void shouldFinishABatchWhoseWriterDiedBetweenCommitAndRollForward() {
        String merchant = "committed-" + acct;
        List<TransactionEvent> batch = batchAt(merchant);
        try (RedisFeatureStore dying = RedisFeatureStore.cluster(nodes(), RedisFeatureStore.Options.defaults());
                RedisFeatureStore next = RedisFeatureStore.cluster(nodes(), RedisFeatureStore.Options.defaults())) {
            dieOnceAt(dying, ClusterStateWriter.BEFORE_ROLL_FORWARD);
            assertThrows(Died.class, () -> dying.enrichAll(batch));
            assertFalse(keysByNode("{m:" + merchant + "}:lk").values().stream().allMatch(List::isEmpty), "the merchant is still locked");

            // The redelivery meets the committed locks, writes them, and finds the transactions counted.
            assertFeaturesOfTheReference(batch, next.enrichAll(batch), true);
            Features probe = next.enrich(probe(merchant)).features();
            assertEquals(6, probe.merchantTxCount24h(), "the five transactions once, and the probe");
            assertEquals(4, probe.txCount24h(), "account 0's three transactions once, and the probe");
        }
    }

    @Test
    void shouldAbortTheBatchOfAWriterThatDiedBeforeCommittingOnceItsLocksAreOld() {
        String merchant = "uncommitted-" + acct;
        List<TransactionEvent> batch = batchAt(merchant);
        try (RedisFeatureStore dying = RedisFeatureStore.cluster(nodes(), RedisFeatureStore.Options.defaults());
                RedisFeatureStore next = RedisFeatureStore.cluster(nodes(), RedisFeatureStore.Options.defaults(), Duration.ofSeconds(1))) {
            dieOnceAt(dying, ClusterStateWriter.BEFORE_COMMIT);
            assertThrows(Died.class, () -> dying.enrichAll(batch));

            // The redelivery waits for the locks to age, aborts the dead batch and counts the transactions itself.
            assertFeaturesOfTheReference(batch, next.enrichAll(batch), false);
            // The dying writer, back, settles its own batch (already aborted) and goes on.
            Features probe = dying.enrich(probe(merchant)).features();
            assertEquals(6, probe.merchantTxCount24h(), "the five transactions once, and the probe");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSettleItsOwnFailedBatchAtOnceRatherThanWaitForItsLocksToAge() {
        Duration never = Duration.ofHours(1);
        for (int checkpoint : List.of(ClusterStateWriter.BEFORE_COMMIT, ClusterStateWriter.BEFORE_ROLL_FORWARD)) {
            String merchant = "own-" + checkpoint + "-" + acct;
            List<TransactionEvent> batch = batchAt(merchant);
            try (RedisFeatureStore s = RedisFeatureStore.cluster(nodes(), RedisFeatureStore.Options.defaults(), never)) {
                dieOnceAt(s, checkpoint);
                assertThrows(Died.class, () -> s.enrichAll(batch));
                // Its retry (Camel's, after a failed batch) releases or finishes the batch first: no wait for an hour-old lock.
                boolean committed = checkpoint == ClusterStateWriter.BEFORE_ROLL_FORWARD;
                assertFeaturesOfTheReference(batch, s.enrichAll(batch), committed);
                Features probe = s.enrich(probe(merchant)).features();
                assertEquals(6, probe.merchantTxCount24h(), "after stopping at checkpoint " + checkpoint + ": the five once, and the probe");
            }
        }
    }

    /**
     * A master stops between a batch's read and its write: the batch fails as unavailable (the pipeline retries it with
     * back-off) after locking its entities on the masters still up, and the store reports itself unhealthy. Once the
     * master is back, the store's next batch releases those locks and counts every transaction once.
     */
    @Test
    void shouldFailAsUnavailableWhenAMasterStopsMidBatchThenCountEveryTransactionOnce() {
        // A merchant on the third master and a first account on the first, so the write fails half-way.
        String merchant = null;
        for (int k = 0; merchant == null; k++) {
            String m = "outage-" + k + "-" + acct;
            if (slot("{m:" + m + "}") >= 2 * EmbeddedRedisCluster.SLOTS / 3 && slot("{a:" + m + "-a0}") < EmbeddedRedisCluster.SLOTS / 3) merchant = m;
        }
        List<TransactionEvent> batch = batchAt(merchant);
        RedisFeatureStore.Options d = RedisFeatureStore.Options.defaults();
        RedisFeatureStore.Options quick = new RedisFeatureStore.Options(d.allowedLateness(), d.windowGrace(), d.historyRetention(),
                d.replayRetention(), Duration.ofMillis(500));
        // A cluster of its own: the other tests' store keeps connections that a master's restart breaks.
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dataDir.resolve("outage"), 3);
                RedisFeatureStore s = RedisFeatureStore.cluster(cluster.nodeSet(), quick)) {
            s.enrich(tx("warm-" + acct, "warm", T0).build()); // scripts loaded, connections open
            s.beforeWrite = attempt -> cluster.stopNode(2);
            try {
                assertThrows(FeatureStoreUnavailableException.class, () -> s.enrichAll(batch));
                s.beforeWrite = attempt -> {};
                assertEquals(List.of("{a:" + merchant + "-a0}:lk"), keysOn(cluster.nodes().get(0), "{a:" + merchant + "-a0}:lk"),
                        "the account on the first master was locked before the write failed");
                assertFalse(s.isHealthy(), "a master is down");
            } finally {
                s.beforeWrite = attempt -> {};
                cluster.startNode(2);
                cluster.awaitReady(Duration.ofSeconds(30));
            }
            assertTrue(s.isHealthy());
            assertFeaturesOfTheReference(batch, s.enrichAll(batch), false);
            assertEquals(6, s.enrich(probe(merchant)).features().merchantTxCount24h(), "the five transactions once, and the probe");
            assertEquals(List.of(), keysOn(cluster.nodes().get(0), "{a:" + merchant + "-a0}:lk"), "the lock was released");
        }
    }

    private static int slot(String key) {
        return redis.clients.jedis.util.JedisClusterCRC16.getSlot(key);
    }

    /** Every key on one master that matches the pattern (SCAN, a page at a time). */
    private static List<String> keysOn(HostAndPort node, String pattern) {
        try (RedisClient raw = RedisClient.create(node.getHost(), node.getPort())) {
            List<String> keys = new ArrayList<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = raw.scan(cursor, new ScanParams().match(pattern).count(1000));
                keys.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            return keys;
        }
    }
}
