package dev.vigil.feature;

import dev.vigil.event.GeoLocation;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.Map;

/**
 * Turns what a store returns for one transaction (aggregates of its series, the previous
 * transaction, novelty, counterparties, profile) into {@link Features}. Both stores call it, so the
 * Redis store and the reference differ only in how they find those inputs, and live scoring and a
 * replay of history compute features with this one piece of code.
 */
final class FeatureMath {

    private FeatureMath() {}

    static final long NOVELTY_SECONDS = 90L * 86_400;
    /**
     * The window of {@code distinct_merchants_5m}: merchants of the account's transactions with an event
     * time in (t - 5 min, t], to the nanosecond (not bucketed: a card-testing burst is minutes long).
     */
    static final long DISTINCT_MERCHANTS_SECONDS = 300;
    private static final double EARTH_RADIUS_KM = 6371.0088;
    private static final BigDecimal UNKNOWN_RATIO = new BigDecimal("-1.0000");
    private static final BigDecimal UNKNOWN_KM = new BigDecimal("-1.000");
    private static final BigDecimal ZERO_Z = new BigDecimal("0.0000");
    private static final MathContext SQRT = new MathContext(20, RoundingMode.HALF_EVEN);

    /** What the features of one transaction depend on in the event itself. */
    record Self(Instant occurredAt, TransactionType type, BigDecimal amount, Currency currency, long merchantRiskClass,
            GeoLocation geo, long[] increments) {

        /**
         * The event's inputs, with its {@link Series#increments} worked out once: the features read the event's own
         * bins and values from them rather than computing each again (BigDecimal and BigInteger work every time).
         */
        static Self of(TransactionEvent e) {
            return new Self(e.occurredAt(), e.type(), e.amount(), e.currency(),
                    MerchantRisk.riskClass(e.merchantCategory()), e.geo(), Series.increments(e));
        }

        /** What the event adds to the series (0: nothing). */
        long value(Series s) {
            return increments[2 * s.ordinal() + 1];
        }

        /** The aggregate key the event adds to in the series ({@link Series#key}); meaningful where {@link #value} is not 0. */
        int key(Series s) {
            return (int) increments[2 * s.ordinal()];
        }
    }

    /** A located transaction, as the account's located list keeps it: time, micro-degrees, country. */
    record Located(Instant at, long latMicro, long lonMicro, String country) {

        static Located of(Instant at, GeoLocation g) {
            return new Located(at, microDegrees(g.lat()), microDegrees(g.lon()), g.country());
        }

        /** Ordered as the time, then the rest: the order that picks the previous located transaction among equal times. */
        String member() {
            return RedisFeatureStore.encodeTime(at) + "|" + String.format("%09d", latMicro + 90_000_000L) + "|"
                    + String.format("%09d", lonMicro + 180_000_000L) + "|" + country;
        }
    }

    /** What the account's own state gives for one transaction. */
    record AccountPart(
            Aggregates counts,
            Aggregates sums,
            long secondsSincePrevious,
            boolean first,
            boolean newMerchant,
            boolean newDevice,
            boolean newIp,
            boolean newCountry,
            long fanIn,
            long fanOut,
            Located previousLocated,
            AccountProfile profile,
            boolean blacklisted,
            boolean whitelisted,
            long distinctMerchants5m) {}

    /**
     * Velocity of a customer, device, IP or merchant: its aggregates and whole seconds since its latest earlier-or-equal
     * event second (-1 for none); null when the event has none.
     * Merchants only: {@code fraudKnown} per {@link #FRAUD_WINDOWS}, and per {@link #DELAYED_WINDOW_DAYS} the
     * known frauds and transactions of the delayed window ({@link #delayedWindowFirstDay}), its
     * {@link FraudStreak}, and {@code latestKnownDayFrauds} ({@link #latestKnownDay}); zeros and
     * {@link FraudStreak#NONE} for other kinds.
     */
    record EntityPart(Aggregates counts, Aggregates sums, long secondsSincePrevious, boolean blacklisted,
            boolean whitelisted, long[] fraudKnown, long[] delayedFrauds, long[] delayedTransactions, FraudStreak fraudStreak,
            long latestKnownDayFrauds) {}

    /**
     * {@code merchant_fraud_count_24h_delayed} counts the merchant's transactions at or after the first instant and
     * before the second with a FRAUD label known by the event's time t: the 24 hours that end exactly
     * {@link #LABEL_DELAY_DAYS} days before t, the latest whole day whose labels the delay has all brought in.
     */
    static Instant[] latestKnownDay(Instant t) {
        Instant end = t.minus(java.time.Duration.ofDays(LABEL_DELAY_DAYS));
        return new Instant[] {end.minus(java.time.Duration.ofDays(1)), end};
    }

    /** True when {@code x} lies in the window of {@link #latestKnownDay}. */
    static boolean inLatestKnownDay(Instant[] day, Instant x) {
        return !x.isBefore(day[0]) && x.isBefore(day[1]);
    }

    /**
     * A merchant's known-fraud streak behind the label delay: over the days of the 30-day delayed window, newest
     * first, the days whose transactions all have a known FRAUD label, up to the first day with one that has none
     * (days without transactions are passed over). {@code transactions} is {@code merchant_fraud_streak_delayed};
     * {@code oldestDay} the UTC day number of the streak's oldest day, -1 when there is no streak.
     */
    record FraudStreak(long transactions, long oldestDay) {
        static final FraudStreak NONE = new FraudStreak(0, -1);

        /**
         * {@code merchant_fraud_streak_age_delayed}: whole UTC days from the streak's oldest day to the event's day
         * (at least 8), -1 without a streak. A compromise shows as a streak that grows older day by day; once it
         * is over, its streak keeps growing older for the 7 days of the label delay although new transactions are
         * clean again.
         */
        long ageDays(long eventDay) {
            return transactions == 0 ? -1 : eventDay - oldestDay;
        }
    }

    /**
     * The {@link FraudStreak} of a merchant's delayed window.
     *
     * @param transactions the window's days, day number to the merchant's transactions on it
     * @param frauds the window's days, day number to those transactions with a FRAUD label known by the event's time
     */
    static FraudStreak fraudStreak(java.util.NavigableMap<Long, Long> transactions, Map<Long, Long> frauds) {
        long streak = 0;
        long oldest = -1;
        for (Map.Entry<Long, Long> d : transactions.descendingMap().entrySet()) {
            if (d.getValue() == 0) continue;
            if (frauds.getOrDefault(d.getKey(), 0L) < d.getValue()) break;
            streak += d.getValue();
            oldest = d.getKey();
        }
        return streak == 0 ? FraudStreak.NONE : new FraudStreak(streak, oldest);
    }

    /**
     * The label delay of the {@code merchant_fraud_rate_*_delayed} features, in whole UTC days: their windows
     * end at the start of UTC day D - 7 for a transaction on day D, so every transaction they count is at least
     * 7 days old and, with labels arriving within 7 days, already labelled.
     */
    static final long LABEL_DELAY_DAYS = 7;
    /** The lengths of the delayed windows, in UTC days (1, 7, 30): features {@code _1d_delayed}, {@code _7d_delayed}, {@code _30d_delayed}. */
    static final long[] DELAYED_WINDOW_DAYS = {1, 7, 30};
    /** The positions in {@link Features#NAMES} of the delayed fraud rates, by window. */
    private static final int[] DELAYED_RATE_AT = positions("merchant_fraud_rate_1d_delayed",
            "merchant_fraud_rate_7d_delayed", "merchant_fraud_rate_30d_delayed");
    /**
     * How many UTC days of merchant transaction counts the Redis store keeps behind the day of the newest
     * event minus the allowed lateness: the longest delayed window reaches back to day D - 7 - 30.
     */
    static final long DAY_COUNTS_KEPT = LABEL_DELAY_DAYS + 30;

    /** The UTC day (days since 1970-01-01) of an epoch second. */
    static long utcDay(long epochSecond) {
        return Math.floorDiv(epochSecond, 86_400L);
    }

    /** The first UTC day of delayed window w for a transaction on UTC day d; its last day is d - 8 for every w. */
    static long delayedWindowFirstDay(long d, int w) {
        return d - LABEL_DELAY_DAYS - DELAYED_WINDOW_DAYS[w];
    }

    /** The last UTC day of every delayed window for a transaction on UTC day d: the day before d - 7. */
    static long delayedWindowLastDay(long d) {
        return d - LABEL_DELAY_DAYS - 1;
    }

    static long microDegrees(double degrees) {
        return Math.round(degrees * 1e6);
    }

    static Features features(Self self, AccountPart a, EntityPart customer, EntityPart device, EntityPart ip,
            EntityPart merchant) {
        int digits = self.currency().getDefaultFractionDigits();
        Instant t = self.occurredAt();
        Features.Values f = new Features.Values();

        // Velocity of the account: the event itself included.
        f.put("tx_count_1m", count(a, Series.COUNT_1M));
        f.put("tx_count_5m", count(a, Series.COUNT_5M));
        f.put("tx_count_15m", count(a, Series.COUNT_15M));
        f.put("tx_count_1h", count(a, Series.COUNT_1H));
        f.put("tx_count_24h", count(a, Series.COUNT_24H));
        f.put("tx_count_7d", count(a, Series.COUNT_7D));
        f.put("tx_count_30d", count(a, Series.COUNT_30D));
        f.put("tx_sum_1m", money(a.sums(), Series.SUM_1M, digits));
        f.put("tx_sum_5m", money(a.sums(), Series.SUM_5M, digits));
        f.put("tx_sum_15m", money(a.sums(), Series.SUM_15M, digits));
        f.put("tx_sum_1h", money(a.sums(), Series.SUM_1H, digits));
        f.put("tx_sum_24h", money(a.sums(), Series.SUM_24H, digits));
        f.put("tx_sum_7d", money(a.sums(), Series.SUM_7D, digits));
        f.put("tx_sum_30d", money(a.sums(), Series.SUM_30D, digits));
        f.put("seconds_since_previous", a.secondsSincePrevious());
        f.put("days_dormant", a.secondsSincePrevious() < 0 ? -1L : a.secondsSincePrevious() / 86_400);
        f.put("first_transaction", a.first());

        // AML
        long age = accountAgeDays(a.profile(), t);
        long deposits = count(a, Series.DEPOSIT_COUNT_7D);
        BigDecimal depositSum = money(a.sums(), Series.DEPOSIT_SUM_7D, digits);
        f.put("account_age_days", age);
        f.put("balance_deposit_count_7d", deposits);
        f.put("balance_deposit_sum_7d", depositSum);
        f.put("deposit_to_net_worth_ratio", RedisFeatureStore.ratio(depositSum, self.currency(), a.profile()));
        f.put("new_account_deposit_count_7d", age >= 0 && age < 180 ? deposits : 0L);
        f.put("structuring_count_24h", count(a, Series.STRUCTURING_COUNT_24H));
        f.put("structuring_count_7d", count(a, Series.STRUCTURING_COUNT_7D));
        f.put("structuring_sum_24h", money(a.sums(), Series.STRUCTURING_SUM_24H, digits));
        f.put("structuring_sum_7d", money(a.sums(), Series.STRUCTURING_SUM_7D, digits));
        f.put("fan_in_24h", a.fanIn());
        f.put("fan_out_24h", a.fanOut());
        BigInteger in = get(a.sums(), Series.INFLOW_SUM_3D.key(0));
        BigInteger out = get(a.sums(), Series.OUTFLOW_SUM_3D.key(0));
        f.put("rapid_in_out_ratio_3d", in.signum() == 0 ? UNKNOWN_RATIO
                : new BigDecimal(out.min(in)).divide(new BigDecimal(in), 4, RoundingMode.HALF_UP));

        // Amount behaviour, against the earlier transactions: the event's own increment taken out.
        long n = prior(a.sums(), Series.STAT_N_30D, self).longValueExact();
        BigInteger s = prior(a.sums(), Series.STAT_S_30D, self);
        BigInteger q = prior(a.sums(), Series.STAT_Q_30D, self);
        f.put("amount_zscore_30d", zScore(n, s, q, Series.wholeUnits(self.amount())));
        int medianBin = medianBin(a.sums(), self.key(Series.AMOUNT_HIST_30D), self.value(Series.AMOUNT_HIST_30D));
        f.put("amount_to_median_ratio_30d", medianRatio(medianBin, self));
        AmountOutliers outliers = amountOutliers(a.sums(), self, medianBin);
        f.put("amount_outliers_7d", outliers.count());
        f.put("max_amount_to_median_ratio_7d", outliers.maxRatio());
        f.put("round_amount", self.amount().compareTo(BigDecimal.valueOf(100)) >= 0
                && self.amount().remainder(BigDecimal.valueOf(100)).signum() == 0);

        // Novelty
        f.put("new_merchant", a.newMerchant());
        f.put("new_device", a.newDevice());
        f.put("new_ip", a.newIp());
        f.put("new_country", a.newCountry());
        f.put("distinct_merchants_5m", a.distinctMerchants5m());

        // Geography
        Located prev = a.previousLocated();
        if (self.geo() != null && prev != null) {
            Located now = Located.of(t, self.geo());
            double km = distanceKm(prev.latMicro(), prev.lonMicro(), now.latMicro(), now.lonMicro());
            long elapsed = wholeSeconds(prev.at(), t);
            f.put("distance_from_previous_km", km(km));
            f.put("implied_speed_kmh", km(km / (Math.max(elapsed, 60) / 3600.0)));
            f.put("country_changed_1h", elapsed <= 3600 && !prev.country().equals(now.country()));
        } else {
            f.put("distance_from_previous_km", UNKNOWN_KM);
            f.put("implied_speed_kmh", UNKNOWN_KM);
            f.put("country_changed_1h", false);
        }
        long located = prior(a.counts(), Series.LOCATED_30D, self).longValueExact();
        if (self.geo() != null && located > 0) {
            double lat = prior(a.counts(), Series.LAT_30D, self).doubleValue() / located - 90_000_000.0;
            double lon = prior(a.counts(), Series.LON_30D, self).doubleValue() / located - 180_000_000.0;
            f.put("distance_from_usual_km", km(distanceKm(lat, lon,
                    microDegrees(self.geo().lat()), microDegrees(self.geo().lon()))));
        } else {
            f.put("distance_from_usual_km", UNKNOWN_KM);
        }

        // Time, in UTC: the event contract carries no time zone.
        int hour = self.key(Series.HOUR_30D) - Series.HOUR_30D.key(0); // every event adds 1 to its hour
        f.put("hour_of_day_utc", (long) hour);
        long total = 0;
        for (int h = 0; h < 24; h++) total += a.counts().longValueExact(Series.HOUR_30D.key(h));
        total -= self.value(Series.HOUR_30D); // the event's own increment, in its own hour
        long same = prior(a.counts(), Series.HOUR_30D, self).longValueExact();
        f.put("hour_of_day_share_30d", total == 0 ? UNKNOWN_RATIO
                : BigDecimal.valueOf(same).divide(BigDecimal.valueOf(total), 4, RoundingMode.HALF_UP));
        f.put("night_utc", hour < 6);
        DayOfWeek day = t.atOffset(ZoneOffset.UTC).getDayOfWeek();
        f.put("weekend_utc", day == DayOfWeek.SATURDAY || day == DayOfWeek.SUNDAY);

        f.put("merchant_risk_class", self.merchantRiskClass());
        for (int w = 0; w < 3; w++) {
            long m = merchant == null ? 0 : merchant.counts().longValueExact(FRAUD_WINDOWS[w].key(0));
            f.set(RATE_AT[w], m == 0 ? UNKNOWN_RATIO
                    : BigDecimal.valueOf(merchant.fraudKnown()[w]).divide(BigDecimal.valueOf(m), 4, RoundingMode.HALF_UP));
        }
        f.put("merchant_fraud_streak_delayed", merchant == null ? 0L : merchant.fraudStreak().transactions());
        f.put("merchant_fraud_streak_age_delayed", merchant == null ? -1L : merchant.fraudStreak().ageDays(utcDay(t.getEpochSecond())));
        f.put("merchant_fraud_count_24h_delayed", merchant == null ? 0L : merchant.latestKnownDayFrauds());
        for (int w = 0; w < 3; w++) {
            long m = merchant == null ? 0 : merchant.delayedTransactions()[w];
            f.set(DELAYED_RATE_AT[w], m == 0 ? UNKNOWN_RATIO
                    : BigDecimal.valueOf(merchant.delayedFrauds()[w]).divide(BigDecimal.valueOf(m), 4, RoundingMode.HALF_UP));
        }

        // Lists, as they were when the transaction was first enriched
        f.put("account_blacklisted", a.blacklisted());
        f.put("account_whitelisted", a.whitelisted());
        f.put("customer_blacklisted", customer != null && customer.blacklisted());
        f.put("customer_whitelisted", customer != null && customer.whitelisted());
        f.put("device_blacklisted", device != null && device.blacklisted());
        f.put("device_whitelisted", device != null && device.whitelisted());
        f.put("ip_blacklisted", ip != null && ip.blacklisted());
        f.put("ip_whitelisted", ip != null && ip.whitelisted());
        f.put("merchant_blacklisted", merchant != null && merchant.blacklisted());
        f.put("merchant_whitelisted", merchant != null && merchant.whitelisted());

        // Other entities
        entity(f, CUSTOMER, customer, digits);
        entity(f, DEVICE, device, digits);
        entity(f, IP, ip, digits);
        entity(f, MERCHANT, merchant, digits);
        return Features.exact(f);
    }

    /** One window of another entity's velocity: the positions of its two features in {@link Features#NAMES} and the series they read. */
    private record EntityWindow(int countAt, int sumAt, Series count, Series sum) {}

    /** Another entity's velocity features: their positions and series, worked out once, not per transaction. */
    private record EntityFeatures(int secondsSincePreviousAt, EntityWindow[] windows) {

        static EntityFeatures of(String entity) {
            String[] windows = {"1m", "5m", "15m", "1h", "24h", "7d", "30d"};
            EntityWindow[] out = new EntityWindow[windows.length];
            for (int i = 0; i < windows.length; i++) {
                String w = windows[i].toUpperCase(java.util.Locale.ROOT);
                out[i] = new EntityWindow(Features.Values.position(entity + "_tx_count_" + windows[i]),
                        Features.Values.position(entity + "_tx_sum_" + windows[i]), Series.valueOf("COUNT_" + w),
                        Series.valueOf("SUM_" + w));
            }
            return new EntityFeatures(Features.Values.position(entity + "_seconds_since_previous"), out);
        }
    }

    private static final EntityFeatures CUSTOMER = EntityFeatures.of("customer");
    private static final EntityFeatures DEVICE = EntityFeatures.of("device");
    private static final EntityFeatures IP = EntityFeatures.of("ip");
    private static final EntityFeatures MERCHANT = EntityFeatures.of("merchant");
    /** The positions in {@link Features#NAMES} of the fraud rates, by window. */
    private static final int[] RATE_AT = positions("merchant_fraud_rate_1d", "merchant_fraud_rate_7d", "merchant_fraud_rate_30d");

    private static int[] positions(String... names) {
        int[] at = new int[names.length];
        for (int i = 0; i < names.length; i++) at[i] = Features.Values.position(names[i]);
        return at;
    }

    private static void entity(Features.Values f, EntityFeatures names, EntityPart p, int digits) {
        f.set(names.secondsSincePreviousAt(), p == null ? -1L : p.secondsSincePrevious());
        for (EntityWindow w : names.windows()) {
            f.set(w.countAt(), p == null ? 0L : p.counts().longValueExact(w.count().key(0)));
            f.set(w.sumAt(), p == null ? BigDecimal.ZERO.setScale(digits) : money(p.sums(), w.sum(), digits));
        }
    }

    /**
     * The series every customer, device, IP and merchant keeps: what the Redis store counts per entity and the
     * reference sums (the velocity windows; a merchant's fraud rates divide by three of its counts). In ascending
     * series id, as {@link Series#values()} is within counts and within sums: an event's increments then come in key
     * order ({@link EntityState#increments}), which {@link BucketTable#aggregate} merges cheapest.
     */
    static final Series[] ENTITY_SERIES = {Series.COUNT_1M, Series.COUNT_1H, Series.COUNT_24H, Series.COUNT_7D,
        Series.COUNT_5M, Series.COUNT_15M, Series.COUNT_30D, Series.SUM_1M, Series.SUM_1H, Series.SUM_24H, Series.SUM_7D,
        Series.SUM_5M, Series.SUM_15M, Series.SUM_30D};

    /** The windows of the merchant fraud rates: the series whose count is their denominator. */
    static final Series[] FRAUD_WINDOWS = {Series.COUNT_24H, Series.COUNT_7D, Series.COUNT_30D};

    /** The series of the account. */
    static final Series[] ACCOUNT_SERIES = Series.values();

    private static long count(AccountPart a, Series s) {
        return a.counts().longValueExact(s.key(0));
    }

    private static BigDecimal money(Aggregates m, Series s, int digits) {
        return m.money(s.key(0), digits);
    }

    private static BigInteger get(Aggregates m, int key) {
        return m.get(key);
    }

    /** The aggregate without the event's own increment. */
    /** The aggregate of the event's own bin without the event's own increment (a series it adds nothing to: bin 0, as it is). */
    private static BigInteger prior(Aggregates m, Series s, Self self) {
        long own = self.value(s);
        if (own == 0) return get(m, s.key(0)); // only unbinned series can have nothing added
        return get(m, self.key(s)).subtract(BigInteger.valueOf(own));
    }

    static long accountAgeDays(AccountProfile profile, Instant t) {
        if (profile == null || profile.openedAt() == null) return -1;
        long seconds = wholeSeconds(profile.openedAt(), t);
        return seconds < 0 ? 0 : seconds / 86_400;
    }

    /** Whole seconds from a to b, floored. */
    static long wholeSeconds(Instant a, Instant b) {
        long d = b.getEpochSecond() - a.getEpochSecond();
        if (b.getNano() < a.getNano()) d--;
        return d;
    }

    /** (n x - S) / sqrt(n Q - S^2): the z-score against the population mean and stddev; 0 below 2 or at stddev 0. */
    static BigDecimal zScore(long n, BigInteger s, BigInteger q, long x) {
        if (n < 2) return ZERO_Z;
        BigInteger nb = BigInteger.valueOf(n);
        BigInteger var = nb.multiply(q).subtract(s.multiply(s));
        if (var.signum() <= 0) return ZERO_Z;
        BigInteger num = nb.multiply(BigInteger.valueOf(x)).subtract(s);
        BigDecimal quick = quotientOfRoot(num, var);
        return quick != null ? quick : new BigDecimal(num).divide(new BigDecimal(var).sqrt(SQRT), 4, RoundingMode.HALF_UP);
    }

    /**
     * num / √var to 4 decimals HALF_UP, worked out in doubles, when that is provably what {@link #zScore}'s
     * computation (a square root at 20 digits, then an exact division rounded HALF_UP) gives; null when the quotient
     * lies too near half a unit of the 4th decimal for doubles to tell which way it rounds. The doubles' answer is
     * within a relative 2^-50 of the exact quotient (two conversions, the root, the division and the scaling each err
     * by at most half an ulp), the 20-digit one within 10^-19; so when the scaled double is farther than a relative
     * 2^-40 from the nearest half, both round to the same integer. The BigDecimal square root took about 6 % of the
     * feature store's Java time.
     */
    static BigDecimal quotientOfRoot(BigInteger num, BigInteger var) {
        double scaled = num.doubleValue() / Math.sqrt(var.doubleValue()) * 10_000;
        double magnitude = Math.abs(scaled);
        if (!(magnitude < 0x1p52)) return null; // also NaN and infinity
        double distanceFromHalf = Math.abs(magnitude - Math.floor(magnitude) - 0.5);
        if (distanceFromHalf <= (magnitude + 1) * 0x1p-40) return null;
        return BigDecimal.valueOf(Math.round(scaled), 4);
    }

    /** amount / the centre of {@code bin}, the bin holding the lower median of the earlier amounts' histogram ({@link #medianBin}). */
    static BigDecimal medianRatio(int bin, Self self) {
        if (bin <= 0) return UNKNOWN_RATIO; // no earlier amount (-1), or the median is 0
        double medianMinor = StrictMath.pow(2, (bin - 0.5) / 4);
        double ratio = RedisFeatureStore.minorUnits(self.amount(), self.currency()) / medianMinor;
        return BigDecimal.valueOf(ratio).setScale(4, RoundingMode.HALF_UP);
    }

    private static final int AMOUNT_BINS = 254;
    /** Amount bins above the 30-day median's bin from which an amount is an outlier: 2^(7/4), about 3.4 times. */
    static final int OUTLIER_BINS = 7;

    /** {@code amount_outliers_7d} and {@code max_amount_to_median_ratio_7d}. */
    record AmountOutliers(long count, BigDecimal maxRatio) {}

    /**
     * The account's earlier amounts of the last 7 days (the 7-day histogram without the event's own increment) against
     * the bin of its 30-day median ({@code median}, from {@link #medianBin}): how many lie {@link #OUTLIER_BINS} or more bins above it, and
     * the largest as a ratio to it, 2^((bin - median bin) / 4) (-1.0000 without a median or without earlier amounts).
     * A card being misused shows as unusual amounts over days, not only in the transaction at hand.
     */
    static AmountOutliers amountOutliers(Aggregates sums, Self self, int median) {
        if (median < 0) return new AmountOutliers(0, UNKNOWN_RATIO);
        int first = Series.AMOUNT_HIST_7D.key(0);
        int end = Series.AMOUNT_HIST_7D.key(AMOUNT_BINS);
        int ownKey = self.key(Series.AMOUNT_HIST_7D);
        long own = self.value(Series.AMOUNT_HIST_7D);
        long count = 0;
        int max = -1;
        for (int i = sums.indexFrom(first); i < sums.size() && sums.keyAt(i) < end; i++) {
            long n = sums.longValueExactAt(i) - (sums.keyAt(i) == ownKey ? own : 0);
            if (n <= 0) continue;
            int bin = sums.keyAt(i) - first;
            if (bin >= median + OUTLIER_BINS) count += n;
            max = bin;
        }
        BigDecimal ratio = max < 0 ? UNKNOWN_RATIO
                : BigDecimal.valueOf(StrictMath.pow(2, (max - median) / 4.0)).setScale(4, RoundingMode.HALF_UP);
        return new AmountOutliers(count, ratio);
    }

    /**
     * The amount bin holding the lower median of the histogram without the event's own increment ({@code own} in
     * aggregate key {@code ownKey}); -1 when that leaves it empty. The first bin whose running total reaches
     * (n + 1) / 2, read from the histogram's keys in order, without an array of all 254 bins (2 KB per event): the
     * bins without a key add nothing to the running total.
     */
    static int medianBin(Aggregates sums, int ownKey, long own) {
        int first = Series.AMOUNT_HIST_30D.key(0);
        int end = Series.AMOUNT_HIST_30D.key(AMOUNT_BINS);
        int ownBin = ownKey - first;
        if (own != 0 && (ownBin < 0 || ownBin >= AMOUNT_BINS)) {
            throw new IllegalArgumentException("amount bin out of range: " + ownBin);
        }
        int from = sums.indexFrom(first);
        long n = -own;
        for (int i = from; i < sums.size() && sums.keyAt(i) < end; i++) n += sums.longValueExactAt(i);
        if (n == 0) return -1;
        long need = (n + 1) / 2;
        // The array scan checked the running total at every bin; a bin without a key or the event's increment
        // leaves it as it was, so only bin 0 needs its own check (only a histogram with negative bins gets there).
        boolean binZeroCounts = (from < sums.size() && sums.keyAt(from) == first) || (own != 0 && ownBin == 0);
        if (!binZeroCounts && need <= 0) return 0;
        long seen = 0;
        boolean ownTaken = own == 0;
        for (int i = from; ; i++) {
            int b = i < sums.size() && sums.keyAt(i) < end ? sums.keyAt(i) - first : AMOUNT_BINS;
            if (!ownTaken && ownBin <= b) {
                seen -= own; // the event's own increment, taken out of its bin (whether or not the bin has a key)
                ownTaken = true;
                if (ownBin < b && seen >= need) return ownBin;
            }
            if (b == AMOUNT_BINS) return AMOUNT_BINS; // never reached, as the full scan ended past the last bin
            seen += sums.longValueExactAt(i);
            if (seen >= need) return b;
        }
    }

    /** Haversine distance between two points given in micro-degrees; StrictMath so both stores agree to the bit. */
    static double distanceKm(double lat1Micro, double lon1Micro, double lat2Micro, double lon2Micro) {
        double p1 = StrictMath.toRadians(lat1Micro / 1e6);
        double p2 = StrictMath.toRadians(lat2Micro / 1e6);
        double dp = p2 - p1;
        double dl = StrictMath.toRadians((lon2Micro - lon1Micro) / 1e6);
        double h = StrictMath.sin(dp / 2) * StrictMath.sin(dp / 2)
                + StrictMath.cos(p1) * StrictMath.cos(p2) * StrictMath.sin(dl / 2) * StrictMath.sin(dl / 2);
        return 2 * EARTH_RADIUS_KM * StrictMath.asin(StrictMath.sqrt(Math.min(1.0, h)));
    }

    private static BigDecimal km(double v) {
        return BigDecimal.valueOf(v).setScale(3, RoundingMode.HALF_UP);
    }
}
