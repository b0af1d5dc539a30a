package dev.vigil.feature;

import static dev.vigil.feature.Tx.opened;
import static dev.vigil.feature.Tx.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.infra.EmbeddedRedisServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * The worked examples of {@link FeatureStoreContract} against a real Redis, and what is Redis's
 * own: the lateness horizon, bounded state, key layout and TTLs, outages, script reloads, restarts.
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
    void shouldKeepEveryKeyOfAnAccountUnderOneEscapedHashTag() {
        String weird = "we{ird}:id%" + acct;
        store.apply(opened(weird, "o", T0, "1.00", "USD"));
        store.enrich(tx(weird, "1", T0).merchant("m").device("d").type(TransactionType.BALANCE_DEPOSIT).build());
        String tag = RedisFeatureStore.hashTag(weird);
        assertEquals("{a:we%7Bird%7D%3Aid%25" + acct + "}", tag);
        Set<String> keys = raw.keys(tag + "*");
        assertEquals(Set.of(tag + ":p", tag + ":ae:o", tag + ":rx:1", tag + ":ts", tag + ":n", tag + ":s:USD", tag + ":seen", tag + ":dm"), keys);
        // Every other entity of the event has its own tag: one slot per script call.
        for (String other : List.of(RedisFeatureStore.hashTag("c", "cust-" + weird), RedisFeatureStore.hashTag("d", "d"),
                RedisFeatureStore.hashTag("i", "10.0.0.1"), RedisFeatureStore.hashTag("m", "m"))) {
            assertTrue(raw.keys(other + "*").containsAll(Set.of(other + ":rx:1", other + ":n", other + ":s:USD")), other);
        }
        for (String k : keys) {
            long ttl = raw.ttl(k);
            if (k.equals(tag + ":p")) assertEquals(-1, ttl, "the profile does not expire");
            else assertTrue(ttl > 0, k + " has a TTL");
        }
        long expected = 30 * 86_400 + 300 + 3600;
        for (String k : List.of(tag + ":n", tag + ":s:USD")) {
            long ttl = raw.ttl(k);
            assertTrue(ttl > expected - 10 && ttl <= expected, k + ": 30 days + lateness + grace: " + ttl);
        }
        long replayTtl = raw.ttl(tag + ":rx:1");
        assertTrue(replayTtl > 8 * 86_400 - 10 && replayTtl <= 8 * 86_400, "8 days: " + replayTtl);
    }


    @Test
    void shouldBoundTheStateOfABusyAccount() {
        // 1000 transactions one second apart: the 1-minute buckets and the recent times are trimmed
        // to what events up to 5 minutes late can still need.
        List<TransactionEvent> events = new ArrayList<>();
        for (int i = 0; i < 1000; i++) events.add(tx(acct, "t" + i, T0.plusSeconds(i)).build());
        for (int from = 0; from < events.size(); from += 100) store.enrichAll(events.subList(from, from + 100));
        String tag = RedisFeatureStore.hashTag(acct);
        // Fields are window * 10^13 + bucket; window 1 is the minute.
        for (String k : List.of(tag + ":n", tag + ":s:USD")) {
            long minuteFields = raw.hkeys(k).stream().filter(f -> Long.parseLong(f) / 10_000_000_000_000L == 1).count();
            assertEquals(60 + 300, minuteFields, k + ": 1-second buckets newest-359 .. newest");
        }
        assertEquals(301 + 1, raw.zcard(tag + ":ts"), "times within 300 s of the newest, and the one before");
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
        String key = RedisFeatureStore.hashTag("m", merchant) + ":dc";
        Set<String> days = new java.util.TreeSet<>(raw.hkeys(key));
        Set<String> expected = new java.util.TreeSet<>();
        for (long d = day0 + 59 - 37; d <= day0 + 59; d++) expected.add(Long.toString(d));
        assertEquals(expected, days, "the newest day and the 37 before it");
        long ttl = raw.ttl(key);
        long most = 38L * 86_400 + 300 + 3600;
        assertTrue(ttl > most - 10 && ttl <= most, "38 days + lateness + grace: " + ttl);
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
