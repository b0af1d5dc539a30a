package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.Features;
import dev.vigil.feature.ReferenceFeatureStore;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FDH mapping and the event-time replay, on a small CSV in the FDH layout. */
class HistoryReplayTest {

    private static final Path FDH_MAPPING = Path.of("models/mappings/fdh.yaml");
    private static final String HEADER = "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO";

    @TempDir
    Path tmp;

    @Test
    void shouldMapAnFdhRowToAnEventAndALabel() {
        ColumnMapping m = ColumnMapping.load(FDH_MAPPING);
        ColumnMapping.Reader r = m.reader(List.of(HEADER.split(",")));
        String[] row = "17,2018-04-02 13:05:09,596,3156,85.64999999999999,133509,1,1,2".split(",");
        TransactionEvent e = r.event(row);
        assertEquals("17", e.transactionId());
        assertEquals(Instant.parse("2018-04-02T13:05:09Z"), e.occurredAt());
        assertEquals("596", e.accountId());
        assertEquals("596", e.customerId());
        assertEquals("3156", e.merchantId());
        assertEquals(new BigDecimal("85.65"), e.amount(), "float noise rounded to cents");
        assertEquals("USD", e.currency().getCurrencyCode());
        assertTrue(r.fraud(row));
        assertEquals(false, r.fraud("18,2018-04-02 13:05:10,596,3156,1.0,0,1,0,0".split(",")));
    }

    @Test
    void shouldNameTheMissingColumn() {
        ColumnMapping m = ColumnMapping.load(FDH_MAPPING);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.reader(List.of("TRANSACTION_ID", "TX_DATETIME", "CUSTOMER_ID", "TX_AMOUNT", "TX_FRAUD")));
        assertTrue(e.getMessage().contains("'TERMINAL_ID'"), e.getMessage());
    }

    // The replay's features are the feature store's own for the same events in the same order, and
    // every label is handed over no earlier than the delay after its transaction.
    @Test
    void shouldReplayThroughTheFeatureStoreAndHandOverLabelsOnlyOnceKnown() throws Exception {
        Random rnd = new Random(3);
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        Instant t = Instant.parse("2018-04-01T00:00:00Z");
        for (int i = 0; i < 1800; i++) {
            t = t.plusSeconds(rnd.nextInt(900));
            String when = t.toString().replace('T', ' ').replace("Z", "");
            lines.add(i + "," + when + "," + rnd.nextInt(30) + "," + rnd.nextInt(50) + "," + (1 + rnd.nextInt(30000)) / 100.0
                    + ",0,0," + (rnd.nextInt(20) == 0 ? 1 : 0) + ",0");
        }
        Path csv = tmp.resolve("h.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(csv))) {
            out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        ColumnMapping m = ColumnMapping.load(FDH_MAPPING);
        Duration delay = Duration.ofDays(1);
        List<HistoryReplay.KnownLabel> handed = new ArrayList<>();
        List<Instant> handedWhileEnriching = new ArrayList<>();
        ReferenceFeatureStore store = new ReferenceFeatureStore() ;
        HistoryReplay.Result r = HistoryReplay.replay(csv, m, store, delay, Features.NAMES, l -> handed.add(l), b -> { });

        assertEquals(1800, r.rows().size());
        // Reference: the same events through a fresh store one by one.
        ReferenceFeatureStore fresh = new ReferenceFeatureStore();
        ColumnMapping.Reader reader = m.reader(List.of(HEADER.split(",")));
        Instant lastEvent = null;
        for (int i = 0; i < 1800; i++) {
            String[] row = lines.get(i + 1).split(",");
            TransactionEvent e = reader.event(row);
            float[] expected = fresh.enrich(e).features().toModelVector();
            float[] got = java.util.Arrays.copyOfRange(r.rows().values(), i * Features.NAMES.size(), (i + 1) * Features.NAMES.size());
            assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(got), "row " + i);
            assertEquals(reader.fraud(row), r.rows().labels()[i]);
            assertEquals(e.occurredAt().toEpochMilli(), r.rows().eventTimeMillis()[i]);
            assertEquals(e.customerId(), r.customers().get(r.customer()[i]));
            lastEvent = e.occurredAt();
        }
        // Labels come in transaction order, each at least the delay after its transaction, and all those
        // known before the last batch began have been handed over.
        assertTrue(handed.size() > 0);
        for (int k = 0; k < handed.size(); k++) {
            HistoryReplay.KnownLabel l = handed.get(k);
            assertEquals(l.event().occurredAt().plus(delay), l.knownAt());
            if (k > 0) assertTrue(!l.knownAt().isBefore(handed.get(k - 1).knownAt()));
        }
        assertTrue(handed.get(handed.size() - 1).knownAt().isBefore(lastEvent));
    }

    // A label must never be known before a later event is enriched: checked with a store that records
    // the latest label handed over when each event is enriched.
    @Test
    void shouldNeverHandOverALabelBeforeItIsKnown() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        Instant t = Instant.parse("2018-04-01T00:00:00Z");
        for (int i = 0; i < 3000; i++) {
            t = t.plusSeconds(97);
            lines.add(i + "," + t.toString().replace('T', ' ').replace("Z", "") + "," + (i % 7) + ",1,10.00,0,0," + (i % 3 == 0 ? 1 : 0) + ",0");
        }
        Path csv = tmp.resolve("h.csv");
        Files.write(csv, lines);
        Duration delay = Duration.ofHours(2);
        Instant[] latestKnown = {Instant.MIN};
        List<String> violations = new ArrayList<>();
        ReferenceFeatureStore reference = new ReferenceFeatureStore();
        dev.vigil.feature.FeatureStore store = new dev.vigil.feature.FeatureStore() {
            @Override
            public dev.vigil.feature.Enrichment enrich(TransactionEvent e) {
                return enrichAll(List.of(e)).get(0);
            }

            @Override
            public List<dev.vigil.feature.Enrichment> enrichAll(List<TransactionEvent> events) {
                for (TransactionEvent e : events) {
                    if (latestKnown[0].isAfter(e.occurredAt())) violations.add(e.transactionId());
                }
                return reference.enrichAll(events);
            }

            @Override
            public void apply(dev.vigil.event.AccountEvent e) {
                reference.apply(e);
            }

            @Override
            public void applyList(dev.vigil.feature.ListEntry entry) {
                reference.applyList(entry);
            }

            @Override
            public boolean applyLabel(dev.vigil.feature.Label label) {
                return reference.applyLabel(label);
            }

            @Override
            public boolean isHealthy() {
                return true;
            }

            @Override
            public void close() {}
        };
        HistoryReplay.replay(csv, ColumnMapping.load(FDH_MAPPING), store, delay, Features.NAMES,
                l -> latestKnown[0] = l.knownAt(), b -> { });
        assertEquals(List.of(), violations);
        assertTrue(latestKnown[0].isAfter(Instant.parse("2018-04-01T00:00:00Z")));
    }

    @Test
    void shouldRefuseAHistoryOutOfTimeOrder() throws Exception {
        Path csv = tmp.resolve("bad.csv");
        Files.write(csv, List.of(HEADER, "1,2018-04-01 10:00:00,1,1,1.00,0,0,0,0", "2,2018-04-01 09:00:00,1,1,1.00,0,0,0,0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HistoryReplay.replay(csv,
                ColumnMapping.load(FDH_MAPPING), new ReferenceFeatureStore(), Duration.ofDays(7), Features.NAMES, l -> { }, b -> { }));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void shouldReadBackWhatItCached() throws Exception {
        TrainingRows rows = new TrainingRows(List.of("tx_count_1m", "new_device"), new float[] {1, 0, 2.5f, 1}, new boolean[] {false, true},
                new long[] {5, 9});
        HistoryReplay.Result r = new HistoryReplay.Result(rows, new int[] {0, 1}, List.of("c1", "c2"));
        Path f = tmp.resolve("cache");
        r.write(f, "key-1");
        HistoryReplay.Result back = HistoryReplay.Result.read(f, "key-1");
        assertEquals(rows.features(), back.rows().features());
        assertEquals(java.util.Arrays.toString(rows.values()), java.util.Arrays.toString(back.rows().values()));
        assertEquals(java.util.Arrays.toString(rows.labels()), java.util.Arrays.toString(back.rows().labels()));
        assertEquals(List.of("c1", "c2"), back.customers());
        assertEquals(null, HistoryReplay.Result.read(f, "key-2"), "another key is a miss");
    }
}
