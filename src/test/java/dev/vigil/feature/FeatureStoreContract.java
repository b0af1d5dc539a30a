package dev.vigil.feature;

import static dev.vigil.feature.Tx.flag;
import static dev.vigil.feature.Tx.opened;
import static dev.vigil.feature.Tx.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.AccountEventType;
import dev.vigil.event.KycRiskLevel;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Worked examples of every feature, with values computed by hand: every {@link FeatureStore}
 * must give them. Run against the Redis store and against the reference.
 */
abstract class FeatureStoreContract {

    /** Aligned on every bucket size (10 080 s is a multiple of 1, 60 and 1 440 s). */
    static final Instant T0 = Instant.ofEpochSecond(10_080L * 170_000);
    private static final AtomicInteger ACCOUNTS = new AtomicInteger();

    /** A fresh account per test, so tests may share one store without seeing each other. */
    String acct;

    abstract FeatureStore store();

    @BeforeEach
    void freshAccount(TestInfo info) {
        acct = info.getTestMethod().orElseThrow().getName() + "-" + ACCOUNTS.incrementAndGet();
    }

    Features enrich(Tx t) {
        Enrichment e = store().enrich(t.build());
        assertFalse(e.replayed(), "first enrichment is not a replay");
        return e.features();
    }

    @Test
    void shouldCountSixTransactionsInOneMinute() {
        Features f = null;
        for (int i = 0; i < 6; i++) {
            // Six purchases of 10.00 USD, 10 s apart: all in the same minute.
            f = enrich(tx(acct, "t" + i, T0.plusSeconds(10L * i)).amount("10.00", "USD"));
            assertEquals(i + 1, f.txCount1m(), "the current transaction counts in its own window");
        }
        assertEquals(new BigDecimal("60.00"), f.txSum1m());
        assertEquals(6, f.txCount1h());
        assertEquals(6, f.txCount24h());
        assertEquals(6, f.txCount7d());
        assertEquals(new BigDecimal("60.00"), f.txSum7d());
        assertEquals(10, f.secondsSincePrevious());

        // 60 s after the first, the first one's bucket has left the 1-minute window, not the hour.
        Features g = enrich(tx(acct, "t6", T0.plusSeconds(60)).amount("1.00", "USD"));
        assertEquals(6, g.txCount1m());
        assertEquals(new BigDecimal("51.00"), g.txSum1m());
        assertEquals(7, g.txCount1h());
        assertEquals(new BigDecimal("61.00"), g.txSum1h());
    }


    @Test
    void shouldKeepATransactionForExactlySixtyWeekBucketsOfTheSevenDayWindow() {
        Duration week = Duration.ofDays(7);
        enrich(tx(acct, "a", T0).amount("100.00", "USD"));
        // One second less than 7 days later: same window (bucket k+59).
        Features inside = enrich(tx(acct, "b", T0.plus(week).minusSeconds(1)).amount("1.00", "USD"));
        assertEquals(2, inside.txCount7d());
        assertEquals(new BigDecimal("101.00"), inside.txSum7d());
        assertEquals(1, inside.txCount24h(), "a week apart: not in the same day");
        // Exactly 7 days later: bucket k+60, the window is k+1..k+60 and "a" is out.
        Features out = enrich(tx(acct, "c", T0.plus(week)).amount("1.00", "USD"));
        assertEquals(2, out.txCount7d());
        assertEquals(new BigDecimal("2.00"), out.txSum7d());
    }


    @Test
    void shouldDropAWholeBucketEvenWhenLessThanSevenDaysHavePassed() {
        // Windows are by bucket: the last second of bucket k leaves with the bucket, at the start
        // of bucket k+60, though only 7 days minus 168 minutes plus 1 s have passed.
        Instant lastSecondOfBucket = T0.plusSeconds(10_079);
        enrich(tx(acct, "a", lastSecondOfBucket));
        Features f = enrich(tx(acct, "b", T0.plusSeconds(60L * 10_080)));
        assertEquals(1, f.txCount7d());
    }


    @Test
    void shouldRelateSevenDayBalanceDepositsToDeclaredNetWorth() {
        store().apply(opened(acct, "open", T0.minus(Duration.ofDays(3)), "10000.00", "USD"));
        Features f1 = enrich(tx(acct, "d1", T0).type(TransactionType.BALANCE_DEPOSIT).amount("2500.00", "USD"));
        assertEquals(1, f1.balanceDepositCount7d());
        assertEquals(new BigDecimal("2500.00"), f1.balanceDepositSum7d());
        assertEquals(new BigDecimal("0.2500"), f1.depositToNetWorthRatio());

        Features f2 = enrich(tx(acct, "d2", T0.plusSeconds(3600)).type(TransactionType.BALANCE_DEPOSIT).amount("832.50", "USD"));
        assertEquals(new BigDecimal("3332.50"), f2.balanceDepositSum7d());
        assertEquals(new BigDecimal("0.3333"), f2.depositToNetWorthRatio(), "0.33325 to 4 decimals HALF_UP (not to even)");

        // A purchase is not a deposit but still sees the deposits of the week.
        Features p = enrich(tx(acct, "p", T0.plusSeconds(7200)).amount("5000.00", "USD"));
        assertEquals(2, p.balanceDepositCount7d());
        assertEquals(new BigDecimal("3332.50"), p.balanceDepositSum7d());
        assertEquals(new BigDecimal("0.3333"), p.depositToNetWorthRatio());

        // A deposit in euros: counted, summed in euros, and no ratio against a net worth in dollars.
        Features eur = enrich(tx(acct, "d4", T0.plusSeconds(7400)).type(TransactionType.BALANCE_DEPOSIT).amount("50.00", "EUR"));
        assertEquals(3, eur.balanceDepositCount7d());
        assertEquals(new BigDecimal("50.00"), eur.balanceDepositSum7d());
        assertEquals(new BigDecimal("-1.0000"), eur.depositToNetWorthRatio());
    }


    @Test
    void shouldGiveNoRatioWithoutAUsableNetWorth() {
        Features noProfile = enrich(tx(acct, "d1", T0).type(TransactionType.BALANCE_DEPOSIT).amount("10.00", "USD"));
        assertEquals(new BigDecimal("-1.0000"), noProfile.depositToNetWorthRatio());

        store().apply(opened(acct, "open", T0.minus(Duration.ofDays(1)), "0.00", "USD"));
        Features zero = enrich(tx(acct, "d2", T0.plusSeconds(1)).type(TransactionType.BALANCE_DEPOSIT).amount("10.00", "USD"));
        assertEquals(new BigDecimal("-1.0000"), zero.depositToNetWorthRatio());

        store().apply(opened(acct, "reopen", T0.minus(Duration.ofDays(1)), null, null));
        Features unknown = enrich(tx(acct, "d3", T0.plusSeconds(2)).type(TransactionType.BALANCE_DEPOSIT).amount("10.00", "USD"));
        assertEquals(new BigDecimal("-1.0000"), unknown.depositToNetWorthRatio());
        assertEquals(new BigDecimal("30.00"), unknown.balanceDepositSum7d());
    }


    @Test
    void shouldFlagTheFirstMerchantAndDeviceOfTheAccount() {
        Features a = enrich(tx(acct, "1", T0).merchant("m1").device("d1"));
        assertTrue(a.newMerchant());
        assertTrue(a.newDevice());
        Features b = enrich(tx(acct, "2", T0.plusSeconds(1)).merchant("m1").device("d2"));
        assertFalse(b.newMerchant());
        assertTrue(b.newDevice());
        Features c = enrich(tx(acct, "3", T0.plusSeconds(2)).merchant("m2").device("d1"));
        assertTrue(c.newMerchant());
        assertFalse(c.newDevice());
        Features none = enrich(tx(acct, "4", T0.plusSeconds(3)));
        assertFalse(none.newMerchant(), "no merchant is never a new merchant");
        assertFalse(none.newDevice());
        // Seen sets are per account: another account at m1 sees it as new.
        Features other = store().enrich(tx(acct + "-other", "5", T0).merchant("m1").device("d1").build()).features();
        assertTrue(other.newMerchant());
        assertTrue(other.newDevice());
    }


    @Test
    void shouldCountAccountAgeInWholeDaysFromOpening() {
        Features unknown = enrich(tx(acct, "before-open-event", T0));
        assertEquals(-1, unknown.accountAgeDays(), "no ACCOUNT_OPENED seen");
        assertNull(store().enrich(tx(acct, "before-open-event", T0).build()).account());

        Instant openedAt = T0.plusNanos(500_000_000);
        store().apply(opened(acct, "open", openedAt, "1000.00", "USD"));
        assertEquals(9, enrich(tx(acct, "a", openedAt.plus(Duration.ofDays(10)).minusNanos(1))).accountAgeDays());
        assertEquals(10, enrich(tx(acct, "b", openedAt.plus(Duration.ofDays(10)))).accountAgeDays());
        assertEquals(0, enrich(tx(acct, "c", openedAt)).accountAgeDays());
        assertEquals(0, enrich(tx(acct, "d", openedAt.minusSeconds(3600))).accountAgeDays(), "before opening: 0");
    }


    @Test
    void shouldReturnTheProfileBuiltFromAccountEventsOncePerEventId() {
        Instant openedAt = T0.minus(Duration.ofDays(30));
        store().apply(opened(acct, "e1", openedAt, "1000.00", "USD"));
        store().apply(new AccountEvent("e2", AccountEventType.ACCOUNT_UPDATED, T0, acct, "cust-2", null,
                new BigDecimal("2000.50"), Currency.getInstance("USD"), null, KycRiskLevel.HIGH, null));
        store().apply(opened(acct, "e1", openedAt, "1000.00", "USD")); // redelivered: must not undo e2
        store().apply(flag(acct, "e3", AccountEventType.KYC_FAILED, T0));
        store().apply(flag(acct, "e4", AccountEventType.WATCHLIST_HIT, T0));

        AccountProfile p = store().enrich(tx(acct, "t", T0).build()).account();
        // Every account event restates the customer id: the flags' events came last.
        assertEquals(new AccountProfile(acct, "cust-" + acct, openedAt, new BigDecimal("2000.50"), Currency.getInstance("USD"),
                "FR", KycRiskLevel.HIGH, false, true, true), p);

        store().apply(flag(acct, "e5", AccountEventType.ACCOUNT_CLOSED, T0));
        assertTrue(store().enrich(tx(acct, "t2", T0).build()).account().closed());
    }


    @Test
    void shouldSumOnlyTheTransactionsCurrencyAtItsScale() {
        enrich(tx(acct, "1", T0).amount("10.50", "USD"));
        Features eur = enrich(tx(acct, "2", T0.plusSeconds(1)).amount("3.25", "EUR"));
        assertEquals(2, eur.txCount1m(), "counts cover every currency");
        assertEquals(new BigDecimal("3.25"), eur.txSum1m());
        Features usd = enrich(tx(acct, "3", T0.plusSeconds(2)).amount("1.05", "USD"));
        assertEquals(new BigDecimal("11.55"), usd.txSum1m());
        Features jpy = enrich(tx(acct, "4", T0.plusSeconds(3)).amount("1000", "JPY"));
        assertEquals(new BigDecimal("1000"), jpy.txSum1m());
        Features usd2 = enrich(tx(acct, "5", T0.plusSeconds(4)).amount("2.5", "USD"));
        assertEquals(new BigDecimal("14.05"), usd2.txSum1m(), "1 decimal in, the currency's 2 out");
        Features bhd = enrich(tx(acct, "6", T0.plusSeconds(5)).amount("1.234", "BHD"));
        assertEquals(new BigDecimal("1.234"), bhd.txSum1m(), "3-decimal currency");
    }


    @Test
    void shouldSumAmountsBeyondDoublePrecisionExactly() {
        // 2^53 minor units is where doubles stop being exact; these sum past it.
        String big = "45035996273704.97"; // 4 503 599 627 370 497 cents
        enrich(tx(acct, "1", T0).amount(big, "USD"));
        enrich(tx(acct, "2", T0.plusSeconds(1)).amount(big, "USD"));
        Features f = enrich(tx(acct, "3", T0.plusSeconds(2)).amount("0.01", "USD"));
        assertEquals(new BigDecimal("90071992547409.95"), f.txSum1m());
    }


    @Test
    void shouldReturnTheFirstFeaturesOnRedeliveryAndCountNothingAgain() {
        store().apply(opened(acct, "open", T0.minus(Duration.ofDays(2)), "100.00", "USD"));
        Enrichment first = store().enrich(tx(acct, "t1", T0).merchant("m").device("d").amount("5.00", "USD").build());
        store().enrich(tx(acct, "t2", T0.plusSeconds(5)).amount("7.00", "USD").build());
        store().apply(flag(acct, "wl", AccountEventType.WATCHLIST_HIT, T0));

        Enrichment again = store().enrich(tx(acct, "t1", T0).merchant("m").device("d").amount("5.00", "USD").build());
        assertTrue(again.replayed());
        assertEquals(first.features(), again.features());
        assertEquals(first.account(), again.account(), "the profile as it was at the first enrichment");
        assertFalse(again.account().watchlistHit());

        List<Enrichment> batch = store().enrichAll(List.of(
                tx(acct, "t3", T0.plusSeconds(6)).amount("1.00", "USD").build(),
                tx(acct, "t2", T0.plusSeconds(5)).amount("7.00", "USD").build(),
                tx(acct, "t3", T0.plusSeconds(6)).amount("1.00", "USD").build()));
        assertFalse(batch.get(0).replayed());
        assertTrue(batch.get(1).replayed());
        assertTrue(batch.get(2).replayed());
        assertEquals(batch.get(0).features(), batch.get(2).features());
        assertEquals(3, batch.get(0).features().txCount1m(), "t1, t2, t3: the redeliveries counted nothing");
        assertEquals(new BigDecimal("13.00"), batch.get(0).features().txSum1m());
        assertTrue(batch.get(0).account().watchlistHit());
    }


    @Test
    void shouldCountLateEventsInTheirOwnBuckets() {
        enrich(tx(acct, "a", T0));
        enrich(tx(acct, "b", T0.plusSeconds(90)));
        // c is 60 s late: its minute is T0-29..T0+30, which holds a but not b.
        Features c = enrich(tx(acct, "c", T0.plusSeconds(30)));
        assertEquals(2, c.txCount1m());
        assertEquals(2, c.txCount1h(), "b's minute bucket comes after c's: not in c's hour");
        assertEquals(3, c.txCount24h(), "b shares c's 24-minute bucket: in c's day though later");
        assertEquals(30, c.secondsSincePrevious(), "previous in event time is a, not the later b");
        // d's minute is T0+36..T0+95: b and d; c is out.
        Features d = enrich(tx(acct, "d", T0.plusSeconds(95)));
        assertEquals(2, d.txCount1m());
        assertEquals(5, d.secondsSincePrevious());
    }


    @Test
    void shouldCountDistinctMerchantsOfExactlyTheFiveMinutesUpToTheTransaction() {
        // Card testing: small purchases at m1, m2, m1 again and m3 within 5 minutes
        enrich(tx(acct, "a", T0).merchant("m1"));
        enrich(tx(acct, "b", T0.plusSeconds(60)).merchant("m2"));
        assertEquals(2, enrich(tx(acct, "c", T0.plusSeconds(120)).merchant("m1")).distinctMerchants5m(),
                "m1 twice is one merchant");
        assertEquals(3, enrich(tx(acct, "d", T0.plusSeconds(299)).merchant("m3")).distinctMerchants5m());
        // A transaction without a merchant counts those of its window and adds none
        assertEquals(3, enrich(tx(acct, "e", T0.plusSeconds(299))).distinctMerchants5m());
        // Exactly 5 minutes after a, a has left the window (t - 5 min, t]; c keeps m1 in it: m1, m2, m3, m4
        assertEquals(4, enrich(tx(acct, "f", T0.plusSeconds(300)).merchant("m4")).distinctMerchants5m());
        // 421 s after a only d (m3) and f (m4) are inside, and this one's m5
        assertEquals(3, enrich(tx(acct, "g", T0.plusSeconds(421)).merchant("m5")).distinctMerchants5m());
    }

    @Test
    void shouldCountDistinctMerchantsOfALateTransactionsOwnWindow() {
        enrich(tx(acct, "a", T0).merchant("m1"));
        enrich(tx(acct, "b", T0.plusSeconds(200)).merchant("m2"));
        // m1 again later: the novelty hash now says m1 was last used at T0 + 250
        enrich(tx(acct, "c", T0.plusSeconds(250)).merchant("m1"));
        enrich(tx(acct, "d", T0.plusSeconds(400)).merchant("m3"));
        // e is 240 s late, at T0 + 160: its window (T0 - 140 s, T0 + 160 s] holds only a (m1), not b, c or d
        assertEquals(2, enrich(tx(acct, "e", T0.plusSeconds(160)).merchant("m4")).distinctMerchants5m());
        // f, at T0 + 310, sees b (m2), c (m1) and the late e (m4), not a (at T0, outside) nor d (later)
        assertEquals(3, enrich(tx(acct, "f", T0.plusSeconds(310)).merchant("m2")).distinctMerchants5m());
    }

    @Test
    void shouldGiveMinusOneForALateEventWithNothingEarlier() {
        enrich(tx(acct, "a", T0.plusSeconds(100)));
        Features late = enrich(tx(acct, "b", T0.plusSeconds(10)));
        assertEquals(-1, late.secondsSincePrevious());
        assertEquals(1, late.txCount1m());
        Features same = enrich(tx(acct, "c", T0.plusSeconds(10)));
        assertEquals(0, same.secondsSincePrevious(), "an equal time is a previous transaction 0 s before");
    }


    @Test
    void shouldFloorSecondsSincePreviousAcrossNanos() {
        enrich(tx(acct, "a", T0.plusNanos(900_000_000)));
        assertEquals(0, enrich(tx(acct, "b", T0.plusSeconds(1).plusNanos(899_999_999))).secondsSincePrevious());
        assertEquals(1, enrich(tx(acct, "c", T0.plusSeconds(2).plusNanos(899_999_999))).secondsSincePrevious());
    }


    @Test
    void shouldRefuseAmountsFinerThanTheCurrencyBeforeCountingAnything() {
        assertThrows(IllegalArgumentException.class, () -> store().enrich(tx(acct, "x", T0).amount("10.001", "USD").build()));
        assertThrows(IllegalArgumentException.class, () -> store().enrich(tx(acct, "y", T0).amount("1", "XAU").build()));
        assertThrows(IllegalArgumentException.class, () -> store().enrichAll(List.of(
                tx(acct, "ok", T0).amount("1.00", "USD").build(),
                tx(acct, "bad", T0).amount("0.5", "JPY").build())));
        Features f = enrich(tx(acct, "z", T0).amount("10.000", "USD"));
        assertEquals(1, f.txCount1m(), "nothing of the refused batch was counted");
        assertEquals(new BigDecimal("10.00"), f.txSum1m());
    }


    @Test
    void shouldReturnNothingForAnEmptyBatch() {
        assertEquals(List.of(), store().enrichAll(List.of()));
    }

    // ---- the catalogue beyond the first fifteen ----

    @Test
    void shouldCountCashDepositsJustUnderTheReportingThresholdAsStructuring() {
        // Given cash deposits of 9 500.00 and 9 999.99 (inside 9 000 to 9 999.99), 10 000.00 and
        // 8 999.99 (outside), within one day
        enrich(tx(acct, "1", T0).type(TransactionType.CASH_DEPOSIT).amount("9500.00", "USD"));
        enrich(tx(acct, "2", T0.plusSeconds(60)).type(TransactionType.CASH_DEPOSIT).amount("8999.99", "USD"));
        Features round = enrich(tx(acct, "3", T0.plusSeconds(120)).type(TransactionType.CASH_DEPOSIT).amount("10000.00", "USD"));
        Features f = enrich(tx(acct, "4", T0.plusSeconds(180)).type(TransactionType.CASH_DEPOSIT).amount("9999.99", "USD"));
        // Then two count, summed exactly
        assertEquals(2, f.structuringCount24h());
        assertEquals(2, f.structuringCount7d());
        assertEquals(new BigDecimal("19499.99"), f.structuringSum24h());
        assertTrue(round.roundAmount(), "10 000.00 is a multiple of 100");
        assertFalse(f.roundAmount(), "9 999.99 is not");
        // A purchase of 9 500.00 is not a cash deposit
        Features p = enrich(tx(acct, "5", T0.plusSeconds(240)).amount("9500.00", "USD"));
        assertEquals(2, p.structuringCount24h());
    }

    @Test
    void shouldScoreTheAmountAgainstTheEarlierAmountsOfThirtyDays() {
        enrich(tx(acct, "1", T0).amount("10.00", "USD"));
        enrich(tx(acct, "2", T0.plusSeconds(86_400)).amount("20.00", "USD"));
        enrich(tx(acct, "3", T0.plusSeconds(2 * 86_400)).amount("30.00", "USD"));
        Features f = enrich(tx(acct, "4", T0.plusSeconds(3 * 86_400)).amount("60.00", "USD"));
        // n = 3, S = 60, Q = 1400: z = (3 * 60 - 60) / sqrt(3 * 1400 - 60^2) = 120 / sqrt(600)
        assertEquals(new BigDecimal("4.8990"), f.amountZscore30d());
        // Earlier amounts 1000, 2000, 3000 cents fall in bins 40, 44, 47; the lower median's bin 44 has
        // its centre at 2^(43.5 / 4) = 1878.0 cents, so 6000 / 1878.0
        assertEquals(new BigDecimal("3.1948"), f.amountToMedianRatio30d());
        assertEquals(4, f.txCount30d());
        assertEquals(1, f.daysDormant(), "one day since the previous");
    }

    @Test
    void shouldMeasureTravelFromThePreviousLocatedTransaction() {
        enrich(tx(acct, "paris", T0).at(48.8566, 2.3522, "FR"));
        // A transaction without a place in between does not count as located
        enrich(tx(acct, "nowhere", T0.plusSeconds(600)));
        Features ny = enrich(tx(acct, "ny", T0.plusSeconds(3600)).at(40.7128, -74.006, "US"));
        assertEquals(new BigDecimal("5837.249"), ny.distanceFromPreviousKm());
        assertEquals(new BigDecimal("5837.249"), ny.impliedSpeedKmh(), "5 837 km in one hour");
        assertTrue(ny.countryChanged1h());
        assertEquals(new BigDecimal("5837.249"), ny.distanceFromUsualKm(), "Paris is the only earlier place");
        Features none = enrich(tx(acct, "none", T0.plusSeconds(3700)));
        assertEquals(new BigDecimal("-1.000"), none.distanceFromPreviousKm());
    }

    @Test
    void shouldForgetASeenIpAfterNinetyDays() {
        long ninety = 90L * 86_400;
        enrich(tx(acct, "1", T0).ip("192.0.2.7"));
        assertTrue(enrich(tx(acct, "2", T0.plusSeconds(ninety - 1)).ip("192.0.2.8")).newIp(), "another IP is new");
        assertFalse(enrich(tx(acct, "3", T0.plusSeconds(ninety - 1)).ip("192.0.2.7")).newIp(), "used 90 days less a second ago");
        // Last used at T0 + 90 d - 1 s: at T0 + 180 d - 1 s it is exactly 90 days old, so new again
        assertTrue(enrich(tx(acct, "4", T0.plusSeconds(2 * ninety - 1)).ip("192.0.2.7")).newIp());
    }

    @Test
    void shouldCountDistinctCounterpartiesAndTheShareMovedOut() {
        enrich(tx(acct, "1", T0).type(TransactionType.TRANSFER_IN).counterparty("x").amount("100.00", "USD"));
        enrich(tx(acct, "2", T0.plusSeconds(10)).type(TransactionType.TRANSFER_IN).counterparty("y").amount("100.00", "USD"));
        enrich(tx(acct, "3", T0.plusSeconds(20)).type(TransactionType.TRANSFER_IN).counterparty("x").amount("100.00", "USD"));
        Features out = enrich(tx(acct, "4", T0.plusSeconds(30)).type(TransactionType.TRANSFER_OUT).counterparty("z").amount("270.00", "USD"));
        assertEquals(2, out.fanIn24h(), "x and y");
        assertEquals(1, out.fanOut24h());
        assertEquals(new BigDecimal("0.9000"), out.rapidInOutRatio3d(), "270 of 300 received moved out");
    }

    @Test
    void shouldCountTheCustomerAcrossItsAccountsAndTheMerchantAcrossAccounts() {
        String merchant = "shop-" + acct;
        TransactionEvent a = tx(acct, "1", T0).merchant(merchant).amount("5.00", "USD").build();
        TransactionEvent b = new TransactionEvent("2", T0.plusSeconds(5), acct + "-second", a.customerId(),
                TransactionType.PURCHASE, new BigDecimal("7.00"), a.currency(), null, merchant, "5411", "web", "card",
                Boolean.FALSE, null, null, null);
        store().enrich(a);
        Features f = store().enrich(b).features();
        assertEquals(1, f.txCount1h(), "the second account's own");
        assertEquals(2, f.customerTxCount1h());
        assertEquals(new BigDecimal("12.00"), f.customerTxSum1h());
        assertEquals(2, f.merchantTxCount1m());
        assertEquals(0, f.deviceTxCount1h(), "no device");
    }

    @Test
    void shouldCountEveryWindowOfTheCustomerDeviceIpAndMerchant() {
        String[] seconds = {"-1728000", "-259200", "-1800", "-600", "-180", "-30", "0"}; // 20 d, 3 d, 30, 10, 3 min, 30 s
        Features g = null;
        for (int i = 0; i < seconds.length; i++) {
            // 1.00, 2.00, 4.00 ... 64.00 USD: each window's sum says which transactions it holds
            g = enrich(tx(acct, "t" + i, T0.plusSeconds(Long.parseLong(seconds[i])))
                    .merchant("m-" + acct).device("d-" + acct).ip("ip-" + acct).amount((1 << i) + ".00", "USD"));
        }
        Map<String, Object> f = g.toMap();
        // A window of W is the 60 buckets of W/60 up to the transaction's (T0 starts a bucket of every size but 12 h,
        // of which it is 8 h in): 1 min reaches back 59 s, 5 min 295 s, 15 min 885 s, 1 h 59 min, 24 h 23.6 h,
        // 7 d 6.9 d, 30 d 29.8 d.
        String[] windows = {"1m", "5m", "15m", "1h", "24h", "7d", "30d"};
        long[] counts = {2, 3, 4, 5, 5, 6, 7};
        String[] sums = {"96.00", "112.00", "120.00", "124.00", "124.00", "126.00", "127.00"};
        for (String entity : List.of("customer", "device", "ip", "merchant")) {
            for (int w = 0; w < windows.length; w++) {
                assertEquals(counts[w], f.get(entity + "_tx_count_" + windows[w]), entity + " " + windows[w]);
                assertEquals(new BigDecimal(sums[w]), f.get(entity + "_tx_sum_" + windows[w]), entity + " " + windows[w]);
            }
            assertEquals(30L, f.get(entity + "_seconds_since_previous"), entity);
        }
        // and the account's own windows agree, being the same transactions
        assertEquals(List.of(2L, 3L, 4L, 5L, 5L, 6L, 7L), List.of(g.txCount1m(), g.txCount5m(), g.txCount15m(),
                g.txCount1h(), g.txCount24h(), g.txCount7d(), g.txCount30d()));
    }

    @Test
    void shouldMeasureAnEntitysSecondsSincePreviousInWholeSecondsOfEventTime() {
        String merchant = "m-" + acct;
        // Other accounts' transactions at the same merchant, the first one later than the next two
        enrich(tx(acct + "-x", "a", T0.plusSeconds(100)).merchant(merchant));
        Features late = enrich(tx(acct, "b", T0.plusSeconds(10)).merchant(merchant));
        assertEquals(-1, late.merchantSecondsSincePrevious(), "nothing at the merchant at or before T0 + 10 s");
        assertEquals(-1, late.secondsSincePrevious(), "the account's first");
        Features sameSecond = enrich(tx(acct + "-y", "c", T0.plusSeconds(10).plusMillis(500)).merchant(merchant));
        assertEquals(0, sameSecond.merchantSecondsSincePrevious(), "b's second: 0 s before");
        Features between = enrich(tx(acct + "-z", "d", T0.plusSeconds(40)).merchant(merchant));
        assertEquals(30, between.merchantSecondsSincePrevious(), "from T0 + 10 s, not from the later a");
        // Whole epoch seconds: 101.1 s is one second after 100.9 s (the account's feature floors the exact gap to 0)
        enrich(tx(acct + "-u", "e", T0.plusSeconds(100).plusMillis(900)).merchant(merchant));
        Features next = enrich(tx(acct + "-u", "f", T0.plusSeconds(101).plusMillis(100)).merchant(merchant));
        assertEquals(1, next.merchantSecondsSincePrevious());
        assertEquals(0, next.secondsSincePrevious());
        // An event without the entity has none
        Features none = enrich(tx(acct, "g", T0.plusSeconds(120)));
        assertEquals(-1, none.merchantSecondsSincePrevious());
        assertEquals(0, none.merchantTxCount30d());
        assertEquals(-1, none.deviceSecondsSincePrevious());
    }

    @Test
    void shouldSeeListsAsTheyAreWhenTheTransactionIsFirstEnriched() {
        String device = "dev-" + acct;
        store().applyList(new ListEntry(ListEntry.Kind.BLACKLIST, ListEntry.Entity.DEVICE, device, true));
        store().applyList(new ListEntry(ListEntry.Kind.WHITELIST, ListEntry.Entity.ACCOUNT, acct, true));
        Features on = enrich(tx(acct, "1", T0).device(device));
        assertTrue(on.deviceBlacklisted());
        assertTrue(on.accountWhitelisted());
        assertFalse(on.accountBlacklisted());
        assertFalse(on.merchantBlacklisted(), "no merchant");
        store().applyList(new ListEntry(ListEntry.Kind.BLACKLIST, ListEntry.Entity.DEVICE, device, false));
        assertFalse(enrich(tx(acct, "2", T0.plusSeconds(1)).device(device)).deviceBlacklisted(), "taken off the list");
        // A redelivery keeps the answer of the first enrichment
        Enrichment again = store().enrich(tx(acct, "1", T0).device(device).build());
        assertTrue(again.replayed());
        assertTrue(again.features().deviceBlacklisted());
    }

    @Test
    void shouldUseAFraudLabelOnlyFromTheTimeItIsKnown() {
        String merchant = "shop-" + acct;
        Features first = enrich(tx(acct, acct + "-a", T0).merchant(merchant));
        assertEquals(new BigDecimal("0.0000"), first.merchantFraudRate1d());
        // Given transaction a confirmed as fraud, known 100 s after it happened
        assertFalse(store().applyLabel(new Label(acct + "-never", Label.Kind.FRAUD, "chargeback", T0.plusSeconds(100))),
                "a label for a transaction never enriched changes nothing");
        assertTrue(store().applyLabel(new Label(acct + "-a", Label.Kind.FRAUD, "chargeback", T0.plusSeconds(100))));
        assertFalse(store().applyLabel(new Label(acct + "-a", Label.Kind.FRAUD, "investigator", T0.plusSeconds(5))), "the first label wins");
        assertFalse(store().applyLabel(new Label(acct + "-a", Label.Kind.LEGIT, "customer", T0.plusSeconds(6))));
        // When a transaction happens before the label is known: it does not see it (no label from the future)
        Features before = enrich(tx(acct, "b", T0.plusSeconds(50)).merchant(merchant));
        assertEquals(new BigDecimal("0.0000"), before.merchantFraudRate30d());
        // Then from the second it is known, 1 of the 3 transactions is fraud
        Features known = enrich(tx(acct, "c", T0.plusSeconds(100)).merchant(merchant));
        assertEquals(new BigDecimal("0.3333"), known.merchantFraudRate1d());
        assertEquals(new BigDecimal("0.3333"), known.merchantFraudRate30d());
        assertEquals(new BigDecimal("-1.0000"), enrich(tx(acct, "d", T0.plusSeconds(101))).merchantFraudRate7d(), "no merchant");
    }

    @Test
    void shouldRateTheMerchantsKnownFraudOverWholeDaysEndingAtTheLabelDelay() {
        String merchant = "shop-" + acct;
        Instant day0 = Instant.ofEpochSecond((T0.getEpochSecond() / 86_400 + 1) * 86_400); // a UTC midnight, day X
        // Day X: a (fraud) and b; day X+1: c (fraud, known late)
        enrich(tx(acct, acct + "-a", day0.plusSeconds(10 * 3600)).merchant(merchant));
        enrich(tx(acct, acct + "-b", day0.plusSeconds(20 * 3600)).merchant(merchant));
        enrich(tx(acct, acct + "-c", day0.plusSeconds(86_400 + 3600)).merchant(merchant));
        assertTrue(store().applyLabel(new Label(acct + "-a", Label.Kind.FRAUD, "chargeback", day0.plusSeconds(3 * 86_400))));
        Instant cKnown = day0.plusSeconds(9 * 86_400 + 13 * 3600);
        assertTrue(store().applyLabel(new Label(acct + "-c", Label.Kind.FRAUD, "chargeback", cKnown)));

        // On day X+7 the windows end before day X: nothing in them
        Features q0 = enrich(tx(acct, "q0", day0.plusSeconds(8 * 86_400 - 1)).merchant(merchant));
        assertEquals(new BigDecimal("-1.0000"), q0.merchantFraudRate1dDelayed());
        assertEquals(new BigDecimal("-1.0000"), q0.merchantFraudRate30dDelayed());
        // At midnight of day X+8 every window ends with day X: a of a, b
        Features q1 = enrich(tx(acct, "q1", day0.plusSeconds(8 * 86_400)).merchant(merchant));
        assertEquals(new BigDecimal("0.5000"), q1.merchantFraudRate1dDelayed());
        assertEquals(new BigDecimal("0.5000"), q1.merchantFraudRate7dDelayed());
        assertEquals(new BigDecimal("0.5000"), q1.merchantFraudRate30dDelayed());
        assertEquals(new BigDecimal("0.2000"), q1.merchantFraudRate30d(), "the current window: a of a, b, c, q0, q1");
        // On day X+9 the 1-day window is day X+1 (c), the 7-day one days X-5 to X+1 (a, b, c); c's label is not known yet
        Features q2 = enrich(tx(acct, "q2", cKnown.minusNanos(1)).merchant(merchant));
        assertEquals(new BigDecimal("0.0000"), q2.merchantFraudRate1dDelayed());
        assertEquals(new BigDecimal("0.3333"), q2.merchantFraudRate7dDelayed());
        // From the moment it is known, c counts
        Features q3 = enrich(tx(acct, "q3", cKnown).merchant(merchant));
        assertEquals(new BigDecimal("1.0000"), q3.merchantFraudRate1dDelayed());
        assertEquals(new BigDecimal("0.6667"), q3.merchantFraudRate7dDelayed());
        assertEquals(new BigDecimal("0.6667"), q3.merchantFraudRate30dDelayed());
        // On day X+38 the 30-day window is days X+1 to X+30: c of c, q0, q1, q2, q3 (day X, a and b, has left it);
        // the 7-day one (X+24 to X+30) is empty
        Features q4 = enrich(tx(acct, "q4", day0.plusSeconds(38 * 86_400 + 12 * 3600)).merchant(merchant));
        assertEquals(new BigDecimal("0.2000"), q4.merchantFraudRate30dDelayed());
        assertEquals(new BigDecimal("-1.0000"), q4.merchantFraudRate7dDelayed());
        assertEquals(new BigDecimal("-1.0000"), enrich(tx(acct, "q5", day0.plusSeconds(38 * 86_400 + 13 * 3600)))
                .merchantFraudRate30dDelayed(), "no merchant");
    }

    @Test
    void shouldCountTheAccountsUnusualAmountsOfTheLast7DaysAgainstIts30DayMedian() {
        Instant t = T0.plus(Duration.ofDays(20));
        // Ten ordinary amounts, 30 to 12 days before, in time order: the median is 10.00 (amount bin 40)
        for (int i = 0; i < 10; i++) {
            enrich(tx(acct, "o" + i, t.minus(Duration.ofDays(30 - 2L * i))).amount("10.00", "USD"));
        }
        Features none = enrich(tx(acct, "n", t.minus(Duration.ofDays(9))).amount("10.00", "USD"));
        assertEquals(0L, none.amountOutliers7d());
        assertEquals(new BigDecimal("1.0000"), none.maxAmountToMedianRatio7d(), "the largest of the 7 days, 10.00, is the median");
        // 50.00 nine days ago: in the 30-day median's history, not in the 7 days
        enrich(tx(acct, "old", t.minus(Duration.ofDays(9)).plusSeconds(60)).amount("50.00", "USD"));
        // In the last 7 days: two of 50.00 (bin 50, 10 bins above the median) and 20.00 (bin 44, 4 above: not unusual)
        enrich(tx(acct, "u1", t.minus(Duration.ofDays(3))).amount("50.00", "USD"));
        enrich(tx(acct, "u2", t.minus(Duration.ofDays(2))).amount("50.00", "USD"));
        enrich(tx(acct, "m", t.minus(Duration.ofDays(1))).amount("20.00", "USD"));
        // The transaction itself (50.00 too) is not counted: two earlier ones, the largest 2^(10/4) times the median
        Features f = enrich(tx(acct, "q", t).amount("50.00", "USD"));
        assertEquals(2L, f.amountOutliers7d());
        assertEquals(new BigDecimal("5.6569"), f.maxAmountToMedianRatio7d());
        // Other currencies are not compared: no EUR history, no median
        Features eur = enrich(tx(acct, "e", t.plusSeconds(1)).amount("50.00", "EUR"));
        assertEquals(0L, eur.amountOutliers7d());
        assertEquals(new BigDecimal("-1.0000"), eur.maxAmountToMedianRatio7d());
    }

    @Test
    void shouldCountTheMerchantsKnownFraudsOfThe24HoursEndingExactlySevenDaysBefore() {
        String merchant = "shop24-" + acct;
        Instant a = T0.plusSeconds(3600);
        Duration week = Duration.ofDays(7);
        // f0 and f1 are frauds, f1's label known only 12 hours after a week; l0 has no label
        enrich(tx(acct, acct + "-f0", a).merchant(merchant));
        enrich(tx(acct, acct + "-l0", a.plusSeconds(2 * 3600)).merchant(merchant));
        enrich(tx(acct, acct + "-f1", a.plusSeconds(6 * 3600)).merchant(merchant));
        assertTrue(store().applyLabel(new Label(acct + "-f0", Label.Kind.FRAUD, "chargeback", a.plus(Duration.ofDays(1)))));
        assertTrue(store().applyLabel(new Label(acct + "-f1", Label.Kind.FRAUD, "chargeback", a.plus(week).plusSeconds(12 * 3600))));

        // The window is [t - 8 d, t - 7 d): at exactly a week after f0 it ends at f0, which is left out
        assertEquals(0L, enrich(tx(acct, "w0", a.plus(week)).merchant(merchant)).merchantFraudCount24hDelayed());
        // A second later f0 is in it; f1 is too, but its label is not known yet
        assertEquals(1L, enrich(tx(acct, "w1", a.plus(week).plusSeconds(6 * 3600 + 1)).merchant(merchant)).merchantFraudCount24hDelayed());
        // Once f1's label is known, both
        assertEquals(2L, enrich(tx(acct, "w2", a.plus(week).plusSeconds(12 * 3600)).merchant(merchant)).merchantFraudCount24hDelayed());
        // At exactly 8 days after f0 it is the window's first instant, still in; a second later it has left
        assertEquals(2L, enrich(tx(acct, "w3", a.plus(Duration.ofDays(8))).merchant(merchant)).merchantFraudCount24hDelayed());
        assertEquals(1L, enrich(tx(acct, "w4", a.plus(Duration.ofDays(8)).plusSeconds(1)).merchant(merchant)).merchantFraudCount24hDelayed());
        assertEquals(0L, enrich(tx(acct, "w5", a.plus(Duration.ofDays(8)).plusSeconds(2))).merchantFraudCount24hDelayed(), "no merchant");
    }

    @Test
    void shouldCountTheMerchantsLatestKnownFraudOnlyDaysEndingAtTheLabelDelayAndTellTheirAge() {
        String merchant = "shop-" + acct;
        Instant day0 = Instant.ofEpochSecond((T0.getEpochSecond() / 86_400 + 1) * 86_400); // a UTC midnight, day X
        // Day X: a0 (fraud) and a; day X+2: b and c (both fraud); day X+4: d (fraud, known on day X+12)
        enrich(tx(acct, acct + "-a0", day0.plusSeconds(9 * 3600)).merchant(merchant));
        enrich(tx(acct, acct + "-a", day0.plusSeconds(10 * 3600)).merchant(merchant));
        enrich(tx(acct, acct + "-b", day0.plusSeconds(2 * 86_400 + 10 * 3600)).merchant(merchant));
        enrich(tx(acct, acct + "-c", day0.plusSeconds(2 * 86_400 + 11 * 3600)).merchant(merchant));
        enrich(tx(acct, acct + "-d", day0.plusSeconds(4 * 86_400 + 10 * 3600)).merchant(merchant));
        for (String id : List.of("a0", "b", "c")) {
            assertTrue(store().applyLabel(new Label(acct + "-" + id, Label.Kind.FRAUD, "chargeback", day0.plusSeconds(5 * 86_400))));
        }
        Instant dKnown = day0.plusSeconds(12 * 86_400 + 12 * 3600);
        assertTrue(store().applyLabel(new Label(acct + "-d", Label.Kind.FRAUD, "chargeback", dKnown)));

        // On day X+9 the window ends with day X+1: day X+1 has no transaction, day X one that is not fraud
        Features q0 = enrich(tx(acct, "q0", day0.plusSeconds(9 * 86_400)).merchant(merchant));
        assertEquals(0L, q0.merchantFraudStreakDelayed());
        assertEquals(-1L, q0.merchantFraudStreakAgeDelayed(), "no streak, no age");
        // On day X+10 it ends with day X+2: b and c, then day X stops the streak; its oldest day is X+2, 8 days ago
        Features q1 = enrich(tx(acct, "q1", day0.plusSeconds(10 * 86_400)).merchant(merchant));
        assertEquals(2L, q1.merchantFraudStreakDelayed());
        assertEquals(8L, q1.merchantFraudStreakAgeDelayed());
        // On day X+12 it ends with day X+4: d, whose label is not known yet, stops it at once
        Features q2 = enrich(tx(acct, "q2", dKnown.minusNanos(1)).merchant(merchant));
        assertEquals(0L, q2.merchantFraudStreakDelayed());
        assertEquals(-1L, q2.merchantFraudStreakAgeDelayed());
        // From the moment d's label is known: d, then (day X+3 empty) b and c; the oldest day is still X+2, now 10 days ago
        Features q3 = enrich(tx(acct, "q3", dKnown).merchant(merchant));
        assertEquals(3L, q3.merchantFraudStreakDelayed());
        assertEquals(10L, q3.merchantFraudStreakAgeDelayed(), "from the streak's oldest day, not its newest (X+4)");
        Features q4 = enrich(tx(acct, "q4", dKnown.plusSeconds(1)));
        assertEquals(0L, q4.merchantFraudStreakDelayed(), "no merchant");
        assertEquals(-1L, q4.merchantFraudStreakAgeDelayed(), "no merchant");
    }
}
