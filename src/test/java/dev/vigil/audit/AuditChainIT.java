package dev.vigil.audit;

import static dev.vigil.audit.AuditFixtures.APP_PASSWORD;
import static dev.vigil.audit.AuditFixtures.AUDITOR_PASSWORD;
import static dev.vigil.audit.AuditFixtures.audited;
import static dev.vigil.audit.AuditFixtures.rejection;
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

/** The audit hash chain and its checkpoints, tampered with as a database superuser would. */
class AuditChainIT {
    static final byte[] KEY = "an-audit-checkpoint-key-of-32-bytes-or-more".getBytes(StandardCharsets.UTF_8);
    static final AtomicInteger DBS = new AtomicInteger();

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

    static Finding broken(Report r, Problem expected) {
        assertFalse(r.intact(), "tampering went unnoticed: " + r);
        Finding f = r.firstBreak().orElseThrow();
        assertEquals(expected, f.problem(), f.toString());
        return f;
    }

    static long seqOf(String db, String kind, String where) throws SQLException {
        return longQuery(db, "select l.chain_seq from audit_chain l join " + kind + " t on l.row_kind = '" + kind
                + "' and l.row_id = t.id where " + where);
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
        assertEquals(written, longQuery(db, "select count(*) from audit_chain"));
        assertEquals(written, longQuery(db, "select max(chain_seq) from audit_chain"));
        assertEquals(written, longQuery(db, "select chain_seq from audit_chain_head"));

        Report r = verify(db, KEY);
        assertTrue(r.intact(), r.toString());
        assertEquals(written, r.linksChecked());
        assertEquals(6, r.checkpointsChecked()); // one per write transaction that added rows
        assertTrue(r.notes().isEmpty(), r.notes().toString());
    }

    @Test
    void shouldLetAnAuditorRecomputeEveryHashWithSqlAlone() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "sql");
        }
        // The canonical bytes are defined in SQL, so sha256 in SQL must give the hashes Java wrote
        long bad = longQuery(db, """
                select count(*) from audit_chain l
                 where l.row_hash <> sha256(l.prev_hash || case l.row_kind
                        when 'decision' then (select audit_decision_canonical(d) from decision d where d.id = l.row_id)
                        else (select audit_rejection_canonical(r) from rejection r where r.id = l.row_id) end)
                    or l.prev_hash <> coalesce((select p.row_hash from audit_chain p where p.chain_seq = l.chain_seq - 1),
                                               decode(repeat('00', 32), 'hex'))""");
        assertEquals(0, bad);
        // And the session's time zone does not change them
        sql(db, "alter database " + db + " set timezone = 'Asia/Kolkata'");
        assertTrue(verify(db, KEY).intact());
    }

    @Test
    void shouldSayCheckpointsWereNotCheckedWithoutAKey() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, null)) {
            fill(store, "nokey");
        }
        assertEquals(0, longQuery(db, "select count(*) from audit_checkpoint"));
        Report r = verify(db, null);
        assertTrue(r.intact(), r.toString());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains(AuditChain.KEY_ENV)), r.notes().toString());
        Report withKey = verify(db, KEY);
        assertTrue(withKey.notes().stream().anyMatch(n -> n.contains("no checkpoints")), withKey.notes().toString());

        // A scheduler's checkpoint covers the head once
        try (PostgresAuditStore store = store(db, null)) {
            assertEquals(java.util.OptionalLong.of(27), store.checkpoint(KEY));
            assertEquals(java.util.OptionalLong.empty(), store.checkpoint(KEY));
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
        long seq = seqOf(db, "decision", "t.transaction_id = 'chg-5'");
        // session_replication_role = replica does not bypass the ALWAYS triggers; DISABLE TRIGGER does
        sql(db, "alter table decision disable trigger all",
                "update decision set verdict = 'ALLOW', hits = '[]' where transaction_id = 'chg-5'",
                "alter table decision enable trigger all");
        Finding f = broken(verify(db, KEY), Problem.ROW_CHANGED);
        assertEquals(seq, f.chainSeq());
        assertTrue(f.detail().contains("decision id"), f.detail());
    }

    @Test
    void shouldDetectAChangedRejection() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "rej");
        }
        long seq = seqOf(db, "rejection", "t.source_ref = 'rej-r1'");
        sql(db, "alter table rejection disable trigger all",
                "update rejection set raw_event = '\\x00' where source_ref = 'rej-r1'");
        assertEquals(seq, broken(verify(db, KEY), Problem.ROW_CHANGED).chainSeq());
    }

    @Test
    void shouldDetectADeletedRowAndADeletedLink() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "del");
        }
        long seq = seqOf(db, "decision", "t.transaction_id = 'del-2'");
        sql(db, "alter table decision disable trigger all", "delete from decision where transaction_id = 'del-2'");
        assertEquals(seq, broken(verify(db, KEY), Problem.ROW_MISSING).chainSeq());

        // Removing its link too leaves a gap in chain_seq
        sql(db, "alter table audit_chain disable trigger all", "delete from audit_chain where chain_seq = " + seq);
        assertEquals(seq, broken(verify(db, KEY), Problem.CHAIN_GAP).chainSeq());

        // Closing the gap by renumbering breaks the prev_hash link
        sql(db, "update audit_chain set chain_seq = chain_seq - 1 where chain_seq > " + seq);
        Finding f = verify(db, KEY).firstBreak().orElseThrow();
        assertEquals(seq, f.chainSeq(), f.toString());
        assertTrue(f.problem() == Problem.LINK_BROKEN || f.problem() == Problem.ORDER_CHANGED, f.toString());
    }

    @Test
    void shouldDetectRowsWhoseContentWasSwapped() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "swp");
        }
        long a = seqOf(db, "decision", "t.transaction_id = 'swp-1'");
        long b = seqOf(db, "decision", "t.transaction_id = 'swp-4'");
        // Swap every column but id: the rows trade places in the id order
        String cols = "decision_id, transaction_id, account_id, customer_id, event_time, processed_at, recorded_at, "
                + "source_channel, source_ref, raw_event, amount, currency, transaction_type, features, account, "
                + "rule_set_version, rule_set_hash, model_version, score, risk_score, verdict, hits, latency_micros";
        sql(db, "alter table decision disable trigger all",
                "create temp table x as select * from decision where transaction_id in ('swp-1', 'swp-4')",
                "alter table decision drop constraint decision_transaction_id_key",
                "update decision d set (" + cols + ") = (select " + cols + " from x where x.id <> d.id)"
                        + " where d.transaction_id in ('swp-1', 'swp-4')",
                "alter table decision add unique (transaction_id)");
        Finding f = broken(verify(db, KEY), Problem.ORDER_CHANGED);
        assertEquals(Math.min(a, b), f.chainSeq());
        assertTrue(f.detail().contains("chain_seq " + Math.max(a, b)), f.detail());
    }

    @Test
    void shouldDetectLinksThatWereReordered() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "ord");
        }
        sql(db, "alter table audit_chain disable trigger all",
                "update audit_chain set chain_seq = chain_seq + 1000000 where chain_seq in (5, 9)",
                "update audit_chain set chain_seq = case chain_seq when 1000005 then 9 else 5 end"
                        + " where chain_seq in (1000005, 1000009)");
        Finding f = broken(verify(db, KEY), Problem.ORDER_CHANGED);
        assertEquals(5, f.chainSeq());
    }

    @Test
    void shouldDetectAChainRebuiltWithoutTheKey() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "rb");
        }
        long seq = seqOf(db, "decision", "t.transaction_id = 'rb-3'");
        // The superuser knows the algorithm: change a row, then recompute every link and the head
        sql(db, "alter table decision disable trigger all", "alter table audit_chain disable trigger all",
                "update decision set amount = 1.00 where transaction_id = 'rb-3'",
                """
                do $$
                declare prev bytea := decode(repeat('00', 32), 'hex'); h bytea; r record;
                begin
                    for r in select l.chain_seq, case l.row_kind
                                 when 'decision' then (select audit_decision_canonical(d) from decision d where d.id = l.row_id)
                                 else (select audit_rejection_canonical(j) from rejection j where j.id = l.row_id) end as c
                               from audit_chain l order by l.chain_seq loop
                        h := sha256(prev || r.c);
                        update audit_chain set prev_hash = prev, row_hash = h where chain_seq = r.chain_seq;
                        prev := h;
                    end loop;
                    update audit_chain_head set head_hash = prev;
                end $$""");
        // Without the key the chain looks whole: that is what the checkpoints are for
        assertTrue(verify(db, null).intact());
        Finding f = broken(verify(db, KEY), Problem.CHECKPOINT_MISMATCH);
        assertTrue(f.chainSeq() >= seq, f.toString());

        // Re-pointing the checkpoints at the new hashes cannot be signed without the key
        sql(db, "alter table audit_checkpoint disable trigger all",
                "update audit_checkpoint k set head_hash = l.row_hash from audit_chain l where l.chain_seq = k.chain_seq");
        broken(verify(db, KEY), Problem.CHECKPOINT_SIGNATURE_INVALID);
    }

    @Test
    void shouldDetectRowsCutFromTheEndAndRowsAddedOutsideTheChain() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "end");
        }
        long last = longQuery(db, "select max(chain_seq) from audit_chain");
        sql(db, "alter table audit_chain disable trigger all", "alter table rejection disable trigger all",
                "delete from rejection where id = (select row_id from audit_chain where chain_seq = " + last + ")",
                "delete from audit_chain where chain_seq = " + last);
        Report r = verify(db, KEY);
        assertTrue(r.findings().stream().anyMatch(f -> f.problem() == Problem.CHECKPOINT_MISMATCH && f.chainSeq() == last),
                r.toString());
        assertTrue(r.findings().stream().anyMatch(f -> f.problem() == Problem.HEAD_MISMATCH), r.toString());

        String db2 = freshDb();
        try (PostgresAuditStore store = store(db2, KEY)) {
            fill(store, "add");
        }
        sql(db2, "insert into rejection (source_channel, source_ref, received_at, reason_code, message, raw_event)"
                + " values ('http', 'forged', now(), 'NOT_JSON', 'x', '\\x00')");
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
    void shouldChainRowsWrittenBeforeTheChainExisted(@TempDir Path tmp) throws Exception {
        // Given a database at V004 holding rows written by the store before this change
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
        // When V005 is applied and the store goes on writing
        Files.copy(AuditFixtures.SCHEMA.resolve("V005__hash_chain.sql"), schema.resolve("V005__hash_chain.sql"));
        try (Connection c = pg.superUserConnection(db)) {
            assertEquals(List.of("V005__hash_chain.sql"), SchemaMigrator.migrate(c, schema));
            SchemaMigrator.setPasswords(c, APP_PASSWORD, AUDITOR_PASSWORD);
        }
        assertEquals(2, longQuery(db, "select count(*) from audit_chain"));
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "new");
        }
        // Then the old rows head one valid chain that the new rows continue
        Report r = verify(db, KEY);
        assertTrue(r.intact(), r.toString());
        assertEquals(2 + 27, r.linksChecked());
        sql(db, "alter table decision disable trigger all", "update decision set amount = 12.5 where transaction_id = 'old-tx'");
        assertEquals(2, broken(verify(db, KEY), Problem.ROW_CHANGED).chainSeq());
    }

    @Test
    void shouldVerifyARange() throws SQLException {
        String db = freshDb();
        try (PostgresAuditStore store = store(db, KEY)) {
            fill(store, "rng");
        }
        sql(db, "alter table decision disable trigger all",
                "update decision set amount = 2 where id = (select row_id from audit_chain where chain_seq = 20)");
        try (Connection c = pg.superUserConnection(db)) {
            Report before = AuditVerifier.verify(c, KEY, 3, 19);
            assertTrue(before.intact(), before.toString());
            assertEquals(17, before.linksChecked());
            assertEquals(20, AuditVerifier.verify(c, KEY, 10, 25).firstBreak().orElseThrow().chainSeq());
            // A time window covering everything maps to the whole chain; one before it to nothing
            long[] all = AuditVerifier.seqRangeRecorded(c, java.time.Instant.EPOCH, java.time.Instant.now().plusSeconds(60))
                    .orElseThrow();
            assertEquals(1, all[0]);
            assertEquals(27, all[1]);
            assertTrue(AuditVerifier.seqRangeRecorded(c, java.time.Instant.EPOCH, java.time.Instant.parse("2000-01-01T00:00:00Z"))
                    .isEmpty());
        }
    }
}
