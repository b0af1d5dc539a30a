package dev.vigil.feature;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Where a label finds its transaction's merchant: for every transaction with a merchant, its id mapped to
 * {@code merchant|eventTime} ({@link #value}), kept {@value #KEEP_DAYS} days. A label carries only the transaction id.
 *
 * <p>The entries live in small hashes, {@code {ti:<day>:<shard>}}, one per wall-clock day (UTC, the day the
 * entry was written) and shard of the transaction id ({@value #SHARDS} shards). Redis keeps a small hash as one
 * packed list: 64 bytes a transaction at a million transactions a day, where a key of its own per transaction
 * (the layout before, {@code {t:<id>}:m}, still read) took 187 ({@code FeatureStoreMemoryProbe}, docs/features.md).
 * A hash expires whole, at the end of its day plus
 * {@value #KEEP_DAYS} days, so every entry lives at least that long. Each write of an entry sets its hash's
 * expiry again ({@code EXPIREAT}, the same absolute time whoever sends it), so a hash Redis lost (a restart without
 * persistence, an eviction) and a write recreated still expires.
 *
 * <p>A label does not know the day its transaction was indexed, so it looks in the transaction's shard on every
 * day an entry can still be kept ({@link #keysToProbe}), in one pipeline, and takes the oldest day's entry: the
 * first enrichment wins, as with {@code HSETNX} within a day.
 */
final class LabelIndex {

    /** Shards a day: at a million transactions a day about 61 entries a hash, well under the 512 Redis packs. */
    static final int SHARDS = 16_384;
    /**
     * A label can matter for 38 days after its transaction (the delayed 30-day window ends 7 days before the
     * transaction's day, so it reaches back to day D - 37), plus a day of slack for lateness and lag.
     */
    static final long KEEP_DAYS = 39;
    private static final long DAY_SECONDS = 86_400;

    /** The shard of a transaction id: CRC-32 of its UTF-8 bytes, modulo {@value #SHARDS}. */
    static int shard(String transactionId) {
        CRC32 crc = new CRC32();
        crc.update(transactionId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % SHARDS);
    }

    /** The wall-clock day (UTC, days since 1970-01-01) a hash is named by. */
    static long day(Instant now) {
        return Math.floorDiv(now.getEpochSecond(), DAY_SECONDS);
    }

    /** The hash of this day and shard. */
    static String key(long day, int shard) {
        return "{ti:" + day + ":" + shard + "}";
    }

    /** The hash a transaction indexed on this day lives in. */
    static String key(long day, String transactionId) {
        return key(day, shard(transactionId));
    }

    /** When the hash of this day expires, in epoch seconds: every entry of the day is kept {@value #KEEP_DAYS} days. */
    static long expiresAt(long day) {
        return (day + 1 + KEEP_DAYS) * DAY_SECONDS;
    }

    /**
     * The hashes that may hold the transaction on this day, oldest first: the days whose hashes have not expired,
     * and tomorrow (another instance's clock may run ahead of this one's).
     */
    static List<String> keysToProbe(long today, String transactionId) {
        int shard = shard(transactionId);
        List<String> keys = new ArrayList<>((int) KEEP_DAYS + 3);
        for (long d = today - KEEP_DAYS - 1; d <= today + 1; d++) keys.add(key(d, shard));
        return keys;
    }

    /** A transaction's merchant and event time, as the index holds them. */
    record Entry(String merchantId, Instant occurredAt) {}

    /** An entry to write: in the hash {@code key}, the transaction id and its {@link #value}. */
    record Put(String key, String transactionId, String value) {}

    /** The entry of a transaction indexed on this day. */
    static Put put(long day, String transactionId, String merchantId, Instant occurredAt) {
        return new Put(key(day, transactionId), transactionId, value(merchantId, occurredAt));
    }

    /**
     * The value of a transaction's entry: {@code merchant|<epoch second>}, then, when the time has a fraction of a
     * second, {@code .} and its digits without trailing zeros ({@code .123} for 123 ms).
     */
    static String value(String merchantId, Instant occurredAt) {
        StringBuilder b = new StringBuilder(merchantId.length() + 21).append(merchantId).append('|').append(occurredAt.getEpochSecond());
        int nano = occurredAt.getNano();
        if (nano != 0) {
            String digits = Integer.toString(nano);
            b.append('.').append("0".repeat(9 - digits.length())).append(digits);
            while (b.charAt(b.length() - 1) == '0') b.setLength(b.length() - 1);
        }
        return b.toString();
    }

    /**
     * An entry's value read back. Also reads the value of the layout before ({@code {t:<id>}:m}), whose time has 12
     * digits of seconds, zero-padded, and always 9 digits of fraction.
     */
    static Entry parse(String value) {
        int bar = value.lastIndexOf('|');
        String time = value.substring(bar + 1);
        int dot = time.indexOf('.');
        Instant at;
        if (dot < 0) {
            at = Instant.ofEpochSecond(Long.parseLong(time));
        } else {
            String fraction = time.substring(dot + 1);
            at = Instant.ofEpochSecond(Long.parseLong(time.substring(0, dot)), Long.parseLong(fraction + "0".repeat(9 - fraction.length())));
        }
        return new Entry(value.substring(0, bar), at);
    }
}
