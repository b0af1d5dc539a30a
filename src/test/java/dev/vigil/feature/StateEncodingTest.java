package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.event.GeoLocation;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The Redis store writes each entity's state after every batch and reads it back for the next one:
 * a state that went through its encoding must count the next transaction exactly as the state that
 * never left memory, and encode to the same bytes. In-process; the Redis round trip itself is in
 * {@code FeatureStoreAgreementIT}.
 */
class StateEncodingTest {

    private static final Instant BASE = Instant.parse("2025-03-01T00:00:00Z");
    private static final List<Currency> CURRENCIES = List.of(Currency.getInstance("USD"), Currency.getInstance("JPY"));
    private static final List<GeoLocation> PLACES = List.of(new GeoLocation(48.8566, 2.3522, "FR"),
            new GeoLocation(-33.8688, 151.2093, "AU"));

    @Provide
    Arbitrary<List<TransactionEvent>> histories() {
        Arbitrary<TransactionEvent> event = Combinators.combine(
                        Arbitraries.longs().between(0, 40L * 86_400 * 1_000_000_000L),          // event time
                        Arbitraries.of(TransactionType.class),
                        Arbitraries.longs().between(0, 2_000_000),                               // minor units
                        Arbitraries.integers().between(0, 1),                                    // currency
                        Arbitraries.integers().between(-1, 2),                                   // merchant
                        Arbitraries.integers().between(-1, 1),                                   // place
                        Arbitraries.integers().between(-1, 2))                                   // counterparty
                .as((nanos, type, minor, cur, merchant, place, cp) -> {
                    Currency c = CURRENCIES.get(cur);
                    return new TransactionEvent("t", BASE.plusNanos(nanos), "a", "c", type,
                            BigDecimal.valueOf(minor, c.getDefaultFractionDigits()), c, cp < 0 ? null : "cp" + cp,
                            merchant < 0 ? null : "m" + merchant, "5411", "web", "card", Boolean.FALSE, "d",
                            "10.0.0.1", place < 0 ? null : PLACES.get(place));
                });
        return event.list().ofMinSize(1).ofMaxSize(60).map(l -> {
            List<TransactionEvent> sorted = new ArrayList<>(l);
            // Mostly in time order, as Kafka delivers an account's events, so the horizon trims as in production.
            sorted.sort((x, y) -> x.occurredAt().compareTo(y.occurredAt()));
            return sorted;
        });
    }

    @Property(tries = 200)
    void anAccountStateCountsTheSameAfterItsEncoding(@ForAll("histories") List<TransactionEvent> history) {
        AccountState kept = AccountState.empty();
        boolean[] listed = {false, false};
        for (TransactionEvent e : history.subList(0, history.size() - 1)) {
            kept.count(e, Series.increments(e), null, listed, 300);
        }
        byte[] bytes = kept.encode(42);
        AccountState read = AccountState.decode(bytes);
        assertArrayEquals(bytes, read.encode(42), "encode(decode(x)) = x");
        assertArrayEquals(bytes, kept.encode(42, used()), "the store's reused writer writes the same bytes");
        assertEquals(42, new StateBytes.Reader(bytes, 0).version());
        byte[] formatOne = inKeySteps(bytes, 1, false);
        assertArrayEquals(bytes, AccountState.decode(formatOne).encode(42), "a format 1 state (tables in key steps) reads back the same");
        assertTrue(bytes.length <= formatOne.length, bytes.length + " bytes in runs, " + formatOne.length + " in key steps");

        TransactionEvent last = history.get(history.size() - 1);
        FeatureMath.AccountPart a = kept.count(last, Series.increments(last), null, listed, 300);
        FeatureMath.AccountPart b = read.count(last, Series.increments(last), null, listed, 300);
        assertEquals(a, b);
    }

    @Property(tries = 200)
    void aMerchantStateCountsTheSameAfterItsEncoding(@ForAll("histories") List<TransactionEvent> history) {
        EntityState kept = EntityState.empty();
        boolean[] listed = {false, true};
        List<Instant[]> labels = new ArrayList<>();
        labels.add(new Instant[] {BASE.plusSeconds(86_400), BASE.plusSeconds(3 * 86_400)});
        for (TransactionEvent e : history.subList(0, history.size() - 1)) {
            kept.count("m", e, Series.increments(e), 300, listed, labels);
        }
        byte[] bytes = kept.encode(-7);
        EntityState read = EntityState.decode(bytes);
        assertArrayEquals(bytes, read.encode(-7));
        assertArrayEquals(bytes, kept.encode(-7, used()), "the store's reused writer writes the same bytes");
        byte[] formatTwo = inKeySteps(bytes, 2, true);
        assertArrayEquals(bytes, EntityState.decode(formatTwo).encode(-7), "a format 2 state (tables in key steps) reads back the same");
        assertTrue(bytes.length <= formatTwo.length, bytes.length + " bytes in runs, " + formatTwo.length + " in key steps");

        TransactionEvent last = history.get(history.size() - 1);
        FeatureMath.EntityPart a = kept.count("m", last, Series.increments(last), 300, listed, labels);
        FeatureMath.EntityPart b = read.count("m", last, Series.increments(last), 300, listed, labels);
        assertEquals(a.counts(), b.counts());
        assertEquals(a.sums(), b.sums());
        assertArrayEquals(a.fraudKnown(), b.fraudKnown());
        assertArrayEquals(a.delayedFrauds(), b.delayedFrauds());
        assertArrayEquals(a.delayedTransactions(), b.delayedTransactions());
        assertEquals(a.fraudStreak(), b.fraudStreak());
        assertEquals(a.latestKnownDayFrauds(), b.latestKnownDayFrauds());
        assertEquals(a.secondsSincePrevious(), b.secondsSincePrevious());
        assertEquals(Arrays.toString(new boolean[] {a.blacklisted(), a.whitelisted()}),
                Arrays.toString(new boolean[] {b.blacklisted(), b.whitelisted()}));
        // The event seconds kept are bounded by the lateness: those of its 301 seconds, and one before them
        assertTrue(kept.seconds().size() <= 302, kept.seconds().size() + " seconds kept");
        long newest = history.stream().mapToLong(e -> e.occurredAt().getEpochSecond()).max().orElseThrow();
        assertEquals(kept.seconds().stream().filter(x -> x < newest - 300).count() > 0 ? 1 : 0,
                kept.seconds().stream().filter(x -> x < newest - 300).count(), "only the latest second before the horizon");
    }

    @Example
    void shouldReadAnEntityStateOfFormatOneWithItsNewestSecondAsTheOnlyOneKept() {
        // As the build of feature format 6 wrote a customer's state: no event seconds after its day counts
        long newest = BASE.getEpochSecond() + 500;
        StateBytes.Writer w = new StateBytes.Writer().reset().version(3);
        w.unsigned(1);
        w.signed(newest);
        new BucketTable().writeKeySteps(w);
        w.unsigned(0); // no currency
        w.unsigned(0);
        EntityState old = EntityState.decode(w.toBytes());
        assertEquals(java.util.Set.of(newest), old.seconds());
        TransactionEvent next = new TransactionEvent("t", BASE.plusSeconds(530), "a", "c", TransactionType.PURCHASE,
                BigDecimal.ONE, Currency.getInstance("USD"), null, null, null, "web", "card", Boolean.FALSE, null, null, null);
        assertEquals(30, old.count("c", next, Series.increments(next), 300, new boolean[2], List.of()).secondsSincePrevious());
        // and is written in the current format, with both seconds
        assertEquals(java.util.Set.of(newest, newest + 30), EntityState.decode(old.encode(4)).seconds());
    }

    /**
     * A redelivery returns the replay record's features: they must be the first enrichment's, every value
     * with its type and scale (a count stays a count, 1.50 stays 1.50), and the profile with them.
     */
    @Property(tries = 50)
    void shouldReturnTheFirstEnrichmentFromItsReplayRecord(@ForAll("histories") List<TransactionEvent> history) {
        ReferenceFeatureStore reference = new ReferenceFeatureStore();
        AccountProfile profile = new AccountProfile("a", "c", BASE.minusSeconds(86_400), new BigDecimal("25000.00"),
                Currency.getInstance("EUR"), "DE", dev.vigil.event.KycRiskLevel.HIGH, false, false, true);
        int i = 0;
        for (TransactionEvent e : history) {
            Features features = reference.enrich(e).features();
            AccountProfile p = i++ % 2 == 0 ? null : profile;
            byte[] record = ReplayRecord.encode(features, p);
            assertArrayEquals(record, ReplayRecord.encode(features, p, used()), "the store's reused writer writes the same bytes");
            Enrichment back = ReplayRecord.decode("a", record);
            assertEquals(features.toMap(), back.features().toMap());
            assertEquals(p, back.account());
            assertEquals(true, back.replayed());
        }
    }

    /**
     * A replay record written before the catalogue grew (format 1: the 82 values of feature format 4, no
     * count) is still in Redis for up to 8 days after an upgrade: it reads back with those values and the
     * later features at their defaults.
     */
    @Property(tries = 20)
    void shouldReadAReplayRecordOfTheEightyTwoFeatureCatalogue(@ForAll("histories") List<TransactionEvent> history) {
        ReferenceFeatureStore reference = new ReferenceFeatureStore();
        for (TransactionEvent e : history) {
            Features features = reference.enrich(e).features();
            StateBytes.Writer w = new StateBytes.Writer().unsigned(1);
            int[] written = {0};
            features.visitValues(new Features.ValueVisitor() {
                @Override
                public void count(long value) {
                    if (written[0]++ < 82) w.unsigned(0).signed(value);
                }

                @Override
                public void decimal(BigDecimal value) {
                    if (written[0]++ < 82) w.unsigned(3).signed(value.scale()).bytes(value.unscaledValue().toByteArray());
                }

                @Override
                public void flag(boolean value) {
                    if (written[0]++ < 82) w.unsigned(value ? 2 : 1);
                }
            });
            w.bool(false);
            java.util.Map<String, Object> expected = new java.util.LinkedHashMap<>(features.toMap());
            for (String name : Features.NAMES.subList(82, Features.NAMES.size())) expected.put(name, Features.DEFAULTS.get(name));
            assertEquals(expected, ReplayRecord.decode("a", w.toBytes()).features().toMap());
        }
    }

    /**
     * A state as the build before bucket runs wrote it: {@code current} with its tables rewritten in key steps
     * ({@link BucketTable#writeKeySteps}, that build's layout) under the format number {@code oldFormat}.
     */
    private static byte[] inKeySteps(byte[] current, int oldFormat, boolean entity) {
        StateBytes.Reader r = new StateBytes.Reader(current, 0);
        StateBytes.Writer w = new StateBytes.Writer().reset().version(r.version());
        r.unsigned(); // the current format
        w.unsigned(oldFormat);
        if (entity) w.signed(r.signed()); // the newest second
        BucketTable.read(r).writeKeySteps(w);
        int currencies = r.count();
        w.unsigned(currencies);
        for (int i = 0; i < currencies; i++) {
            w.string(r.string());
            BucketTable.read(r).writeKeySteps(w);
        }
        byte[] head = w.toBytes();
        byte[] out = Arrays.copyOf(head, head.length + current.length - r.position());
        System.arraycopy(current, r.position(), out, head.length, current.length - r.position());
        return out;
    }

    @Provide
    Arbitrary<java.util.Map<Long, Long>> tables() {
        // Any series id (those with bins, and ids of no series, whose buckets have no length), any bin, buckets near
        // one second as a state's are and far from it, values up to 2^63 - 1.
        long now = 1_740_000_000L;
        Arbitrary<long[]> bucket = Combinators.combine(
                        Arbitraries.integers().between(0, 25),
                        Arbitraries.integers().between(0, 999),
                        Arbitraries.oneOf(Arbitraries.longs().between(-70, 3), Arbitraries.longs().between(-now, 99_999_999L)),
                        Arbitraries.oneOf(Arbitraries.longs().between(0, 300), Arbitraries.longs().between(0, Long.MAX_VALUE)))
                .as((series, bin, offset, value) -> {
                    long bs = series < Series.values().length ? bucketSeconds(series) : 0;
                    boolean binned = series == Series.HOUR_30D.id || series == Series.AMOUNT_HIST_30D.id
                            || series == Series.AMOUNT_HIST_7D.id;
                    long b = Math.floorMod(bs == 0 ? now + offset : now / bs + offset, binned ? 100_000_000L : 10_000_000_000_000L);
                    return new long[] {series * 10_000_000_000_000L + (binned ? bin * 100_000_000L : 0) + b, value};
                });
        return bucket.list().ofMaxSize(120).map(l -> {
            java.util.Map<Long, Long> m = new java.util.TreeMap<>();
            for (long[] kv : l) m.put(kv[0], kv[1]);
            return m;
        });
    }

    private static long bucketSeconds(int id) {
        for (Series s : Series.values()) if (s.id == id) return s.bucketSeconds;
        return 0;
    }

    @Property(tries = 1000)
    void aBucketTableReadsBackAsWrittenInRunsAndInKeySteps(@ForAll("tables") java.util.Map<Long, Long> buckets) {
        BucketTable table = BucketTable.of(buckets);
        StateBytes.Writer runs = new StateBytes.Writer();
        table.write(runs);
        StateBytes.Writer steps = new StateBytes.Writer();
        table.writeKeySteps(steps);
        StateBytes.Reader fromRuns = new StateBytes.Reader(runs.toBytes(), 0);
        StateBytes.Reader fromSteps = new StateBytes.Reader(steps.toBytes(), 0);
        BucketTable a = BucketTable.read(fromRuns);
        BucketTable b = BucketTable.readKeySteps(fromSteps);
        assertTrue(fromRuns.atEnd() && fromSteps.atEnd());
        for (int id = 0; id <= 25; id++) {
            assertEquals(table.series(id), a.series(id), "series " + id + " in runs");
            assertEquals(table.series(id), b.series(id), "series " + id + " in key steps");
        }
        assertEquals(buckets.size(), a.size());
    }

    /** A writer as the store hands it over: its buffer small at first, then holding a previous value. */
    private static StateBytes.Writer used() {
        StateBytes.Writer w = new StateBytes.Writer(4);
        w.string("a previous value, longer than the buffer").unsigned(Long.MAX_VALUE).signed(-5);
        return w;
    }
}
