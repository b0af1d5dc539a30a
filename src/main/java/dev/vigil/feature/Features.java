package dev.vigil.feature;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The behavioural features of one transaction, computed in event time from everything Vigil saw
 * before it, the transaction itself included. A fact in the rule session (JavaBean getters, the
 * camelCase of each snake_case name) and the model's input ({@link #vector(List)}).
 *
 * <p>{@link #NAMES} lists every feature; the first fifteen are the original catalogue, in their
 * original order. Each feature's entity, window, definition and unit are in {@code docs/features.md}.
 * Sums are exact, in the transaction's own currency.
 *
 * <p>Snapshots written before the catalogue grew (the fifteen original features only) are read
 * back by {@link #fromMap} with every later feature at its documented default ({@link #DEFAULTS}):
 * 0 for counts and sums, false for flags, -1 (or -1.0000) for "unknown", 0.0000 for the z-score.
 */
public record Features(        long txCount1m,
        long txCount1h,
        long txCount24h,
        long txCount7d,
        BigDecimal txSum1m,
        BigDecimal txSum1h,
        BigDecimal txSum24h,
        BigDecimal txSum7d,
        long accountAgeDays,
        long balanceDepositCount7d,
        BigDecimal balanceDepositSum7d,
        BigDecimal depositToNetWorthRatio,
        boolean newMerchant,
        boolean newDevice,
        long secondsSincePrevious,
        long txCount5m,
        long txCount15m,
        long txCount30d,
        BigDecimal txSum5m,
        BigDecimal txSum15m,
        BigDecimal txSum30d,
        boolean firstTransaction,
        long daysDormant,
        BigDecimal amountZscore30d,
        BigDecimal amountToMedianRatio30d,
        boolean roundAmount,
        boolean newIp,
        boolean newCountry,
        BigDecimal distanceFromPreviousKm,
        BigDecimal impliedSpeedKmh,
        boolean countryChanged1h,
        BigDecimal distanceFromUsualKm,
        long hourOfDayUtc,
        BigDecimal hourOfDayShare30d,
        boolean nightUtc,
        boolean weekendUtc,
        long newAccountDepositCount7d,
        long structuringCount24h,
        long structuringCount7d,
        BigDecimal structuringSum24h,
        BigDecimal structuringSum7d,
        long fanIn24h,
        long fanOut24h,
        BigDecimal rapidInOutRatio3d,
        long customerTxCount1h,
        long customerTxCount24h,
        long customerTxCount7d,
        BigDecimal customerTxSum1h,
        BigDecimal customerTxSum24h,
        BigDecimal customerTxSum7d,
        long deviceTxCount1h,
        long deviceTxCount24h,
        BigDecimal deviceTxSum1h,
        BigDecimal deviceTxSum24h,
        long ipTxCount1h,
        long ipTxCount24h,
        BigDecimal ipTxSum1h,
        BigDecimal ipTxSum24h,
        long merchantTxCount1m,
        long merchantTxCount1h,
        long merchantTxCount24h,
        BigDecimal merchantTxSum1m,
        BigDecimal merchantTxSum1h,
        BigDecimal merchantTxSum24h,
        boolean accountBlacklisted,
        boolean accountWhitelisted,
        boolean customerBlacklisted,
        boolean customerWhitelisted,
        boolean deviceBlacklisted,
        boolean deviceWhitelisted,
        boolean ipBlacklisted,
        boolean ipWhitelisted,
        boolean merchantBlacklisted,
        boolean merchantWhitelisted,
        long merchantRiskClass,
        BigDecimal merchantFraudRate1d,
        BigDecimal merchantFraudRate7d,
        BigDecimal merchantFraudRate30d,
        long distinctMerchants5m,
        BigDecimal merchantFraudRate1dDelayed,
        BigDecimal merchantFraudRate7dDelayed,
        BigDecimal merchantFraudRate30dDelayed,
        long merchantFraudStreakDelayed,
        long customerTxCount1m,
        long customerTxCount5m,
        long customerTxCount15m,
        long customerTxCount30d,
        BigDecimal customerTxSum1m,
        BigDecimal customerTxSum5m,
        BigDecimal customerTxSum15m,
        BigDecimal customerTxSum30d,
        long customerSecondsSincePrevious,
        long deviceTxCount1m,
        long deviceTxCount5m,
        long deviceTxCount15m,
        long deviceTxCount7d,
        long deviceTxCount30d,
        BigDecimal deviceTxSum1m,
        BigDecimal deviceTxSum5m,
        BigDecimal deviceTxSum15m,
        BigDecimal deviceTxSum7d,
        BigDecimal deviceTxSum30d,
        long deviceSecondsSincePrevious,
        long ipTxCount1m,
        long ipTxCount5m,
        long ipTxCount15m,
        long ipTxCount7d,
        long ipTxCount30d,
        BigDecimal ipTxSum1m,
        BigDecimal ipTxSum5m,
        BigDecimal ipTxSum15m,
        BigDecimal ipTxSum7d,
        BigDecimal ipTxSum30d,
        long ipSecondsSincePrevious,
        long merchantTxCount5m,
        long merchantTxCount15m,
        long merchantTxCount7d,
        long merchantTxCount30d,
        BigDecimal merchantTxSum5m,
        BigDecimal merchantTxSum15m,
        BigDecimal merchantTxSum7d,
        BigDecimal merchantTxSum30d,
        long merchantSecondsSincePrevious,
        long merchantFraudStreakAgeDelayed,
        long merchantFraudCount24hDelayed,
        long amountOutliers7d,
        BigDecimal maxAmountToMedianRatio7d) {

    public Features {
        Objects.requireNonNull(txSum1m, "txSum1m");
        Objects.requireNonNull(txSum1h, "txSum1h");
        Objects.requireNonNull(txSum24h, "txSum24h");
        Objects.requireNonNull(txSum7d, "txSum7d");
        Objects.requireNonNull(balanceDepositSum7d, "balanceDepositSum7d");
        Objects.requireNonNull(depositToNetWorthRatio, "depositToNetWorthRatio");
        Objects.requireNonNull(txSum5m, "txSum5m");
        Objects.requireNonNull(txSum15m, "txSum15m");
        Objects.requireNonNull(txSum30d, "txSum30d");
        Objects.requireNonNull(amountZscore30d, "amountZscore30d");
        Objects.requireNonNull(amountToMedianRatio30d, "amountToMedianRatio30d");
        Objects.requireNonNull(distanceFromPreviousKm, "distanceFromPreviousKm");
        Objects.requireNonNull(impliedSpeedKmh, "impliedSpeedKmh");
        Objects.requireNonNull(distanceFromUsualKm, "distanceFromUsualKm");
        Objects.requireNonNull(hourOfDayShare30d, "hourOfDayShare30d");
        Objects.requireNonNull(structuringSum24h, "structuringSum24h");
        Objects.requireNonNull(structuringSum7d, "structuringSum7d");
        Objects.requireNonNull(rapidInOutRatio3d, "rapidInOutRatio3d");
        Objects.requireNonNull(customerTxSum1h, "customerTxSum1h");
        Objects.requireNonNull(customerTxSum24h, "customerTxSum24h");
        Objects.requireNonNull(customerTxSum7d, "customerTxSum7d");
        Objects.requireNonNull(deviceTxSum1h, "deviceTxSum1h");
        Objects.requireNonNull(deviceTxSum24h, "deviceTxSum24h");
        Objects.requireNonNull(ipTxSum1h, "ipTxSum1h");
        Objects.requireNonNull(ipTxSum24h, "ipTxSum24h");
        Objects.requireNonNull(merchantTxSum1m, "merchantTxSum1m");
        Objects.requireNonNull(merchantTxSum1h, "merchantTxSum1h");
        Objects.requireNonNull(merchantTxSum24h, "merchantTxSum24h");
        Objects.requireNonNull(merchantFraudRate1d, "merchantFraudRate1d");
        Objects.requireNonNull(merchantFraudRate7d, "merchantFraudRate7d");
        Objects.requireNonNull(merchantFraudRate30d, "merchantFraudRate30d");
        Objects.requireNonNull(merchantFraudRate1dDelayed, "merchantFraudRate1dDelayed");
        Objects.requireNonNull(merchantFraudRate7dDelayed, "merchantFraudRate7dDelayed");
        Objects.requireNonNull(merchantFraudRate30dDelayed, "merchantFraudRate30dDelayed");
        Objects.requireNonNull(customerTxSum1m, "customerTxSum1m");
        Objects.requireNonNull(customerTxSum5m, "customerTxSum5m");
        Objects.requireNonNull(customerTxSum15m, "customerTxSum15m");
        Objects.requireNonNull(customerTxSum30d, "customerTxSum30d");
        Objects.requireNonNull(deviceTxSum1m, "deviceTxSum1m");
        Objects.requireNonNull(deviceTxSum5m, "deviceTxSum5m");
        Objects.requireNonNull(deviceTxSum15m, "deviceTxSum15m");
        Objects.requireNonNull(deviceTxSum7d, "deviceTxSum7d");
        Objects.requireNonNull(deviceTxSum30d, "deviceTxSum30d");
        Objects.requireNonNull(ipTxSum1m, "ipTxSum1m");
        Objects.requireNonNull(ipTxSum5m, "ipTxSum5m");
        Objects.requireNonNull(ipTxSum15m, "ipTxSum15m");
        Objects.requireNonNull(ipTxSum7d, "ipTxSum7d");
        Objects.requireNonNull(ipTxSum30d, "ipTxSum30d");
        Objects.requireNonNull(merchantTxSum5m, "merchantTxSum5m");
        Objects.requireNonNull(merchantTxSum15m, "merchantTxSum15m");
        Objects.requireNonNull(merchantTxSum7d, "merchantTxSum7d");
        Objects.requireNonNull(merchantTxSum30d, "merchantTxSum30d");
        Objects.requireNonNull(maxAmountToMedianRatio7d, "maxAmountToMedianRatio7d");
    }

    /**
     * The original fifteen features, every later one at its default ({@link #DEFAULTS}): for callers
     * and tests written against the first catalogue.
     */
    public Features(long txCount1m, long txCount1h, long txCount24h, long txCount7d,
            BigDecimal txSum1m, BigDecimal txSum1h, BigDecimal txSum24h, BigDecimal txSum7d,
            long accountAgeDays, long balanceDepositCount7d, BigDecimal balanceDepositSum7d,
            BigDecimal depositToNetWorthRatio, boolean newMerchant, boolean newDevice, long secondsSincePrevious) {
        this(txCount1m,
                txCount1h,
                txCount24h,
                txCount7d,
                txSum1m,
                txSum1h,
                txSum24h,
                txSum7d,
                accountAgeDays,
                balanceDepositCount7d,
                balanceDepositSum7d,
                depositToNetWorthRatio,
                newMerchant,
                newDevice,
                secondsSincePrevious,
                0L,
                0L,
                0L,
                dflt("tx_sum_5m"),
                dflt("tx_sum_15m"),
                dflt("tx_sum_30d"),
                false,
                -1L,
                dflt("amount_zscore_30d"),
                dflt("amount_to_median_ratio_30d"),
                false,
                false,
                false,
                dflt("distance_from_previous_km"),
                dflt("implied_speed_kmh"),
                false,
                dflt("distance_from_usual_km"),
                -1L,
                dflt("hour_of_day_share_30d"),
                false,
                false,
                0L,
                0L,
                0L,
                dflt("structuring_sum_24h"),
                dflt("structuring_sum_7d"),
                0L,
                0L,
                dflt("rapid_in_out_ratio_3d"),
                0L,
                0L,
                0L,
                dflt("customer_tx_sum_1h"),
                dflt("customer_tx_sum_24h"),
                dflt("customer_tx_sum_7d"),
                0L,
                0L,
                dflt("device_tx_sum_1h"),
                dflt("device_tx_sum_24h"),
                0L,
                0L,
                dflt("ip_tx_sum_1h"),
                dflt("ip_tx_sum_24h"),
                0L,
                0L,
                0L,
                dflt("merchant_tx_sum_1m"),
                dflt("merchant_tx_sum_1h"),
                dflt("merchant_tx_sum_24h"),
                false,
                false,
                false,
                false,
                false,
                false,
                false,
                false,
                false,
                false,
                0L,
                dflt("merchant_fraud_rate_1d"),
                dflt("merchant_fraud_rate_7d"),
                dflt("merchant_fraud_rate_30d"),
                0L,
                dflt("merchant_fraud_rate_1d_delayed"),
                dflt("merchant_fraud_rate_7d_delayed"),
                dflt("merchant_fraud_rate_30d_delayed"),
                0L,
                0L,
                0L,
                0L,
                0L,
                dflt("customer_tx_sum_1m"),
                dflt("customer_tx_sum_5m"),
                dflt("customer_tx_sum_15m"),
                dflt("customer_tx_sum_30d"),
                -1L,
                0L,
                0L,
                0L,
                0L,
                0L,
                dflt("device_tx_sum_1m"),
                dflt("device_tx_sum_5m"),
                dflt("device_tx_sum_15m"),
                dflt("device_tx_sum_7d"),
                dflt("device_tx_sum_30d"),
                -1L,
                0L,
                0L,
                0L,
                0L,
                0L,
                dflt("ip_tx_sum_1m"),
                dflt("ip_tx_sum_5m"),
                dflt("ip_tx_sum_15m"),
                dflt("ip_tx_sum_7d"),
                dflt("ip_tx_sum_30d"),
                -1L,
                0L,
                0L,
                0L,
                0L,
                dflt("merchant_tx_sum_5m"),
                dflt("merchant_tx_sum_15m"),
                dflt("merchant_tx_sum_7d"),
                dflt("merchant_tx_sum_30d"),
                -1L,
                -1L,
                0L,
                0L,
                dflt("max_amount_to_median_ratio_7d"));
    }

    /** Feature names in catalogue order: the audit snapshot's keys, and the columns of a model trained on every feature. */
    public static final List<String> NAMES = List.of(
            "tx_count_1m",
            "tx_count_1h",
            "tx_count_24h",
            "tx_count_7d",
            "tx_sum_1m",
            "tx_sum_1h",
            "tx_sum_24h",
            "tx_sum_7d",
            "account_age_days",
            "balance_deposit_count_7d",
            "balance_deposit_sum_7d",
            "deposit_to_net_worth_ratio",
            "new_merchant",
            "new_device",
            "seconds_since_previous",
            "tx_count_5m",
            "tx_count_15m",
            "tx_count_30d",
            "tx_sum_5m",
            "tx_sum_15m",
            "tx_sum_30d",
            "first_transaction",
            "days_dormant",
            "amount_zscore_30d",
            "amount_to_median_ratio_30d",
            "round_amount",
            "new_ip",
            "new_country",
            "distance_from_previous_km",
            "implied_speed_kmh",
            "country_changed_1h",
            "distance_from_usual_km",
            "hour_of_day_utc",
            "hour_of_day_share_30d",
            "night_utc",
            "weekend_utc",
            "new_account_deposit_count_7d",
            "structuring_count_24h",
            "structuring_count_7d",
            "structuring_sum_24h",
            "structuring_sum_7d",
            "fan_in_24h",
            "fan_out_24h",
            "rapid_in_out_ratio_3d",
            "customer_tx_count_1h",
            "customer_tx_count_24h",
            "customer_tx_count_7d",
            "customer_tx_sum_1h",
            "customer_tx_sum_24h",
            "customer_tx_sum_7d",
            "device_tx_count_1h",
            "device_tx_count_24h",
            "device_tx_sum_1h",
            "device_tx_sum_24h",
            "ip_tx_count_1h",
            "ip_tx_count_24h",
            "ip_tx_sum_1h",
            "ip_tx_sum_24h",
            "merchant_tx_count_1m",
            "merchant_tx_count_1h",
            "merchant_tx_count_24h",
            "merchant_tx_sum_1m",
            "merchant_tx_sum_1h",
            "merchant_tx_sum_24h",
            "account_blacklisted",
            "account_whitelisted",
            "customer_blacklisted",
            "customer_whitelisted",
            "device_blacklisted",
            "device_whitelisted",
            "ip_blacklisted",
            "ip_whitelisted",
            "merchant_blacklisted",
            "merchant_whitelisted",
            "merchant_risk_class",
            "merchant_fraud_rate_1d",
            "merchant_fraud_rate_7d",
            "merchant_fraud_rate_30d",
            "distinct_merchants_5m",
            "merchant_fraud_rate_1d_delayed",
            "merchant_fraud_rate_7d_delayed",
            "merchant_fraud_rate_30d_delayed",
            "merchant_fraud_streak_delayed",
            "customer_tx_count_1m",
            "customer_tx_count_5m",
            "customer_tx_count_15m",
            "customer_tx_count_30d",
            "customer_tx_sum_1m",
            "customer_tx_sum_5m",
            "customer_tx_sum_15m",
            "customer_tx_sum_30d",
            "customer_seconds_since_previous",
            "device_tx_count_1m",
            "device_tx_count_5m",
            "device_tx_count_15m",
            "device_tx_count_7d",
            "device_tx_count_30d",
            "device_tx_sum_1m",
            "device_tx_sum_5m",
            "device_tx_sum_15m",
            "device_tx_sum_7d",
            "device_tx_sum_30d",
            "device_seconds_since_previous",
            "ip_tx_count_1m",
            "ip_tx_count_5m",
            "ip_tx_count_15m",
            "ip_tx_count_7d",
            "ip_tx_count_30d",
            "ip_tx_sum_1m",
            "ip_tx_sum_5m",
            "ip_tx_sum_15m",
            "ip_tx_sum_7d",
            "ip_tx_sum_30d",
            "ip_seconds_since_previous",
            "merchant_tx_count_5m",
            "merchant_tx_count_15m",
            "merchant_tx_count_7d",
            "merchant_tx_count_30d",
            "merchant_tx_sum_5m",
            "merchant_tx_sum_15m",
            "merchant_tx_sum_7d",
            "merchant_tx_sum_30d",
            "merchant_seconds_since_previous",
            "merchant_fraud_streak_age_delayed",
            "merchant_fraud_count_24h_delayed",
            "amount_outliers_7d",
            "max_amount_to_median_ratio_7d");

    /** The value a snapshot without the feature is read back with (features added after the first fifteen). */
    public static final Map<String, Object> DEFAULTS;

    static {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("tx_count_5m", 0L);
        d.put("tx_count_15m", 0L);
        d.put("tx_count_30d", 0L);
        d.put("tx_sum_5m", new BigDecimal("0"));
        d.put("tx_sum_15m", new BigDecimal("0"));
        d.put("tx_sum_30d", new BigDecimal("0"));
        d.put("first_transaction", false);
        d.put("days_dormant", -1L);
        d.put("amount_zscore_30d", new BigDecimal("0.0000"));
        d.put("amount_to_median_ratio_30d", new BigDecimal("-1.0000"));
        d.put("round_amount", false);
        d.put("new_ip", false);
        d.put("new_country", false);
        d.put("distance_from_previous_km", new BigDecimal("-1.000"));
        d.put("implied_speed_kmh", new BigDecimal("-1.000"));
        d.put("country_changed_1h", false);
        d.put("distance_from_usual_km", new BigDecimal("-1.000"));
        d.put("hour_of_day_utc", -1L);
        d.put("hour_of_day_share_30d", new BigDecimal("-1.0000"));
        d.put("night_utc", false);
        d.put("weekend_utc", false);
        d.put("new_account_deposit_count_7d", 0L);
        d.put("structuring_count_24h", 0L);
        d.put("structuring_count_7d", 0L);
        d.put("structuring_sum_24h", new BigDecimal("0"));
        d.put("structuring_sum_7d", new BigDecimal("0"));
        d.put("fan_in_24h", 0L);
        d.put("fan_out_24h", 0L);
        d.put("rapid_in_out_ratio_3d", new BigDecimal("-1.0000"));
        d.put("customer_tx_count_1h", 0L);
        d.put("customer_tx_count_24h", 0L);
        d.put("customer_tx_count_7d", 0L);
        d.put("customer_tx_sum_1h", new BigDecimal("0"));
        d.put("customer_tx_sum_24h", new BigDecimal("0"));
        d.put("customer_tx_sum_7d", new BigDecimal("0"));
        d.put("device_tx_count_1h", 0L);
        d.put("device_tx_count_24h", 0L);
        d.put("device_tx_sum_1h", new BigDecimal("0"));
        d.put("device_tx_sum_24h", new BigDecimal("0"));
        d.put("ip_tx_count_1h", 0L);
        d.put("ip_tx_count_24h", 0L);
        d.put("ip_tx_sum_1h", new BigDecimal("0"));
        d.put("ip_tx_sum_24h", new BigDecimal("0"));
        d.put("merchant_tx_count_1m", 0L);
        d.put("merchant_tx_count_1h", 0L);
        d.put("merchant_tx_count_24h", 0L);
        d.put("merchant_tx_sum_1m", new BigDecimal("0"));
        d.put("merchant_tx_sum_1h", new BigDecimal("0"));
        d.put("merchant_tx_sum_24h", new BigDecimal("0"));
        d.put("account_blacklisted", false);
        d.put("account_whitelisted", false);
        d.put("customer_blacklisted", false);
        d.put("customer_whitelisted", false);
        d.put("device_blacklisted", false);
        d.put("device_whitelisted", false);
        d.put("ip_blacklisted", false);
        d.put("ip_whitelisted", false);
        d.put("merchant_blacklisted", false);
        d.put("merchant_whitelisted", false);
        d.put("merchant_risk_class", 0L);
        d.put("merchant_fraud_rate_1d", new BigDecimal("-1.0000"));
        d.put("merchant_fraud_rate_7d", new BigDecimal("-1.0000"));
        d.put("merchant_fraud_rate_30d", new BigDecimal("-1.0000"));
        d.put("distinct_merchants_5m", 0L);
        d.put("merchant_fraud_rate_1d_delayed", new BigDecimal("-1.0000"));
        d.put("merchant_fraud_rate_7d_delayed", new BigDecimal("-1.0000"));
        d.put("merchant_fraud_rate_30d_delayed", new BigDecimal("-1.0000"));
        d.put("merchant_fraud_streak_delayed", 0L);
        d.put("customer_tx_count_1m", 0L);
        d.put("customer_tx_count_5m", 0L);
        d.put("customer_tx_count_15m", 0L);
        d.put("customer_tx_count_30d", 0L);
        d.put("customer_tx_sum_1m", new BigDecimal("0"));
        d.put("customer_tx_sum_5m", new BigDecimal("0"));
        d.put("customer_tx_sum_15m", new BigDecimal("0"));
        d.put("customer_tx_sum_30d", new BigDecimal("0"));
        d.put("customer_seconds_since_previous", -1L);
        d.put("device_tx_count_1m", 0L);
        d.put("device_tx_count_5m", 0L);
        d.put("device_tx_count_15m", 0L);
        d.put("device_tx_count_7d", 0L);
        d.put("device_tx_count_30d", 0L);
        d.put("device_tx_sum_1m", new BigDecimal("0"));
        d.put("device_tx_sum_5m", new BigDecimal("0"));
        d.put("device_tx_sum_15m", new BigDecimal("0"));
        d.put("device_tx_sum_7d", new BigDecimal("0"));
        d.put("device_tx_sum_30d", new BigDecimal("0"));
        d.put("device_seconds_since_previous", -1L);
        d.put("ip_tx_count_1m", 0L);
        d.put("ip_tx_count_5m", 0L);
        d.put("ip_tx_count_15m", 0L);
        d.put("ip_tx_count_7d", 0L);
        d.put("ip_tx_count_30d", 0L);
        d.put("ip_tx_sum_1m", new BigDecimal("0"));
        d.put("ip_tx_sum_5m", new BigDecimal("0"));
        d.put("ip_tx_sum_15m", new BigDecimal("0"));
        d.put("ip_tx_sum_7d", new BigDecimal("0"));
        d.put("ip_tx_sum_30d", new BigDecimal("0"));
        d.put("ip_seconds_since_previous", -1L);
        d.put("merchant_tx_count_5m", 0L);
        d.put("merchant_tx_count_15m", 0L);
        d.put("merchant_tx_count_7d", 0L);
        d.put("merchant_tx_count_30d", 0L);
        d.put("merchant_tx_sum_5m", new BigDecimal("0"));
        d.put("merchant_tx_sum_15m", new BigDecimal("0"));
        d.put("merchant_tx_sum_7d", new BigDecimal("0"));
        d.put("merchant_tx_sum_30d", new BigDecimal("0"));
        d.put("merchant_seconds_since_previous", -1L);
        d.put("merchant_fraud_streak_age_delayed", -1L);
        d.put("merchant_fraud_count_24h_delayed", 0L);
        d.put("amount_outliers_7d", 0L);
        d.put("max_amount_to_median_ratio_7d", new BigDecimal("-1.0000"));
        DEFAULTS = java.util.Collections.unmodifiableMap(d);
    }

    private static BigDecimal dflt(String name) {
        return (BigDecimal) DEFAULTS.get(name);
    }

    public long getTxCount1m() { return txCount1m; }
    public long getTxCount1h() { return txCount1h; }
    public long getTxCount24h() { return txCount24h; }
    public long getTxCount7d() { return txCount7d; }
    public BigDecimal getTxSum1m() { return txSum1m; }
    public BigDecimal getTxSum1h() { return txSum1h; }
    public BigDecimal getTxSum24h() { return txSum24h; }
    public BigDecimal getTxSum7d() { return txSum7d; }
    public long getAccountAgeDays() { return accountAgeDays; }
    public long getBalanceDepositCount7d() { return balanceDepositCount7d; }
    public BigDecimal getBalanceDepositSum7d() { return balanceDepositSum7d; }
    public BigDecimal getDepositToNetWorthRatio() { return depositToNetWorthRatio; }
    public boolean isNewMerchant() { return newMerchant; }
    public boolean isNewDevice() { return newDevice; }
    public long getSecondsSincePrevious() { return secondsSincePrevious; }
    public long getTxCount5m() { return txCount5m; }
    public long getTxCount15m() { return txCount15m; }
    public long getTxCount30d() { return txCount30d; }
    public BigDecimal getTxSum5m() { return txSum5m; }
    public BigDecimal getTxSum15m() { return txSum15m; }
    public BigDecimal getTxSum30d() { return txSum30d; }
    public boolean isFirstTransaction() { return firstTransaction; }
    public long getDaysDormant() { return daysDormant; }
    public BigDecimal getAmountZscore30d() { return amountZscore30d; }
    public BigDecimal getAmountToMedianRatio30d() { return amountToMedianRatio30d; }
    public boolean isRoundAmount() { return roundAmount; }
    public boolean isNewIp() { return newIp; }
    public boolean isNewCountry() { return newCountry; }
    public BigDecimal getDistanceFromPreviousKm() { return distanceFromPreviousKm; }
    public BigDecimal getImpliedSpeedKmh() { return impliedSpeedKmh; }
    public boolean isCountryChanged1h() { return countryChanged1h; }
    public BigDecimal getDistanceFromUsualKm() { return distanceFromUsualKm; }
    public long getHourOfDayUtc() { return hourOfDayUtc; }
    public BigDecimal getHourOfDayShare30d() { return hourOfDayShare30d; }
    public boolean isNightUtc() { return nightUtc; }
    public boolean isWeekendUtc() { return weekendUtc; }
    public long getNewAccountDepositCount7d() { return newAccountDepositCount7d; }
    public long getStructuringCount24h() { return structuringCount24h; }
    public long getStructuringCount7d() { return structuringCount7d; }
    public BigDecimal getStructuringSum24h() { return structuringSum24h; }
    public BigDecimal getStructuringSum7d() { return structuringSum7d; }
    public long getFanIn24h() { return fanIn24h; }
    public long getFanOut24h() { return fanOut24h; }
    public BigDecimal getRapidInOutRatio3d() { return rapidInOutRatio3d; }
    public long getCustomerTxCount1h() { return customerTxCount1h; }
    public long getCustomerTxCount24h() { return customerTxCount24h; }
    public long getCustomerTxCount7d() { return customerTxCount7d; }
    public BigDecimal getCustomerTxSum1h() { return customerTxSum1h; }
    public BigDecimal getCustomerTxSum24h() { return customerTxSum24h; }
    public BigDecimal getCustomerTxSum7d() { return customerTxSum7d; }
    public long getDeviceTxCount1h() { return deviceTxCount1h; }
    public long getDeviceTxCount24h() { return deviceTxCount24h; }
    public BigDecimal getDeviceTxSum1h() { return deviceTxSum1h; }
    public BigDecimal getDeviceTxSum24h() { return deviceTxSum24h; }
    public long getIpTxCount1h() { return ipTxCount1h; }
    public long getIpTxCount24h() { return ipTxCount24h; }
    public BigDecimal getIpTxSum1h() { return ipTxSum1h; }
    public BigDecimal getIpTxSum24h() { return ipTxSum24h; }
    public long getMerchantTxCount1m() { return merchantTxCount1m; }
    public long getMerchantTxCount1h() { return merchantTxCount1h; }
    public long getMerchantTxCount24h() { return merchantTxCount24h; }
    public BigDecimal getMerchantTxSum1m() { return merchantTxSum1m; }
    public BigDecimal getMerchantTxSum1h() { return merchantTxSum1h; }
    public BigDecimal getMerchantTxSum24h() { return merchantTxSum24h; }
    public boolean isAccountBlacklisted() { return accountBlacklisted; }
    public boolean isAccountWhitelisted() { return accountWhitelisted; }
    public boolean isCustomerBlacklisted() { return customerBlacklisted; }
    public boolean isCustomerWhitelisted() { return customerWhitelisted; }
    public boolean isDeviceBlacklisted() { return deviceBlacklisted; }
    public boolean isDeviceWhitelisted() { return deviceWhitelisted; }
    public boolean isIpBlacklisted() { return ipBlacklisted; }
    public boolean isIpWhitelisted() { return ipWhitelisted; }
    public boolean isMerchantBlacklisted() { return merchantBlacklisted; }
    public boolean isMerchantWhitelisted() { return merchantWhitelisted; }
    public long getMerchantRiskClass() { return merchantRiskClass; }
    public BigDecimal getMerchantFraudRate1d() { return merchantFraudRate1d; }
    public BigDecimal getMerchantFraudRate7d() { return merchantFraudRate7d; }
    public BigDecimal getMerchantFraudRate30d() { return merchantFraudRate30d; }
    public long getDistinctMerchants5m() { return distinctMerchants5m; }
    public BigDecimal getMerchantFraudRate1dDelayed() { return merchantFraudRate1dDelayed; }
    public BigDecimal getMerchantFraudRate7dDelayed() { return merchantFraudRate7dDelayed; }
    public BigDecimal getMerchantFraudRate30dDelayed() { return merchantFraudRate30dDelayed; }
    public long getMerchantFraudStreakDelayed() { return merchantFraudStreakDelayed; }
    public long getCustomerTxCount1m() { return customerTxCount1m; }
    public long getCustomerTxCount5m() { return customerTxCount5m; }
    public long getCustomerTxCount15m() { return customerTxCount15m; }
    public long getCustomerTxCount30d() { return customerTxCount30d; }
    public BigDecimal getCustomerTxSum1m() { return customerTxSum1m; }
    public BigDecimal getCustomerTxSum5m() { return customerTxSum5m; }
    public BigDecimal getCustomerTxSum15m() { return customerTxSum15m; }
    public BigDecimal getCustomerTxSum30d() { return customerTxSum30d; }
    public long getCustomerSecondsSincePrevious() { return customerSecondsSincePrevious; }
    public long getDeviceTxCount1m() { return deviceTxCount1m; }
    public long getDeviceTxCount5m() { return deviceTxCount5m; }
    public long getDeviceTxCount15m() { return deviceTxCount15m; }
    public long getDeviceTxCount7d() { return deviceTxCount7d; }
    public long getDeviceTxCount30d() { return deviceTxCount30d; }
    public BigDecimal getDeviceTxSum1m() { return deviceTxSum1m; }
    public BigDecimal getDeviceTxSum5m() { return deviceTxSum5m; }
    public BigDecimal getDeviceTxSum15m() { return deviceTxSum15m; }
    public BigDecimal getDeviceTxSum7d() { return deviceTxSum7d; }
    public BigDecimal getDeviceTxSum30d() { return deviceTxSum30d; }
    public long getDeviceSecondsSincePrevious() { return deviceSecondsSincePrevious; }
    public long getIpTxCount1m() { return ipTxCount1m; }
    public long getIpTxCount5m() { return ipTxCount5m; }
    public long getIpTxCount15m() { return ipTxCount15m; }
    public long getIpTxCount7d() { return ipTxCount7d; }
    public long getIpTxCount30d() { return ipTxCount30d; }
    public BigDecimal getIpTxSum1m() { return ipTxSum1m; }
    public BigDecimal getIpTxSum5m() { return ipTxSum5m; }
    public BigDecimal getIpTxSum15m() { return ipTxSum15m; }
    public BigDecimal getIpTxSum7d() { return ipTxSum7d; }
    public BigDecimal getIpTxSum30d() { return ipTxSum30d; }
    public long getIpSecondsSincePrevious() { return ipSecondsSincePrevious; }
    public long getMerchantTxCount5m() { return merchantTxCount5m; }
    public long getMerchantTxCount15m() { return merchantTxCount15m; }
    public long getMerchantTxCount7d() { return merchantTxCount7d; }
    public long getMerchantTxCount30d() { return merchantTxCount30d; }
    public BigDecimal getMerchantTxSum5m() { return merchantTxSum5m; }
    public BigDecimal getMerchantTxSum15m() { return merchantTxSum15m; }
    public BigDecimal getMerchantTxSum7d() { return merchantTxSum7d; }
    public BigDecimal getMerchantTxSum30d() { return merchantTxSum30d; }
    public long getMerchantSecondsSincePrevious() { return merchantSecondsSincePrevious; }
    public long getMerchantFraudStreakAgeDelayed() { return merchantFraudStreakAgeDelayed; }
    public long getMerchantFraudCount24hDelayed() { return merchantFraudCount24hDelayed; }
    public long getAmountOutliers7d() { return amountOutliers7d; }
    public BigDecimal getMaxAmountToMedianRatio7d() { return maxAmountToMedianRatio7d; }

    /** Name to value, in {@link #NAMES} order: what the audit row keeps as the feature snapshot. */
    /**
     * Receives a snapshot's values in {@link #NAMES} order, unboxed: for writers that encode every
     * value and need no map (the audit row). {@link #toMap()} gives the same values in the same order.
     */
    public interface ValueVisitor {
        void count(long value);

        void decimal(BigDecimal value);

        void flag(boolean value);
    }

    /** Passes every value, in {@link #NAMES} order, to {@code v}. */
    public void visitValues(ValueVisitor v) {
        v.count(txCount1m);
        v.count(txCount1h);
        v.count(txCount24h);
        v.count(txCount7d);
        v.decimal(txSum1m);
        v.decimal(txSum1h);
        v.decimal(txSum24h);
        v.decimal(txSum7d);
        v.count(accountAgeDays);
        v.count(balanceDepositCount7d);
        v.decimal(balanceDepositSum7d);
        v.decimal(depositToNetWorthRatio);
        v.flag(newMerchant);
        v.flag(newDevice);
        v.count(secondsSincePrevious);
        v.count(txCount5m);
        v.count(txCount15m);
        v.count(txCount30d);
        v.decimal(txSum5m);
        v.decimal(txSum15m);
        v.decimal(txSum30d);
        v.flag(firstTransaction);
        v.count(daysDormant);
        v.decimal(amountZscore30d);
        v.decimal(amountToMedianRatio30d);
        v.flag(roundAmount);
        v.flag(newIp);
        v.flag(newCountry);
        v.decimal(distanceFromPreviousKm);
        v.decimal(impliedSpeedKmh);
        v.flag(countryChanged1h);
        v.decimal(distanceFromUsualKm);
        v.count(hourOfDayUtc);
        v.decimal(hourOfDayShare30d);
        v.flag(nightUtc);
        v.flag(weekendUtc);
        v.count(newAccountDepositCount7d);
        v.count(structuringCount24h);
        v.count(structuringCount7d);
        v.decimal(structuringSum24h);
        v.decimal(structuringSum7d);
        v.count(fanIn24h);
        v.count(fanOut24h);
        v.decimal(rapidInOutRatio3d);
        v.count(customerTxCount1h);
        v.count(customerTxCount24h);
        v.count(customerTxCount7d);
        v.decimal(customerTxSum1h);
        v.decimal(customerTxSum24h);
        v.decimal(customerTxSum7d);
        v.count(deviceTxCount1h);
        v.count(deviceTxCount24h);
        v.decimal(deviceTxSum1h);
        v.decimal(deviceTxSum24h);
        v.count(ipTxCount1h);
        v.count(ipTxCount24h);
        v.decimal(ipTxSum1h);
        v.decimal(ipTxSum24h);
        v.count(merchantTxCount1m);
        v.count(merchantTxCount1h);
        v.count(merchantTxCount24h);
        v.decimal(merchantTxSum1m);
        v.decimal(merchantTxSum1h);
        v.decimal(merchantTxSum24h);
        v.flag(accountBlacklisted);
        v.flag(accountWhitelisted);
        v.flag(customerBlacklisted);
        v.flag(customerWhitelisted);
        v.flag(deviceBlacklisted);
        v.flag(deviceWhitelisted);
        v.flag(ipBlacklisted);
        v.flag(ipWhitelisted);
        v.flag(merchantBlacklisted);
        v.flag(merchantWhitelisted);
        v.count(merchantRiskClass);
        v.decimal(merchantFraudRate1d);
        v.decimal(merchantFraudRate7d);
        v.decimal(merchantFraudRate30d);
        v.count(distinctMerchants5m);
        v.decimal(merchantFraudRate1dDelayed);
        v.decimal(merchantFraudRate7dDelayed);
        v.decimal(merchantFraudRate30dDelayed);
        v.count(merchantFraudStreakDelayed);
        v.count(customerTxCount1m);
        v.count(customerTxCount5m);
        v.count(customerTxCount15m);
        v.count(customerTxCount30d);
        v.decimal(customerTxSum1m);
        v.decimal(customerTxSum5m);
        v.decimal(customerTxSum15m);
        v.decimal(customerTxSum30d);
        v.count(customerSecondsSincePrevious);
        v.count(deviceTxCount1m);
        v.count(deviceTxCount5m);
        v.count(deviceTxCount15m);
        v.count(deviceTxCount7d);
        v.count(deviceTxCount30d);
        v.decimal(deviceTxSum1m);
        v.decimal(deviceTxSum5m);
        v.decimal(deviceTxSum15m);
        v.decimal(deviceTxSum7d);
        v.decimal(deviceTxSum30d);
        v.count(deviceSecondsSincePrevious);
        v.count(ipTxCount1m);
        v.count(ipTxCount5m);
        v.count(ipTxCount15m);
        v.count(ipTxCount7d);
        v.count(ipTxCount30d);
        v.decimal(ipTxSum1m);
        v.decimal(ipTxSum5m);
        v.decimal(ipTxSum15m);
        v.decimal(ipTxSum7d);
        v.decimal(ipTxSum30d);
        v.count(ipSecondsSincePrevious);
        v.count(merchantTxCount5m);
        v.count(merchantTxCount15m);
        v.count(merchantTxCount7d);
        v.count(merchantTxCount30d);
        v.decimal(merchantTxSum5m);
        v.decimal(merchantTxSum15m);
        v.decimal(merchantTxSum7d);
        v.decimal(merchantTxSum30d);
        v.count(merchantSecondsSincePrevious);
        v.count(merchantFraudStreakAgeDelayed);
        v.count(merchantFraudCount24hDelayed);
        v.count(amountOutliers7d);
        v.decimal(maxAmountToMedianRatio7d);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tx_count_1m", txCount1m);
        m.put("tx_count_1h", txCount1h);
        m.put("tx_count_24h", txCount24h);
        m.put("tx_count_7d", txCount7d);
        m.put("tx_sum_1m", txSum1m);
        m.put("tx_sum_1h", txSum1h);
        m.put("tx_sum_24h", txSum24h);
        m.put("tx_sum_7d", txSum7d);
        m.put("account_age_days", accountAgeDays);
        m.put("balance_deposit_count_7d", balanceDepositCount7d);
        m.put("balance_deposit_sum_7d", balanceDepositSum7d);
        m.put("deposit_to_net_worth_ratio", depositToNetWorthRatio);
        m.put("new_merchant", newMerchant);
        m.put("new_device", newDevice);
        m.put("seconds_since_previous", secondsSincePrevious);
        m.put("tx_count_5m", txCount5m);
        m.put("tx_count_15m", txCount15m);
        m.put("tx_count_30d", txCount30d);
        m.put("tx_sum_5m", txSum5m);
        m.put("tx_sum_15m", txSum15m);
        m.put("tx_sum_30d", txSum30d);
        m.put("first_transaction", firstTransaction);
        m.put("days_dormant", daysDormant);
        m.put("amount_zscore_30d", amountZscore30d);
        m.put("amount_to_median_ratio_30d", amountToMedianRatio30d);
        m.put("round_amount", roundAmount);
        m.put("new_ip", newIp);
        m.put("new_country", newCountry);
        m.put("distance_from_previous_km", distanceFromPreviousKm);
        m.put("implied_speed_kmh", impliedSpeedKmh);
        m.put("country_changed_1h", countryChanged1h);
        m.put("distance_from_usual_km", distanceFromUsualKm);
        m.put("hour_of_day_utc", hourOfDayUtc);
        m.put("hour_of_day_share_30d", hourOfDayShare30d);
        m.put("night_utc", nightUtc);
        m.put("weekend_utc", weekendUtc);
        m.put("new_account_deposit_count_7d", newAccountDepositCount7d);
        m.put("structuring_count_24h", structuringCount24h);
        m.put("structuring_count_7d", structuringCount7d);
        m.put("structuring_sum_24h", structuringSum24h);
        m.put("structuring_sum_7d", structuringSum7d);
        m.put("fan_in_24h", fanIn24h);
        m.put("fan_out_24h", fanOut24h);
        m.put("rapid_in_out_ratio_3d", rapidInOutRatio3d);
        m.put("customer_tx_count_1h", customerTxCount1h);
        m.put("customer_tx_count_24h", customerTxCount24h);
        m.put("customer_tx_count_7d", customerTxCount7d);
        m.put("customer_tx_sum_1h", customerTxSum1h);
        m.put("customer_tx_sum_24h", customerTxSum24h);
        m.put("customer_tx_sum_7d", customerTxSum7d);
        m.put("device_tx_count_1h", deviceTxCount1h);
        m.put("device_tx_count_24h", deviceTxCount24h);
        m.put("device_tx_sum_1h", deviceTxSum1h);
        m.put("device_tx_sum_24h", deviceTxSum24h);
        m.put("ip_tx_count_1h", ipTxCount1h);
        m.put("ip_tx_count_24h", ipTxCount24h);
        m.put("ip_tx_sum_1h", ipTxSum1h);
        m.put("ip_tx_sum_24h", ipTxSum24h);
        m.put("merchant_tx_count_1m", merchantTxCount1m);
        m.put("merchant_tx_count_1h", merchantTxCount1h);
        m.put("merchant_tx_count_24h", merchantTxCount24h);
        m.put("merchant_tx_sum_1m", merchantTxSum1m);
        m.put("merchant_tx_sum_1h", merchantTxSum1h);
        m.put("merchant_tx_sum_24h", merchantTxSum24h);
        m.put("account_blacklisted", accountBlacklisted);
        m.put("account_whitelisted", accountWhitelisted);
        m.put("customer_blacklisted", customerBlacklisted);
        m.put("customer_whitelisted", customerWhitelisted);
        m.put("device_blacklisted", deviceBlacklisted);
        m.put("device_whitelisted", deviceWhitelisted);
        m.put("ip_blacklisted", ipBlacklisted);
        m.put("ip_whitelisted", ipWhitelisted);
        m.put("merchant_blacklisted", merchantBlacklisted);
        m.put("merchant_whitelisted", merchantWhitelisted);
        m.put("merchant_risk_class", merchantRiskClass);
        m.put("merchant_fraud_rate_1d", merchantFraudRate1d);
        m.put("merchant_fraud_rate_7d", merchantFraudRate7d);
        m.put("merchant_fraud_rate_30d", merchantFraudRate30d);
        m.put("distinct_merchants_5m", distinctMerchants5m);
        m.put("merchant_fraud_rate_1d_delayed", merchantFraudRate1dDelayed);
        m.put("merchant_fraud_rate_7d_delayed", merchantFraudRate7dDelayed);
        m.put("merchant_fraud_rate_30d_delayed", merchantFraudRate30dDelayed);
        m.put("merchant_fraud_streak_delayed", merchantFraudStreakDelayed);
        m.put("customer_tx_count_1m", customerTxCount1m);
        m.put("customer_tx_count_5m", customerTxCount5m);
        m.put("customer_tx_count_15m", customerTxCount15m);
        m.put("customer_tx_count_30d", customerTxCount30d);
        m.put("customer_tx_sum_1m", customerTxSum1m);
        m.put("customer_tx_sum_5m", customerTxSum5m);
        m.put("customer_tx_sum_15m", customerTxSum15m);
        m.put("customer_tx_sum_30d", customerTxSum30d);
        m.put("customer_seconds_since_previous", customerSecondsSincePrevious);
        m.put("device_tx_count_1m", deviceTxCount1m);
        m.put("device_tx_count_5m", deviceTxCount5m);
        m.put("device_tx_count_15m", deviceTxCount15m);
        m.put("device_tx_count_7d", deviceTxCount7d);
        m.put("device_tx_count_30d", deviceTxCount30d);
        m.put("device_tx_sum_1m", deviceTxSum1m);
        m.put("device_tx_sum_5m", deviceTxSum5m);
        m.put("device_tx_sum_15m", deviceTxSum15m);
        m.put("device_tx_sum_7d", deviceTxSum7d);
        m.put("device_tx_sum_30d", deviceTxSum30d);
        m.put("device_seconds_since_previous", deviceSecondsSincePrevious);
        m.put("ip_tx_count_1m", ipTxCount1m);
        m.put("ip_tx_count_5m", ipTxCount5m);
        m.put("ip_tx_count_15m", ipTxCount15m);
        m.put("ip_tx_count_7d", ipTxCount7d);
        m.put("ip_tx_count_30d", ipTxCount30d);
        m.put("ip_tx_sum_1m", ipTxSum1m);
        m.put("ip_tx_sum_5m", ipTxSum5m);
        m.put("ip_tx_sum_15m", ipTxSum15m);
        m.put("ip_tx_sum_7d", ipTxSum7d);
        m.put("ip_tx_sum_30d", ipTxSum30d);
        m.put("ip_seconds_since_previous", ipSecondsSincePrevious);
        m.put("merchant_tx_count_5m", merchantTxCount5m);
        m.put("merchant_tx_count_15m", merchantTxCount15m);
        m.put("merchant_tx_count_7d", merchantTxCount7d);
        m.put("merchant_tx_count_30d", merchantTxCount30d);
        m.put("merchant_tx_sum_5m", merchantTxSum5m);
        m.put("merchant_tx_sum_15m", merchantTxSum15m);
        m.put("merchant_tx_sum_7d", merchantTxSum7d);
        m.put("merchant_tx_sum_30d", merchantTxSum30d);
        m.put("merchant_seconds_since_previous", merchantSecondsSincePrevious);
        m.put("merchant_fraud_streak_age_delayed", merchantFraudStreakAgeDelayed);
        m.put("merchant_fraud_count_24h_delayed", merchantFraudCount24hDelayed);
        m.put("amount_outliers_7d", amountOutliers7d);
        m.put("max_amount_to_median_ratio_7d", maxAmountToMedianRatio7d);
        return m;
    }

    /**
     * Rebuilds features from {@link #toMap()} output (numbers may come back as any Number or String).
     * The original fifteen are required; a later feature the snapshot lacks takes its {@link #DEFAULTS} value.
     */
    public static Features fromMap(Map<String, ?> m) {
        Map<String, Object> all = new HashMap<>(DEFAULTS);
        for (Map.Entry<String, ?> e : m.entrySet()) {
            if (e.getValue() != null) all.put(e.getKey(), e.getValue());
        }
        return from(all::get);
    }

    /**
     * The values of one snapshot by feature name, kept in an array in {@link #NAMES} order: how the stores assemble
     * features (an 83-entry map per transaction, when there were 83, cost a twentieth of the feature store's CPU). Not thread-safe.
     */
    static final class Values {
        private final Object[] values = new Object[NAMES.size()];

        /** Sets a feature's value. @throws IllegalArgumentException for a name not in {@link #NAMES} */
        void put(String name, Object value) {
            values[position(name)] = value;
        }

        /** Sets the value of the feature at {@code position} in {@link #NAMES}: for names looked up once, not per event. */
        void set(int position, Object value) {
            values[position] = value;
        }

        /** A feature's position in {@link #NAMES}. @throws IllegalArgumentException for a name not in it */
        static int position(String name) {
            Integer at = POSITION.get(name);
            if (at == null) throw new IllegalArgumentException("no feature named '" + name + "'");
            return at;
        }
    }

    /**
     * The values of a {@link Values} for {@link #from}, which asks for them in {@link #NAMES} order: each answered from
     * the next position, without a lookup by name (a name out of that order is looked up). Looking all 127 up took a
     * twentieth of the feature store's Java time.
     */
    private static final class InNamesOrder implements java.util.function.Function<String, Object> {
        private final Values values;
        private int next;

        InNamesOrder(Values values) {
            this.values = values;
        }

        @Override
        public Object apply(String name) {
            int at = next < NAMES.size() && NAMES.get(next).equals(name) ? next : Values.position(name);
            next = at + 1;
            return values.values[at];
        }
    }

    private static final Map<String, Integer> POSITION;

    static {
        Map<String, Integer> p = new HashMap<>(2 * NAMES.size());
        for (int i = 0; i < NAMES.size(); i++) p.put(NAMES.get(i), i);
        POSITION = java.util.Collections.unmodifiableMap(p);
    }

    /** Features from values that must hold every name of {@link #NAMES}, none null: how the stores build them. */
    static Features exact(Values v) {
        for (int i = 0; i < v.values.length; i++) {
            if (v.values[i] == null) throw new IllegalArgumentException("features lack " + NAMES.get(i));
        }
        return from(new InNamesOrder(v));
    }

    /** Features from a lookup that gives a value for every name of {@link #NAMES}. */
    private static Features from(java.util.function.Function<String, ?> all) {
        return new Features(
                lng(all, "tx_count_1m"),
                lng(all, "tx_count_1h"),
                lng(all, "tx_count_24h"),
                lng(all, "tx_count_7d"),
                dec(all, "tx_sum_1m"),
                dec(all, "tx_sum_1h"),
                dec(all, "tx_sum_24h"),
                dec(all, "tx_sum_7d"),
                lng(all, "account_age_days"),
                lng(all, "balance_deposit_count_7d"),
                dec(all, "balance_deposit_sum_7d"),
                dec(all, "deposit_to_net_worth_ratio"),
                bool(all, "new_merchant"),
                bool(all, "new_device"),
                lng(all, "seconds_since_previous"),
                lng(all, "tx_count_5m"),
                lng(all, "tx_count_15m"),
                lng(all, "tx_count_30d"),
                dec(all, "tx_sum_5m"),
                dec(all, "tx_sum_15m"),
                dec(all, "tx_sum_30d"),
                bool(all, "first_transaction"),
                lng(all, "days_dormant"),
                dec(all, "amount_zscore_30d"),
                dec(all, "amount_to_median_ratio_30d"),
                bool(all, "round_amount"),
                bool(all, "new_ip"),
                bool(all, "new_country"),
                dec(all, "distance_from_previous_km"),
                dec(all, "implied_speed_kmh"),
                bool(all, "country_changed_1h"),
                dec(all, "distance_from_usual_km"),
                lng(all, "hour_of_day_utc"),
                dec(all, "hour_of_day_share_30d"),
                bool(all, "night_utc"),
                bool(all, "weekend_utc"),
                lng(all, "new_account_deposit_count_7d"),
                lng(all, "structuring_count_24h"),
                lng(all, "structuring_count_7d"),
                dec(all, "structuring_sum_24h"),
                dec(all, "structuring_sum_7d"),
                lng(all, "fan_in_24h"),
                lng(all, "fan_out_24h"),
                dec(all, "rapid_in_out_ratio_3d"),
                lng(all, "customer_tx_count_1h"),
                lng(all, "customer_tx_count_24h"),
                lng(all, "customer_tx_count_7d"),
                dec(all, "customer_tx_sum_1h"),
                dec(all, "customer_tx_sum_24h"),
                dec(all, "customer_tx_sum_7d"),
                lng(all, "device_tx_count_1h"),
                lng(all, "device_tx_count_24h"),
                dec(all, "device_tx_sum_1h"),
                dec(all, "device_tx_sum_24h"),
                lng(all, "ip_tx_count_1h"),
                lng(all, "ip_tx_count_24h"),
                dec(all, "ip_tx_sum_1h"),
                dec(all, "ip_tx_sum_24h"),
                lng(all, "merchant_tx_count_1m"),
                lng(all, "merchant_tx_count_1h"),
                lng(all, "merchant_tx_count_24h"),
                dec(all, "merchant_tx_sum_1m"),
                dec(all, "merchant_tx_sum_1h"),
                dec(all, "merchant_tx_sum_24h"),
                bool(all, "account_blacklisted"),
                bool(all, "account_whitelisted"),
                bool(all, "customer_blacklisted"),
                bool(all, "customer_whitelisted"),
                bool(all, "device_blacklisted"),
                bool(all, "device_whitelisted"),
                bool(all, "ip_blacklisted"),
                bool(all, "ip_whitelisted"),
                bool(all, "merchant_blacklisted"),
                bool(all, "merchant_whitelisted"),
                lng(all, "merchant_risk_class"),
                dec(all, "merchant_fraud_rate_1d"),
                dec(all, "merchant_fraud_rate_7d"),
                dec(all, "merchant_fraud_rate_30d"),
                lng(all, "distinct_merchants_5m"),
                dec(all, "merchant_fraud_rate_1d_delayed"),
                dec(all, "merchant_fraud_rate_7d_delayed"),
                dec(all, "merchant_fraud_rate_30d_delayed"),
                lng(all, "merchant_fraud_streak_delayed"),
                lng(all, "customer_tx_count_1m"),
                lng(all, "customer_tx_count_5m"),
                lng(all, "customer_tx_count_15m"),
                lng(all, "customer_tx_count_30d"),
                dec(all, "customer_tx_sum_1m"),
                dec(all, "customer_tx_sum_5m"),
                dec(all, "customer_tx_sum_15m"),
                dec(all, "customer_tx_sum_30d"),
                lng(all, "customer_seconds_since_previous"),
                lng(all, "device_tx_count_1m"),
                lng(all, "device_tx_count_5m"),
                lng(all, "device_tx_count_15m"),
                lng(all, "device_tx_count_7d"),
                lng(all, "device_tx_count_30d"),
                dec(all, "device_tx_sum_1m"),
                dec(all, "device_tx_sum_5m"),
                dec(all, "device_tx_sum_15m"),
                dec(all, "device_tx_sum_7d"),
                dec(all, "device_tx_sum_30d"),
                lng(all, "device_seconds_since_previous"),
                lng(all, "ip_tx_count_1m"),
                lng(all, "ip_tx_count_5m"),
                lng(all, "ip_tx_count_15m"),
                lng(all, "ip_tx_count_7d"),
                lng(all, "ip_tx_count_30d"),
                dec(all, "ip_tx_sum_1m"),
                dec(all, "ip_tx_sum_5m"),
                dec(all, "ip_tx_sum_15m"),
                dec(all, "ip_tx_sum_7d"),
                dec(all, "ip_tx_sum_30d"),
                lng(all, "ip_seconds_since_previous"),
                lng(all, "merchant_tx_count_5m"),
                lng(all, "merchant_tx_count_15m"),
                lng(all, "merchant_tx_count_7d"),
                lng(all, "merchant_tx_count_30d"),
                dec(all, "merchant_tx_sum_5m"),
                dec(all, "merchant_tx_sum_15m"),
                dec(all, "merchant_tx_sum_7d"),
                dec(all, "merchant_tx_sum_30d"),
                lng(all, "merchant_seconds_since_previous"),
                lng(all, "merchant_fraud_streak_age_delayed"),
                lng(all, "merchant_fraud_count_24h_delayed"),
                lng(all, "amount_outliers_7d"),
                dec(all, "max_amount_to_median_ratio_7d"));
    }

    /** Features from a map that must hold every name of {@link #NAMES}: the reference {@link Values} is tested against (the stores build Values). */
    static Features exact(Map<String, ?> m) {
        boolean complete = true;
        for (String n : NAMES) {
            if (m.get(n) != null) continue;
            if (!m.containsKey(n)) throw new IllegalArgumentException("features lack " + n);
            complete = false;
        }
        // Every value there (as the stores build them): read it as it is, without first copying the defaults in.
        return complete ? from(m::get) : fromMap(m);
    }

    /** The model's input vector over every feature, in {@link #NAMES} order; booleans are 0 or 1. */
    public float[] toModelVector() {
        return vector(EVERY_POSITION);
    }

    private static final int[] EVERY_POSITION = java.util.stream.IntStream.range(0, NAMES.size()).toArray();

    /**
     * Where each named feature is in {@link #NAMES}: a model looks its card's list up once and then
     * asks for {@link #vector(int[])} with it, so no row pays for a lookup by name.
     *
     * @throws IllegalArgumentException naming a feature this build does not compute
     */
    public static int[] positions(List<String> names) {
        int[] at = new int[names.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = NAMES.indexOf(names.get(i));
            if (at[i] < 0) throw new IllegalArgumentException("no feature named '" + names.get(i) + "'; known: " + NAMES);
        }
        return at;
    }

    /**
     * The values at the given {@link #positions(List) positions}, in that order: a model's row in the
     * order of its card. Booleans are 0 or 1, money and ratios their float value.
     */
    public float[] vector(int[] positions) {
        float[] all = new float[NAMES.size()];
        visitValues(new ValueVisitor() {
            private int next;

            @Override
            public void count(long value) {
                all[next++] = value;
            }

            @Override
            public void decimal(BigDecimal value) {
                all[next++] = value.floatValue();
            }

            @Override
            public void flag(boolean value) {
                all[next++] = value ? 1 : 0;
            }
        });
        float[] v = new float[positions.length];
        for (int i = 0; i < v.length; i++) v[i] = all[positions[i]];
        return v;
    }

    private static long lng(java.util.function.Function<String, ?> m, String k) {
        Object v = required(m, k);
        return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString());
    }

    private static BigDecimal dec(java.util.function.Function<String, ?> m, String k) {
        Object v = required(m, k);
        return v instanceof BigDecimal b ? b : new BigDecimal(v.toString());
    }

    private static boolean bool(java.util.function.Function<String, ?> m, String k) {
        Object v = required(m, k);
        return v instanceof Boolean b ? b : Boolean.parseBoolean(v.toString());
    }

    private static Object required(java.util.function.Function<String, ?> m, String k) {
        Object v = m.apply(k);
        if (v == null) throw new IllegalArgumentException("feature snapshot lacks " + k);
        return v;
    }
}
