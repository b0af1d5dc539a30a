package dev.vigil.feature;

import dev.vigil.event.TransactionEvent;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the Redis store keeps of an account, in one value under its tag ({@code {a:…}:st}): its
 * counter buckets, recent event times and located events, the newest second each merchant, device, IP
 * and country was used, its counterparties per 24-minute bucket and its recent (time, merchant) pairs.
 * {@link #count} counts one transaction and returns its {@link FeatureMath.AccountPart}, as
 * the Lua engine's {@code enrich.lua} did with its hashes and sorted sets (a faithful port, held to the
 * reference by {@code FeatureStoreAgreementIT}); the profile and list flags come from outside.
 * Not thread-safe: a batch decodes its own copy.
 */
final class AccountState {

    /** Format 2 writes the bucket tables in runs ({@link BucketTable#write}); format 1 read back as well. */
    private static final byte FORMAT = 2;
    private static final long FAN_BUCKET = 1_440;

    /** A (time, merchant) pair of {@code distinct_merchants_5m}. */
    private record TimedMerchant(Instant at, String merchant) {}

    /** A counterparty seen in a 24-minute bucket; direction 'i' inflow, 'o' outflow. */
    private record Counterparty(char direction, long bucket, String account) {}

    /** Ordered as the Lua engine's 'time|lat|lon|country' members were. */
    private static final Comparator<FeatureMath.Located> LOCATED_ORDER = Comparator
            .comparing(FeatureMath.Located::at)
            .thenComparingLong(FeatureMath.Located::latMicro)
            .thenComparingLong(FeatureMath.Located::lonMicro)
            .thenComparing(FeatureMath.Located::country);
    private static final Comparator<TimedMerchant> DM_ORDER =
            Comparator.comparing(TimedMerchant::at).thenComparing(TimedMerchant::merchant);

    /** The length of the value this state was last decoded from or encoded to: the next encoding's buffer size. */
    private int encodedSize = 256;
    private final BucketTable counts;
    private final Map<String, BucketTable> sums;
    /** Event times from the horizon on, plus the latest one before it. */
    private final TreeSet<Instant> times;
    /** Located events, trimmed as the times. */
    private final TreeSet<FeatureMath.Located> located;
    /** 'm', 'd', 'i', 'c' (country) + value to the newest event second it was used at. */
    private final Map<String, Long> seen;
    private final Set<Counterparty> counterparties;
    private final TreeSet<TimedMerchant> recentMerchants;

    private AccountState(BucketTable counts, Map<String, BucketTable> sums, TreeSet<Instant> times,
            TreeSet<FeatureMath.Located> located, Map<String, Long> seen, Set<Counterparty> counterparties,
            TreeSet<TimedMerchant> recentMerchants) {
        this.counts = counts;
        this.sums = sums;
        this.times = times;
        this.located = located;
        this.seen = seen;
        this.counterparties = counterparties;
        this.recentMerchants = recentMerchants;
    }

    static AccountState empty() {
        return new AccountState(new BucketTable(), new HashMap<>(), new TreeSet<>(), new TreeSet<>(LOCATED_ORDER),
                new HashMap<>(), new HashSet<>(), new TreeSet<>(DM_ORDER));
    }

    /**
     * Counts the transaction and returns what its features read of the account.
     *
     * @param increments the event's {@link Series#increments}
     * @param listed {blacklisted, whitelisted}
     */
    FeatureMath.AccountPart count(TransactionEvent e, long[] increments, AccountProfile profile, boolean[] listed,
            long latenessSeconds) {
        Instant t = e.occurredAt();
        long tSec = t.getEpochSecond();

        // The previous transaction: the latest event time seen so far that is not after this one.
        boolean first = times.isEmpty();
        Instant newest = t;
        Instant previous = null;
        if (!first) {
            Instant last = times.last();
            if (!last.isAfter(t)) {
                previous = last;
            } else {
                newest = last;
                previous = times.floor(t);
            }
        }
        long secondsSincePrevious = previous == null ? -1 : FeatureMath.wholeSeconds(previous, t);
        long horizonSec = newest.getEpochSecond() - latenessSeconds;
        Instant horizon = horizonSec >= 0 ? Instant.ofEpochSecond(horizonSec, newest.getNano()) : null;

        FeatureMath.Located previousLocated = null;
        if (e.geo() != null) {
            for (FeatureMath.Located l : located.descendingSet()) {
                if (!l.at().isAfter(t)) {
                    previousLocated = l;
                    break;
                }
            }
        }

        // Novelty, 90 days.
        boolean newMerchant = novel("m" + e.merchantId(), e.merchantId() != null, tSec);
        boolean newDevice = novel("d" + e.deviceFingerprint(), e.deviceFingerprint() != null, tSec);
        boolean newIp = novel("i" + e.ip(), e.ip() != null, tSec);
        String country = e.geo() == null ? null : e.geo().country();
        boolean newCountry = novel("c" + country, country != null, tSec);
        // Values last used at or before horizon - 90 days read as new to every event at or after the horizon,
        // kept or not: they are dropped.
        seen.values().removeIf(v -> v <= horizonSec - FeatureMath.NOVELTY_SECONDS);

        // Fan-in, fan-out: 24 h window of 24-minute buckets.
        long mine = Math.floorDiv(tSec, FAN_BUCKET);
        long keepFan = Math.floorDiv(horizonSec, FAN_BUCKET) - (Series.SPAN - 1);
        Counterparty own = e.counterpartyAccount() == null ? null
                : new Counterparty(e.type().isInflow() ? 'i' : 'o', mine, e.counterpartyAccount());
        Set<String> fanIn = new HashSet<>();
        Set<String> fanOut = new HashSet<>();
        Iterator<Counterparty> cps = counterparties.iterator();
        while (cps.hasNext()) {
            Counterparty cp = cps.next();
            tally(cp, mine, fanIn, fanOut);
            if (cp.bucket() < keepFan) cps.remove();
        }
        if (own != null) tally(own, mine, fanIn, fanOut);

        // Bucketed series.
        Aggregates c = counts.aggregate(tSec, horizonSec,
                EntityState.increments(FeatureMath.ACCOUNT_SERIES, increments, false));
        BucketTable sumTable = sums.computeIfAbsent(e.currency().getCurrencyCode(), k -> new BucketTable());
        Aggregates s = sumTable.aggregate(tSec, horizonSec,
                EntityState.increments(FeatureMath.ACCOUNT_SERIES, increments, true));
        for (BucketTable other : sums.values()) if (other != sumTable) other.prune(horizonSec);
        sums.values().removeIf(BucketTable::isEmpty);

        // Distinct merchants in (t - 5 min, t], to the nanosecond.
        long window = FeatureMath.DISTINCT_MERCHANTS_SECONDS;
        Instant from = tSec >= window ? Instant.ofEpochSecond(tSec - window, t.getNano()) : null;
        Set<String> merchants = new HashSet<>();
        for (TimedMerchant m : recentMerchants) {
            if (m.at().isAfter(t)) break;
            if (from == null || m.at().isAfter(from)) merchants.add(m.merchant());
        }
        if (e.merchantId() != null) merchants.add(e.merchantId());

        // Writes.
        addAndTrim(times, t, horizon, x -> x);
        if (e.geo() != null) addAndTrim(located, FeatureMath.Located.of(t, e.geo()), horizon, FeatureMath.Located::at);
        if (own != null && mine >= keepFan) counterparties.add(own);
        if (e.merchantId() != null) {
            recentMerchants.add(new TimedMerchant(t, e.merchantId()));
            if (horizonSec - window >= 0) {
                Instant cut = Instant.ofEpochSecond(horizonSec - window, newest.getNano());
                recentMerchants.removeIf(m -> !m.at().isAfter(cut));
            }
        }

        return new FeatureMath.AccountPart(c, s, secondsSincePrevious, first, newMerchant, newDevice, newIp, newCountry,
                fanIn.size(), fanOut.size(), previousLocated, profile, listed[0], listed[1], merchants.size());
    }

    /**
     * True when the value was never used or last used at or before t - 90 days; records t as its newest use.
     */
    private boolean novel(String field, boolean present, long tSec) {
        if (!present) return false;
        Long s = seen.get(field);
        boolean isNew = s == null || s <= tSec - FeatureMath.NOVELTY_SECONDS;
        if (s == null || s < tSec) seen.put(field, tSec);
        return isNew;
    }

    private static void tally(Counterparty cp, long mine, Set<String> fanIn, Set<String> fanOut) {
        if (cp.bucket() >= mine - (Series.SPAN - 1) && cp.bucket() <= mine) {
            (cp.direction() == 'i' ? fanIn : fanOut).add(cp.account());
        }
    }

    /** Adds the member; of the members before the horizon only the latest can still be someone's previous. */
    private static <T> void addAndTrim(TreeSet<T> set, T member, Instant horizon,
            java.util.function.Function<T, Instant> time) {
        set.add(member);
        if (horizon == null) return;
        T latestBelow = null;
        for (T x : set) {
            if (!time.apply(x).isBefore(horizon)) break;
            latestBelow = x;
        }
        if (latestBelow != null) set.headSet(latestBelow, false).clear();
    }

    /** The event times kept, for tests. */
    NavigableSet<Instant> times() {
        return times;
    }

    /** The count buckets of one series kept, for tests. */
    Map<Long, Long> countBuckets(Series s) {
        return counts.series(s.id);
    }

    byte[] encode(long version) {
        return encode(version, new StateBytes.Writer(encodedSize + 64));
    }

    /** The encoding, written through {@code w} (emptied first, its buffer reused). */
    byte[] encode(long version, StateBytes.Writer w) {
        w.reset().version(version);
        w.unsigned(FORMAT);
        counts.write(w);
        BucketTable.writePerCurrency(w, sums);
        w.unsigned(times.size());
        long previous = 0;
        for (Instant x : times) {
            w.signed(x.getEpochSecond() - previous).unsigned(x.getNano());
            previous = x.getEpochSecond();
        }
        w.unsigned(located.size());
        for (FeatureMath.Located l : located) {
            w.unsigned(l.at().getEpochSecond()).unsigned(l.at().getNano())
                    .signed(l.latMicro()).signed(l.lonMicro()).string(l.country());
        }
        w.unsigned(seen.size());
        for (Map.Entry<String, Long> s : seen.entrySet()) w.string(s.getKey()).unsigned(s.getValue());
        w.unsigned(counterparties.size());
        for (Counterparty cp : counterparties) {
            w.unsigned(cp.direction()).signed(cp.bucket()).string(cp.account());
        }
        w.unsigned(recentMerchants.size());
        for (TimedMerchant m : recentMerchants) {
            w.unsigned(m.at().getEpochSecond()).unsigned(m.at().getNano()).string(m.merchant());
        }
        encodedSize = w.size();
        return w.toBytes();
    }

    static AccountState decode(byte[] value) {
        StateBytes.Reader r = new StateBytes.Reader(value, StateBytes.VERSION_BYTES);
        long format = r.unsigned();
        if (format < 1 || format > FORMAT) throw new IllegalStateException("account state of unknown format " + format);
        AccountState s = empty();
        boolean inRuns = format >= 2;
        BucketTable counts = inRuns ? BucketTable.read(r) : BucketTable.readKeySteps(r);
        Map<String, BucketTable> sums = BucketTable.readPerCurrency(r, inRuns);
        long second = 0;
        for (int i = r.count(); i > 0; i--) {
            second += r.signed();
            s.times.add(Instant.ofEpochSecond(second, r.unsigned()));
        }
        for (int i = r.count(); i > 0; i--) {
            Instant at = Instant.ofEpochSecond(r.unsigned(), r.unsigned());
            s.located.add(new FeatureMath.Located(at, r.signed(), r.signed(), r.string()));
        }
        for (int i = r.count(); i > 0; i--) s.seen.put(r.string(), r.unsigned());
        for (int i = r.count(); i > 0; i--) {
            s.counterparties.add(new Counterparty((char) r.unsigned(), r.signed(), r.string()));
        }
        for (int i = r.count(); i > 0; i--) {
            Instant at = Instant.ofEpochSecond(r.unsigned(), r.unsigned());
            s.recentMerchants.add(new TimedMerchant(at, r.string()));
        }
        AccountState decoded = new AccountState(counts, sums, s.times, s.located, s.seen, s.counterparties, s.recentMerchants);
        decoded.encodedSize = value.length;
        return decoded;
    }
}
