package dev.vigil.feature;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.AccountEventType;
import dev.vigil.event.KycRiskLevel;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.infra.EmbeddedRedisServer;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import redis.clients.jedis.RedisClient;

/**
 * Measures the Redis memory and CPU the feature store uses per account, for docs/features.md.
 * Not a test (it asserts nothing): run it by hand.
 *
 * <pre>
 * mvn -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java [-Dprofile=typical] [-Dappendonly=no] -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.vigil.feature.FeatureStoreMemoryProbe [accounts]
 * </pre>
 *
 * For each activity profile it starts an empty embedded Redis, reads {@code used_memory}, feeds N
 * accounts (an ACCOUNT_OPENED each, then their transactions in event-time order, pipelined by
 * 100), reads {@code used_memory} again and divides by N; then it deletes the replay records
 * ({@code :tx:} keys), then the label index ({@code {ti:…}} hashes, one entry per transaction with a merchant), to split
 * their shares off: both grow with transactions, not accounts. CPU is Redis's own user+system time per
 * transaction ({@code INFO cpu}).
 */
public final class FeatureStoreMemoryProbe {

    private static final Instant T0 = Instant.parse("2025-03-03T00:00:00Z");
    private static final Currency EUR = Currency.getInstance("EUR");

    /** Transactions per account, and the event-time span they are spread over. */
    private record Profile(String name, int transactions, long spanSeconds) {}

    public static void main(String[] args) throws Exception {
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        List<Profile> profiles = List.of(
                new Profile("quiet: 1 transaction", 1, 1),
                new Profile("typical: 20 transactions over 7 days", 20, 7 * 86_400),
                new Profile("busy: 100 transactions over 1 day", 100, 86_400),
                new Profile("burst: 300 transactions in 10 minutes", 300, 600));
        System.out.printf(Locale.ROOT, "%d accounts per profile%n", accounts);
        String only = System.getProperty("profile", "");
        for (Profile p : profiles) {
            if (p.name().startsWith(only)) measure(p, p.transactions() >= 100 ? accounts / 10 : accounts);
        }
    }

    private static void measure(Profile profile, int accounts) throws Exception {
        Path dir = Files.createTempDirectory("vigil-memory-probe");
        try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(dir, 0);
                RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port());
                RedisClient raw = RedisClient.create(redis.host(), redis.port())) {
            // -Dappendonly=no measures without the append-only file the embedded server keeps.
            raw.configSet("appendonly", System.getProperty("appendonly", "yes"));
            Random random = new Random(42);
            long before = info(raw, "memory", "used_memory");
            List<TransactionEvent> all = new ArrayList<>();
            for (int a = 0; a < accounts; a++) {
                String acct = "acct-" + a;
                store.apply(new AccountEvent("open-" + a, AccountEventType.ACCOUNT_OPENED, T0, acct, "cust-" + a,
                        T0.minusSeconds(86_400L * 400), new BigDecimal("50000.00"), EUR, "FR", KycRiskLevel.LOW, null));
                for (int i = 0; i < profile.transactions(); i++) {
                    long at = profile.transactions() == 1 ? 0 : profile.spanSeconds() * i / profile.transactions();
                    all.add(new TransactionEvent(acct + "-tx-" + i, T0.plusSeconds(at).plusMillis(random.nextInt(1000)),
                            acct, "cust-" + a, i % 5 == 0 ? TransactionType.BALANCE_DEPOSIT : TransactionType.PURCHASE,
                            BigDecimal.valueOf(100 + random.nextInt(100_000), 2), EUR, null,
                            "merchant-" + random.nextInt(3), "5411", "web", "card", Boolean.FALSE,
                            "device-" + random.nextInt(2), null, null));
                }
            }
            all.sort((x, y) -> x.occurredAt().compareTo(y.occurredAt()));
            double cpuBefore = FeatureStoreBenchmark.cpuSeconds(raw);
            for (int i = 0; i < all.size(); i += 100) store.enrichAll(all.subList(i, Math.min(all.size(), i + 100)));
            double cpuSeconds = FeatureStoreBenchmark.cpuSeconds(raw) - cpuBefore;
            long after = info(raw, "memory", "used_memory");
            long replayKeys = FeatureStoreBenchmark.deleteKeys(raw, "*:tx:*");
            long withoutReplay = info(raw, "memory", "used_memory");
            long indexEntries = FeatureStoreBenchmark.hashEntries(raw, "{ti:*}");
            long indexKeys = FeatureStoreBenchmark.deleteKeys(raw, "{ti:*}");
            long state = info(raw, "memory", "used_memory");
            System.out.printf(Locale.ROOT,
                    "%-40s %6d accounts: %7.0f B/account state, %5.0f B per replay record (%d), %5.0f B per label index entry (%d, in %d hashes),"
                            + " %6.1f us Redis CPU/transaction%n",
                    profile.name(), accounts, (state - before) / (double) accounts,
                    (after - withoutReplay) / (double) replayKeys, replayKeys, (withoutReplay - state) / (double) indexEntries,
                    indexEntries, indexKeys, cpuSeconds * 1e6 / all.size());
        }
    }

    private static long info(RedisClient raw, String section, String field) {
        for (String line : raw.info(section).split("\r\n")) {
            if (line.startsWith(field + ":")) return Long.parseLong(line.substring(field.length() + 1));
        }
        throw new IllegalStateException("INFO " + section + " has no " + field);
    }
}
