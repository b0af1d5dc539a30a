package dev.vigil.feature;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.KycRiskLevel;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The feature store in Redis: one Lua script call per transaction (pipelined for a batch), all
 * keys of an account under one Redis Cluster hash tag {@code {a:<accountId>}}.
 *
 * <p>Windows are kept as per-bucket counters (per account, a hash of counts and a hash of sums per
 * currency, holding the buckets of every window), so counts
 * and sums are exact by the bucket definition of {@link Features}, whatever the arrival order, for
 * events up to {@link Options#allowedLateness()} behind the newest event time seen for the
 * account. Older events are still counted in their own buckets, but buckets and event times no
 * event within that horizon can need have already been dropped, so their own features may miss
 * part of their windows. Key layout, TTLs, the memory bound and these semantics are in
 * {@code docs/features.md}.
 *
 * <p>Amounts are counted in integer minor units per currency; an amount with more decimals than
 * its currency has, or a currency without minor units (XAU...), is refused with an
 * {@link IllegalArgumentException} before anything is written. Event times must lie between 1970
 * and the year 33658. If Redis cannot be reached every call throws
 * {@link FeatureStoreUnavailableException}; a batch that fails midway may have counted its first
 * events, which a retry then returns as replays with their stored features. Thread-safe.
 */
public final class RedisFeatureStore implements FeatureStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisFeatureStore.class);
    private static final LuaScript ENRICH = LuaScript.load("enrich.lua");
    private static final LuaScript APPLY = LuaScript.load("apply-account-event.lua");
    private static final long MAX_EPOCH_SECOND = 999_999_999_999L; // 12 digits in the time encoding
    private static final BigInteger LIMB = BigInteger.valueOf(1_000_000_000L);
    private static final BigDecimal UNKNOWN_RATIO = new BigDecimal("-1.0000");
    private static final int RATIO_SCALE = 4;

    /**
     * How long state is kept. All durations are whole seconds.
     *
     * @param allowedLateness how far behind the account's newest event time an event may be and
     *     still get exact features (default 5 minutes)
     * @param windowGrace kept beyond window + lateness before an idle account's buckets expire, so a
     *     consumer that lags behind event time still finds them (default 1 hour)
     * @param historyRetention how long after the account's last transaction its seen merchants,
     *     devices and last event time are kept (default 90 days)
     * @param replayRetention how long a transaction id is remembered for redelivery; at least 8 days
     *     (default 8 days)
     * @param timeout connect and read timeout of the Redis client (default 2 seconds)
     */
    public record Options(
            Duration allowedLateness,
            Duration windowGrace,
            Duration historyRetention,
            Duration replayRetention,
            Duration timeout) {

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

    private final RedisClient client;
    private final String where;
    private final Options options;

    /** Connects to Redis at host:port with {@link Options#defaults()}. No I/O happens here. */
    public RedisFeatureStore(String host, int port) {
        this(host, port, Options.defaults());
    }

    public RedisFeatureStore(String host, int port, Options options) {
        Objects.requireNonNull(host, "host");
        this.options = Objects.requireNonNull(options, "options");
        this.where = host + ":" + port;
        int timeoutMillis = (int) options.timeout().toMillis();
        this.client = RedisClient.builder()
                .hostAndPort(host, port)
                .clientConfig(DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis(timeoutMillis)
                        .socketTimeoutMillis(timeoutMillis)
                        .clientName("vigil-feature-store")
                        .build())
                .build();
    }

    @Override
    public Enrichment enrich(TransactionEvent event) {
        Call call = prepareEnrich(event);
        Object reply;
        try {
            try {
                reply = client.evalsha(ENRICH.sha1(), call.keys(), call.args());
            } catch (JedisNoScriptException e) {
                loadScript(ENRICH);
                reply = client.evalsha(ENRICH.sha1(), call.keys(), call.args());
            }
        } catch (JedisException e) {
            throw translate(e, "enrich transaction " + event.transactionId());
        }
        return decode(event.accountId(), reply);
    }

    @Override
    public List<Enrichment> enrichAll(List<TransactionEvent> events) {
        if (events.isEmpty()) return List.of();
        // Validate the whole batch before anything is sent: a bad event must not leave half a batch counted.
        List<Call> calls = events.stream().map(this::prepareEnrich).toList();
        Object[] replies = new Object[calls.size()];
        try {
            List<Integer> pending = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) pending.add(i);
            boolean loaded = false;
            while (!pending.isEmpty()) {
                List<Integer> noScript = new ArrayList<>();
                try (Pipeline p = client.pipelined()) {
                    List<Response<Object>> responses = new ArrayList<>(pending.size());
                    for (int i : pending) {
                        Call c = calls.get(i);
                        responses.add(p.evalsha(ENRICH.sha1(), c.keys(), c.args()));
                    }
                    p.sync();
                    for (int k = 0; k < pending.size(); k++) {
                        try {
                            replies[pending.get(k)] = responses.get(k).get();
                        } catch (JedisNoScriptException e) {
                            // NOSCRIPT means the script did not run for this event: safe to send it again.
                            noScript.add(pending.get(k));
                        }
                    }
                }
                if (!noScript.isEmpty()) {
                    if (loaded) throw new IllegalStateException("Redis keeps answering NOSCRIPT after SCRIPT LOAD");
                    loadScript(ENRICH);
                    loaded = true;
                }
                pending = noScript;
            }
        } catch (JedisException e) {
            throw translate(e, "enrich a batch of " + events.size() + " transactions");
        }
        List<Enrichment> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) out.add(decode(events.get(i).accountId(), replies[i]));
        return out;
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

    @Override
    public boolean isHealthy() {
        try {
            return "PONG".equals(client.ping());
        } catch (JedisException e) {
            LOG.debug("Redis feature store at {} is not healthy: {}", where, e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "RedisFeatureStore[" + where + "]";
    }

    // ---- the call ----

    /** The keys and arguments of one enrich.lua call (see the script's header). */
    private record Call(List<String> keys, List<String> args) {}

    private Call prepareEnrich(TransactionEvent event) {
        Objects.requireNonNull(event, "event");
        checkTime(event.occurredAt(), "occurredAt");
        long minor = minorUnits(event.amount(), event.currency());
        String tag = hashTag(event.accountId());
        String cur = event.currency().getCurrencyCode();
        List<String> keys = List.of(tag + ":tx:" + event.transactionId(), tag + ":p", tag + ":ts", tag + ":n",
                tag + ":s:" + cur, tag + ":seen");
        Instant t = event.occurredAt();
        List<String> args = new ArrayList<>(12);
        args.add(Long.toString(t.getEpochSecond()));
        args.add(Integer.toString(t.getNano()));
        args.add(encodeTime(t));
        args.add(cur);
        args.add(Long.toString(minor));
        args.add(event.type() == TransactionType.BALANCE_DEPOSIT ? "1" : "0");
        args.add(present(event.merchantId()));
        args.add(present(event.deviceFingerprint()));
        long lateness = options.allowedLateness().toSeconds();
        args.add(Long.toString(lateness));
        args.add(Long.toString(options.historyRetention().toSeconds()));
        args.add(Long.toString(options.replayRetention().toSeconds()));
        args.add(Long.toString(windowTtlSeconds()));
        return new Call(keys, args);
    }

    /** The bucket hashes hold every window, refreshed at every write: kept while the 7-day window can need them. */
    private long windowTtlSeconds() {
        return Window.WEEK.length().toSeconds() + options.allowedLateness().toSeconds() + options.windowGrace().toSeconds();
    }

    private void loadScript(LuaScript script) {
        String sha = client.scriptLoad(script.source());
        if (!script.sha1().equals(sha)) {
            throw new IllegalStateException("Redis hashed " + script.name() + " as " + sha + ", expected " + script.sha1());
        }
        LOG.info("Loaded {} into Redis at {}", script.name(), where);
    }

    private RuntimeException translate(JedisException e, String what) {
        if (e instanceof JedisDataException) {
            // Redis answered, with an error: a bug or an overflow, not an outage.
            return new IllegalStateException("Redis feature store at " + where + " refused to " + what + ": " + e.getMessage(), e);
        }
        return new FeatureStoreUnavailableException(
                "Redis feature store at " + where + " is unavailable, could not " + what + ": " + e.getMessage(), e);
    }

    // ---- the reply ----

    /** Reads an enrich.lua reply. Everything comes from the reply, so a replay decodes the same. */
    private static Enrichment decode(String accountId, Object reply) {
        if (!(reply instanceof List<?> r) || r.size() != 31) {
            throw new IllegalStateException("unexpected reply from enrich.lua: " + reply);
        }
        boolean replayed = lng(r, 0) == 1;
        Currency currency = Currency.getInstance(str(r, 20));
        int digits = currency.getDefaultFractionDigits();
        AccountProfile profile = lng(r, 21) == 1 ? profile(accountId, r) : null;
        BigDecimal depositSum = money(r, 14, digits);
        Features f = new Features(
                lng(r, 1), lng(r, 2), lng(r, 3), lng(r, 4),
                money(r, 5, digits), money(r, 7, digits), money(r, 9, digits), money(r, 11, digits),
                lng(r, 19),
                lng(r, 13),
                depositSum,
                ratio(depositSum, currency, profile),
                lng(r, 16) == 1,
                lng(r, 17) == 1,
                lng(r, 18));
        return new Enrichment(f, profile, replayed);
    }

    private static AccountProfile profile(String accountId, List<?> r) {
        String open = opt(r, 23);
        String nw = opt(r, 24);
        String nwc = opt(r, 25);
        String kyc = opt(r, 27);
        return new AccountProfile(
                accountId,
                opt(r, 22),
                open == null ? null : decodeTime(open),
                nw == null ? null : new BigDecimal(nw),
                nwc == null ? null : Currency.getInstance(nwc),
                opt(r, 26),
                kyc == null ? null : KycRiskLevel.valueOf(kyc),
                opt(r, 28) != null,
                opt(r, 29) != null,
                opt(r, 30) != null);
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

    private static BigDecimal money(List<?> r, int hiIndex, int digits) {
        BigInteger minor = BigInteger.valueOf(lng(r, hiIndex)).multiply(LIMB).add(BigInteger.valueOf(lng(r, hiIndex + 1)));
        return new BigDecimal(minor, digits);
    }

    private static long lng(List<?> r, int i) {
        Object v = r.get(i);
        if (v instanceof Long l) return l;
        throw new IllegalStateException("enrich.lua reply item " + i + " is not an integer: " + v);
    }

    private static String str(List<?> r, int i) {
        Object v = r.get(i);
        if (v instanceof String s) return s;
        if (v instanceof byte[] b) return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        throw new IllegalStateException("enrich.lua reply item " + i + " is not a string: " + v);
    }

    /** '=' + value, or '' for null: keeps an empty string apart from an absent one. */
    private static String opt(List<?> r, int i) {
        String s = str(r, i);
        return s.isEmpty() ? null : s.substring(1);
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
        StringBuilder b = new StringBuilder(accountId.length() + 6).append("{a:");
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
