package dev.vigil.audit;

import static dev.vigil.audit.AuditFixtures.DB;
import static dev.vigil.audit.AuditFixtures.audited;
import static dev.vigil.audit.AuditFixtures.decision;
import static dev.vigil.audit.AuditFixtures.rejection;
import static dev.vigil.audit.AuditFixtures.twoHits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.decision.Decision;
import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.event.EventSource;
import dev.vigil.event.RejectReason;
import dev.vigil.feature.Features;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.score.ModelScore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresAuditStoreIT {

    @TempDir static Path dataDir;
    static EmbeddedPostgresServer pg;
    PostgresAuditStore store;

    @BeforeAll
    static void startServer() throws SQLException {
        pg = EmbeddedPostgresServer.start(dataDir.resolve("pg"), 0);
        AuditFixtures.migrate(pg);
    }

    @AfterAll
    static void stopServer() {
        if (pg != null) pg.close();
    }

    @BeforeEach
    void openStore() {
        store = AuditFixtures.appStore(pg);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    @Test
    void shouldRoundTripADecisionWithExactFeaturesHitsAndVersions() {
        // Given a decision with decimals a double would round, a negative-scale decimal, and two hits
        String tx = unique("tx");
        Features f = new Features(2, 5, 9, 31,
                new BigDecimal("150.10"), new BigDecimal("0.1"), new BigDecimal("1E+3"),
                new BigDecimal("123456789012345678901234567890.123456789"),
                -1, 2, new BigDecimal("9000.50"), new BigDecimal("0.0000001234"), true, false, -1);
        Decision d = decision(AuditFixtures.event(tx, "acc-rt", AuditFixtures.T0, "9000.50"), twoHits(), f,
                AuditFixtures.account(), ModelScore.of(0.8731, "xgb-2026.02"));
        AuditedDecision a = audited(d);

        // When it is recorded and read back
        assertEquals(List.of(true), store.recordDecisions(List.of(a)));
        StoredDecision s = store.findDecision(tx).orElseThrow();

        // Then every audited fact is as decided
        assertEquals(d.decisionId(), s.decisionId());
        assertEquals(Verdict.BLOCK, s.verdict());
        assertEquals(List.of("AML-NEW-001", "WL-001"), s.ruleIds());
        assertEquals(d.hits(), s.hits());
        assertEquals(f, s.featureSnapshot()); // BigDecimal.equals: same digits and scale
        assertEquals("0.1", s.features().get("tx_sum_1h"));
        assertEquals("1E+3", s.features().get("tx_sum_24h"));
        assertEquals(AuditFixtures.RULES, s.ruleSetVersion());
        assertEquals("xgb-2026.02", s.modelVersion());
        assertEquals(0.8731, s.score());
        assertEquals(87, s.riskScore());
        assertEquals(new BigDecimal("9000.50"), s.amount());
        assertEquals("EUR", s.currency());
        assertEquals("BALANCE_DEPOSIT", s.transactionType());
        assertEquals("acc-rt", s.accountId());
        assertEquals(AuditFixtures.T0, s.eventTime());
        assertEquals(d.decidedAt(), s.processedAt());
        assertEquals(815, s.latencyMicros());
        assertEquals(a.source(), s.source());
        assertArrayEquals(a.rawEvent(), s.rawEvent());
        assertEquals("HIGH", s.account().get("kyc_risk_level"));
        assertEquals("25000.00", s.account().get("declared_net_worth"));
        assertEquals(true, s.account().get("watchlist_hit"));
    }

    @Test
    void shouldStoreNullAccountAndNoHitsAsAllow() {
        String tx = unique("tx-allow");
        Decision d = decision(AuditFixtures.event(tx, "acc-new", AuditFixtures.T0, "1.00"), List.of(),
                AuditFixtures.features(), null, new ModelScore(0.01, 1, null));
        assertEquals(List.of(true), store.recordDecisions(List.of(audited(d))));
        StoredDecision s = store.findDecision(tx).orElseThrow();
        assertEquals(Verdict.ALLOW, s.verdict());
        assertEquals(List.of(), s.hits());
        assertNull(s.account());
        assertNull(s.modelVersion());
    }

    @Test
    void shouldReportFalseAndWriteNoSecondRowWhenATransactionIsRecordedAgain() {
        // Given a decision already recorded
        String tx = unique("tx-dup");
        long before = store.countDecisions();
        assertEquals(List.of(true), store.recordDecisions(List.of(audited(tx))));

        // When the same transaction comes again (a redelivery, here with another verdict) with a new one
        String other = unique("tx-new");
        Decision redelivered = decision(tx, List.of());
        List<Boolean> written = store.recordDecisions(List.of(audited(redelivered), audited(other)));

        // Then only the new one is written and the first record stands
        assertEquals(List.of(false, true), written);
        assertEquals(before + 2, store.countDecisions());
        assertEquals(Verdict.BLOCK, store.findDecision(tx).orElseThrow().verdict());
    }

    @Test
    void shouldWriteTheFirstOccurrenceWhenABatchRepeatsATransaction() {
        String a = unique("tx-a");
        String b = unique("tx-b");
        long before = store.countDecisions();
        List<Boolean> written = store.recordDecisions(List.of(
                audited(decision(a, twoHits())), audited(b), audited(decision(a, List.of()))));
        assertEquals(List.of(true, true, false), written);
        assertEquals(before + 2, store.countDecisions());
        assertEquals(Verdict.BLOCK, store.findDecision(a).orElseThrow().verdict());
    }

    @Test
    void shouldRecordLargeBatchesWithARowAlreadyThere() {
        // 2,345 rows in one COPY, one of them recorded before; the answer must still follow the input order
        int n = 2345;
        String prefix = unique("bulk");
        String already = prefix + "-1500";
        assertEquals(List.of(true), store.recordDecisions(List.of(audited(already))));
        long before = store.countDecisions();
        List<AuditedDecision> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) batch.add(audited(prefix + "-" + i));
        List<Boolean> written = store.recordDecisions(batch);
        assertEquals(n, written.size());
        for (int i = 0; i < n; i++) assertEquals(i != 1500, written.get(i), "row " + i);
        assertEquals(before + n - 1, store.countDecisions());
    }

    @Test
    void shouldWriteNothingOfABatchWhenOneRowFailsAndWorkOnTheNextCall() {
        // Given a batch whose last decision breaks a CHECK (a risk score of 500)
        String good = unique("tx-good");
        String bad = unique("tx-bad");
        Decision badDecision = decision(AuditFixtures.event(bad, "acc-1", AuditFixtures.T0, "1.00"), List.of(),
                AuditFixtures.features(), null, new ModelScore(0.5, 500, "m"));
        long before = store.countDecisions();

        // When it is recorded, the call fails as a whole
        AuditUnavailableException e = assertThrows(AuditUnavailableException.class,
                () -> store.recordDecisions(List.of(audited(good), audited(badDecision))));
        assertEquals("23514", e.sqlState(), e.getMessage());
        assertFalse(e.isTransient());

        // Then not even the good row is there, and the store keeps working
        assertEquals(before, store.countDecisions());
        assertTrue(store.findDecision(good).isEmpty());
        assertEquals(List.of(true), store.recordDecisions(List.of(audited(good))));
        assertTrue(store.isHealthy());
    }

    @Test
    void shouldRecordARejectionOncePerSource() {
        EventSource src = EventSource.kafka("transactions", 3, System.nanoTime());
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, 'x', 0};
        long before = store.countRejections();

        store.recordRejections(List.of(rejection(src, notUtf8)));
        // the same delivery again (a retry), in a batch with itself and with a new one
        EventSource other = EventSource.http(unique("req"));
        store.recordRejections(List.of(rejection(src, "again".getBytes(StandardCharsets.UTF_8)),
                rejection(other, "{}".getBytes(StandardCharsets.UTF_8)),
                rejection(other, "{}".getBytes(StandardCharsets.UTF_8))));

        assertEquals(before + 2, store.countRejections());
        try (Connection c = superuser(); PreparedStatement ps = c.prepareStatement(
                "select raw_event, reason_code, raw_event_text, raw_event_json from audit_rejections "
                        + "where source_channel = ? and source_ref = ?")) {
            ps.setString(1, src.channel());
            ps.setString(2, src.ref());
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertArrayEquals(notUtf8, rs.getBytes(1)); // the first delivery's bytes, not the retry's
                assertEquals(RejectReason.NOT_JSON.name(), rs.getString(2));
                assertNull(rs.getString(3)); // not UTF-8, so no text form
                assertNull(rs.getString(4));
                assertFalse(rs.next());
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldRefuseUpdateDeleteAndTruncateToTheAppRole() throws SQLException {
        store.recordDecisions(List.of(audited(unique("tx-app"))));
        store.recordRejections(List.of(rejection(EventSource.http(unique("r")), new byte[] {1})));
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(DB), SchemaMigrator.APP_ROLE,
                AuditFixtures.APP_PASSWORD); Statement st = c.createStatement()) {
            for (String sql : List.of(
                    "update decision set verdict = 'ALLOW'",
                    "delete from decision",
                    "truncate decision",
                    "update rejection set message = 'x'",
                    "delete from rejection",
                    "truncate rejection",
                    // the app may not pick its own id or backdate recorded_at
                    "insert into rejection (id, source_channel, source_ref, received_at, reason_code, message, raw_event)"
                            + " values (1, 'x', 'y', now(), 'NOT_JSON', 'm', '\\x00')",
                    "alter table decision disable trigger decision_append_only",
                    "drop table decision")) {
                SQLException e = assertThrows(SQLException.class, () -> st.execute(sql), sql);
                assertTrue(e.getSQLState().equals("42501"), sql + " -> " + e.getSQLState() + " " + e.getMessage());
            }
        }
    }

    @Test
    void shouldRefuseUpdateDeleteAndTruncateEvenToTheSuperuser() throws SQLException {
        store.recordDecisions(List.of(audited(unique("tx-su"))));
        store.recordRejections(List.of(rejection(EventSource.http(unique("r")), new byte[] {1})));
        long decisions = store.countDecisions();
        long rejections = store.countRejections();
        try (Connection c = superuser(); Statement st = c.createStatement()) {
            for (String sql : List.of(
                    "update decision set verdict = 'ALLOW'",
                    "delete from decision",
                    "truncate decision",
                    "update rejection set message = 'x'",
                    "delete from rejection",
                    "truncate rejection",
                    "delete from decision where false")) { // refused even when no row matches
                SQLException e = assertThrows(SQLException.class, () -> st.execute(sql), sql);
                assertEquals("P0001", e.getSQLState(), sql + " -> " + e.getMessage());
                assertTrue(e.getMessage().contains("append-only"), e.getMessage());
            }
            // the usual trigger bypass does not apply: the triggers are ENABLE ALWAYS
            st.execute("set session_replication_role = replica");
            SQLException e = assertThrows(SQLException.class, () -> st.execute("delete from decision"));
            assertEquals("P0001", e.getSQLState(), e.getMessage());
        }
        assertEquals(decisions, store.countDecisions());
        assertEquals(rejections, store.countRejections());
    }

    @Test
    void shouldLetTheAuditorReadButNotWrite() throws SQLException {
        String tx = unique("tx-aud");
        store.recordDecisions(List.of(audited(tx)));
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(DB), SchemaMigrator.AUDITOR_ROLE,
                AuditFixtures.AUDITOR_PASSWORD); Statement st = c.createStatement()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "select rule_ids, raw_event_json ->> 'transactionId' from audit_decisions where transaction_id = ?")) {
                ps.setString(1, tx);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertArrayEquals(new String[] {"AML-NEW-001", "WL-001"}, (String[]) rs.getArray(1).getArray());
                    assertEquals(tx, rs.getString(2));
                }
            }
            try (ResultSet rs = st.executeQuery("select count(*) from audit_hits where transaction_id = '" + tx + "'")) {
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
            for (String sql : List.of(
                    "insert into rejection (source_channel, source_ref, received_at, reason_code, message, raw_event)"
                            + " values ('x', 'y', now(), 'NOT_JSON', 'm', '\\x00')",
                    "delete from decision",
                    "update decision set verdict = 'ALLOW'")) {
                SQLException e = assertThrows(SQLException.class, () -> st.execute(sql), sql);
                assertEquals("42501", e.getSQLState(), sql + " -> " + e.getMessage());
            }
        }
    }

    @Test
    void shouldRefuseTheAppRoleWithAWrongPassword() {
        AuditUnavailableException e = assertThrows(AuditUnavailableException.class,
                () -> new PostgresAuditStore(pg.jdbcUrl(DB), SchemaMigrator.APP_ROLE, "wrong"));
        assertEquals("28P01", e.sqlState(), e.getMessage());
        assertFalse(e.getMessage().contains("wrong"), "the message must not echo the password");
    }

    @Test
    void shouldKeepSqlLookingTextAsData() throws SQLException {
        // Given values shaped like SQL injection, in every text column the app writes
        String evil = "x'); drop table decision; --" + UUID.randomUUID();
        String quotes = "O'Brien \"the\" \\ $$ $1 ?";
        Decision d = decision(AuditFixtures.event(evil, quotes, AuditFixtures.T0, "10.00"),
                List.of(new Hit("AML-'; delete from decision; --", Verdict.REVIEW, quotes)),
                AuditFixtures.features(), AuditFixtures.account(), ModelScore.of(0.5, "m'; --"));
        long before = store.countDecisions();

        assertEquals(List.of(true), store.recordDecisions(List.of(audited(d))));
        store.recordRejections(List.of(new Rejection(new EventSource("http", evil), quotes.getBytes(StandardCharsets.UTF_8),
                RejectReason.INVALID_VALUE, quotes, evil, AuditFixtures.T0)));

        // Then they come back as written and the table is still there
        StoredDecision s = store.findDecision(evil).orElseThrow();
        assertEquals(quotes, s.accountId());
        assertEquals(d.hits(), s.hits());
        assertEquals("m'; --", s.modelVersion());
        assertEquals(before + 1, store.countDecisions());
        try (Connection c = superuser(); PreparedStatement ps = c.prepareStatement(
                "select message, transaction_id from rejection where source_ref = ?")) {
            ps.setString(1, evil);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(quotes, rs.getString(1));
                assertEquals(evil, rs.getString(2));
            }
        }
    }

    @Test
    void shouldStoreNulCharactersAsReplacementsRatherThanFailTheBatch() {
        // PostgreSQL text and jsonb cannot hold U+0000: one such id must not stop the pipeline
        String tx = unique("tx-nul") + "\0end";
        Decision d = decision(AuditFixtures.event(tx, "acc\0x", AuditFixtures.T0, "1.00"),
                List.of(new Hit("R-1", Verdict.REVIEW, "reason\0")), AuditFixtures.features(), null,
                ModelScore.of(0.5, "m"));
        assertEquals(List.of(true), store.recordDecisions(List.of(audited(d))));
        assertEquals(List.of(false), store.recordDecisions(List.of(audited(d))));
        StoredDecision s = store.findDecision(tx).orElseThrow();
        assertEquals(tx.replace('\0', '\uFFFD'), s.transactionId());
        assertEquals("acc\uFFFDx", s.accountId());
        assertEquals("reason\uFFFD", s.hits().get(0).reason());
        store.recordRejections(List.of(new Rejection(EventSource.http(unique("r\0")), new byte[] {0},
                RejectReason.INVALID_UTF8, "bad\0", "t\0", AuditFixtures.T0)));
    }

    @Test
    void shouldShowTheRawEventAsJsonToAuditors() throws SQLException {
        String tx = unique("tx-view");
        store.recordDecisions(List.of(audited(tx)));
        try (Connection c = superuser(); PreparedStatement ps = c.prepareStatement(
                "select raw_event_json ->> 'amount', (features ->> 'tx_sum_7d')::numeric, hits -> 1 ->> 'rule_id'"
                        + " from audit_decisions where transaction_id = ?")) {
            ps.setString(1, tx);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("9000.50", rs.getString(1));
                assertEquals(new BigDecimal("123456789012345678901234567890.123456789"), rs.getBigDecimal(2));
                assertEquals("WL-001", rs.getString(3));
            }
        }
    }

    @Test
    void shouldCommitSynchronouslyWhateverTheServerDefault() throws SQLException {
        // Given a server where the app role's default would acknowledge commits before they are on disk
        try (Connection c = superuser(); Statement st = c.createStatement()) {
            st.execute("alter role vigil_app set synchronous_commit = off");
        }
        try {
            try (Connection plain = DriverManager.getConnection(pg.jdbcUrl(DB), SchemaMigrator.APP_ROLE,
                    AuditFixtures.APP_PASSWORD); Statement st = plain.createStatement()) {
                assertEquals("off", showSetting(st, "synchronous_commit")); // the default really is off
            }
            // Then the store's connections still commit synchronously
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(DB),
                    PostgresAuditStore.connectionProperties(SchemaMigrator.APP_ROLE, AuditFixtures.APP_PASSWORD));
                    Statement st = c.createStatement()) {
                assertEquals("on", showSetting(st, "synchronous_commit"));
            }
        } finally {
            try (Connection c = superuser(); Statement st = c.createStatement()) {
                st.execute("alter role vigil_app reset synchronous_commit");
            }
        }
    }

    private static String showSetting(Statement st, String name) throws SQLException {
        try (ResultSet rs = st.executeQuery("show " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void shouldAnswerHealthyAndRefuseUseAfterClose() {
        assertTrue(store.isHealthy());
        assertEquals(List.of(), store.recordDecisions(List.of()));
        store.close();
        assertFalse(store.isHealthy());
        assertThrows(IllegalStateException.class, () -> store.recordDecisions(List.of(audited(unique("late")))));
    }

    @Test
    void shouldRunTheReadmeExampleQueriesAsTheAuditor() throws Exception {
        // The README's queries are what auditors copy: each must run, as vigil_auditor, on the real schema
        store.recordDecisions(List.of(audited(unique("tx-readme"))));
        store.recordRejections(List.of(rejection(EventSource.http(unique("r")), new byte[] {'x'})));
        String readme = Files.readString(AuditFixtures.SCHEMA.resolve("README.md"));
        Matcher m = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<Integer> rowCounts = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(DB), SchemaMigrator.AUDITOR_ROLE,
                AuditFixtures.AUDITOR_PASSWORD); Statement st = c.createStatement()) {
            while (m.find()) {
                int rows = 0;
                try (ResultSet rs = st.executeQuery(m.group(1))) {
                    while (rs.next()) rows++;
                }
                rowCounts.add(rows);
            }
        }
        assertTrue(rowCounts.size() >= 3, "example queries found: " + rowCounts.size());
        // account acc-1, rule hits and rejections all exist, so the first three answer with rows
        assertTrue(rowCounts.get(0) > 0 && rowCounts.get(1) > 0 && rowCounts.get(2) > 0, rowCounts.toString());
    }

    @Test
    void shouldLookUpRecordedIdsByIndexWhileTheMonthsPartitionIsYoung() throws Exception {
        // Given a new database, whose month partitions the first writes create and autovacuum has not analyzed yet
        String db = "vigil_young_partition";
        AuditFixtures.migrate(pg, db);
        int batches = 40;
        try (PostgresAuditStore young = AuditFixtures.appStore(pg, db); Connection su = pg.superUserConnection(db)) {
            young.recordDecisions(List.of(audited(unique("tx-first"))));
            young.recordRejections(List.of(rejection(EventSource.http(unique("r-first")), new byte[] {'x'})));
            List<String> partitions = new ArrayList<>();
            try (Statement st = su.createStatement(); ResultSet rs = st.executeQuery(
                    "select inhrelid::regclass::text from pg_inherits where inhparent in ('decision'::regclass, 'rejection'::regclass)")) {
                while (rs.next()) partitions.add(rs.getString(1));
            }
            assertEquals(2, partitions.size(), partitions.toString());
            try (Statement st = su.createStatement()) {
                // Keep them unanalyzed for the whole test: an analyze would replace whatever plan is cached.
                for (String p : partitions) st.execute("alter table " + p + " set (autovacuum_enabled = false)");
            }

            // When small batches are recorded, as an HTTP path under light load records them
            for (int i = 0; i < batches; i++) {
                young.recordDecisions(List.of(audited(unique("tx-" + i)), audited(unique("tx-" + i + "b"))));
                young.recordRejections(List.of(rejection(EventSource.http(unique("r-" + i)), new byte[] {'x'})));
            }

            // (A backend reports its scan counts when it goes idle at least a second after its last report, else
            // within 10 s: one more batch after a second's pause reports them all.)
            Thread.sleep(1_100);
            young.recordDecisions(List.of(audited(unique("tx-last"))));
            int lookups = 2 * (batches + 1) + 1;

            // Then every lookup of the ids already recorded read an index, and no row was read by a sequential scan (a
            // plan cached while a partition is small is one, kept until the first analyze while the partition grows;
            // the migrations scanned the partitions while they were empty, so rows read count, not scans)
            String scans = "select coalesce(sum(seq_tup_read), 0), coalesce(sum(idx_scan), 0) from pg_stat_user_tables"
                    + " where relid::regclass::text = any(?)";
            long seqRows = -1;
            long idx = -1;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (idx < lookups && System.nanoTime() < deadline) {
                Thread.sleep(200);
                try (Statement clear = su.createStatement()) {
                    clear.execute("select pg_stat_clear_snapshot()");
                }
                try (PreparedStatement ps = su.prepareStatement(scans)) {
                    ps.setArray(1, su.createArrayOf("text", partitions.toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        seqRows = rs.getLong(1);
                        idx = rs.getLong(2);
                    }
                }
            }
            assertEquals(0, seqRows, "rows the lookups read by sequential scans of the young partitions (" + idx + " lookups by index)");
            assertTrue(idx >= lookups, "lookups by index reported: " + idx + " of " + lookups);
        }
    }

    private static Connection superuser() throws SQLException {
        return pg.superUserConnection(DB);
    }

}
