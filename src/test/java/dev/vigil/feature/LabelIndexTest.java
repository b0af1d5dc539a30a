package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class LabelIndexTest {

    private static final long DAY = 86_400;

    /**
     * Written at any second w, an entry is found by a label at any second t from w to w + 39 days: its hash is among
     * the keys the label probes, and has not expired yet. Probing tomorrow too covers a writer whose clock runs ahead.
     */
    @Property
    void aLabelWithin39DaysOfTheWriteProbesTheHashAndFindsItUnexpired(@ForAll @LongRange(min = 0, max = 4_000_000_000L) long written,
            @ForAll @LongRange(min = 0, max = 39 * DAY) long after, @ForAll @StringLength(min = 1, max = 40) String transactionId) {
        long day = written / DAY;
        String key = LabelIndex.key(day, LabelIndex.shard(transactionId));
        long labelled = written + after;
        List<String> probed = LabelIndex.keysToProbe(labelled / DAY, transactionId);
        assertTrue(probed.contains(key), key + " among " + probed);
        assertTrue(LabelIndex.expiresAt(day) > labelled, "not expired when the label comes");
    }

    @Property
    void aHashExpiresWithin40DaysOfItsFirstWrite(@ForAll @LongRange(min = 0, max = 4_000_000_000L) long written) {
        long lifetime = LabelIndex.expiresAt(written / DAY) - written;
        assertTrue(lifetime > 39 * DAY && lifetime <= 40 * DAY, "lives " + lifetime + " s");
    }

    /** Any merchant id (a bar in it too) and any event time the store takes come back as written, in both layouts. */
    @Property
    void anEntryReadsBackAsWritten(@ForAll @StringLength(min = 1, max = 30) String merchantId,
            @ForAll @LongRange(min = 0, max = 999_999_999_999L) long second, @ForAll @IntRange(min = 0, max = 999_999_999) int nano,
            @ForAll @IntRange(min = 0, max = 9) int zeros) {
        // zeros: how many of the fraction's last digits are 0 (whole milliseconds: 6, whole seconds: 9)
        Instant at = Instant.ofEpochSecond(second, nano / (int) Math.pow(10, zeros) * (int) Math.pow(10, zeros));
        assertEquals(new LabelIndex.Entry(merchantId, at), LabelIndex.parse(LabelIndex.value(merchantId, at)));
        assertEquals(new LabelIndex.Entry(merchantId, at), LabelIndex.parse(merchantId + "|" + RedisFeatureStore.encodeTime(at)),
                "the layout before");
    }

    @Test
    void writesTheTimeAsItsEpochSecondAndOnlyTheFractionItHas() {
        assertEquals("shop|1741046400", LabelIndex.value("shop", Instant.parse("2025-03-04T00:00:00Z")));
        assertEquals("shop|1741046400.12", LabelIndex.value("shop", Instant.parse("2025-03-04T00:00:00.120Z")));
        assertEquals("shop|1741046400.00000005", LabelIndex.value("shop", Instant.parse("2025-03-04T00:00:00.000000050Z")));
    }

    @Test
    void probesOldestFirstFromTheOldestDayStillKeptToTomorrow() {
        List<String> probed = LabelIndex.keysToProbe(20_000, "tx-1");
        int shard = LabelIndex.shard("tx-1");
        assertEquals(42, probed.size());
        assertEquals(LabelIndex.key(20_000 - 40, shard), probed.get(0));
        assertEquals(LabelIndex.key(20_001, shard), probed.get(41));
        assertEquals("{ti:20001:" + shard + "}", probed.get(41));
    }

    @Test
    void spreadsTransactionIdsEvenlyOverTheShards() {
        // Sequential ids, as rails number them: no shard may take far more than its share (the hashes stay small)
        int[] counts = new int[LabelIndex.SHARDS];
        int n = 50 * LabelIndex.SHARDS;
        for (int i = 0; i < n; i++) counts[LabelIndex.shard("tx-42-" + i)]++;
        int max = 0;
        for (int c : counts) max = Math.max(max, c);
        assertTrue(max < 100, "fullest shard " + max + " for a mean of 50");
    }
}
