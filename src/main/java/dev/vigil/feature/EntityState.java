package dev.vigil.feature;

import dev.vigil.event.TransactionEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the Redis store keeps of a customer, device, IP or merchant, in one value under its tag
 * ({@code {c:…}:st} and so on): the newest event second seen, the event seconds its
 * {@code _seconds_since_previous} can still need, its counter buckets (counts over every currency, sums per
 * currency) and, for a merchant, its transactions per UTC day for the delayed fraud
 * rates and its fraud streak. {@link #count} counts one transaction and returns its {@link FeatureMath.EntityPart}, as
 * the Lua engine's {@code entity.lua} did. Not thread-safe: a batch decodes its own copy.
 */
final class EntityState {

    /**
     * Format 2 added the event seconds (a format 1 state reads back with its newest second only); format 3 writes the
     * bucket tables in runs ({@link BucketTable#write}).
     */
    private static final byte FORMAT = 3;
    private static final long[] FRAUD_BUCKETS = {1_440, 10_080, 43_200};

    /** The newest event second counted, -1 before the first. */
    private long newestSecond = -1;
    /** The length of the value this state was last decoded from or encoded to: the next encoding's buffer size. */
    private int encodedSize = 256;
    /**
     * The distinct event seconds counted that are not before the horizon (newest second - lateness), and the
     * latest one before it: every second a {@code _seconds_since_previous} within the lateness can measure from.
     */
    private final TreeSet<Long> seconds;
    private final BucketTable counts;
    private final Map<String, BucketTable> sums;
    /** Merchants only: UTC day number to transactions on it. */
    private final TreeMap<Long, Long> dayCounts;

    private EntityState(long newestSecond, TreeSet<Long> seconds, BucketTable counts, Map<String, BucketTable> sums,
            TreeMap<Long, Long> dayCounts) {
        this.newestSecond = newestSecond;
        this.seconds = seconds;
        this.counts = counts;
        this.sums = sums;
        this.dayCounts = dayCounts;
    }

    static EntityState empty() {
        return new EntityState(-1, new TreeSet<>(), new BucketTable(), new HashMap<>(), new TreeMap<>());
    }

    /**
     * Counts the transaction and returns what its features read of this entity.
     *
     * @param kind c, d, i or m
     * @param increments the event's {@link Series#increments}
     * @param listed {blacklisted, whitelisted}, as read from the entity's list hash
     * @param labels merchants only: the merchant's FRAUD labels, each {occurredAt, knownAt}
     */
    FeatureMath.EntityPart count(String kind, TransactionEvent e, long[] increments, long latenessSeconds,
            boolean[] listed, List<Instant[]> labels) {
        Instant t = e.occurredAt();
        long tSec = t.getEpochSecond();
        if (tSec > newestSecond) newestSecond = tSec;
        long horizonSec = newestSecond - latenessSeconds;
        Long previous = seconds.floor(tSec);
        long secondsSincePrevious = previous == null ? -1 : tSec - previous;
        seconds.add(tSec);
        Long lastBeforeHorizon = seconds.lower(horizonSec);
        if (lastBeforeHorizon != null) seconds.headSet(lastBeforeHorizon, false).clear();
        Series[] series = FeatureMath.ENTITY_SERIES;
        Aggregates c = counts.aggregate(tSec, horizonSec, increments(series, increments, false));
        BucketTable sumTable = sums.computeIfAbsent(e.currency().getCurrencyCode(), k -> new BucketTable());
        Aggregates s = sumTable.aggregate(tSec, horizonSec, increments(series, increments, true));
        long[] fraud = new long[3];
        long[] delayedFrauds = new long[3];
        long[] delayedTransactions = new long[3];
        FeatureMath.FraudStreak streak = FeatureMath.FraudStreak.NONE;
        long latestKnownDayFrauds = 0;
        if (kind.equals("m")) {
            Instant[] latestKnownDay = FeatureMath.latestKnownDay(t);
            TreeMap<Long, Long> fraudDays = new TreeMap<>();
            long day = FeatureMath.utcDay(tSec);
            long last = FeatureMath.delayedWindowLastDay(day);
            for (Instant[] label : labels) {
                if (label[1].isAfter(t)) continue; // not known yet at the event's time
                if (FeatureMath.inLatestKnownDay(latestKnownDay, label[0])) latestKnownDayFrauds++;
                long o = label[0].getEpochSecond();
                for (int w = 0; w < 3; w++) {
                    long b = Math.floorDiv(tSec, FRAUD_BUCKETS[w]);
                    long ob = Math.floorDiv(o, FRAUD_BUCKETS[w]);
                    if (ob >= b - (Series.SPAN - 1) && ob <= b) fraud[w]++;
                }
                long od = FeatureMath.utcDay(o);
                for (int w = 0; w < 3; w++) {
                    if (od >= FeatureMath.delayedWindowFirstDay(day, w) && od <= last) delayedFrauds[w]++;
                }
                if (od >= FeatureMath.delayedWindowFirstDay(day, 2) && od <= last) fraudDays.merge(od, 1L, Long::sum);
            }
            streak = FeatureMath.fraudStreak(dayCounts.subMap(FeatureMath.delayedWindowFirstDay(day, 2), true, last, true), fraudDays);
            long keepDay = FeatureMath.utcDay(horizonSec) - FeatureMath.DAY_COUNTS_KEPT;
            Iterator<Map.Entry<Long, Long>> it = dayCounts.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, Long> d = it.next();
                for (int w = 0; w < 3; w++) {
                    if (d.getKey() >= FeatureMath.delayedWindowFirstDay(day, w) && d.getKey() <= last) {
                        delayedTransactions[w] += d.getValue();
                    }
                }
                if (d.getKey() < keepDay) it.remove();
            }
            if (day >= keepDay) dayCounts.merge(day, 1L, Long::sum);
        }
        // Other currencies' buckets are trimmed too, and a currency left without buckets is dropped.
        for (BucketTable other : sums.values()) if (other != sumTable) other.prune(horizonSec);
        sums.values().removeIf(BucketTable::isEmpty);
        return new FeatureMath.EntityPart(c, s, secondsSincePrevious, listed[0], listed[1], fraud, delayedFrauds,
                delayedTransactions, streak, latestKnownDayFrauds);
    }

    /**
     * The event's increments ({@link Series#increments}) of the given series, counts or per-currency sums:
     * pairs (id * 1000 + bin, value), the series that add nothing left out.
     */
    static long[] increments(Series[] series, long[] all, boolean perCurrency) {
        int n = 0;
        for (Series s : series) {
            if (s.perCurrency == perCurrency && all[2 * s.ordinal() + 1] != 0) n += 2;
        }
        long[] out = new long[n]; // counted first: one array at its size
        n = 0;
        for (Series s : series) {
            if (s.perCurrency != perCurrency || all[2 * s.ordinal() + 1] == 0) continue;
            out[n++] = all[2 * s.ordinal()];
            out[n++] = all[2 * s.ordinal() + 1];
        }
        return out;
    }

    /** The event seconds kept, for tests. */
    java.util.Set<Long> seconds() {
        return seconds;
    }

    /** Merchants: the UTC days whose transactions are kept, for tests. */
    java.util.Set<Long> days() {
        return dayCounts.keySet();
    }

    byte[] encode(long version) {
        return encode(version, new StateBytes.Writer(encodedSize + 64));
    }

    /** The encoding, written through {@code w} (emptied first, its buffer reused). */
    byte[] encode(long version, StateBytes.Writer w) {
        w.reset().version(version);
        w.unsigned(FORMAT);
        w.signed(newestSecond);
        counts.write(w);
        BucketTable.writePerCurrency(w, sums);
        w.unsigned(dayCounts.size());
        long previous = 0;
        for (Map.Entry<Long, Long> d : dayCounts.entrySet()) {
            w.signed(d.getKey() - previous);
            w.unsigned(d.getValue());
            previous = d.getKey();
        }
        w.unsigned(seconds.size());
        previous = newestSecond;
        for (long second : seconds.descendingSet()) { // newest first: small gaps back from the newest second
            w.unsigned(previous - second);
            previous = second;
        }
        encodedSize = w.size();
        return w.toBytes();
    }

    static EntityState decode(byte[] value) {
        StateBytes.Reader r = new StateBytes.Reader(value, StateBytes.VERSION_BYTES);
        long format = r.unsigned();
        if (format < 1 || format > FORMAT) throw new IllegalStateException("entity state of unknown format " + format);
        long newest = r.signed();
        boolean inRuns = format >= 3;
        BucketTable counts = inRuns ? BucketTable.read(r) : BucketTable.readKeySteps(r);
        Map<String, BucketTable> sums = BucketTable.readPerCurrency(r, inRuns);
        TreeMap<Long, Long> days = new TreeMap<>();
        long day = 0;
        for (int i = r.count(); i > 0; i--) {
            day += r.signed();
            days.put(day, r.unsigned());
        }
        TreeSet<Long> seconds = new TreeSet<>();
        if (format == 1) {
            if (newest >= 0) seconds.add(newest);
        } else {
            long second = newest;
            for (int i = r.count(); i > 0; i--) {
                second -= r.unsigned();
                seconds.add(second);
            }
        }
        EntityState decoded = new EntityState(newest, seconds, counts, sums, days);
        decoded.encodedSize = value.length;
        return decoded;
    }
}
