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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import redis.clients.jedis.params.SetParams;

/**
 * The feature store in Redis: per transaction one Lua script call for its account and one for each
 * other entity it names (customer, device, IP, merchant), each under its entity's Redis Cluster hash
 * tag ({@code {a:<account>}}, {@code {c:…}}, {@code {d:…}}, {@code {i:…}}, {@code {m:…}}), all the
 * calls of a batch in one pipeline.
 *
 * <p>Windows are kept as per-bucket counters ({@link Series}: per entity a hash of counts and a hash
 * of sums per currency), so counts and sums are exact by the bucket definition, whatever the arrival
 * order, for events up to {@link Options#allowedLateness()} behind the newest event time seen for the
 * entity. Older events are still counted in their own buckets, but buckets and event times no event
 * within that horizon can need have already been dropped, so their own features may miss part of
 * their windows. What the scripts return goes through {@link FeatureMath}, as the reference store's
 * findings do. Key layout, TTLs, the memory bound and these semantics are in {@code docs/features.md}.
 *
 * <p>Amounts are counted in integer minor units per currency; an amount with more decimals than
 * its currency has, or a currency without minor units (XAU...), is refused with an
 * {@link IllegalArgumentException} before anything is written. Event times must lie between 1970
 * and the year 33658. If Redis cannot be reached every call throws
 * {@link FeatureStoreUnavailableException}; a batch that fails midway may have counted its first
 * calls, which a retry then returns as replays with their stored replies. Thread-safe.
 */
public final class RedisFeatureStore implements FeatureStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisFeatureStore.class);
    private static final LuaScript ENRICH = LuaScript.load("buckets.lua", "enrich.lua");
    private static final LuaScript ENTITY = LuaScript.load("buckets.lua", "entity.lua");
    private static final LuaScript APPLY = LuaScript.load("apply-account-event.lua");
    private static final long MAX_EPOCH_SECOND = 999_999_999_999L; // 12 digits in the time encoding
    private static final BigInteger LIMB = BigInteger.valueOf(1_000_000_000L);
    private static final BigDecimal UNKNOWN_RATIO = new BigDecimal("-1.0000");
    private static final int RATIO_SCALE = 4;
    /**
     * A label can matter for 38 days after its transaction (the delayed 30-day window ends 7 days before the
     * transaction's day, so it reaches back to day D - 37), plus a day of slack for lateness and lag.
     */
    private static final long LABEL_INDEX_TTL_SECONDS = 39L * 86_400;

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

        /** These options with another allowed lateness. */
        public Options withAllowedLateness(Duration lateness) {
            return new Options(lateness, windowGrace, historyRetention, replayRetention, timeout);
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
        return enrichAll(List.of(event)).get(0);
    }

    /**
     * Every event is one script call for its account and one per other entity it names (customer,
     * device, IP, merchant), each on its own hash tag; the calls of the whole batch go in one pipeline.
     */
    @Override
    public List<Enrichment> enrichAll(List<TransactionEvent> events) {
        if (events.isEmpty()) return List.of();
        // Validate the whole batch before anything is sent: a bad event must not leave half a batch counted.
        List<EventCalls> prepared = events.stream().map(this::prepareEnrich).toList();
        List<Call> calls = new ArrayList<>();
        for (EventCalls ec : prepared) {
            calls.add(ec.account());
            calls.addAll(ec.entities().values());
            if (ec.index() != null) calls.add(ec.index());
        }
        Object[] replies = run(calls, events.size() == 1
                ? "enrich transaction " + events.get(0).transactionId()
                : "enrich a batch of " + events.size() + " transactions");
        List<Enrichment> out = new ArrayList<>(events.size());
        int at = 0;
        for (EventCalls ec : prepared) {
            Object accountReply = replies[at++];
            Map<String, Object> entityReplies = new HashMap<>();
            for (String kind : ec.entities().keySet()) entityReplies.put(kind, replies[at++]);
            if (ec.index() != null) at++;
            out.add(decode(ec.accountId(), accountReply, entityReplies));
        }
        return out;
    }

    /** Runs the calls in one pipeline, in order; on NOSCRIPT loads the script and sends those calls again. */
    private Object[] run(List<Call> calls, String what) {
        Object[] replies = new Object[calls.size()];
        try {
            List<Integer> pending = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) pending.add(i);
            boolean loaded = false;
            while (!pending.isEmpty()) {
                List<Integer> noScript = new ArrayList<>();
                try (Pipeline p = client.pipelined()) {
                    List<Response<?>> responses = new ArrayList<>(pending.size());
                    for (int i : pending) {
                        Call c = calls.get(i);
                        if (c.script() == null) {
                            // First writer wins: a redelivery does not move the transaction to another merchant.
                            responses.add(p.set(c.keys().get(0), c.args().get(0),
                                    SetParams.setParams().nx().ex(LABEL_INDEX_TTL_SECONDS)));
                        } else {
                            responses.add(p.evalsha(c.script().sha1(), c.keys(), c.args()));
                        }
                    }
                    p.sync();
                    for (int k = 0; k < pending.size(); k++) {
                        try {
                            replies[pending.get(k)] = responses.get(k).get();
                        } catch (JedisNoScriptException e) {
                            // NOSCRIPT means the script did not run for this call: safe to send it again.
                            noScript.add(pending.get(k));
                        }
                    }
                }
                if (!noScript.isEmpty()) {
                    if (loaded) throw new IllegalStateException("Redis keeps answering NOSCRIPT after SCRIPT LOAD");
                    loadScript(ENRICH);
                    loadScript(ENTITY);
                    loaded = true;
                }
                pending = noScript;
            }
        } catch (JedisException e) {
            throw translate(e, what);
        }
        return replies;
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
     * enriched and had a merchant; the first FRAUD label of a transaction wins. Two round trips:
     * the transaction's index and the merchant live under different tags.
     */
    @Override
    public boolean applyLabel(Label label) {
        Objects.requireNonNull(label, "label");
        checkTime(label.knownAt(), "knownAt");
        if (label.label() != Label.Kind.FRAUD) return false;
        try {
            String index = client.get(hashTag("t", label.transactionId()) + ":m");
            if (index == null) return false;
            int bar = index.lastIndexOf('|');
            String merchant = index.substring(0, bar);
            String occurred = index.substring(bar + 1);
            String key = hashTag("m", merchant) + ":fl";
            long added = client.hsetnx(key, label.transactionId(), occurred + "|" + encodeTime(label.knownAt()));
            client.expire(key, LABEL_INDEX_TTL_SECONDS);
            return added == 1;
        } catch (JedisException e) {
            throw translate(e, "apply a label for transaction " + label.transactionId());
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

    /** The keys and arguments of one script call (see the script's header). */
    private record Call(LuaScript script, List<String> keys, List<String> args) {}

    /**
     * The account's call, one per other entity the event names, by kind (c, d, i, m), in call order,
     * and for an event with a merchant the transaction index a label finds its merchant by.
     */
    private record EventCalls(String accountId, Call account, Map<String, Call> entities, Call index) {}

    private EventCalls prepareEnrich(TransactionEvent event) {
        Objects.requireNonNull(event, "event");
        checkTime(event.occurredAt(), "occurredAt");
        minorUnits(event.amount(), event.currency()); // refuses what cannot be summed exactly
        String tag = hashTag(event.accountId());
        String cur = event.currency().getCurrencyCode();
        Instant t = event.occurredAt();
        FeatureMath.Self self = FeatureMath.Self.of(event);
        List<String> keys = List.of(tag + ":rx:" + event.transactionId(), tag + ":p", tag + ":ts", tag + ":n",
                tag + ":s:" + cur, tag + ":seen", tag + ":geo", tag + ":cp", tag + ":l", tag + ":dm");
        List<String> args = new ArrayList<>(64);
        common(args, t, accountBucketTtlSeconds(), self.encode());
        args.add(Integer.toString(t.getNano()));
        args.add(encodeTime(t));
        args.add(Long.toString(options.historyRetention().toSeconds()));
        args.add(Long.toString(FeatureMath.NOVELTY_SECONDS));
        args.add(present(event.merchantId()));
        args.add(present(event.deviceFingerprint()));
        args.add(present(event.ip()));
        args.add(present(event.geo() == null ? null : event.geo().country()));
        args.add(event.geo() == null ? "" : FeatureMath.Located.of(t, event.geo()).member());
        args.add(event.counterpartyAccount() == null ? ""
                : (event.type().isInflow() ? "i:" : "o:") + event.counterpartyAccount());
        increments(args, event, FeatureMath.ACCOUNT_SERIES);
        Call account = new Call(ENRICH, keys, args);

        Map<String, Call> entities = new LinkedHashMap<>();
        entity(entities, "c", event.customerId(), event);
        entity(entities, "d", event.deviceFingerprint(), event);
        entity(entities, "i", event.ip(), event);
        entity(entities, "m", event.merchantId(), event);
        // The index lives under the transaction's own tag: a label names only the transaction.
        Call index = event.merchantId() == null ? null : new Call(null,
                List.of(hashTag("t", event.transactionId()) + ":m"),
                List.of(event.merchantId() + "|" + encodeTime(t)));
        return new EventCalls(event.accountId(), account, entities, index);
    }

    private void entity(Map<String, Call> into, String kind, String id, TransactionEvent event) {
        if (id == null) return;
        String tag = hashTag(kind, id);
        List<String> keys = new ArrayList<>(List.of(tag + ":rx:" + event.transactionId(), tag + ":n",
                tag + ":s:" + event.currency().getCurrencyCode(), tag + ":l"));
        if (kind.equals("m")) {
            keys.add(tag + ":fl");
            keys.add(tag + ":dc");
        }
        List<String> args = new ArrayList<>(24);
        common(args, event.occurredAt(), entityBucketTtlSeconds(), event.currency().getCurrencyCode());
        args.add(Integer.toString(event.occurredAt().getNano()));
        args.add(Long.toString(dayCountTtlSeconds()));
        increments(args, event, FeatureMath.ENTITY_SERIES.get(kind));
        into.put(kind, new Call(ENTITY, keys, args));
    }

    private void common(List<String> args, Instant t, long bucketTtl, String self) {
        args.add(Long.toString(t.getEpochSecond()));
        args.add(Long.toString(options.allowedLateness().toSeconds()));
        args.add(Long.toString(options.replayRetention().toSeconds()));
        args.add(Long.toString(bucketTtl));
        args.add(self);
    }

    /** The event's increments of the given series: those of the count hash, then those of the sum hash. */
    private static void increments(List<String> args, TransactionEvent e, Series[] series) {
        for (boolean perCurrency : new boolean[] {false, true}) {
            int countAt = args.size();
            args.add("0");
            int n = 0;
            for (Series s : series) {
                if (s.perCurrency != perCurrency) continue;
                long v = s.value(e);
                if (v == 0) continue;
                args.add(Integer.toString(s.key(s.bin(e))));
                args.add(Long.toString(v));
                n++;
            }
            args.set(countAt, Integer.toString(n));
        }
    }

    /** The account's bucket hashes hold windows up to 30 days, refreshed at every write. */
    private long accountBucketTtlSeconds() {
        return 30L * 86_400 + options.allowedLateness().toSeconds() + options.windowGrace().toSeconds();
    }

    /** Other entities keep windows up to 7 days. */
    private long entityBucketTtlSeconds() {
        return 7L * 86_400 + options.allowedLateness().toSeconds() + options.windowGrace().toSeconds();
    }

    /**
     * A merchant's transactions per UTC day are kept for its delayed fraud rates: the 37 days before the
     * day of the newest event minus the lateness, that day, and the grace, refreshed at every write.
     */
    private long dayCountTtlSeconds() {
        return (FeatureMath.DAY_COUNTS_KEPT + 1) * 86_400 + options.allowedLateness().toSeconds()
                + options.windowGrace().toSeconds();
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

    /** Reads the replies of one event. Everything comes from the replies, so a replay decodes the same. */
    private static Enrichment decode(String accountId, Object accountReply, Map<String, Object> entityReplies) {
        if (!(accountReply instanceof List<?> r) || r.size() != 9) {
            throw new IllegalStateException("unexpected reply from enrich.lua: " + accountReply);
        }
        boolean replayed = lng(r, 0) == 1;
        FeatureMath.Self self = FeatureMath.Self.decode(str(r, 1));
        List<?> x = list(r, 4);
        List<?> p = list(r, 6);
        AccountProfile profile = lng(p, 0) == 1 ? profile(accountId, p) : null;
        String prev = str(r, 5);
        FeatureMath.AccountPart account = new FeatureMath.AccountPart(
                aggregates(list(r, 2)), aggregates(list(r, 3)),
                lng(x, 0), lng(x, 1) == 1, lng(x, 2) == 1, lng(x, 3) == 1, lng(x, 4) == 1, lng(x, 5) == 1,
                lng(x, 6), lng(x, 7),
                prev.isEmpty() ? null : FeatureMath.Located.parse(prev),
                profile,
                lng(list(r, 7), 0) == 1,
                lng(list(r, 7), 1) == 1,
                lng(r, 8));
        Features f = FeatureMath.features(self, account, entity(entityReplies.get("c")), entity(entityReplies.get("d")),
                entity(entityReplies.get("i")), entity(entityReplies.get("m")));
        return new Enrichment(f, profile, replayed);
    }

    private static FeatureMath.EntityPart entity(Object reply) {
        if (reply == null) return null;
        // A replay record stored before the delayed fraud rates has 6 items: those rates read as unknown.
        if (!(reply instanceof List<?> r) || (r.size() != 7 && r.size() != 6)) {
            throw new IllegalStateException("unexpected reply from entity.lua: " + reply);
        }
        List<?> fraud = list(r, 5);
        List<?> delayed = r.size() == 7 ? list(r, 6) : List.of(0L, 0L, 0L, 0L, 0L, 0L);
        return new FeatureMath.EntityPart(aggregates(list(r, 2)), aggregates(list(r, 3)),
                lng(list(r, 4), 0) == 1, lng(list(r, 4), 1) == 1,
                new long[] {lng(fraud, 0), lng(fraud, 1), lng(fraud, 2)},
                new long[] {lng(delayed, 0), lng(delayed, 1), lng(delayed, 2)},
                new long[] {lng(delayed, 3), lng(delayed, 4), lng(delayed, 5)});
    }

    /** {key, hi, lo, ...} to key -> hi * 10^9 + lo. */
    private static Map<Integer, BigInteger> aggregates(List<?> flat) {
        Map<Integer, BigInteger> m = new HashMap<>();
        for (int i = 0; i + 2 < flat.size(); i += 3) {
            BigInteger v = BigInteger.valueOf(lng(flat, i + 1)).multiply(LIMB).add(BigInteger.valueOf(lng(flat, i + 2)));
            m.merge((int) lng(flat, i), v, BigInteger::add);
        }
        return m;
    }

    private static List<?> list(List<?> r, int i) {
        Object v = r.get(i);
        if (v instanceof List<?> l) return l;
        throw new IllegalStateException("feature script reply item " + i + " is not a list: " + v);
    }

    private static AccountProfile profile(String accountId, List<?> r) {
        String open = opt(r, 2);
        String nw = opt(r, 3);
        String nwc = opt(r, 4);
        String kyc = opt(r, 6);
        return new AccountProfile(
                accountId,
                opt(r, 1),
                open == null ? null : decodeTime(open),
                nw == null ? null : new BigDecimal(nw),
                nwc == null ? null : Currency.getInstance(nwc),
                opt(r, 5),
                kyc == null ? null : KycRiskLevel.valueOf(kyc),
                opt(r, 7) != null,
                opt(r, 8) != null,
                opt(r, 9) != null);
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
