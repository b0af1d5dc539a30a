package dev.vigil.audit;

import static dev.vigil.audit.AuditFixtures.APP_PASSWORD;
import static dev.vigil.audit.AuditFixtures.AUDITOR_PASSWORD;
import static dev.vigil.audit.AuditFixtures.audited;
import static dev.vigil.audit.AuditFixtures.rejection;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.audit.AuditVerifier.Finding;
import dev.vigil.audit.AuditVerifier.Problem;
import dev.vigil.audit.AuditVerifier.Report;
import dev.vigil.event.EventSource;
import dev.vigil.infra.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit hash chains and their checkpoints, tampered with as a database superuser would. */
class AuditChainIT {
    static final byte[] KEY = "an-audit-checkpoint-key-of-32-bytes-or-more".getBytes(StandardCharsets.UTF_8);
    static final AtomicInteger DBS = new AtomicInteger();
    static final YearMonth NOW = YearMonth.now(java.time.ZoneOffset.UTC);

    @TempDir static Path dataDir;
    static EmbeddedPostgresServer pg;

    @BeforeAll
    static void startServer() {
        pg = EmbeddedPostgresServer.start(dataDir.resolve("pg"), 0);
    }

    @AfterAll
    static void stopServer() {
        if (pg != null) pg.close();
    }

    /** A fresh migrated database per test: each tampering leaves its database broken. */
    static String freshDb() throws SQLException {
        String db = "chain" + DBS.incrementAndGet();
        pg.ensureDatabase(db);
        try (Connection c = pg.superUserConnection(db)) {
            SchemaMigrator.migrate(c, AuditFixtures.SCHEMA);
            SchemaMigrator.setPasswords(c, APP_PASSWORD, AUDITOR_PASSWORD);
        }
        return db;
    }

    static PostgresAuditStore store(String db, byte[] key) {
        return new PostgresAuditStore(pg.jdbcUrl(db), SchemaMigrator.APP_ROLE, APP_PASSWORD, key);
    }

    static Report verify(String db, byte[] key) throws SQLException {
        // As the auditor: read access must be enough.
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(db), SchemaMigrator.AUDITOR_ROLE, AUDITOR_PASSWORD)) {
            return AuditVerifier.verify(c, key);
        }
    }

    static void sql(String db, String... statements) throws SQLException {
        try (Connection c = pg.superUserConnection(db); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            for (String s : statements) st.execute(s);
        }
    }

    /** Stands the database's audit clock in {@code at} (a superuser's DDL; see V006), or back on now() when null. */
    static void clock(String db, String at) throws SQLException {
        sql(db, "create or replace function audit_clock() returns timestamptz language sql stable as $$ select "
                + (at == null ? "now()" : "'" + at + "'::timestamptz") + " $$");
    }

    static long longQuery(String db, String query) throws SQLException {
        try (Connection c = pg.superUserConnection(db); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    /** Three batches of decisions with duplicates inside and across batches, and rejections; returns the rows written. */
    static int fill(PostgresAuditStore store, String prefix) {
        int written = 0;
        for (int b = 0; b < 3; b++) {
            List<AuditedDecision> batch = new ArrayList<>();
            for (int i = 0; i < 10; i++) batch.add(audited(prefix + "-" + (b * 7 + i))); // overlaps the previous batch
            batch.add(audited(prefix + "-" + (b * 7 + 3))); // duplicate inside the batch
            written += (int) store.recordDecisions(batch).stream().filter(x -> x).count();
            store.recordRejections(List.of(
                    rejection(EventSource.http(prefix + "-r" + b), new byte[] {(byte) 0xff, (byte) b}),
                    rejection(EventSource.http(prefix + "-r" + b), new byte[] {1}),
                    rejection(EventSource.http(prefix + "-r" + Math.max(0, b - 1)), new byte[] {2})));
            written += 1;
        }
        return written;
    }

    /** fill() in each of three months of 2026 (January to March), with the key. */
    static String threeMonths() throws SQLException {
        String db = freshDb();
        for (int m = 1; m <= 3; m++) {
            clock(db, "2026-0" + m + "-15T12:00:00Z");
            try (PostgresAuditStore store = store(db, KEY)) {
                fill(store, "m" + m);
            }
        }
        clock(db, null);
        return db;
    }

    static Finding broken(Report r, Problem expected) {
        assertFalse(r.intact(), "tampering went unnoticed: " + r);
        Finding f = r.firstBreak().orElseThrow();
        assertEquals(expected, f.problem(), f.toString());
        return f;
    }

    static long seqOf(String db, String table, String where) throws SQLException {
        return longQuery(db, "select chain_seq from " + table + " where " + where);
    }

    /** The auditor's SQL-only recomputation, as in audit-schema/README.md: rows whose hash is wrong. */
    static final String SQL_ONLY_CHECK = """
            select count(*) from (
              select x.row_hash, x.canonical,
                     coalesce(lag(x.row_hash) over (partition by x.month order by x.chain_seq), p.anchor_hash) as prev
                from (select date_trunc('month', d.recorded_at at time zone 'UTC')::date as month, d.chain_seq, d.row_hash,
                             audit_decision_canonical_v2(d) as canonical from decision d
                      union all
                      select date_trunc('month', r.recorded_at at time zone 'UTC')::date, r.chain_seq, r.row_hash,
                             audit_rejection_canonical_v2(r) from rejection r) x
                join audit_partition p on p.month = x.month) y
             where y.row_hash <> sha256(y.prev || y.canonical)""";

    @Test
    void aMonthOpenedAtStartWithNoRowShouldVerifyAndChainOnAsIfOpenedByItsFirstRow() throws SQLException {
        // Given a store that opened March at start and wrote nothing in it, then April's rows
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            clock(db, "2026-03-10T00:00:00Z");
            store.openCurrentMonth();
            store.openCurrentMonth(); // twice: idempotent
            assertTrue(verify(db, KEY).intact(), "an empty opened month verifies");
            clock(db, "2026-04-02T00:00:00Z");
            fill(store, "after-empty-");
        } finally {
            clock(db, null);
        }
        // Then the whole history verifies: April is anchored to the empty March
        Report report = verify(db, KEY);
        assertTrue(report.intact(), report.toString());
        assertEquals(2, longQuery(db, "select count(*) from audit_partition"));
    }

    @Test
    void shouldChainEveryInsertedRowOnceAndVerifyAfterBatchesWithDuplicates() throws SQLException {
        String db = freshDb();
        int written;
        try (PostgresAuditStore store = store(db, KEY)) {
            written = fill(store, "tx");
            // A batch of nothing but duplicates adds no link
            assertEquals(List.of(false, false), store.recordDecisions(List.of(audited("tx-0"), audited("tx-0"))));
        }
        assertEquals(24 + 3, written); // 24 distinct ids over the three overlapping batches, 3 distinct rejections
        assertEquals(written, longQuery(db, "select (select count(*) from decision) + (select count(*) from rejection)"));
        assertEquals(written, longQuery(db, "select greatest((select max(chain_seq) from decision), (select max(chain_seq) from rejection))"));
        assertEquals(written, longQuery(db, "select chain_seq from audit_partition_head"));
        assertEquals(1, longQuery(db, "select count(*) from audit_partition"));

        Report r = verify(db, KEY);
        assertTrue(r.intact(), r.toString());
        assertEquals(written, r.linksChecked());
        assertEquals(6, r.checkpointsChecked()); // one per write transaction that added rows
        assertTrue(r.notes().isEmpty(), r.notes().toString());
    }

    @Test
    void shouldLetAnAuditorRecomputeEveryHashWithSqlAlone() throws SQLException {
        String db = threeMonths();
        // The canonical bytes are defined in SQL, so sha256 in SQL must give the hashes Java wrote
        assertEquals(0, longQuery(db, SQL_ONLY_CHECK));
        // ... and the same check turned round finds every row of the three months hashing right
        assertEquals(81, longQuery(db, SQL_ONLY_CHECK.replace("row_hash <> sha256", "row_hash = sha256")));
        // And the session's time zone does not change them
        sql(db, "alter database " + db + " set timezone = 'Asia/Kolkata'");
        assertTrue(verify(db, KEY).intact());
        assertEquals(0, longQuery(db, SQL_ONLY_CHECK));
    }

    @Test
    void shouldSayCheckpointsWereNotCheckedWithoutAKey() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, null)) {
            fill(store, "nokey");
        }
        assertEquals(0, longQuery(db, "select count(*) from audit_partition_checkpoint"));
        Report r = verify(db, null);
        assertTrue(r.intact(), r.toString());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains(AuditChain.KEY_ENV)), r.notes().toString());
        Report withKey = verify(db, KEY);
        assertTrue(withKey.notes().stream().anyMatch(n -> n.contains("no checkpoints")), withKey.notes().toString());

        // A scheduler's checkpoint covers the head once
        try (PostgresAuditStore store = store(db, null)) {
            assertEquals(1, store.checkpoint(KEY));
            assertEquals(0, store.checkpoint(KEY));
        }
        Report after = verify(db, KEY);
        assertTrue(after.intact() && after.notes().isEmpty() && after.checkpointsChecked() == 1, after.toString());
    }

    @Test
    void shouldDetectAValueChangedWithTriggersDisabled() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "chg");
        }
        long seq = seqOf(db, "decision", "transaction_id = 'chg-5'");
        // session_replication_role = replica does not bypass the ALWAYS triggers; DISABLE TRIGGER does
        sql(db, "alter table decision disable trigger all",
                "update decision set verdict = 'ALLOW', hits = '[]' where transaction_id = 'chg-5'",
                "alter table decision enable trigger all");
        Finding f = broken(verify(db, KEY), Problem.ROW_CHANGED);
        assertEquals(seq, f.chainSeq());
        assertEquals(NOW.toString(), f.segment());
        assertTrue(f.detail().contains("decision id"), f.detail());
    }

    @Test
    void shouldRefuseChangesNamingAPartitionDirectly() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "direct");
        }
        String part = AuditVerifier.tableName("decision", NOW);
        for (String s : List.of("update " + part + " set verdict = 'ALLOW'", "delete from " + part, "truncate " + part)) {
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> sql(db, s), s);
            assertEquals("P0001", e.getSQLState(), s + " -> " + e.getMessage());
        }
        assertTrue(verify(db, KEY).intact());
    }

    @Test
    void shouldDetectAChangedRejection() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "rej");
        }
        long seq = seqOf(db, "rejection", "source_ref = 'rej-r1'");
        sql(db, "alter table rejection disable trigger all",
                "update rejection set raw_event = '\\x00' where source_ref = 'rej-r1'");
        assertEquals(seq, broken(verify(db, KEY), Problem.ROW_CHANGED).chainSeq());
    }

    @Test
    void shouldDetectADeletedRowAndTheRenumberingThatHidesTheGap() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "del");
        }
        long seq = seqOf(db, "decision", "transaction_id = 'del-2'");
        sql(db, "alter table decision disable trigger all", "alter table rejection disable trigger all",
                "delete from decision where transaction_id = 'del-2'");
        assertEquals(seq, broken(verify(db, KEY), Problem.CHAIN_GAP).chainSeq());

        // Closing the gap by renumbering leaves a row whose hash needs the removed row before it
        sql(db, "update decision set chain_seq = chain_seq - 1 where chain_seq > " + seq,
                "update rejection set chain_seq = chain_seq - 1 where chain_seq > " + seq);
        Finding f = broken(verify(db, KEY), Problem.ROW_CHANGED);
        assertEquals(seq, f.chainSeq(), f.toString());
        assertTrue(f.detail().contains("a row before it was removed"), f.detail());
    }

    @Test
    void shouldDetectRowsWhoseContentWasSwapped() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "swp");
        }
        long a = seqOf(db, "decision", "transaction_id = 'swp-1'");
        long b = seqOf(db, "decision", "transaction_id = 'swp-4'");
        // Swap every column but the link: the rows trade places in the chain
        String cols = "decision_id, transaction_id, account_id, customer_id, event_time, processed_at, recorded_at, "
                + "source_channel, source_ref, raw_event, amount, currency, transaction_type, features_format, features, "
                + "account, rule_set_version, rule_set_hash, model_version, score, risk_score, risk_tier, verdict, hits, "
                + "contributions, challenger_model_version, challenger_score, challenger_verdict, latency_micros";
        sql(db, "alter table decision disable trigger all",
                "create temp table x as select * from decision where transaction_id in ('swp-1', 'swp-4')",
                "update decision d set (" + cols + ") = (select " + cols + " from x where x.id <> d.id)"
                        + " where d.transaction_id in ('swp-1', 'swp-4')");
        Finding f = broken(verify(db, KEY), Problem.ORDER_CHANGED);
        assertEquals(Math.min(a, b), f.chainSeq());
        assertTrue(f.detail().contains("chain_seq " + Math.max(a, b)), f.detail());
    }

    @Test
    void shouldDetectRowsThatWereReordered() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "ord");
        }
        List<String> swap = new ArrayList<>(List.of("alter table decision disable trigger all",
                "alter table rejection disable trigger all"));
        for (String t : List.of("decision", "rejection")) {
            swap.add("update " + t + " set chain_seq = chain_seq + 1000000 where chain_seq in (5, 9)");
            swap.add("update " + t + " set chain_seq = case chain_seq when 1000005 then 9 else 5 end"
                    + " where chain_seq in (1000005, 1000009)");
        }
        sql(db, swap.toArray(String[]::new));
        Finding f = broken(verify(db, KEY), Problem.ORDER_CHANGED);
        assertEquals(5, f.chainSeq());
    }

    @Test
    void shouldDetectAChainRebuiltWithoutTheKey() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "rb");
        }
        long seq = seqOf(db, "decision", "transaction_id = 'rb-3'");
        // The superuser knows the algorithm: change a row, then recompute every hash and the head
        sql(db, "alter table decision disable trigger all", "alter table rejection disable trigger all",
                "update decision set amount = 1.00 where transaction_id = 'rb-3'",
                """
                do $$
                declare prev bytea := (select anchor_hash from audit_partition); h bytea; r record;
                begin
                    for r in select * from (
                                select 'd' as k, d.chain_seq, audit_decision_canonical_v2(d) as c from decision d
                                union all select 'r', j.chain_seq, audit_rejection_canonical_v2(j) from rejection j) x
                              order by chain_seq loop
                        h := sha256(prev || r.c);
                        if r.k = 'd' then update decision set row_hash = h where chain_seq = r.chain_seq;
                        else update rejection set row_hash = h where chain_seq = r.chain_seq; end if;
                        prev := h;
                    end loop;
                    update audit_partition_head set head_hash = prev;
                end $$""");
        // Without the key the chain looks whole: that is what the checkpoints are for
        assertTrue(verify(db, null).intact());
        assertEquals(0, longQuery(db, SQL_ONLY_CHECK));
        Finding f = broken(verify(db, KEY), Problem.CHECKPOINT_MISMATCH);
        assertTrue(f.chainSeq() >= seq, f.toString());

        // Re-pointing the checkpoints at the new hashes cannot be signed without the key
        sql(db, "alter table audit_partition_checkpoint disable trigger all", """
                update audit_partition_checkpoint k set head_hash = x.row_hash
                  from (select chain_seq, row_hash from decision union all select chain_seq, row_hash from rejection) x
                 where x.chain_seq = k.chain_seq""");
        broken(verify(db, KEY), Problem.CHECKPOINT_SIGNATURE_INVALID);
    }

    @Test
    void shouldDetectRowsCutFromTheEndAndRowsAddedOutsideTheChain() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "end");
        }
        long last = longQuery(db, "select chain_seq from audit_partition_head");
        sql(db, "alter table rejection disable trigger all", "alter table decision disable trigger all",
                "delete from rejection where chain_seq = " + last, "delete from decision where chain_seq = " + last);
        Report r = verify(db, KEY);
        assertTrue(r.findings().stream().anyMatch(f -> f.problem() == Problem.CHECKPOINT_MISMATCH && f.chainSeq() == last),
                r.toString());
        assertTrue(r.findings().stream().anyMatch(f -> f.problem() == Problem.HEAD_MISMATCH), r.toString());

        String db2 = freshDb();
        try (PostgresAuditStore store = store(db2, KEY)) {
            fill(store, "add");
        }
        // A forged row at a position another row holds
        sql(db2, "insert into rejection (chain_seq, row_hash, source_channel, source_ref, received_at, reason_code, message,"
                + " raw_event) values (3, sha256('\\x00'), 'http', 'forged', now(), 'NOT_JSON', 'x', '\\x00')");
        broken(verify(db2, KEY), Problem.UNCHAINED_ROW);
    }

    @Test
    void shouldKeepOneChainWhenTwoStoresWriteConcurrently() throws Exception {
        String db = freshDb();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (PostgresAuditStore s1 = store(db, KEY); PostgresAuditStore s2 = store(db, null)) {
            List<Future<Integer>> done = new ArrayList<>();
            for (PostgresAuditStore s : List.of(s1, s2)) {
                done.add(pool.submit(() -> {
                    int n = 0;
                    for (int b = 0; b < 20; b++) {
                        List<AuditedDecision> batch = new ArrayList<>();
                        // Both writers race for the same ids: each is written once
                        for (int i = 0; i < 25; i++) batch.add(audited("cc-" + (b * 20 + i)));
                        n += (int) s.recordDecisions(batch).stream().filter(x -> x).count();
                        s.recordRejections(List.of(rejection(EventSource.http("cc-r" + b), new byte[] {3})));
                    }
                    return n;
                }));
            }
            int total = done.get(0).get() + done.get(1).get();
            assertEquals(19 * 20 + 25, total);
        } finally {
            pool.shutdownNow();
        }
        long rows = longQuery(db, "select (select count(*) from decision) + (select count(*) from rejection)");
        assertEquals(19 * 20 + 25 + 20, rows);
        Report r = verify(db, KEY);
        assertTrue(r.intact(), r.toString());
        assertEquals(rows, r.linksChecked());
    }

    @Test
    void shouldKeepVerifyingRowsWrittenBeforeV006AndAnchorTheFirstPartitionToThem(@TempDir Path tmp) throws Exception {
        // Given a database at V004 holding rows written before the chain existed
        Path schema = Files.createDirectories(tmp.resolve("schema"));
        for (String f : List.of("V001__audit_tables.sql", "V002__append_only.sql", "V003__roles.sql",
                "V004__auditor_views.sql")) {
            Files.copy(AuditFixtures.SCHEMA.resolve(f), schema.resolve(f));
        }
        String db = "chainold";
        pg.ensureDatabase(db);
        try (Connection c = pg.superUserConnection(db)) {
            SchemaMigrator.migrate(c, schema);
        }
        sql(db, "insert into rejection (source_channel, source_ref, received_at, reason_code, message, raw_event)"
                        + " values ('http', 'old-1', now(), 'NOT_JSON', 'x', '\\x00ff')",
                "insert into decision (decision_id, transaction_id, account_id, customer_id, event_time, processed_at,"
                        + " source_channel, source_ref, raw_event, amount, currency, transaction_type, features, account,"
                        + " rule_set_version, rule_set_hash, model_version, score, risk_score, verdict, hits, latency_micros)"
                        + " values (gen_random_uuid(), 'old-tx', 'a', 'c', now(), now(), 'kafka', 't/0/1', '\\x7b7d',"
                        + " 12.50, 'EUR', 'PURCHASE', '{\"b\": 1, \"a\": \"0.10\"}', null, 'v', 'h', null, 0.1, 10,"
                        + " 'ALLOW', '[]', 5)");
        // When V005 chains them, V006 freezes them, and the store goes on writing
        Files.copy(AuditFixtures.SCHEMA.resolve("V005__hash_chain.sql"), schema.resolve("V005__hash_chain.sql"));
        try (Connection c = pg.superUserConnection(db)) {
            assertEquals(List.of("V005__hash_chain.sql"), SchemaMigrator.migrate(c, schema));
        }
        assertEquals(2, longQuery(db, "select count(*) from audit_chain"));
        try (Connection c = pg.superUserConnection(db)) {
            SchemaMigrator.migrate(c, AuditFixtures.SCHEMA);
            SchemaMigrator.setPasswords(c, APP_PASSWORD, AUDITOR_PASSWORD);
        }
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "new");
            // The frozen rows still answer: a redelivery of the old transaction is no new row
            assertEquals(List.of(false), store.recordDecisions(List.of(audited("old-tx"))));
            assertTrue(store.findDecision("old-tx").isPresent());
            assertEquals("v1", store.findDecision("old-tx").orElseThrow().canonicalForm());
            assertEquals(1 + 24, store.countDecisions());
            assertEquals(1 + 3, store.countRejections());
        }
        // Then the old rows keep their chain, which anchors the first partition's
        Report r = verify(db, KEY);
        assertTrue(r.intact(), r.toString());
        assertEquals(2 + 27, r.linksChecked());
        assertEquals(0, longQuery(db, "select count(*) from audit_partition where anchor_month is null and anchor_seq = 2"
                + " and anchor_hash <> (select row_hash from audit_chain where chain_seq = 2)"));
        assertEquals(1, longQuery(db, "select count(*) from audit_partition where anchor_seq = 2"));
        // The application can no longer add to the frozen tables
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(db), SchemaMigrator.APP_ROLE, APP_PASSWORD);
                Statement st = c.createStatement()) {
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> st.execute(
                    "insert into rejection_v1 (source_channel, source_ref, received_at, reason_code, message, raw_event)"
                            + " values ('http', 'late', now(), 'NOT_JSON', 'x', '\\x00')"));
            assertEquals("42501", e.getSQLState());
        }
        sql(db, "alter table decision_v1 disable trigger all", "update decision_v1 set amount = 12.5 where transaction_id = 'old-tx'");
        Finding f = broken(verify(db, KEY), Problem.ROW_CHANGED);
        assertEquals(AuditVerifier.V1, f.segment());
        assertEquals(2, f.chainSeq());
    }

    @Test
    void shouldAnchorEachMonthsChainToThePreviousMonthsHead() throws SQLException {
        String db = threeMonths();
        assertEquals(3, longQuery(db, "select count(*) from audit_partition"));
        // Each partition starts from the hash its predecessor had when it opened
        assertEquals(2, longQuery(db, """
                select count(*) from audit_partition p join audit_partition_head h on h.month = p.anchor_month
                 where p.anchor_seq = h.chain_seq and p.anchor_hash = h.head_hash"""));
        assertEquals(27, longQuery(db, "select count(*) from decision_p2026_02") + longQuery(db, "select count(*) from rejection_p2026_02"));
        Report r = verify(db, KEY);
        assertTrue(r.intact(), r.toString());
        assertEquals(81, r.linksChecked());
        assertEquals(List.of("v1", "2026-01", "2026-02", "2026-03"), r.segments().stream().map(AuditVerifier.Segment::name).toList());

        // A broken month is reported as that month's; the range of months leaves the others out
        sql(db, "alter table decision disable trigger all", "update decision set amount = 2 where transaction_id = 'm2-4'");
        Finding f = broken(verify(db, KEY), Problem.ROW_CHANGED);
        assertEquals("2026-02", f.segment());
        try (Connection c = pg.superUserConnection(db)) {
            assertTrue(AuditVerifier.verify(c, KEY, YearMonth.of(2026, 3), null).intact());
            assertTrue(AuditVerifier.verify(c, KEY, null, YearMonth.of(2026, 1)).intact());
            assertFalse(AuditVerifier.verify(c, KEY, YearMonth.of(2026, 2), YearMonth.of(2026, 2)).intact());
        }
    }

    @Test
    void shouldDetectADroppedPartition() throws SQLException {
        String db = threeMonths();
        sql(db, "drop table decision_p2026_02", "drop table rejection_p2026_02");
        Finding f = broken(verify(db, KEY), Problem.PARTITION_MISSING);
        assertEquals("2026-02", f.segment());
    }

    @Test
    void shouldDetectAMonthCutOutOfTheRegistry() throws SQLException {
        String db = threeMonths();
        sql(db, "drop table decision_p2026_02", "drop table rejection_p2026_02",
                "alter table audit_partition disable trigger all", "alter table audit_partition_checkpoint disable trigger all",
                "delete from audit_partition_checkpoint where month = '2026-02-01'",
                "delete from audit_partition_head where month = '2026-02-01'",
                "delete from audit_partition where month = '2026-02-01'");
        Finding f = broken(verify(db, KEY), Problem.ANCHOR_MISMATCH);
        assertEquals("2026-03", f.segment());
        assertTrue(f.detail().contains("2026-02"), f.detail());
    }

    @Test
    void shouldDetectAPartitionReanchoredAndRebuiltWithoutTheKey() throws SQLException {
        String db = threeMonths();
        // Cut March loose from February: a new anchor, and March's chain rebuilt on it
        sql(db, "alter table audit_partition disable trigger all", "alter table decision_p2026_03 disable trigger all",
                "alter table rejection_p2026_03 disable trigger all",
                "update audit_partition set anchor_hash = sha256('\\x01') where month = '2026-03-01'",
                """
                do $$
                declare prev bytea := sha256('\\x01'); h bytea; r record;
                begin
                    for r in select * from (
                                select 'd' as k, d.chain_seq, audit_decision_canonical_v2(d) as c from decision_p2026_03 x
                                  join decision d on d.chain_seq = x.chain_seq and d.recorded_at = x.recorded_at
                                union all select 'r', j.chain_seq, audit_rejection_canonical_v2(j) from rejection_p2026_03 y
                                  join rejection j on j.chain_seq = y.chain_seq and j.recorded_at = y.recorded_at) z
                              order by chain_seq loop
                        h := sha256(prev || r.c);
                        if r.k = 'd' then update decision_p2026_03 set row_hash = h where chain_seq = r.chain_seq;
                        else update rejection_p2026_03 set row_hash = h where chain_seq = r.chain_seq; end if;
                        prev := h;
                    end loop;
                    update audit_partition_head set head_hash = prev where month = '2026-03-01';
                end $$""");
        Report r = verify(db, KEY);
        Finding f = broken(r, Problem.ANCHOR_MISMATCH);
        assertEquals("2026-03", f.segment());
        assertTrue(r.findings().stream().anyMatch(x -> x.problem() == Problem.CHECKPOINT_MISMATCH), r.toString());
    }

    @Test
    void shouldDetectARowMovedToAnotherMonth() throws SQLException {
        String db = threeMonths();
        long seq = seqOf(db, "decision", "transaction_id = 'm1-5'");
        sql(db, "alter table decision disable trigger all",
                "update decision set recorded_at = '2026-03-20T00:00:00Z' where transaction_id = 'm1-5'");
        Report r = verify(db, KEY);
        Finding f = broken(r, Problem.CHAIN_GAP);
        assertEquals("2026-01", f.segment());
        assertEquals(seq, f.chainSeq());
        assertTrue(r.findings().stream().anyMatch(x -> x.segment().equals("2026-03")), r.toString());
    }

    @Test
    void shouldDetectAPartitionAttachedOutsideTheRegistry() throws SQLException {
        String db = threeMonths();
        sql(db, "create table decision_extra partition of decision for values from ('2030-01-01') to ('2030-02-01')");
        Finding f = broken(verify(db, KEY), Problem.UNREGISTERED_PARTITION);
        assertEquals("decision_extra", f.segment());
    }

    @Test
    void shouldWriteTheSameHashesForTheSameRowsWhateverTheBatching() throws SQLException {
        // The chain is a function of the rows and their order, not of how they were batched
        String a = freshDb();
        String b = freshDb();
        clock(a, "2026-05-05T05:05:05.123456Z");
        clock(b, "2026-05-05T05:05:05.123456Z");
        List<AuditedDecision> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) rows.add(audited("same-" + i));
        try (PostgresAuditStore s = store(a, null)) {
            s.recordDecisions(rows);
        }
        try (PostgresAuditStore s = store(b, null)) {
            for (int i = 0; i < 30; i += 7) s.recordDecisions(rows.subList(i, Math.min(30, i + 7)));
        }
        try (Connection ca = pg.superUserConnection(a); Connection cb = pg.superUserConnection(b)) {
            assertArrayEquals(AuditVerifier.partitionHashAt(ca, YearMonth.of(2026, 5), 30),
                    AuditVerifier.partitionHashAt(cb, YearMonth.of(2026, 5), 30));
        }
    }
}
