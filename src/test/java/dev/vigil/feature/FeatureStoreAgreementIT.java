package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.AccountEventType;
import dev.vigil.event.GeoLocation;
import dev.vigil.event.KycRiskLevel;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.infra.EmbeddedRedisCluster;
import dev.vigil.infra.EmbeddedRedisServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The Redis store and the brute-force reference agree, event by event and field by field, on
 * random streams: a handful of accounts over days, bursts and long gaps, several currencies,
 * redelivered transactions and account events, and transactions delivered up to 5 minutes (the
 * allowed lateness) behind the newest one, fed singly and in pipelined batches. The same property runs against the
 * store on one Redis and on a Redis Cluster of three masters.
 */
class FeatureStoreAgreementIT {

    private static final Instant BASE = Instant.parse("2025-03-01T00:00:00Z");
    private static final long SECOND = 1_000_000_000L;
    private static final List<Currency> CURRENCIES =
            List.of(Currency.getInstance("USD"), Currency.getInstance("EUR"), Currency.getInstance("JPY"));

    private static Path dataDir;
    private static EmbeddedRedisServer redis;
    private static RedisFeatureStore store;
    private static EmbeddedRedisCluster cluster;
    private static RedisFeatureStore clusterStore;

    @BeforeContainer
    static void startRedis() throws IOException {
        dataDir = Files.createTempDirectory("vigil-agreement-redis");
        redis = EmbeddedRedisServer.start(dataDir, 0);
        // With the state cache on (off by default), small enough that a try's entities are both found cached and
        // evicted: every batch counts on a mix of cached and freshly decoded states.
        store = new RedisFeatureStore(redis.host(), redis.port(), RedisFeatureStore.Options.defaults().withStateCacheEntries(8));
        // The same on a Redis Cluster of three masters, where a batch is written by a transaction across slots.
        cluster = EmbeddedRedisCluster.start(dataDir.resolve("cluster"), 3);
        clusterStore = RedisFeatureStore.cluster(Set.copyOf(cluster.nodes()), RedisFeatureStore.Options.defaults().withStateCacheEntries(8));
    }

    @AfterContainer
    static void stopRedis() throws IOException {
        if (store != null) store.close();
        if (redis != null) redis.close();
        if (clusterStore != null) clusterStore.close();
        if (cluster != null) cluster.close();
        if (dataDir != null) {
            try (var files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ---- the generated stream ----

    sealed interface Step permits NewTx, Redeliver, Account, RedeliverAccount, ListChange, LabelStep, LabelMerchantDay {}

    /** Labels the transaction delivered {@code back} places before the last, known at the event clock plus an offset. */
    record LabelStep(int back, long knownOffsetNanos, boolean fraud) implements Step {}

    /**
     * Labels FRAUD, known at the event clock plus an offset, every transaction delivered so far of the merchant and
     * UTC day of the transaction delivered {@code back} places before the last: a compromised terminal's day, which
     * {@code merchant_fraud_streak_delayed} counts (single labels rarely cover a whole day).
     */
    record LabelMerchantDay(int back, long knownOffsetNanos) implements Step {}

    /** Puts one of the generated entities on a list or takes it off. */
    record ListChange(ListEntry.Entity entity, int index, ListEntry.Kind list, boolean member) implements Step {}

    /** A new transaction gapNanos after the previous one, delivered delaySeconds late. */
    record NewTx(int account, long gapNanos, int delaySeconds, TransactionType type, long minor, int currency,
            int merchant, int device, Extra extra) implements Step {}

    /** The other entities and facts a transaction may name: IP, place, counterparty (-1: none). */
    record Extra(int ip, int place, int counterparty) {}

    /** Places near and far apart: Paris, Paris 5 km off, New York, Sydney (across the date line from Hawaii), Honolulu. */
    private static final List<GeoLocation> PLACES = List.of(
            new GeoLocation(48.8566, 2.3522, "FR"), new GeoLocation(48.8566, 2.4205, "FR"),
            new GeoLocation(40.7128, -74.006, "US"), new GeoLocation(-33.8688, 151.2093, "AU"),
            new GeoLocation(21.3069, -157.8583, "US"));

    /** Delivers again the transaction delivered {@code back} places before the last. */
    record Redeliver(int back) implements Step {}

    record Account(int account, AccountEventType type, long openedOffsetNanos, int netWorth, int currency,
            int country, int kyc) implements Step {}

    record RedeliverAccount(int back) implements Step {}

    @Provide
    Arbitrary<List<Step>> streams() {
        return streams(newTx(gaps(), delays()), 16, Arbitraries.integers().between(0, 50).map(Redeliver::new), 2);
    }

    /**
     * The same steps with transactions at most a minute apart, delivered at most a minute late and four times as
     * common, so several batches in a row lie within the allowed lateness and may be enriched in any order; and
     * redeliveries six times as common, of one of the last nine, so a batch often carries one of the batch before.
     */
    @Provide
    Arbitrary<List<Step>> bursts() {
        return streams(newTx(Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.longs().between(0, 2 * SECOND)),
                Tuple.of(1, Arbitraries.longs().between(0, 60 * SECOND)),
                Tuple.of(1, Arbitraries.of(0L, SECOND, 59 * SECOND, 60 * SECOND))),
                Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(0)), Tuple.of(1, Arbitraries.integers().between(0, 60)))), 64,
                Arbitraries.integers().between(0, 8).map(Redeliver::new), 12);
    }

    /** Steps: new transactions and redeliveries of these weights, against 12 for the others. */
    private Arbitrary<List<Step>> streams(Arbitrary<Step> newTx, int newTxWeight, Arbitrary<Step> redeliver, int redeliverWeight) {
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(newTxWeight, newTx),
                Tuple.of(redeliverWeight, redeliver),
                Tuple.of(3, account()),
                Tuple.of(1, Arbitraries.integers().between(0, 10).map(RedeliverAccount::new)),
                Tuple.of(3, Combinators.combine(Arbitraries.integers().between(0, 30),
                        Arbitraries.frequencyOf(
                                Tuple.of(3, Arbitraries.longs().between(-3_600 * SECOND, 3_600 * SECOND)),
                                Tuple.of(1, Arbitraries.of(0L, 1L, -1L, SECOND))),              // known exactly at an event
                        Arbitraries.of(true, true, true, false)).as(LabelStep::new)),
                // Weight 3 (was 1): a labelled merchant day is what merchant_fraud_streak_delayed needs; see the
                // coverage check at the end of the property for the rates this gives.
                Tuple.of(3, Combinators.combine(Arbitraries.integers().between(0, 30),
                        Arbitraries.longs().between(-3_600 * SECOND, 3_600 * SECOND)).as(LabelMerchantDay::new)),
                Tuple.of(2, Combinators.combine(Arbitraries.of(ListEntry.Entity.class), Arbitraries.integers().between(0, 2),
                        Arbitraries.of(ListEntry.Kind.class), Arbitraries.of(true, true, false)).as(ListChange::new)));
        // jqwik sizes generated values by the number of tries (genSize = tries): with 1,000 tries the gaps drawn
        // from the wide ranges above grow and the late-among-others case fell from about 21% to 2% of tries.
        // The streams keep the size they had at 50 tries, so more tries means more streams of the same kind.
        return step.list().ofMinSize(1).ofMaxSize(200).withSizeDistribution(RandomDistribution.uniform()).fixGenSize(50);
    }

    private static Arbitrary<Long> gaps() {
        return Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.longs().between(0, 2 * SECOND)),              // bursts
                Tuple.of(9, Arbitraries.longs().between(0, 120 * SECOND)),
                Tuple.of(4, Arbitraries.longs().between(0, 3 * 3600 * SECOND)),
                Tuple.of(3, Arbitraries.longs().between(0, 3 * 86_400 * SECOND)),       // days apart
                Tuple.of(2, Arbitraries.longs().between(7 * 86_400 * SECOND, 12 * 86_400 * SECOND)), // past the label delay
                Tuple.of(3, Arbitraries.of(0L, SECOND, 59 * SECOND, 60 * SECOND, 300 * SECOND, 3600 * SECOND,
                        86_400 * SECOND, 7 * 86_400 * SECOND)),                         // bucket edges
                Tuple.of(1, Arbitraries.of(30 * 86_400 * SECOND, 90 * 86_400 * SECOND,
                        (90 * 86_400 + 1) * SECOND)));                                  // 30-day and novelty edges
    }

    private static Arbitrary<Integer> delays() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.just(0)),
                Tuple.of(3, Arbitraries.integers().between(0, 300)),
                Tuple.of(4, Arbitraries.integers().between(240, 300)),                  // near the horizon
                Tuple.of(1, Arbitraries.just(300)));                                    // exactly the allowed lateness
    }

    private Arbitrary<Step> newTx(Arbitrary<Long> gap, Arbitrary<Integer> delay) {
        Arbitrary<TransactionType> type = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.just(TransactionType.PURCHASE)),
                Tuple.of(3, Arbitraries.just(TransactionType.BALANCE_DEPOSIT)),
                Tuple.of(2, Arbitraries.just(TransactionType.TRANSFER_OUT)),
                Tuple.of(2, Arbitraries.just(TransactionType.TRANSFER_IN)),
                Tuple.of(2, Arbitraries.just(TransactionType.CASH_DEPOSIT)),
                Tuple.of(1, Arbitraries.just(TransactionType.REFUND)));
        Arbitrary<Long> minor = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.longs().between(0, 200_000)),
                Tuple.of(6, Arbitraries.longs().between(899_999, 1_000_000)),           // structuring edges
                Tuple.of(3, Arbitraries.longs().between(0, 30).map(k -> k * 10_000)),  // round amounts
                Tuple.of(1, Arbitraries.just(4_503_599_627_370_497L)));                 // sums pass 2^53
        Arbitrary<Integer> currency = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(0)), Tuple.of(3, Arbitraries.just(1)), Tuple.of(1, Arbitraries.just(2)));
        // Account 0 is busy, so late events land among others of their account.
        Arbitrary<Integer> account = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.just(0)), Tuple.of(3, Arbitraries.just(1)), Tuple.of(2, Arbitraries.integers().between(2, 3)));
        Arbitrary<Extra> extra = Combinators.combine(
                        Arbitraries.integers().between(-1, 2), Arbitraries.integers().between(-1, PLACES.size() - 1),
                        Arbitraries.integers().between(-1, 3))
                .as(Extra::new);
        Arbitrary<NewTx> base = Combinators.combine(
                        account, gap, delay, type, minor, currency,
                        Arbitraries.integers().between(-1, 3), Arbitraries.integers().between(-1, 2))
                .as((a, g, d, t, m, c, me, de) -> new NewTx(a, g, d, t, m, c, me, de, null));
        return Combinators.combine(base, extra).as((n, x) -> new NewTx(n.account(), n.gapNanos(), n.delaySeconds(),
                n.type(), n.minor(), n.currency(), n.merchant(), n.device(), x));
    }

    private Arbitrary<Step> account() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.of(AccountEventType.class),
                        Arbitraries.longs().between(-30L * 86_400 * SECOND, 2L * 86_400 * SECOND),
                        Arbitraries.integers().between(-1, 3),
                        Arbitraries.integers().between(-1, 2),
                        Arbitraries.integers().between(-1, 1),
                        Arbitraries.integers().between(-1, 2))
                .as(Account::new);
    }

    // ---- the property ----

    private sealed interface Action permits Enrich, Apply, ApplyList, ApplyLabel {}

    private record ApplyLabel(Label label) implements Action {}

    private record ApplyList(ListEntry entry) implements Action {}

    private record Enrich(TransactionEvent event) implements Action {}

    private record Apply(AccountEvent event) implements Action {}

    private record Pending(Instant deliverAt, long seq, TransactionEvent event) {}

    @Property(tries = 150)
    void redisStoreAgreesWithTheReferenceEventByEvent(
            @ForAll("streams") List<Step> steps,
            @ForAll @LongRange(min = 0, max = 7L * 86_400 * SECOND) long startOffsetNanos,
            @ForAll @IntRange(min = 1, max = 20) int batchSize) {
        agree(store, steps, startOffsetNanos, batchSize);
    }

    @Property(tries = 150)
    void redisClusterStoreAgreesWithTheReferenceEventByEvent(
            @ForAll("streams") List<Step> steps,
            @ForAll @LongRange(min = 0, max = 7L * 86_400 * SECOND) long startOffsetNanos,
            @ForAll @IntRange(min = 1, max = 20) int batchSize) {
        agree(clusterStore, steps, startOffsetNanos, batchSize);
    }

    private void agree(RedisFeatureStore store, List<Step> steps, long startOffsetNanos, int batchSize) {
        String run = UUID.randomUUID().toString(); // fresh accounts: tries share one Redis
        List<Action> actions = deliveries(run, BASE.plusNanos(startOffsetNanos), steps);
        // The generator must keep producing what is hard to get right: an event near the
        // lateness horizon whose one-minute window holds other events of its account.
        long enrichments = actions.stream().filter(a -> a instanceof Enrich).count();
        long distinct = actions.stream().filter(a -> a instanceof Enrich).map(a -> ((Enrich) a).event()).distinct().count();
        Statistics.label("late by 240-300 s among others of the account").collect(lateAmongOthers(actions));
        Statistics.label("redelivery").collect(enrichments > distinct);
        // The same for the shared entities, with an earlier transaction of the entity within the day: the seconds since
        // the previous one must then be measured from it, not from the newest
        Statistics.label("late by 240-300 s after an earlier one of its merchant, IP or device").collect(
                lateAmongOthers(actions, TransactionEvent::merchantId, 86_400) || lateAmongOthers(actions, TransactionEvent::ip, 86_400)
                        || lateAmongOthers(actions, TransactionEvent::deviceFingerprint, 86_400));
        // About 21-22% of tries reach it (1,050 tries at 50 a run: 21.2%; 1,200 at 150: 22.0%). A threshold near
        // that rate would fail often by chance, so the check asks for 4%: at 150 tries, at least 6, which fails
        // when the generator stops producing the case, and by chance about once in 10^10 runs (binomial, p = 0.22).
        Statistics.label("late by 240-300 s among others of the account")
                .coverage(c -> c.check(true).percentage(p -> p >= 4));
        Statistics.label("redelivery").coverage(c -> c.check(true).percentage(p -> p >= 40));
        Statistics.label("late by 240-300 s after an earlier one of its merchant, IP or device")
                .coverage(c -> c.check(true).percentage(p -> p >= 4));
        ReferenceFeatureStore reference = new ReferenceFeatureStore();
        java.util.Set<String> reached = new java.util.HashSet<>();

        int i = 0;
        while (i < actions.size()) {
            if (applied(actions.get(i), store, reference)) {
                i++;
                continue;
            }
            List<TransactionEvent> batch = new ArrayList<>();
            while (i < actions.size() && batch.size() < batchSize && actions.get(i) instanceof Enrich e) {
                batch.add(e.event());
                i++;
            }
            List<Enrichment> expected = reference.enrichAll(batch);
            List<Enrichment> actual = batch.size() == 1 ? List.of(store.enrich(batch.get(0))) : store.enrichAll(batch);
            assertSame(batch, expected, actual, reached);
        }
        // Each new family of features must take values other than its default in a fair share of tries.
        for (String what : INTERESTING) {
            Statistics.label(what).collect(reached.contains(what));
            // The delayed merchant fraud rates, the merchant fraud streak and the latest known day's frauds (reached in
            // 34-35% of 150 tries, two runs) are reached in fewer tries than the rest, so they need at least 6% of
            // tries, the others 20%. Each check fails by chance when fewer tries
            // than that reach the family although the generator still produces it: P(X < k), X ~ Binomial(tries, rate).
            //
            // The streak needs a merchant day labelled FRAUD whole and a later transaction of that merchant whose
            // delayed window holds it. With 50 tries and one labelled day in 31 steps it was reached in 18.8% of
            // 1,050 tries (21 runs of 50; single runs 12% to 28%), and "at least 3 of 50" failed by chance 2.4e-3 of
            // runs (1 in 430; 2.2e-2 at 14%, the lowest single run seen before). Now: labelled merchant days weigh 3
            // (streak reached in 26.7% of 1,200 tries, 8 runs of 150, no run below 21%), and 150 tries (6%: at
            // least 9). By chance that fails 1.1e-11 of runs at 26.7%, 6e-10 at 24.2% (the rate's 95% lower bound),
            // 1.5e-6 even at the old 18.8%. A real gap (the streak never or seldom reached) still fails: at a 3% rate
            // 9 of 150 is missed 96% of runs. The delayed rates (34.6%) fail by chance about 1e-17 of runs. Of the
            // 20% families the rarest, "hour share < 1", is at 39.2% (1.4e-7 of runs at 150 tries; at 50 tries and
            // 35.7% it was 5e-3). Cost: about 29 ms a try, 150 tries about 4.3 s of wall time (1,200 tries in 34.6 s,
            // load average ~15).
            int least = what.equals("delayed fraud rate") || what.equals("fraud streak") || what.equals("latest known day frauds") ? 6 : 20;
            Statistics.label(what).coverage(c -> c.check(true).percentage(p -> p >= least));
        }
    }

    /** Applies an account event, a label or a list change to both stores; false for a transaction, left to the caller. */
    private static boolean applied(Action action, RedisFeatureStore store, ReferenceFeatureStore reference) {
        if (action instanceof Apply a) {
            store.apply(a.event());
            reference.apply(a.event());
        } else if (action instanceof ApplyLabel l) {
            assertEquals(reference.applyLabel(l.label()), store.applyLabel(l.label()), "label " + l.label());
        } else if (action instanceof ApplyList l) {
            store.applyList(l.entry());
            reference.applyList(l.entry());
        } else {
            return false;
        }
        return true;
    }

    /** Each event's features, profile and replay flag as the reference gave them. */
    private static void assertSame(List<TransactionEvent> batch, List<Enrichment> expected, List<Enrichment> actual,
            java.util.Set<String> reached) {
        for (int k = 0; k < batch.size(); k++) {
            TransactionEvent ev = batch.get(k);
            String where = "transaction " + ev.transactionId() + " of " + ev.accountId() + " at " + ev.occurredAt()
                    + " (" + ev.type() + " " + ev.amount() + " " + ev.currency() + ")";
            assertEquals(expected.get(k).features(), actual.get(k).features(), where);
            assertEquals(expected.get(k).account(), actual.get(k).account(), where);
            assertEquals(expected.get(k).replayed(), actual.get(k).replayed(), where);
            reached.addAll(interesting(actual.get(k).features()));
        }
    }

    /**
     * One store, three threads enriching a stream's batches at once (the Kafka consumers and the HTTP batcher of one
     * Vigil): a batch is computed while the one before it is written, counting on what that one will write, and one
     * write in five fails (the batch is sent again, as a consumer would). Account events, labels and list changes
     * come between the runs of transactions, as in the stream. Fed the batches written, in the order they were
     * written, the reference must return what each returned.
     */
    /**
     * Two instances that merge the shared states another changed under their batch
     * ({@link RedisFeatureStore.Options#mergeSharedStates()}), racing on their own accounts and the same merchants,
     * IPs and devices, leave those states exactly as one store fed every transaction would: a transaction of a new
     * account on each shared entity afterwards gets the reference's features, field by field. The transactions lie
     * within the allowed lateness of each other, where the order of counting does not change a state. Each instance
     * feeds its batches from two threads. On one Redis and on a Redis Cluster.
     */
    @Property(tries = 60)
    void twoMergingInstancesLeaveTheSharedStatesOfOneStoreFedEverything(
            @ForAll @IntRange(min = 1, max = 60) int perWriter,
            @ForAll @IntRange(min = 1, max = 20) int batchSize,
            @ForAll @IntRange(min = 1, max = 3) int shared,
            @ForAll boolean onCluster,
            @ForAll long seed) throws InterruptedException {
        String run = UUID.randomUUID().toString();
        java.util.Random random = new java.util.Random(seed);
        List<List<TransactionEvent>> streams = List.of(new ArrayList<>(), new ArrayList<>());
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < perWriter; i++) {
                streams.get(k).add(Tx.tx(run + "-w" + k + "-a" + random.nextInt(3), run + "-" + k + "-" + i,
                                BASE.plusMillis(random.nextInt(240_000)))
                        .amount(BigDecimal.valueOf(random.nextInt(100_000) + 1, 2).toPlainString(), random.nextBoolean() ? "EUR" : "USD")
                        .merchant(run + "-m" + random.nextInt(shared))
                        .ip(run + "-ip" + random.nextInt(shared))
                        .device(run + "-d" + random.nextInt(shared))
                        .build());
            }
        }
        long conflicts = 0;
        long merges = 0;
        long leanedOnMerged = 0;
        RedisFeatureStore.Options merging = RedisFeatureStore.Options.defaults().withMergeSharedStates(true);
        java.util.function.Supplier<RedisFeatureStore> instance = onCluster
                ? () -> RedisFeatureStore.cluster(Set.copyOf(cluster.nodes()), merging)
                : () -> new RedisFeatureStore(redis.host(), redis.port(), merging);
        try (RedisFeatureStore one = instance.get(); RedisFeatureStore other = instance.get()) {
            List<RedisFeatureStore> writers = List.of(one, other);
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(4);
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                RedisFeatureStore writer = writers.get(k);
                List<TransactionEvent> mine = streams.get(k);
                // A write held for a moment now and then: the other instance writes the shared states meanwhile.
                java.util.Random pause = new java.util.Random(seed + k);
                writer.beforeWrite = attempt -> {
                    boolean hold;
                    synchronized (pause) {
                        hold = pause.nextInt(3) == 0;
                    }
                    if (hold) java.util.concurrent.locks.LockSupport.parkNanos(500_000);
                };
                // Each instance feeds its batches from two threads, as two consumers do: its batches overlap, and one
                // may count on a batch before it that was written after a merge.
                java.util.concurrent.ConcurrentLinkedQueue<List<TransactionEvent>> batches = new java.util.concurrent.ConcurrentLinkedQueue<>();
                for (int from = 0; from < mine.size(); from += batchSize) batches.add(mine.subList(from, Math.min(mine.size(), from + batchSize)));
                for (int t = 0; t < 2; t++) {
                    threads.add(new Thread(() -> {
                        try {
                            start.await();
                            for (List<TransactionEvent> b = batches.poll(); b != null; b = batches.poll()) writer.enrichAll(b);
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }));
                }
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) t.join();
            assertEquals(List.of(), errors);
            conflicts = one.conflicts() + other.conflicts();
            merges = one.merges() + other.merges();
            leanedOnMerged = one.leanedOnMerged() + other.leanedOnMerged();
            assertEquals(conflicts, merges, "their accounts are their own: every conflict is on a shared state, and merged");
        }
        ReferenceFeatureStore reference = new ReferenceFeatureStore();
        List<TransactionEvent> everything = new ArrayList<>(streams.get(0));
        everything.addAll(streams.get(1));
        everything.sort(Comparator.comparing(TransactionEvent::occurredAt));
        reference.enrichAll(everything);
        for (int j = 0; j < shared; j++) {
            TransactionEvent probe = Tx.tx(run + "-probe" + j, run + "-probe" + j, BASE.plusSeconds(250))
                    .amount("10.00", "EUR").merchant(run + "-m" + j).ip(run + "-ip" + j).device(run + "-d" + j).build();
            assertEquals(reference.enrich(probe).features(), (onCluster ? clusterStore : store).enrich(probe).features(),
                    "shared entities " + j);
        }
        Statistics.label("merged a conflict").collect(merges > 0);
        Statistics.label("merged a conflict on a Redis Cluster").collect(onCluster && merges > 0);
        Statistics.label("counted on a batch written after a merge").collect(leanedOnMerged > 0);
        // Reached in 97% of tries (one run of 60): under 30% by chance far less than once in 10^5 runs.
        Statistics.label("merged a conflict").coverage(c -> c.check(true).percentage(p -> p >= 30));
        Statistics.label("merged a conflict on a Redis Cluster").coverage(c -> c.check(true).percentage(p -> p >= 10));
        Statistics.label("counted on a batch written after a merge").coverage(c -> c.check(true).percentage(p -> p >= 5));
    }

    @Property(tries = 100)
    void batchesOfOneStoreOnThreeThreadsAgreeWithTheReferenceInTheOrderWritten(
            @ForAll("bursts") List<Step> steps,
            @ForAll @LongRange(min = 0, max = 7L * 86_400 * SECOND) long startOffsetNanos,
            @ForAll @IntRange(min = 1, max = 8) int batchSize,
            @ForAll long seed) throws InterruptedException {
        String run = UUID.randomUUID().toString();
        List<Action> actions = deliveries(run, BASE.plusNanos(startOffsetNanos), steps);
        ReferenceFeatureStore reference = new ReferenceFeatureStore();
        java.util.Set<String> reached = new java.util.HashSet<>();
        java.util.Random failing = new java.util.Random(seed);
        List<List<TransactionEvent>> written = java.util.Collections.synchronizedList(new ArrayList<>());
        long leaned = store.leanedOnBatchBefore();
        long leanedOnSeveral = store.leanedOnSeveralBatchesBefore();
        long again = store.computedAgainForBatchBefore();
        long readAgain = store.readAgainForBatchesNotKept();
        // Two batches kept instead of eight: a read that began before two or more were written is then done again.
        store.publishedKept = 2;
        store.afterWrite = written::add;
        store.beforeWrite = attempt -> {
            boolean fail;
            synchronized (failing) {
                fail = failing.nextInt(5) == 0;
            }
            if (fail) throw new IllegalStateException("a write failing on purpose");
            // A write held for a moment, as a busy Redis would: the next batch reads and computes meanwhile.
            java.util.concurrent.locks.LockSupport.parkNanos(300_000);
        };
        Instant newest = null;
        int runs = 0;
        try {
            int i = 0;
            while (i < actions.size()) {
                if (applied(actions.get(i), store, reference)) {
                    i++;
                    continue;
                }
                // The batches of a run may be written in any order; a run ends where some order would deliver an
                // event more than the allowed lateness behind the newest one (its features are then not exact).
                java.util.concurrent.ConcurrentLinkedQueue<List<TransactionEvent>> batches = new java.util.concurrent.ConcurrentLinkedQueue<>();
                Instant oldest = null;
                Instant newestInRun = newest;
                while (i < actions.size() && actions.get(i) instanceof Enrich) {
                    List<TransactionEvent> batch = new ArrayList<>();
                    while (i < actions.size() && batch.size() < batchSize && actions.get(i) instanceof Enrich e) {
                        batch.add(e.event());
                        i++;
                    }
                    Instant batchOldest = batch.stream().map(TransactionEvent::occurredAt).min(Comparator.naturalOrder()).orElseThrow();
                    Instant batchNewest = batch.stream().map(TransactionEvent::occurredAt).max(Comparator.naturalOrder()).orElseThrow();
                    Instant o = oldest == null || batchOldest.isBefore(oldest) ? batchOldest : oldest;
                    Instant n = newestInRun == null || batchNewest.isAfter(newestInRun) ? batchNewest : newestInRun;
                    if (oldest != null && o.isBefore(n.minusSeconds(300))) {
                        i -= batch.size(); // starts the next run
                        break;
                    }
                    batches.add(batch);
                    oldest = o;
                    newestInRun = n;
                }
                newest = newestInRun;
                if (batches.size() > 1) runs++;
                java.util.Map<List<TransactionEvent>, List<Enrichment>> returned = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
                List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    threads.add(new Thread(() -> {
                        for (List<TransactionEvent> b = batches.poll(); b != null; b = batches.poll()) {
                            for (int tries = 1; ; tries++) {
                                try {
                                    returned.put(b, store.enrichAll(b));
                                    break;
                                } catch (IllegalStateException e) {
                                    if (!"a write failing on purpose".equals(e.getMessage()) || tries == 100) {
                                        errors.add(e);
                                        return;
                                    }
                                } catch (Throwable e) {
                                    errors.add(e);
                                    return;
                                }
                            }
                        }
                    }));
                }
                threads.forEach(Thread::start);
                for (Thread t : threads) t.join();
                assertEquals(List.of(), errors);
                List<List<TransactionEvent>> order;
                synchronized (written) {
                    order = new ArrayList<>(written);
                    written.clear();
                }
                assertEquals(returned.size(), order.size(), "every batch written once");
                for (List<TransactionEvent> b : order) assertSame(b, reference.enrichAll(b), returned.get(b), reached);
            }
        } finally {
            store.beforeWrite = attempt -> {};
            store.afterWrite = b -> {};
            store.publishedKept = 8;
        }
        // The overlap must happen: a batch counting on the one before, and computed again when that one failed.
        Statistics.label("runs of two batches or more").collect(runs > 0);
        Statistics.label("counted on a batch before").collect(store.leanedOnBatchBefore() > leaned);
        Statistics.label("counted on two batches before").collect(store.leanedOnSeveralBatchesBefore() > leanedOnSeveral);
        Statistics.label("computed again after a batch before failed").collect(store.computedAgainForBatchBefore() > again);
        Statistics.label("read again, batches written since no longer kept").collect(store.readAgainForBatchesNotKept() > readAgain);
        // Reached in 61%, 52%, 44% and 22% of tries (one run of 100): by chance under 30%, 25%, 20% and 8% less than once
        // in 10^5 runs; a store that stopped overlapping batches, computing again or reading again fails.
        Statistics.label("counted on a batch before").coverage(c -> c.check(true).percentage(p -> p >= 30));
        Statistics.label("counted on two batches before").coverage(c -> c.check(true).percentage(p -> p >= 25));
        Statistics.label("computed again after a batch before failed").coverage(c -> c.check(true).percentage(p -> p >= 20));
        Statistics.label("read again, batches written since no longer kept").coverage(c -> c.check(true).percentage(p -> p >= 8));
    }

    private static final List<String> INTERESTING = List.of("z-score", "median ratio", "structuring", "fan-in > 1",
            "fan-out > 1", "travel", "country change", "usual place", "merchant shared", "customer across accounts",
            "hour share < 1", "rapid in-out", "seen again", "first", "listed", "fraud rate", "distinct merchants > 1",
            "delayed fraud rate", "fraud streak", "latest known day frauds", "unusual amounts in 7 days", "entity 30 days past 7", "entity 5 min past 1",
            "entity previous not the account's");

    private static java.util.Set<String> interesting(Features f) {
        java.util.Set<String> s = new java.util.HashSet<>();
        if (f.amountZscore30d().signum() != 0) s.add("z-score");
        if (f.amountToMedianRatio30d().signum() > 0) s.add("median ratio");
        if (f.structuringCount7d() > 0) s.add("structuring");
        if (f.fanIn24h() > 1) s.add("fan-in > 1");
        if (f.fanOut24h() > 1) s.add("fan-out > 1");
        if (f.distanceFromPreviousKm().signum() > 0) s.add("travel");
        if (f.countryChanged1h()) s.add("country change");
        if (f.distanceFromUsualKm().signum() > 0) s.add("usual place");
        if (f.merchantTxCount1h() > f.txCount1h()) s.add("merchant shared");
        if (f.customerTxCount24h() > f.txCount24h()) s.add("customer across accounts");
        if (f.hourOfDayShare30d().signum() >= 0 && f.hourOfDayShare30d().compareTo(BigDecimal.ONE) < 0) s.add("hour share < 1");
        if (f.rapidInOutRatio3d().signum() > 0) s.add("rapid in-out");
        if (!f.newIp() && !f.newCountry() && !f.firstTransaction() && f.ipTxCount1h() > 0) s.add("seen again");
        if (f.firstTransaction()) s.add("first");
        if (f.merchantFraudRate30d().signum() > 0) s.add("fraud rate");
        if (f.distinctMerchants5m() > 1) s.add("distinct merchants > 1");
        if (f.merchantFraudRate1dDelayed().signum() > 0 || f.merchantFraudRate7dDelayed().signum() > 0
                || f.merchantFraudRate30dDelayed().signum() > 0) s.add("delayed fraud rate");
        if (f.merchantFraudStreakDelayed() > 0) s.add("fraud streak");
        if (f.merchantFraudCount24hDelayed() > 0) s.add("latest known day frauds");
        if (f.amountOutliers7d() > 0) s.add("unusual amounts in 7 days");
        if (f.deviceTxCount30d() > f.deviceTxCount7d() || f.customerTxCount30d() > f.customerTxCount7d()
                || f.ipTxCount30d() > f.ipTxCount7d() || f.merchantTxCount30d() > f.merchantTxCount7d()) s.add("entity 30 days past 7");
        if (f.deviceTxCount5m() > f.deviceTxCount1m() || f.merchantTxCount5m() > f.merchantTxCount1m()) s.add("entity 5 min past 1");
        if (f.merchantSecondsSincePrevious() >= 0 && f.merchantSecondsSincePrevious() != f.secondsSincePrevious()
                || f.ipSecondsSincePrevious() >= 0 && f.ipSecondsSincePrevious() != f.secondsSincePrevious()) {
            s.add("entity previous not the account's");
        }
        if (f.accountBlacklisted() || f.deviceWhitelisted() || f.merchantBlacklisted() || f.ipBlacklisted()
                || f.customerWhitelisted()) s.add("listed");
        return s;
    }

    /**
     * Turns the steps into the order of delivery: each new transaction waits until the event
     * clock (the newest event time generated) reaches its time plus its delay, so nothing is
     * delivered more than its delay, at most 300 s, behind the newest event delivered before it.
     */
    private static List<Action> deliveries(String run, Instant start, List<Step> steps) {
        List<Action> out = new ArrayList<>();
        List<TransactionEvent> delivered = new ArrayList<>();
        List<AccountEvent> accountEvents = new ArrayList<>();
        // Due at the same instant, the newer goes first: an event can then be exactly 300 s late.
        PriorityQueue<Pending> waiting = new PriorityQueue<>(
                Comparator.comparing(Pending::deliverAt).thenComparing(Comparator.comparingLong(Pending::seq).reversed()));
        Instant clock = start;
        long seq = 0;
        for (Step step : steps) {
            if (step instanceof NewTx n) {
                clock = clock.plusNanos(n.gapNanos());
                TransactionEvent ev = transaction(run, seq, clock, n);
                waiting.add(new Pending(clock.plusSeconds(n.delaySeconds()), seq++, ev));
                while (!waiting.isEmpty() && !waiting.peek().deliverAt().isAfter(clock)) {
                    TransactionEvent due = waiting.poll().event();
                    out.add(new Enrich(due));
                    delivered.add(due);
                }
            } else if (step instanceof Redeliver r) {
                if (!delivered.isEmpty()) {
                    out.add(new Enrich(delivered.get(Math.max(0, delivered.size() - 1 - r.back()))));
                }
            } else if (step instanceof Account a) {
                AccountEvent ev = accountEvent(run, seq++, start, a);
                out.add(new Apply(ev));
                accountEvents.add(ev);
            } else if (step instanceof LabelStep l) {
                if (!delivered.isEmpty()) {
                    TransactionEvent tx = delivered.get(Math.max(0, delivered.size() - 1 - l.back()));
                    out.add(new ApplyLabel(new Label(tx.transactionId(), l.fraud() ? Label.Kind.FRAUD : Label.Kind.LEGIT,
                            "test", clock.plusNanos(l.knownOffsetNanos()))));
                }
            } else if (step instanceof LabelMerchantDay l) {
                if (!delivered.isEmpty()) {
                    TransactionEvent tx = delivered.get(Math.max(0, delivered.size() - 1 - l.back()));
                    long day = Math.floorDiv(tx.occurredAt().getEpochSecond(), 86_400);
                    for (TransactionEvent d : new java.util.LinkedHashSet<>(delivered)) {
                        if (tx.merchantId() != null && tx.merchantId().equals(d.merchantId())
                                && Math.floorDiv(d.occurredAt().getEpochSecond(), 86_400) == day) {
                            out.add(new ApplyLabel(new Label(d.transactionId(), Label.Kind.FRAUD, "test",
                                    clock.plusNanos(l.knownOffsetNanos()))));
                        }
                    }
                }
            } else if (step instanceof ListChange l) {
                String id = switch (l.entity()) {
                    case ACCOUNT -> accountId(run, l.index());
                    case CUSTOMER -> "cust-" + (l.index() <= 1 ? 0 : l.index()) + "-" + run;
                    case DEVICE -> "d" + l.index() + "-" + run;
                    case IP -> "10.0.0." + l.index() + "-" + run;
                    case MERCHANT -> "m" + l.index() + "-" + run;
                };
                out.add(new ApplyList(new ListEntry(l.list(), l.entity(), id, l.member())));
            } else if (step instanceof RedeliverAccount r) {
                if (!accountEvents.isEmpty()) {
                    out.add(new Apply(accountEvents.get(Math.max(0, accountEvents.size() - 1 - r.back()))));
                }
            }
        }
        while (!waiting.isEmpty()) out.add(new Enrich(waiting.poll().event()));
        return out;
    }

    private static boolean lateAmongOthers(List<Action> actions) {
        return lateAmongOthers(actions, TransactionEvent::accountId, 60);
    }

    /**
     * True when an event is delivered at least 240 s behind the newest of its entity, with another of the entity at most
     * {@code companySeconds} before it (an event without the entity is passed over).
     */
    private static boolean lateAmongOthers(List<Action> actions, java.util.function.Function<TransactionEvent, String> entity,
            long companySeconds) {
        java.util.Map<String, List<Instant>> seen = new java.util.HashMap<>();
        java.util.Set<TransactionEvent> done = new java.util.HashSet<>();
        for (Action a : actions) {
            if (!(a instanceof Enrich e) || entity.apply(e.event()) == null || !done.add(e.event())) continue;
            Instant t = e.event().occurredAt();
            List<Instant> times = seen.computeIfAbsent(entity.apply(e.event()), k -> new ArrayList<>());
            Instant newest = times.stream().max(Instant::compareTo).orElse(t);
            boolean deepLate = !newest.minusSeconds(240).isBefore(t);
            boolean company = times.stream().anyMatch(x -> !x.isAfter(t) && !x.isBefore(t.minusSeconds(companySeconds)));
            if (deepLate && company) return true;
            times.add(t);
        }
        return false;
    }

    private static String accountId(String run, int account) {
        // Account 0 has the characters the Redis key layout must escape.
        return account == 0 ? "a{c}c:0%" + run : "acct-" + account + "-" + run;
    }

    private static TransactionEvent transaction(String run, long seq, Instant at, NewTx n) {
        Currency cur = CURRENCIES.get(n.currency());
        BigDecimal amount = BigDecimal.valueOf(n.minor(), cur.getDefaultFractionDigits());
        if (n.minor() % 7 == 3) amount = amount.setScale(amount.scale() + 1); // 12.340: still exact in cents
        String acct = accountId(run, n.account());
        // Customers span accounts (0 and 1 share one); devices, IPs and merchants are shared by all.
        Extra x = n.extra();
        return new TransactionEvent("tx-" + seq + "-" + run, at, acct, "cust-" + (n.account() <= 1 ? 0 : n.account()) + "-" + run, n.type(),
                amount, cur, x.counterparty() < 0 ? null : "cp-" + x.counterparty(),
                n.merchant() < 0 ? null : "m" + n.merchant() + "-" + run,
                n.merchant() < 0 ? null : List.of("4829", "5411", "5732", "3005").get(n.merchant()), "web", "card", Boolean.FALSE,
                n.device() < 0 ? null : "d" + n.device() + "-" + run, x.ip() < 0 ? null : "10.0.0." + x.ip() + "-" + run,
                x.place() < 0 ? null : PLACES.get(x.place()));
    }

    private static AccountEvent accountEvent(String run, long seq, Instant start, Account a) {
        String acct = accountId(run, a.account());
        boolean opened = a.type() == AccountEventType.ACCOUNT_OPENED;
        boolean updated = a.type() == AccountEventType.ACCOUNT_UPDATED;
        Instant openedAt = opened || (updated && a.netWorth() % 2 == 0) ? start.plusNanos(a.openedOffsetNanos()) : null;
        BigDecimal netWorth = null;
        Currency nwCurrency = null;
        if ((opened || updated) && a.netWorth() >= 0) {
            netWorth = List.of(new BigDecimal("0.00"), new BigDecimal("5000.00"), new BigDecimal("123456.78"),
                    new BigDecimal("1000")).get(a.netWorth());
        }
        if ((opened || updated) && (netWorth != null || a.currency() >= 0)) {
            nwCurrency = CURRENCIES.get(Math.max(0, a.currency()));
        }
        String country = (opened || updated) && a.country() >= 0 ? List.of("FR", "").get(a.country()) : null;
        KycRiskLevel kyc = (opened || updated) && a.kyc() >= 0 ? KycRiskLevel.values()[a.kyc()] : null;
        return new AccountEvent("ae-" + seq, a.type(), start, acct, "cust-" + a.account() + "-" + seq % 3,
                openedAt, netWorth, nwCurrency, country, kyc, null);
    }
}
