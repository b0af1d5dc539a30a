package dev.vigil.feature;

import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;

/**
 * The time-bucketed series the features are summed from. Each series has an id (part of its bucket
 * keys in {@link BucketTable}), a bucket size (its window is 60 buckets of that size), the table it is
 * kept in (counts over every currency, or sums per currency) and what one transaction adds to it.
 * A binned series is a histogram: one count per bin (hour of day, amount bin).
 *
 * <p>The Redis store adds each event's {@link #bin} and {@link #value} to its buckets; the reference
 * store sums the same values over its full history. Only the bucketing is done twice.
 */
enum Series {
    COUNT_1M(1, 1, false),
    COUNT_1H(2, 60, false),
    COUNT_24H(3, 1_440, false),
    COUNT_7D(4, 10_080, false),
    DEPOSIT_COUNT_7D(5, 10_080, false),
    COUNT_5M(6, 5, false),
    COUNT_15M(7, 15, false),
    COUNT_30D(8, 43_200, false),
    STRUCTURING_COUNT_24H(9, 1_440, false),
    STRUCTURING_COUNT_7D(10, 10_080, false),
    LOCATED_30D(11, 43_200, false),
    LAT_30D(12, 43_200, false),
    LON_30D(13, 43_200, false),
    HOUR_30D(14, 43_200, false),

    SUM_1M(1, 1, true),
    SUM_1H(2, 60, true),
    SUM_24H(3, 1_440, true),
    SUM_7D(4, 10_080, true),
    DEPOSIT_SUM_7D(5, 10_080, true),
    SUM_5M(6, 5, true),
    SUM_15M(7, 15, true),
    SUM_30D(8, 43_200, true),
    STRUCTURING_SUM_24H(9, 1_440, true),
    STRUCTURING_SUM_7D(10, 10_080, true),
    STAT_N_30D(15, 43_200, true),
    STAT_S_30D(16, 43_200, true),
    STAT_Q_30D(17, 43_200, true),
    AMOUNT_HIST_30D(18, 43_200, true),
    INFLOW_SUM_3D(19, 4_320, true),
    OUTFLOW_SUM_3D(20, 4_320, true),
    AMOUNT_HIST_7D(21, 10_080, true);

    static final int SPAN = 60;
    /** Whole units above this are clamped in the z-score's sums, so a sum of squares stays in 64 bits. */
    static final long WHOLE_UNIT_CAP = 100_000_000L;
    private static final BigDecimal STRUCTURING_LOW = new BigDecimal("9000");
    private static final BigDecimal STRUCTURING_HIGH = new BigDecimal("9999.99");

    final int id;
    final long bucketSeconds;
    /** Kept per currency (sums), else over every currency (counts). */
    final boolean perCurrency;

    Series(int id, long bucketSeconds, boolean perCurrency) {
        this.id = id;
        this.bucketSeconds = bucketSeconds;
        this.perCurrency = perCurrency;
    }

    long bucket(Instant t) {
        return Math.floorDiv(t.getEpochSecond(), bucketSeconds);
    }

    /** True when {@code other} falls in the window of an event at {@code t}. */
    boolean covers(Instant t, Instant other) {
        long b = bucket(t);
        long o = bucket(other);
        return o >= b - (SPAN - 1) && o <= b;
    }

    /** The aggregate key: series id * 1000 + bin, as {@link BucketTable#aggregate} returns it. */
    int key(int bin) {
        return id * 1000 + bin;
    }

    /** The histogram bin the event falls in (0 for a series that is not binned). */
    int bin(TransactionEvent e) {
        return this == AMOUNT_HIST_30D || this == AMOUNT_HIST_7D ? amountBin(minorUnits(e)) : bin(e, 0);
    }

    /** {@link #bin(TransactionEvent)} with the event's amount in minor units already known. */
    private int bin(TransactionEvent e, long minor) {
        return switch (this) {
            case HOUR_30D -> (int) (Math.floorMod(e.occurredAt().getEpochSecond(), 86_400L) / 3600);
            case AMOUNT_HIST_30D, AMOUNT_HIST_7D -> amountBin(minor);
            default -> 0;
        };
    }

    /** What the event adds to its bucket; 0 when it adds nothing. */
    long value(TransactionEvent e) {
        return value(e, minorUnits(e));
    }

    /**
     * Every series' increment of the event, indexed by ordinal: pairs (key = id * 1000 + bin, value), value 0
     * when the event adds nothing. Computed once per event: the amount's minor units and bin cost BigDecimal and
     * BigInteger work.
     */
    static long[] increments(TransactionEvent e) {
        long minor = minorUnits(e);
        Series[] all = values();
        long[] out = new long[2 * all.length];
        for (Series s : all) {
            long v = s.value(e, minor);
            out[2 * s.ordinal()] = v == 0 ? 0 : s.key(s.bin(e, minor));
            out[2 * s.ordinal() + 1] = v;
        }
        return out;
    }

    private long value(TransactionEvent e, long minor) {
        boolean deposit = e.type() == TransactionType.BALANCE_DEPOSIT;
        boolean structuring = isStructuring(e);
        return switch (this) {
            case COUNT_1M, COUNT_1H, COUNT_24H, COUNT_7D, COUNT_5M, COUNT_15M, COUNT_30D, HOUR_30D, STAT_N_30D,
                    AMOUNT_HIST_30D, AMOUNT_HIST_7D -> 1;
            case DEPOSIT_COUNT_7D -> deposit ? 1 : 0;
            case STRUCTURING_COUNT_24H, STRUCTURING_COUNT_7D -> structuring ? 1 : 0;
            case LOCATED_30D -> e.geo() == null ? 0 : 1;
            case LAT_30D -> e.geo() == null ? 0 : FeatureMath.microDegrees(e.geo().lat()) + 90_000_000L;
            case LON_30D -> e.geo() == null ? 0 : FeatureMath.microDegrees(e.geo().lon()) + 180_000_000L;
            case SUM_1M, SUM_1H, SUM_24H, SUM_7D, SUM_5M, SUM_15M, SUM_30D -> minor;
            case DEPOSIT_SUM_7D -> deposit ? minor : 0;
            case STRUCTURING_SUM_24H, STRUCTURING_SUM_7D -> structuring ? minor : 0;
            case STAT_S_30D -> wholeUnits(e);
            case STAT_Q_30D -> wholeUnits(e) * wholeUnits(e);
            case INFLOW_SUM_3D -> e.type().isInflow() ? minor : 0;
            case OUTFLOW_SUM_3D -> e.type().isInflow() ? 0 : minor;
        };
    }

    static long minorUnits(TransactionEvent e) {
        return RedisFeatureStore.minorUnits(e.amount(), e.currency());
    }

    /** The amount in whole units of its currency (floor), at most {@link #WHOLE_UNIT_CAP}. */
    static long wholeUnits(TransactionEvent e) {
        return wholeUnits(e.amount());
    }

    static long wholeUnits(BigDecimal amount) {
        return amount.min(BigDecimal.valueOf(WHOLE_UNIT_CAP)).toBigInteger().longValueExact();
    }

    /** A CASH_DEPOSIT of 9 000 to 9 999.99 in its own currency: just under the reporting threshold. */
    static boolean isStructuring(TransactionEvent e) {
        return e.type() == TransactionType.CASH_DEPOSIT
                && e.amount().compareTo(STRUCTURING_LOW) >= 0
                && e.amount().compareTo(STRUCTURING_HIGH) <= 0;
    }

    /** 0 for 0; else floor(4 log2 minor) + 1, exactly: four bins per doubling. */
    static int amountBin(long minor) {
        if (minor <= 0) return 0;
        return BigInteger.valueOf(minor).pow(4).bitLength();
    }
}
