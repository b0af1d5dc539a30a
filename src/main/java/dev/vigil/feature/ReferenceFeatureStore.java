package dev.vigil.feature;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.TransactionEvent;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The features by their definitions, found by brute force from the full history: the oracle the
 * Redis store is tested against. It keeps every event forever and scans the whole history on each
 * call, so it is for tests and small replays, not for production.
 *
 * <p>For a transaction e it finds, from the distinct transactions enriched before e (redeliveries not
 * counted) and e itself: every {@link Series} summed over the transactions whose bucket lies in e's
 * window (sums in e's currency only), the previous event time and previous located transaction, the
 * 90-day novelty of merchant, device, IP and country, the distinct counterparties of 24 hours, the
 * profile and list memberships; the same per customer, device, IP and merchant for their series. It
 * hands them to {@link FeatureMath}, as the Redis store does with what its states give, so the two
 * differ only in how they find those inputs. Definitions: {@code docs/features.md}.
 *
 * <p>An id seen before for the account returns the first enrichment's features with replayed=true;
 * an entity that already counted the id returns its first answer too.
 */
public final class ReferenceFeatureStore implements FeatureStore {

    /** Every counted transaction, in the order it was enriched. */
    private final List<TransactionEvent> history = new ArrayList<>();
    /** Keyed by (accountId, transactionId): what the first enrichment found. */
    private final Map<List<String>, First> firstEnrichment = new HashMap<>();
    /** Per (kind, entity id): the transactions counted for it, in enrichment order. */
    private final Map<List<String>, List<TransactionEvent>> entityHistory = new HashMap<>();
    /** Keyed by (kind, entity id, transactionId). */
    private final Map<List<String>, FeatureMath.EntityPart> firstEntity = new HashMap<>();
    private final Map<String, AccountProfile> profiles = new HashMap<>();
    /** (accountId, eventId) of the account events applied. */
    private final Set<List<String>> appliedAccountEvents = new HashSet<>();

    /** Transaction id to (merchant, event time) of its first enrichment with a merchant: what a label finds. */
    private final Map<String, Map.Entry<String, Instant>> labelIndex = new HashMap<>();
    /** Merchant to transaction id to (event time, knownAt) of its first FRAUD label. */
    private final Map<String, Map<String, Instant[]>> fraudLabels = new HashMap<>();

    /** (entity tag, id) to the lists it is on: "b", "w". */
    private final Map<List<String>, Set<String>> lists = new HashMap<>();

    private record First(FeatureMath.Self self, FeatureMath.AccountPart part) {}

    @Override
    public synchronized Enrichment enrich(TransactionEvent e) {
        checkAmount(e);
        List<String> id = List.of(e.accountId(), e.transactionId());
        First first = firstEnrichment.get(id);
        boolean replayed = first != null;
        if (first == null) {
            List<TransactionEvent> before = history.stream().filter(x -> x.accountId().equals(e.accountId())).toList();
            history.add(e);
            first = new First(FeatureMath.Self.of(e), accountPart(e, before));
            firstEnrichment.put(id, first);
        }
        if (e.merchantId() != null) labelIndex.putIfAbsent(e.transactionId(), Map.entry(e.merchantId(), e.occurredAt()));
        Features f = FeatureMath.features(first.self(), first.part(),
                entity("c", e.customerId(), e), entity("d", e.deviceFingerprint(), e),
                entity("i", e.ip(), e), entity("m", e.merchantId(), e));
        return new Enrichment(f, first.part().profile(), replayed);
    }

    private FeatureMath.AccountPart accountPart(TransactionEvent e, List<TransactionEvent> before) {
        List<TransactionEvent> counted = new ArrayList<>(before);
        counted.add(e);
        Instant t = e.occurredAt();
        long noveltyFrom = t.getEpochSecond() - FeatureMath.NOVELTY_SECONDS;
        Set<String> fanIn = new HashSet<>();
        Set<String> fanOut = new HashSet<>();
        for (TransactionEvent x : counted) {
            if (x.counterpartyAccount() != null && Series.COUNT_24H.covers(t, x.occurredAt())) {
                (x.type().isInflow() ? fanIn : fanOut).add(x.counterpartyAccount());
            }
        }
        FeatureMath.Located previousLocated = before.stream()
                .filter(x -> x.geo() != null && !x.occurredAt().isAfter(t))
                .map(x -> FeatureMath.Located.of(x.occurredAt(), x.geo()))
                .max(Comparator.comparing(FeatureMath.Located::member))
                .orElse(null);
        return new FeatureMath.AccountPart(
                aggregates(counted, e, FeatureMath.ACCOUNT_SERIES, false),
                aggregates(counted, e, FeatureMath.ACCOUNT_SERIES, true),
                secondsSincePrevious(before, t),
                before.isEmpty(),
                isNew(e.merchantId(), before, TransactionEvent::merchantId, noveltyFrom),
                isNew(e.deviceFingerprint(), before, TransactionEvent::deviceFingerprint, noveltyFrom),
                isNew(e.ip(), before, TransactionEvent::ip, noveltyFrom),
                isNew(e.geo() == null ? null : e.geo().country(), before,
                        x -> x.geo() == null ? null : x.geo().country(), noveltyFrom),
                fanIn.size(),
                fanOut.size(),
                previousLocated,
                profiles.get(e.accountId()),
                listed("a", e.accountId(), "b"),
                listed("a", e.accountId(), "w"),
                distinctMerchants(counted, t));
    }

    private FeatureMath.EntityPart entity(String kind, String entityId, TransactionEvent e) {
        if (entityId == null) return null;
        List<String> key = List.of(kind, entityId, e.transactionId());
        FeatureMath.EntityPart part = firstEntity.get(key);
        if (part != null) return part;
        List<TransactionEvent> counted = entityHistory.computeIfAbsent(List.of(kind, entityId), k -> new ArrayList<>());
        long tSec = e.occurredAt().getEpochSecond();
        java.util.OptionalLong previous = counted.stream() // the latest earlier-or-equal second counted before
                .mapToLong(x -> x.occurredAt().getEpochSecond())
                .filter(second -> second <= tSec)
                .max();
        long secondsSincePrevious = previous.isPresent() ? tSec - previous.getAsLong() : -1;
        counted.add(e);
        Series[] series = FeatureMath.ENTITY_SERIES;
        long[] fraud = new long[3];
        long[] delayedFrauds = new long[3];
        long[] delayedTransactions = new long[3];
        FeatureMath.FraudStreak streak = FeatureMath.FraudStreak.NONE;
        long latestKnownDayFrauds = 0;
        if (kind.equals("m")) {
            Instant t = e.occurredAt();
            Instant from = t.minus(java.time.Duration.ofDays(8));
            Instant until = t.minus(java.time.Duration.ofDays(7));
            long day = FeatureMath.utcDay(t.getEpochSecond());
            Map<Long, Long> fraudDays = new HashMap<>();
            for (Instant[] l : fraudLabels.getOrDefault(entityId, Map.of()).values()) {
                if (l[1].isAfter(t)) continue; // not known yet at the event's time
                if (!l[0].isBefore(from) && l[0].isBefore(until)) latestKnownDayFrauds++;
                for (int w = 0; w < 3; w++) if (FeatureMath.FRAUD_WINDOWS[w].covers(t, l[0])) fraud[w]++;
                for (int w = 0; w < 3; w++) if (inDelayedWindow(day, w, l[0])) delayedFrauds[w]++;
                if (inDelayedWindow(day, 2, l[0])) fraudDays.merge(FeatureMath.utcDay(l[0].getEpochSecond()), 1L, Long::sum);
            }
            java.util.TreeMap<Long, Long> days = new java.util.TreeMap<>();
            for (TransactionEvent x : counted) {
                for (int w = 0; w < 3; w++) if (inDelayedWindow(day, w, x.occurredAt())) delayedTransactions[w]++;
                if (inDelayedWindow(day, 2, x.occurredAt())) days.merge(FeatureMath.utcDay(x.occurredAt().getEpochSecond()), 1L, Long::sum);
            }
            streak = fraudStreak(days, fraudDays);
        }
        part = new FeatureMath.EntityPart(aggregates(counted, e, series, false), aggregates(counted, e, series, true),
                secondsSincePrevious, listed(kind, entityId, "b"), listed(kind, entityId, "w"), fraud, delayedFrauds, delayedTransactions, streak,
                latestKnownDayFrauds);
        firstEntity.put(key, part);
        return part;
    }

    /**
     * {@code merchant_fraud_streak_delayed} and its age spelled out: the window's days newest first, adding each
     * day's transactions while every one of them has a known FRAUD label; the last day added is the oldest.
     */
    private static FeatureMath.FraudStreak fraudStreak(java.util.TreeMap<Long, Long> transactionsByDay, Map<Long, Long> fraudsByDay) {
        long streak = 0;
        long oldest = -1;
        for (Long d : transactionsByDay.descendingKeySet()) {
            long n = transactionsByDay.get(d);
            if (fraudsByDay.getOrDefault(d, 0L) < n) break;
            streak += n;
            oldest = d;
        }
        return streak == 0 ? FeatureMath.FraudStreak.NONE : new FeatureMath.FraudStreak(streak, oldest);
    }

    /** True when x's UTC day lies in delayed window w of a transaction on UTC day {@code day}. */
    private static boolean inDelayedWindow(long day, int w, Instant x) {
        long d = FeatureMath.utcDay(x.getEpochSecond());
        return d >= FeatureMath.delayedWindowFirstDay(day, w) && d <= FeatureMath.delayedWindowLastDay(day);
    }

    /** Each series summed over the counted transactions in its window of e (sums: in e's currency only). */
    private static Aggregates aggregates(List<TransactionEvent> counted, TransactionEvent e,
            Series[] series, boolean perCurrency) {
        Map<Integer, BigInteger> m = new HashMap<>();
        for (Series s : series) {
            if (s.perCurrency != perCurrency) continue;
            for (TransactionEvent x : counted) {
                if (perCurrency && !x.currency().equals(e.currency())) continue;
                if (!s.covers(e.occurredAt(), x.occurredAt())) continue;
                long v = s.value(x);
                if (v != 0) m.merge(s.key(s.bin(x)), BigInteger.valueOf(v), BigInteger::add);
            }
        }
        return Aggregates.of(m);
    }

    /** Distinct merchants of the counted transactions with an event time in (t - 5 min, t]. */
    private static long distinctMerchants(List<TransactionEvent> counted, Instant t) {
        Instant from = t.minusSeconds(FeatureMath.DISTINCT_MERCHANTS_SECONDS);
        return counted.stream()
                .filter(x -> x.merchantId() != null && x.occurredAt().isAfter(from) && !x.occurredAt().isAfter(t))
                .map(TransactionEvent::merchantId)
                .distinct()
                .count();
    }

    /** True when e names a value no transaction before it used at an event second after noveltyFrom. */
    private static boolean isNew(String value, List<TransactionEvent> before, Function<TransactionEvent, String> of,
            long noveltyFrom) {
        return value != null && before.stream()
                .noneMatch(x -> value.equals(of.apply(x)) && x.occurredAt().getEpochSecond() > noveltyFrom);
    }

    @Override
    public synchronized List<Enrichment> enrichAll(List<TransactionEvent> events) {
        events.forEach(ReferenceFeatureStore::checkAmount); // all or nothing, as the Redis store
        return events.stream().map(this::enrich).toList();
    }

    @Override
    public synchronized void apply(AccountEvent e) {
        if (!appliedAccountEvents.add(List.of(e.accountId(), e.eventId()))) return;
        AccountProfile old = Optional.ofNullable(profiles.get(e.accountId()))
                .orElse(new AccountProfile(e.accountId(), null, null, null, null, null, null, false, false, false));
        AccountProfile now = switch (e.type()) {
            // Opening states the whole identity: what it leaves out is cleared.
            case ACCOUNT_OPENED -> new AccountProfile(e.accountId(), e.customerId(), e.openedAt(),
                    e.declaredNetWorth(), e.netWorthCurrency(), e.country(), e.kycRiskLevel(),
                    old.closed(), old.kycFailed(), old.watchlistHit());
            case ACCOUNT_UPDATED -> new AccountProfile(e.accountId(), e.customerId(),
                    e.openedAt() != null ? e.openedAt() : old.openedAt(),
                    e.declaredNetWorth() != null ? e.declaredNetWorth() : old.declaredNetWorth(),
                    e.netWorthCurrency() != null ? e.netWorthCurrency() : old.netWorthCurrency(),
                    e.country() != null ? e.country() : old.country(),
                    e.kycRiskLevel() != null ? e.kycRiskLevel() : old.kycRiskLevel(),
                    old.closed(), old.kycFailed(), old.watchlistHit());
            case ACCOUNT_CLOSED -> new AccountProfile(e.accountId(), e.customerId(), old.openedAt(),
                    old.declaredNetWorth(), old.netWorthCurrency(), old.country(), old.kycRiskLevel(),
                    true, old.kycFailed(), old.watchlistHit());
            case KYC_FAILED -> new AccountProfile(e.accountId(), e.customerId(), old.openedAt(),
                    old.declaredNetWorth(), old.netWorthCurrency(), old.country(), old.kycRiskLevel(),
                    old.closed(), true, old.watchlistHit());
            case WATCHLIST_HIT -> new AccountProfile(e.accountId(), e.customerId(), old.openedAt(),
                    old.declaredNetWorth(), old.netWorthCurrency(), old.country(), old.kycRiskLevel(),
                    old.closed(), old.kycFailed(), true);
        };
        profiles.put(e.accountId(), now);
    }

    @Override
    public synchronized void applyList(ListEntry entry) {
        Set<String> on = lists.computeIfAbsent(List.of(entry.entity().tag, entry.id()), k -> new HashSet<>());
        String which = entry.list() == ListEntry.Kind.BLACKLIST ? "b" : "w";
        if (entry.member()) on.add(which);
        else on.remove(which);
    }

    @Override
    public synchronized boolean applyLabel(Label label) {
        if (label.label() != Label.Kind.FRAUD) return false;
        Map.Entry<String, Instant> tx = labelIndex.get(label.transactionId());
        if (tx == null) return false;
        return fraudLabels.computeIfAbsent(tx.getKey(), k -> new HashMap<>())
                .putIfAbsent(label.transactionId(), new Instant[] {tx.getValue(), label.knownAt()}) == null;
    }

    private boolean listed(String tag, String id, String which) {
        return lists.getOrDefault(List.of(tag, id), Set.of()).contains(which);
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void close() {}

    private static long secondsSincePrevious(List<TransactionEvent> before, Instant t) {
        return before.stream()
                .map(TransactionEvent::occurredAt)
                .filter(s -> !s.isAfter(t))
                .max(Instant::compareTo)
                .map(prev -> Duration.between(prev, t).getSeconds()) // floor
                .orElse(-1L);
    }

    private static void checkAmount(TransactionEvent e) {
        int digits = e.currency().getDefaultFractionDigits();
        if (digits < 0 || e.amount().stripTrailingZeros().scale() > digits) {
            throw new IllegalArgumentException("amount " + e.amount().toPlainString() + " " + e.currency()
                    + " does not fit the minor unit of its currency");
        }
    }
}
