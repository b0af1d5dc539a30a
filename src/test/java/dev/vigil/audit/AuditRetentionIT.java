package dev.vigil.audit;

import static dev.vigil.audit.AuditChainIT.KEY;
import static dev.vigil.audit.AuditChainIT.clock;
import static dev.vigil.audit.AuditChainIT.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.infra.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.Period;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention archives verified months, records the archive's hash, and leaves a store that still verifies. */
class AuditRetentionIT {
    @TempDir static Path dataDir;

    @BeforeAll
    static void startServer() {
        AuditChainIT.pg = EmbeddedPostgresServer.start(dataDir.resolve("pg"), 0);
    }

    @AfterAll
    static void stopServer() {
        if (AuditChainIT.pg != null) AuditChainIT.pg.close();
    }

    /** Rows in January, February and March 2019 and in the current month. */
    static String fourMonths() throws SQLException {
        String db = AuditChainIT.freshDb();
        for (String at : new String[] {"2019-01-10T00:00:00Z", "2019-02-10T00:00:00Z", "2019-03-10T00:00:00Z", null}) {
            clock(db, at);
            try (PostgresAuditStore store = AuditChainIT.store(db, KEY)) {
                fill(store, at == null ? "now" : at.substring(0, 7));
            }
        }
        return db;
    }

    @Test
    void shouldArchiveVerifiedMonthsOldestFirstAndLeaveAStoreThatStillVerifies() throws Exception {
        String db = fourMonths();
        Path archive = dataDir.resolve("archive-ok");
        // Cut-off in mid-March 2019: January and February have ended, March has not
        Instant cutoff = Instant.parse("2019-03-15T00:00:00Z");
        try (Connection c = AuditChainIT.pg.superUserConnection(db)) {
            assertEquals(List.of(YearMonth.of(2019, 1), YearMonth.of(2019, 2)), AuditRetention.due(c, cutoff));
            AuditRetention.Result r = AuditRetention.archive(c, cutoff, archive, KEY);
            assertNull(r.refused(), r.refusal());
            assertEquals(2, r.archived().size());
            for (AuditRetention.Archived a : r.archived()) {
                // The recorded hash is the file's, and the file verifies alone up to the recorded head
                assertEquals(SchemaMigrator.sha256(Files.readAllBytes(a.file())), a.sha256());
                assertEquals(24, a.decisions());
                assertEquals(3, a.rejections());
                String head = AuditRetention.verifyArchiveFile(a.file());
                assertEquals(head, hex(c, "select encode(head_hash, 'hex') from audit_archive where month = '" + a.month().atDay(1) + "'"));
            }
            // The partitions are gone, the archive records are there, and nothing is due any more
            assertEquals(0, count(c, "select count(*) from pg_class where relname in ('decision_p2019_01', 'rejection_p2019_02')"));
            assertEquals(2, count(c, "select count(*) from audit_archive"));
            assertTrue(AuditRetention.due(c, cutoff).isEmpty());
        }
        AuditVerifier.Report after = AuditChainIT.verify(db, KEY);
        assertTrue(after.intact(), after.toString());
        assertEquals(2 * 27, after.linksChecked()); // March and now
        assertTrue(after.segments().stream().filter(AuditVerifier.Segment::archived).count() == 2, after.toString());

        // The archive log is append-only like the rest
        try (Connection c = AuditChainIT.pg.superUserConnection(db); Statement st = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> st.execute("delete from audit_archive"));
            assertEquals("P0001", e.getSQLState());
        }
    }

    @Test
    void shouldRefuseToArchiveAMonthWhoseChainIsBrokenAndAnythingAfterIt() throws Exception {
        String db = fourMonths();
        AuditChainIT.sql(db, "alter table decision disable trigger all",
                "update decision set amount = 3 where transaction_id = '2019-02-5'");
        Path archive = dataDir.resolve("archive-broken");
        try (Connection c = AuditChainIT.pg.superUserConnection(db)) {
            AuditRetention.Result r = AuditRetention.archive(c, Instant.parse("2019-12-01T00:00:00Z"), archive, KEY);
            assertEquals(List.of(YearMonth.of(2019, 1)), r.archived().stream().map(AuditRetention.Archived::month).toList());
            assertEquals(YearMonth.of(2019, 2), r.refused());
            assertTrue(r.refusal().contains("ROW_CHANGED"), r.refusal());
            assertEquals(1, count(c, "select count(*) from pg_class where relname = 'decision_p2019_03'"));
        }
        assertFalse(Files.exists(archive.resolve("audit-2019-02.jsonl.gz")));
    }

    @Test
    void shouldDetectAnArchivedMonthWhoseRecordWasForged() throws Exception {
        String db = fourMonths();
        try (Connection c = AuditChainIT.pg.superUserConnection(db)) {
            AuditRetention.archive(c, Instant.parse("2019-04-01T00:00:00Z"), dataDir.resolve("archive-forged"), KEY);
        }
        assertTrue(AuditChainIT.verify(db, KEY).intact());
        // Rewriting the archive record cuts the next live chain loose from it
        AuditChainIT.sql(db, "alter table audit_archive disable trigger all",
                "update audit_archive set head_hash = sha256('\\x02') where month = '2019-03-01'");
        AuditVerifier.Finding f = AuditChainIT.broken(AuditChainIT.verify(db, KEY), AuditVerifier.Problem.ANCHOR_MISMATCH);
        assertEquals(YearMonth.now(java.time.ZoneOffset.UTC).toString(), f.segment());
    }

    @Test
    void shouldParseRetentionAges() {
        assertEquals(Period.ofYears(7), AuditRetention.parseAge("7y"));
        assertEquals(Period.ofMonths(18), AuditRetention.parseAge("18m"));
        assertEquals(Period.ofDays(90), AuditRetention.parseAge("90D"));
        for (String bad : List.of("7", "y", "-1y", "0d", "7w", "seven years")) {
            assertThrows(IllegalArgumentException.class, () -> AuditRetention.parseAge(bad), bad);
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String hex(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
