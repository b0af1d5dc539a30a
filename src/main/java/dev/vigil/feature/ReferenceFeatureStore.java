package dev.vigil.feature;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The features by their definitions, computed by brute force from the full history: the oracle
 * the Redis store is tested against. It keeps every event forever and scans the account's whole
 * history on each call, so it is for tests and small replays, not for production.
 *
 * <p>Definitions (the same as {@code docs/features.md}), for a transaction e of account A at event
 * time t, where "before e" means the distinct transactions of A enriched before e (redeliveries not
 * counted) and "counted" means those and e itself:
 * <ul>
 *   <li>txCountW: counted transactions whose W-bucket lies in the window of t ({@link Window}).
 *   <li>txSumW: the sum of their amounts in e's currency only, at the currency's scale.
 *   <li>balanceDepositCount7d / Sum7d: the same over BALANCE_DEPOSIT transactions, 7-day window.
 *   <li>accountAgeDays: whole days from the profile's openedAt to t (floor), 0 when t is before
 *       openedAt, -1 when no openedAt is known.
 *   <li>depositToNetWorthRatio: balanceDepositSum7d / declared net worth, 4 decimals HALF_UP; -1.0000
 *       when no net worth is known, it is zero, or its currency is not e's.
 *   <li>newMerchant / newDevice: e has one, and no transaction before e had the same one.
 *   <li>secondsSincePrevious: whole seconds (floor) from the latest event time before e that is not
 *       after t, to t; -1 when there is none.
 * </ul>
 * A transaction id seen before for the account returns the first enrichment with replayed=true.
 */
public final class ReferenceFeatureStore implements FeatureStore {

    /** Every counted transaction, in the order it was enriched. */
    private final List<TransactionEvent> history = new ArrayList<>();
    /** Keyed by (accountId, transactionId). */
    private final Map<List<String>, Enrichment> firstEnrichment = new HashMap<>();
    private final Map<String, AccountProfile> profiles = new HashMap<>();
    /** (accountId, eventId) of the account events applied. */
    private final Set<List<String>> appliedAccountEvents = new HashSet<>();

    @Override
    public synchronized Enrichment enrich(TransactionEvent e) {
        checkAmount(e);
        List<String> id = List.of(e.accountId(), e.transactionId());
        Enrichment first = firstEnrichment.get(id);
        if (first != null) return new Enrichment(first.features(), first.account(), true);

        List<TransactionEvent> before = history.stream().filter(x -> x.accountId().equals(e.accountId())).toList();
        history.add(e);
        List<TransactionEvent> counted = new ArrayList<>(before);
        counted.add(e);

        Instant t = e.occurredAt();
        Currency cur = e.currency();
        Predicate<TransactionEvent> any = x -> true;
        Predicate<TransactionEvent> deposit = x -> x.type() == TransactionType.BALANCE_DEPOSIT;
        AccountProfile profile = profiles.get(e.accountId());
        BigDecimal depositSum = sum(counted, Window.WEEK, t, cur, deposit);

        Features f = new Features(
                count(counted, Window.MINUTE, t, any),
                count(counted, Window.HOUR, t, any),
                count(counted, Window.DAY, t, any),
                count(counted, Window.WEEK, t, any),
                sum(counted, Window.MINUTE, t, cur, any),
                sum(counted, Window.HOUR, t, cur, any),
                sum(counted, Window.DAY, t, cur, any),
                sum(counted, Window.WEEK, t, cur, any),
                accountAgeDays(profile, t),
                count(counted, Window.WEEK, t, deposit),
                depositSum,
                ratio(depositSum, cur, profile),
                e.merchantId() != null && before.stream().noneMatch(x -> e.merchantId().equals(x.merchantId())),
                e.deviceFingerprint() != null
                        && before.stream().noneMatch(x -> e.deviceFingerprint().equals(x.deviceFingerprint())),
                secondsSincePrevious(before, t));
        Enrichment result = new Enrichment(f, profile, false);
        firstEnrichment.put(id, result);
        return result;
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
    public boolean isHealthy() {
        return true;
    }

    @Override
    public void close() {}

    private static long count(List<TransactionEvent> txs, Window w, Instant t, Predicate<TransactionEvent> which) {
        return txs.stream().filter(which).filter(x -> w.covers(t, x.occurredAt())).count();
    }

    private static BigDecimal sum(List<TransactionEvent> txs, Window w, Instant t, Currency cur,
            Predicate<TransactionEvent> which) {
        return txs.stream()
                .filter(which)
                .filter(x -> w.covers(t, x.occurredAt()))
                .filter(x -> x.currency().equals(cur))
                .map(TransactionEvent::amount)
                .reduce(BigDecimal.ZERO, BigDecimal::add)
                .setScale(cur.getDefaultFractionDigits()); // exact: amounts were checked
    }

    private static long accountAgeDays(AccountProfile profile, Instant t) {
        if (profile == null || profile.openedAt() == null) return -1;
        long seconds = Duration.between(profile.openedAt(), t).getSeconds(); // floor
        return seconds < 0 ? 0 : seconds / 86_400;
    }

    private static BigDecimal ratio(BigDecimal depositSum, Currency cur, AccountProfile profile) {
        if (profile == null || profile.declaredNetWorth() == null || profile.declaredNetWorth().signum() == 0
                || !cur.equals(profile.netWorthCurrency())) {
            return new BigDecimal("-1.0000");
        }
        return depositSum.divide(profile.declaredNetWorth(), 4, RoundingMode.HALF_UP);
    }

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
