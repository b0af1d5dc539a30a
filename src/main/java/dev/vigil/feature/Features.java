package dev.vigil.feature;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The behavioural features of one transaction, computed in event time from everything Vigil saw
 * before it, the transaction itself included. A fact in the rule session and the model's input.
 *
 * <p>Windows: a window of length W ending at the event covers the buckets of size W/60 whose start
 * lies within W of the event's own bucket (1 min: 1 s buckets; 1 h: 1 min; 24 h: 24 min; 7 d: 168 min).
 * Sums are exact, in the transaction's own currency. See {@code docs/features.md}.
 *
 * @param txCount1m transactions of the account in the last minute
 * @param accountAgeDays whole days from account opening to the event; -1 when no ACCOUNT_OPENED was seen
 * @param balanceDepositCount7d BALANCE_DEPOSIT transactions in the last 7 days
 * @param balanceDepositSum7d their sum, in the transaction's currency
 * @param depositToNetWorthRatio balanceDepositSum7d / declared net worth; -1 when unknown or the currencies differ
 * @param newMerchant first transaction of the account at this merchant (false when no merchant)
 * @param newDevice first transaction of the account from this device (false when no device)
 * @param secondsSincePrevious seconds since the account's previous transaction in event time; -1 for the first
 */
public record Features(
        long txCount1m, long txCount1h, long txCount24h, long txCount7d,
        BigDecimal txSum1m, BigDecimal txSum1h, BigDecimal txSum24h, BigDecimal txSum7d,
        long accountAgeDays,
        long balanceDepositCount7d,
        BigDecimal balanceDepositSum7d,
        BigDecimal depositToNetWorthRatio,
        boolean newMerchant,
        boolean newDevice,
        long secondsSincePrevious) {

    /** Feature names in model order; {@link #toModelVector()} follows it. */
    public static final List<String> NAMES = List.of(
            "tx_count_1m", "tx_count_1h", "tx_count_24h", "tx_count_7d",
            "tx_sum_1m", "tx_sum_1h", "tx_sum_24h", "tx_sum_7d",
            "account_age_days",
            "balance_deposit_count_7d", "balance_deposit_sum_7d", "deposit_to_net_worth_ratio",
            "new_merchant", "new_device", "seconds_since_previous");

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

    /** Name to value, in {@link #NAMES} order: what the audit row keeps as the feature snapshot. */
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
        return m;
    }

    /** Rebuilds features from {@link #toMap()} output (numbers may come back as any Number or String). */
    public static Features fromMap(Map<String, ?> m) {
        return new Features(
                lng(m, "tx_count_1m"), lng(m, "tx_count_1h"), lng(m, "tx_count_24h"), lng(m, "tx_count_7d"),
                dec(m, "tx_sum_1m"), dec(m, "tx_sum_1h"), dec(m, "tx_sum_24h"), dec(m, "tx_sum_7d"),
                lng(m, "account_age_days"),
                lng(m, "balance_deposit_count_7d"), dec(m, "balance_deposit_sum_7d"),
                dec(m, "deposit_to_net_worth_ratio"),
                bool(m, "new_merchant"), bool(m, "new_device"),
                lng(m, "seconds_since_previous"));
    }

    /** The model's input vector, in {@link #NAMES} order; booleans are 0 or 1. */
    public float[] toModelVector() {
        return new float[] {
            txCount1m, txCount1h, txCount24h, txCount7d,
            txSum1m.floatValue(), txSum1h.floatValue(), txSum24h.floatValue(), txSum7d.floatValue(),
            accountAgeDays,
            balanceDepositCount7d, balanceDepositSum7d.floatValue(), depositToNetWorthRatio.floatValue(),
            newMerchant ? 1 : 0, newDevice ? 1 : 0,
            secondsSincePrevious
        };
    }

    /**
     * The model's input vector for a model trained on {@code names}, a selection of {@link #NAMES} in the
     * model's own order.
     *
     * @throws IllegalArgumentException when a name is not in {@link #NAMES}
     */
    public float[] vector(List<String> names) {
        float[] all = toModelVector();
        float[] out = new float[names.size()];
        for (int i = 0; i < out.length; i++) {
            int k = NAMES.indexOf(names.get(i));
            if (k < 0) throw new IllegalArgumentException("unknown feature '" + names.get(i) + "'; known: " + NAMES);
            out[i] = all[k];
        }
        return out;
    }

    private static long lng(Map<String, ?> m, String k) {
        Object v = required(m, k);
        return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString());
    }

    private static BigDecimal dec(Map<String, ?> m, String k) {
        Object v = required(m, k);
        return v instanceof BigDecimal b ? b : new BigDecimal(v.toString());
    }

    private static boolean bool(Map<String, ?> m, String k) {
        Object v = required(m, k);
        return v instanceof Boolean b ? b : Boolean.parseBoolean(v.toString());
    }

    private static Object required(Map<String, ?> m, String k) {
        Object v = m.get(k);
        if (v == null) throw new IllegalArgumentException("feature snapshot lacks " + k);
        return v;
    }
}
