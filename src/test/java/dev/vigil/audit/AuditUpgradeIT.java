package dev.vigil.audit;

import static dev.vigil.audit.AuditFixtures.APP_PASSWORD;
import static dev.vigil.audit.AuditFixtures.AUDITOR_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.cli.AuditCliAccess;
import dev.vigil.decision.Decision;
import dev.vigil.decision.Hit;
import dev.vigil.decision.ShadowScore;
import dev.vigil.decision.Verdict;
import dev.vigil.decision.VerdictPolicy;
import dev.vigil.event.EventSource;
import dev.vigil.event.KycRiskLevel;
import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.score.Contribution;
import dev.vigil.score.ModelScore;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * An audit database as older releases left it, upgraded with rows in it. Releases install the
 * schema folder of their own version, so the database is built the way one that lived through them
 * was: rows written before the hash chain (V001 to V004, chained by V005, frozen by V006), then
 * decisions in feature formats 1 (V006), 2 (V008), 3 (V009) and 4 (V011), each written as that
 * release's writer wrote them (account facts and SHAP contributions as JSON objects), each chained
 * as it chained them, in a month of its own. Then the release of V012 to V014 upgrades it and writes
 * format 6 rows (compact account facts and contributions), in the month the last format 4 rows are in,
 * and the release of V015 format 7 rows in that month. Then today's migrator applies V016 and today's
 * store writes format 8 rows, in that month (so one month's chain runs through three upgrades) and in
 * the next.
 *
 * <p>An auditor must then see every old row exactly as before the upgrade, the new rows the same
 * way, and one intact chain over all of them.
 */
class AuditUpgradeIT {

    static final byte[] KEY = "the-upgrade-test-checkpoint-key-of-32-bytes".getBytes(StandardCharsets.UTF_8);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = AuditFixtures.DB; // the CLI's database name

    @TempDir static Path dir;
    static EmbeddedPostgresServer pg;

    @BeforeAll
    static void start() {
        pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0);
    }

    @AfterAll
    static void stop() {
        if (pg != null) pg.close();
    }

    /** One decision as written, with the feature format it was written in (0: a v1 row, jsonb columns). */
    record Written(AuditedDecision audited, int format) {
        String tx() {
            return audited.decision().transactionId();
        }
    }

    @Test
    void shouldReadAndVerifyRowsOfEveryOlderFormatUnchangedAfterUpgradingThroughV012ToV016() throws Exception {
        Path released = Files.createDirectories(dir.resolve("audit-schema-as-released"));
        pg.ensureDatabase(DB);
        List<Written> old = new ArrayList<>();
        int rejections = 0;

        // Given a database at V004, with a decision and a rejection written before the chain existed
        assertEquals(scriptNames(1, 4), migrateUpTo(released, 4));
        Written v1 = new Written(decision("up-v1", 1, true, account("acc-v1", KycRiskLevel.LOW, false), null), 0);
        insertV1Row(v1);
        sql("insert into rejection (source_channel, source_ref, received_at, reason_code, message, raw_event)"
                + " values ('http', 'up-v1-reject', now(), 'NOT_JSON', 'Unexpected character', '\\x7b7b')");
        old.add(v1);
        rejections++;

        // which V005 chains and V006 freezes; then format 1 rows (January), as V006's writer wrote them
        assertEquals(scriptNames(5, 7), migrateUpTo(released, 7));
        try (Connection c = pg.superUserConnection(DB)) {
            SchemaMigrator.setPasswords(c, APP_PASSWORD, AUDITOR_PASSWORD);
        }
        clock("2026-01-14T08:30:00.123456Z");
        old.addAll(writeAsReleased(1, List.of(
                decision("up-f1-0", 10, true, account("acc-1", KycRiskLevel.HIGH, true), null),
                decision("up-f1-1", 11, false, null, null))));
        rejections += rejectionNow("up-f1-reject");

        // format 2 (V008, February), format 3 (V009; V010 adds cases, March), format 4 (V011, April and May)
        assertEquals(scriptNames(8, 8), migrateUpTo(released, 8));
        clock("2026-02-11T23:59:59.999999Z");
        old.addAll(writeAsReleased(2, List.of(
                decision("up-f2-0", 20, true, account("acc-2", KycRiskLevel.MEDIUM, false), null),
                decision("up-f2-1", 21, false, account("acc-2", KycRiskLevel.MEDIUM, false), null))));
        assertEquals(scriptNames(9, 10), migrateUpTo(released, 10));
        clock("2026-03-01T00:00:00Z");
        old.addAll(writeAsReleased(3, List.of(
                decision("up-f3-0", 30, true, account("acc-3", KycRiskLevel.HIGH, false),
                        new ShadowScore("xgb-challenger-3", 0.9125, Verdict.BLOCK)),
                decision("up-f3-1", 31, false, null, null))));
        assertEquals(scriptNames(11, 11), migrateUpTo(released, 11));
        clock("2026-04-20T12:00:00Z");
        old.addAll(writeAsReleased(4, List.of(
                decision("up-f4-apr-0", 40, true, account("acc-4", KycRiskLevel.LOW, true), null),
                decision("up-f4-apr-1", 41, false, account("acc-4", KycRiskLevel.LOW, true), null))));
        clock("2026-05-04T09:00:00Z");
        Written lastOld = new Written(decision("up-f4-may-0", 42, true, account("acc-5", KycRiskLevel.HIGH, false),
                new ShadowScore("xgb-challenger-4", 0.31, Verdict.REVIEW)), 4);
        old.addAll(writeAsReleased(4, List.of(lastOld.audited(), decision("up-f4-may-1", 43, false, null, null))));
        rejections += rejectionNow("up-f4-reject");

        // The old writer is faithful: the chain as the old releases left it verifies, and every row reads as written
        assertIntact(verifyAsAuditor(), old.size() + rejections);
        Map<String, String> before = auditorView();
        assertEquals(old.size(), before.size());
        for (Written w : old) assertReadsAsWritten(w);
        // The old rows really are in the object forms (formats 1 to 4), so the upgrade has something to convert
        assertEquals(0, longQuery("select count(*) from decision where features_format > 4 or account like '[%'"
                + " or contributions like '[[%'"));

        // When the release of V012 to V014 upgrades it with the rows in it and writes format 6 rows
        assertEquals(scriptNames(12, 14), migrateUpTo(released, 14));
        clock("2026-05-10T16:20:00Z");
        List<Written> format6 = writeAsReleased(6, List.of(
                decision("up-f6-may-0", 42, true, account("acc-5", KycRiskLevel.HIGH, false),
                        new ShadowScore("xgb-challenger-4", 0.31, Verdict.REVIEW)),
                decision("up-f6-may-1", 50, false, null, null)));
        keepAsOld(format6, old, before);
        assertEquals(2, longQuery("select count(*) from decision where features_format = 6 and (account is null or account like '[%')"));

        // and the release of V015 upgrades it and writes format 7 rows, in the same month
        assertEquals(scriptNames(15, 15), migrateUpTo(released, 15));
        clock("2026-05-15T06:00:00Z");
        List<Written> format7 = writeAsReleased(7, List.of(
                decision("up-f7-may-0", 42, true, account("acc-5", KycRiskLevel.HIGH, false),
                        new ShadowScore("xgb-challenger-4", 0.31, Verdict.REVIEW)),
                decision("up-f7-may-1", 55, false, null, null)));
        keepAsOld(format7, old, before);
        assertEquals(2, longQuery("select count(*) from decision where features_format = 7"));

        // and today's migrator upgrades it with the rows in it
        List<String> applied;
        try (Connection c = pg.superUserConnection(DB)) {
            applied = SchemaMigrator.migrate(c, AuditFixtures.SCHEMA);
        }
        assertEquals(List.of("V016__feature_format_8.sql"), applied);
        assertEquals(SchemaMigratorIT.SCRIPTS.size(), longQuery("select count(*) from schema_version"));

        // and today's store writes on: in the month of the last old rows, then in the next
        List<Written> fresh = new ArrayList<>();
        clock("2026-05-20T10:00:00Z");
        Written sameAsLastOld = new Written(decision("up-f8-may-0", 42, true, account("acc-5", KycRiskLevel.HIGH, false),
                new ShadowScore("xgb-challenger-4", 0.31, Verdict.REVIEW)), CanonicalRows.CURRENT.id());
        fresh.addAll(writeToday(List.of(sameAsLastOld.audited(), decision("up-f8-may-1", 60, false, null, null))));
        rejections += rejectionNow("up-f8-reject");
        clock("2026-06-02T07:45:00Z");
        fresh.addAll(writeToday(List.of(decision("up-f8-jun-0", 61, true, account("acc-6", KycRiskLevel.MEDIUM, true), null),
                decision("up-f8-jun-1", 62, false, account("acc-6", KycRiskLevel.MEDIUM, true), null))));
        clock(null);

        // Then every old row reads exactly as it did before the upgrade, every column of the auditor's view
        Map<String, String> after = auditorView();
        for (Written w : old) {
            assertEquals(before.get(w.tx()), after.get(w.tx()),
                    () -> w.tx() + " reads otherwise after the upgrade in " + differingColumns(before.get(w.tx()), after.get(w.tx())));
        }
        // and as it was written: features, account facts and contributions as jsonb objects, whatever the stored form
        for (Written w : old) assertReadsAsWritten(w);
        // The new rows are stored compactly (arrays) but read the same way
        assertEquals(fresh.size(), longQuery("select count(*) from decision where features_format = "
                + CanonicalRows.CURRENT.id() + " and (account is null or account like '[%')"
                + " and (contributions is null or contributions like '[[%')"));
        for (Written w : fresh) assertReadsAsWritten(w);
        // A new row made of the same facts as older ones reads as they do, plus the newer features
        for (int format : new int[] {4, 6, 7}) {
            String older = "up-f" + format + "-may-0";
            assertEquals(1, longQuery("""
                    select count(*) from audit_decisions o join audit_decisions n
                        on o.transaction_id = '%s' and n.transaction_id = 'up-f8-may-0'
                     where o.features = n.features - array(select name from unnest(
                               (select names from audit_feature_format where format = %d)) name
                               where array_position((select names from audit_feature_format where format = %d), name) is null)
                       and (select count(*) from jsonb_object_keys(n.features)) > (select count(*) from jsonb_object_keys(o.features))
                       and o.account = n.account and o.contributions = n.contributions
                       and jsonb_typeof(o.account) = 'object' and jsonb_typeof(n.contributions -> 0) = 'object'"""
                    .formatted(older, CanonicalRows.CURRENT.id(), format)), older);
        }

        // and Java's readers (the store, vigil audit explain) read old and new rows alike
        try (Connection c = pg.superUserConnection(DB)) {
            for (Written w : concat(old, fresh)) assertJavaReadsAsWritten(c, w);
        }

        // and the chain holds across the old rows, the upgrade and the new rows: every link, anchor and checkpoint
        AuditVerifier.Report report = verifyAsAuditor();
        assertIntact(report, old.size() + fresh.size() + rejections);
        assertEquals(List.of("v1", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"),
                report.segments().stream().map(AuditVerifier.Segment::name).toList());

        // and the CLI's audit commands find old and new rows alike
        assertCliFindsEveryDecision(concat(old, fresh));
    }

    /**
     * Rows an older release wrote after the first look at the old rows: each reads as written, and joins the old
     * rows with the auditor's view of it now, before today's upgrade.
     */
    private static void keepAsOld(List<Written> rows, List<Written> old, Map<String, String> before) throws SQLException {
        for (Written w : rows) assertReadsAsWritten(w);
        Map<String, String> now = auditorView();
        for (Written w : rows) before.put(w.tx(), now.get(w.tx()));
        old.addAll(rows);
    }

    // ---- writing as the old releases did ----

    /**
     * Writes decisions as the release of feature format {@code format} wrote them. From V006 to V011 as
     * {@code PostgresAuditStore} wrote them then (git show
     * 07958d7:src/main/java/dev/vigil/audit/PostgresAuditStore.java, and AuditJson and CanonicalRows
     * there): as {@code vigil_app}, {@code audit_begin_write()}, each row's canonical v2 bytes chained
     * from the month's head, one binary COPY, a signed checkpoint and the head moved, in one transaction.
     * What differed from today is the row: the feature format of the release, and account facts, hits
     * and contributions written by Jackson from maps (objects). The canonical v2 bytes and their COPY
     * form are the same since V006, so the project's {@link CanonicalRows} encoder writes them. From format
     * 5 on (V012), account facts, hits and contributions as JSON arrays ({@link AuditJson}), as today.
     */
    private static List<Written> writeAsReleased(int format, List<AuditedDecision> rows) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(DB), SchemaMigrator.APP_ROLE, APP_PASSWORD)) {
            c.setAutoCommit(false);
            LocalDate month;
            Instant recordedAt;
            long seq;
            byte[] prev;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select * from audit_begin_write()")) {
                assertTrue(rs.next());
                month = rs.getObject(1, LocalDate.class);
                recordedAt = rs.getObject(2, OffsetDateTime.class).toInstant();
                seq = rs.getLong(3);
                prev = rs.getBytes(4);
            }
            CanonicalRows.Buffer canonical = new CanonicalRows.Buffer(2048);
            CanonicalRows.Buffer copy = new CanonicalRows.Buffer(1 << 16);
            MessageDigest sha256 = AuditChain.sha256();
            CanonicalRows.startCopy(copy);
            for (AuditedDecision a : rows) {
                byte[] bytes = CanonicalRows.decision(oldRow(format, a), recordedAt, canonical, copy);
                prev = AuditChain.link(sha256, prev, bytes);
                CanonicalRows.link(copy, ++seq, prev);
            }
            CanonicalRows.endCopy(copy);
            CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(CanonicalRows.DECISION_COPY);
            in.writeToCopy(copy.a, 0, copy.n);
            in.endCopy();
            PostgresAuditStore.writeCheckpoint(c, KEY, month, seq, prev);
            try (PreparedStatement ps = c.prepareStatement(
                    "update audit_partition_head set chain_seq = ?, head_hash = ?, last_checkpoint_seq = ? where month = ?")) {
                ps.setLong(1, seq);
                ps.setBytes(2, prev);
                ps.setLong(3, seq);
                ps.setObject(4, month);
                assertEquals(1, ps.executeUpdate());
            }
            c.commit();
        }
        return rows.stream().map(a -> new Written(a, format)).toList();
    }

    /** A decision's stored values as the release of feature format {@code format} built them. */
    private static CanonicalRows.DecisionValues oldRow(int format, AuditedDecision a) {
        Decision d = a.decision();
        TransactionEvent e = d.event();
        ShadowScore ch = d.challenger();
        boolean compact = format >= CanonicalRows.COMPACT_FACTS_FORMAT;
        return new CanonicalRows.DecisionValues(d.decisionId(), d.transactionId(), e.accountId(), e.customerId(),
                CanonicalRows.micros(e.occurredAt()), CanonicalRows.micros(d.decidedAt()), a.source().channel(),
                a.source().ref(), a.rawEvent(), e.amount(), e.currency().getCurrencyCode(), e.type().name(), format,
                oldFeatures(format, d.features()),
                compact ? AuditJson.account(format, d.account()) : json(accountObject(d.account())), d.ruleSetVersion().label(),
                d.ruleSetVersion().contentHash(), d.modelVersion(), d.score().probability(), d.score().riskScore(),
                d.score().tier().name(), d.verdict().name(), compact ? AuditJson.hits(d.hits()) : json(hitObjects(d.hits())),
                compact ? AuditJson.contributions(format, d.score().contributions()) : json(contributionObjects(d.score().contributions())),
                ch == null ? null : ch.modelVersion(), ch == null ? null : ch.probability(),
                ch == null ? null : ch.wouldBeVerdict().name(), d.latencyMicros());
    }

    /**
     * The compact features as the old writer joined them: its {@code Features.toMap()} values (the
     * format's features, the first ones of today's catalogue), decimals exact, flags t or f.
     */
    private static String oldFeatures(int format, Features f) {
        return featureValues(format, f).values().stream().map(v -> v instanceof Boolean b ? (b ? "t" : "f") : v.toString())
                .collect(Collectors.joining(","));
    }

    /** A row of V001's table as the writer of V001 to V004 inserted it: jsonb features, account and hits; no chain yet. */
    private static void insertV1Row(Written w) throws SQLException {
        Decision d = w.audited().decision();
        TransactionEvent e = d.event();
        try (Connection c = pg.superUserConnection(DB); PreparedStatement ps = c.prepareStatement("""
                insert into decision (decision_id, transaction_id, account_id, customer_id, event_time, processed_at,
                    source_channel, source_ref, raw_event, amount, currency, transaction_type, features, account,
                    rule_set_version, rule_set_hash, model_version, score, risk_score, verdict, hits, latency_micros)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)""")) {
            int p = 1;
            ps.setObject(p++, d.decisionId());
            ps.setString(p++, d.transactionId());
            ps.setString(p++, e.accountId());
            ps.setString(p++, e.customerId());
            ps.setObject(p++, PostgresAuditStore.utc(e.occurredAt()));
            ps.setObject(p++, PostgresAuditStore.utc(d.decidedAt()));
            ps.setString(p++, w.audited().source().channel());
            ps.setString(p++, w.audited().source().ref());
            ps.setBytes(p++, w.audited().rawEvent());
            ps.setBigDecimal(p++, e.amount());
            ps.setString(p++, e.currency().getCurrencyCode());
            ps.setString(p++, e.type().name());
            ps.setString(p++, json(featureValues(0, d.features())));
            ps.setString(p++, json(accountObject(d.account())));
            ps.setString(p++, d.ruleSetVersion().label());
            ps.setString(p++, d.ruleSetVersion().contentHash());
            ps.setString(p++, d.modelVersion());
            ps.setDouble(p++, d.score().probability());
            ps.setInt(p++, d.score().riskScore());
            ps.setString(p++, d.verdict().name());
            ps.setString(p++, json(hitObjects(d.hits())));
            ps.setLong(p, d.latencyMicros());
            assertEquals(1, ps.executeUpdate());
        }
    }

    private static List<Written> writeToday(List<AuditedDecision> rows) {
        try (PostgresAuditStore store = new PostgresAuditStore(pg.jdbcUrl(DB), SchemaMigrator.APP_ROLE, APP_PASSWORD, KEY)) {
            assertEquals(rows.stream().map(r -> true).toList(), store.recordDecisions(rows));
        }
        return rows.stream().map(a -> new Written(a, CanonicalRows.CURRENT.id())).toList();
    }

    /** A rejection written by today's store: rejection rows have not changed since V006. */
    private static int rejectionNow(String ref) {
        try (PostgresAuditStore store = new PostgresAuditStore(pg.jdbcUrl(DB), SchemaMigrator.APP_ROLE, APP_PASSWORD, KEY)) {
            store.recordRejections(List.of(AuditFixtures.rejection(EventSource.http(ref), "{x".getBytes(StandardCharsets.UTF_8))));
        }
        return 1;
    }

    // ---- what an auditor must see ----

    /** Features, account, contributions and hits of the auditor's view, compared as jsonb with what was written. */
    private static void assertReadsAsWritten(Written w) throws SQLException {
        Decision d = w.audited().decision();
        String features = json(featureValues(w.format(), d.features()));
        String account = json(accountObject(d.account()));
        // v1 rows (before V006) did not record contributions, the risk tier or a challenger
        String contributions = w.format() == 0 ? null : json(contributionObjects(d.score().contributions()));
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(DB), SchemaMigrator.AUDITOR_ROLE, AUDITOR_PASSWORD);
                PreparedStatement ps = c.prepareStatement("""
                        select features = ?::jsonb, account is not distinct from ?::jsonb,
                               contributions is not distinct from ?::jsonb, hits = ?::jsonb,
                               features::text, account::text, contributions::text, risk_tier, challenger_verdict
                          from audit_decisions where transaction_id = ?""")) {
            ps.setString(1, features);
            ps.setString(2, account);
            ps.setString(3, contributions);
            ps.setString(4, json(hitObjects(d.hits())));
            ps.setString(5, w.tx());
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), w.tx() + " is missing from audit_decisions");
                assertTrue(rs.getBoolean(1), w.tx() + " features " + rs.getString(5) + ", written " + features);
                assertTrue(rs.getBoolean(2), w.tx() + " account " + rs.getString(6) + ", written " + account);
                assertTrue(rs.getBoolean(3), w.tx() + " contributions " + rs.getString(7) + ", written " + contributions);
                assertTrue(rs.getBoolean(4), w.tx() + " hits");
                assertEquals(w.format() == 0 ? null : d.score().tier().name(), rs.getString(8), w.tx());
                assertEquals(d.challenger() == null ? null : d.challenger().wouldBeVerdict().name(), rs.getString(9), w.tx());
                assertFalse(rs.next());
            }
        }
    }

    /** The store's reader ({@code AuditQuery.find}, behind {@code vigil audit explain}) and the explain text. */
    private static void assertJavaReadsAsWritten(Connection c, Written w) throws SQLException {
        Decision d = w.audited().decision();
        StoredDecision s = AuditQuery.find(c, w.tx()).orElseThrow(() -> new AssertionError(w.tx() + " not found"));
        assertEquals(tree(featureValues(w.format(), d.features())), tree(s.features()), w.tx());
        assertEquals(tree(accountObject(d.account())), tree(s.account()), w.tx());
        assertEquals(d.hits(), s.hits(), w.tx());
        if (w.format() != 0) assertEquals(d.score().contributions(), s.contributions(), w.tx());
        if (w.format() == CanonicalRows.CURRENT.id()) assertEquals(d.features(), s.featureSnapshot(), w.tx());
        String explained = AuditCliAccess.explain(s);
        for (Contribution k : s.contributions()) assertTrue(explained.contains(k.feature()), explained);
        if (d.account() != null) assertTrue(explained.contains("kyc_risk_level=" + d.account().kycRiskLevel()), explained);
    }

    private static void assertCliFindsEveryDecision(List<Written> all) throws IOException {
        System.setProperty("vigil.postgres.embedded-port", Integer.toString(pg.port()));
        try {
            String[] out = new String[1];
            assertEquals(0, AuditCliAccess.audit(out, "query", "--format", "jsonl", "--limit", "1000"), out[0]);
            Set<String> found = new TreeSet<>();
            for (String line : out[0].lines().filter(l -> l.startsWith("{")).toList()) {
                found.add(JSON.readTree(line).get("transaction_id").asText());
            }
            assertEquals(all.stream().map(Written::tx).collect(Collectors.toCollection(TreeSet::new)), found);
            // One account's decisions, old and new (format 4 and format 6 rows of acc-5)
            assertEquals(0, AuditCliAccess.audit(out, "query", "--account", "acc-5", "--format", "csv"), out[0]);
            assertTrue(out[0].contains("up-f4-may-0") && out[0].contains("up-f6-may-0"), out[0]);
            assertEquals(0, AuditCliAccess.audit(out, "explain", "up-f1-0"), out[0]);
            assertTrue(out[0].contains("kyc_risk_level=HIGH") && out[0].contains("Canonical form v2"), out[0]);
            assertEquals(0, AuditCliAccess.audit(out, "verify"), out[0]);
        } finally {
            System.clearProperty("vigil.postgres.embedded-port");
        }
    }

    private static void assertIntact(AuditVerifier.Report r, long rows) {
        assertTrue(r.intact(), r.toString());
        assertEquals(rows, r.linksChecked(), r.toString());
        for (AuditVerifier.Segment s : r.segments()) {
            if (!s.name().equals(AuditVerifier.V1)) {
                assertTrue(s.checkpointsChecked() > 0 && s.checkpointsChecked() == s.checkpointsSeen(), s.toString());
            }
        }
    }

    private static AuditVerifier.Report verifyAsAuditor() throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(DB), SchemaMigrator.AUDITOR_ROLE, AUDITOR_PASSWORD)) {
            return AuditVerifier.verify(c, KEY);
        }
    }

    /** Every decision of the auditor's view, each whole row as jsonb text, by transaction id. */
    private static Map<String, String> auditorView() throws SQLException {
        Map<String, String> rows = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(DB), SchemaMigrator.AUDITOR_ROLE, AUDITOR_PASSWORD);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select transaction_id, to_jsonb(a)::text from audit_decisions a")) {
            while (rs.next()) rows.put(rs.getString(1), rs.getString(2));
        }
        return rows;
    }

    /** The view's columns whose values differ between two readings of a row (to keep a failure's message short). */
    private static List<String> differingColumns(String before, String after) {
        try {
            JsonNode a = JSON.readTree(before);
            JsonNode b = JSON.readTree(after);
            List<String> names = new ArrayList<>();
            a.fieldNames().forEachRemaining(names::add);
            return names.stream().filter(n -> !a.get(n).equals(b.get(n))).toList();
        } catch (IOException | RuntimeException e) {
            return List.of("(unreadable: " + e.getMessage() + ")");
        }
    }

    // ---- the facts written, and their JSON as every format must show it ----

    /**
     * A decision whose features are all away from their defaults (seeded); when {@code explained},
     * with two hits (BLOCK) and three SHAP contributions, else an ALLOW without either.
     */
    private static AuditedDecision decision(String tx, long seed, boolean explained, AccountProfile account, ShadowScore challenger) {
        Random r = new Random(seed);
        Map<String, Object> values = new LinkedHashMap<>();
        AuditFixtures.features().toMap().forEach((name, kind) -> values.put(name,
                kind instanceof Long ? (Object) (long) (r.nextInt(5_000) - 1)
                        : kind instanceof Boolean ? (Object) r.nextBoolean()
                        : (Object) BigDecimal.valueOf(r.nextInt(10_000_000), r.nextInt(7))));
        values.put("tx_sum_7d", new BigDecimal("123456789012345678901234567890.123456789"));
        values.put("deposit_to_net_worth_ratio", new BigDecimal("0.0000001234"));
        Features f = Features.fromMap(values);
        List<Hit> hits = explained ? List.of(
                new Hit("AML-NEW-001", Verdict.REVIEW, "Deposits of 9000.50 EUR within 3 days — \"new\""),
                new Hit("WL-001", Verdict.BLOCK, "Account is on a watchlist")) : List.of();
        List<Contribution> contributions = explained ? List.of(
                new Contribution("merchant_fraud_rate_30d", 0.0625, 1.4375 + seed / 1024.0),
                new Contribution("tx_count_1h", 7, -0.8125),
                new Contribution("distance_from_usual_km", 1234.5, 0.046875)) : List.of();
        double p = 0.5 + (seed % 50) / 100.0;
        ModelScore score = new ModelScore(p, (int) Math.round(p * 100), "xgb-2026." + seed, contributions);
        TransactionEvent e = AuditFixtures.event(tx, account == null ? "acc-none" : account.accountId(),
                AuditFixtures.T0.plusSeconds(seed * 3600), BigDecimal.valueOf(900_050 + seed, 2).toPlainString());
        Decision d = new Decision(Decision.decisionIdFor(tx), e, VerdictPolicy.combine(hits), hits, score, f, account,
                AuditFixtures.RULES, e.occurredAt().plusMillis(40), 815 + seed, challenger);
        return AuditFixtures.audited(d);
    }

    private static AccountProfile account(String id, KycRiskLevel kyc, boolean watchlist) {
        return new AccountProfile(id, "cust-" + id, Instant.parse("2026-02-27T00:00:00Z"), new BigDecimal("25000.00"),
                Currency.getInstance("EUR"), "DE", kyc, false, false, watchlist);
    }

    /** The features of a format (0: the v1 rows' fifteen) as the auditor's jsonb shows them: counts, flags, decimals as exact strings. */
    private static Map<String, Object> featureValues(int format, Features f) {
        int n = format == 0 ? CanonicalRows.FORMAT_1.names().size() : CanonicalRows.FORMATS.get(format - 1).names().size();
        Map<String, Object> m = new LinkedHashMap<>();
        f.toMap().entrySet().stream().limit(n).forEach(e -> m.put(e.getKey(),
                e.getValue() instanceof BigDecimal b ? (b.scale() >= 0 ? b.toPlainString() : b.toString()) : e.getValue()));
        assertEquals(n, m.size());
        return m;
    }

    private static Map<String, Object> accountObject(AccountProfile a) {
        if (a == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("account_id", a.accountId());
        m.put("customer_id", a.customerId());
        m.put("opened_at", a.openedAt().toString());
        m.put("declared_net_worth", a.declaredNetWorth().toPlainString());
        m.put("net_worth_currency", a.netWorthCurrency().getCurrencyCode());
        m.put("country", a.country());
        m.put("kyc_risk_level", a.kycRiskLevel().name());
        m.put("closed", a.closed());
        m.put("kyc_failed", a.kycFailed());
        m.put("watchlist_hit", a.watchlistHit());
        return m;
    }

    private static List<Map<String, Object>> hitObjects(List<Hit> hits) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Hit h : hits) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule_id", h.ruleId());
            m.put("verdict", h.verdict().name());
            m.put("reason", h.reason());
            out.add(m);
        }
        return out;
    }

    private static List<Map<String, Object>> contributionObjects(List<Contribution> contributions) {
        if (contributions.isEmpty()) return null;
        List<Map<String, Object>> out = new ArrayList<>();
        for (Contribution k : contributions) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("feature", k.feature());
            m.put("value", k.value());
            m.put("contribution", k.contribution());
            out.add(m);
        }
        return out;
    }

    private static String json(Object o) {
        if (o == null) return null;
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value as parsed JSON, so a Long and an Integer of the same number compare equal. */
    private static JsonNode tree(Object o) throws SQLException {
        try {
            return JSON.readTree(String.valueOf(json(o)));
        } catch (IOException e) {
            throw new SQLException(e);
        }
    }

    // ---- the schema as each release installed it ----

    /** Applies the scripts up to {@code version}, from a folder holding exactly those (as that release shipped them). */
    private static List<String> migrateUpTo(Path released, int version) throws IOException, SQLException {
        for (String name : scriptNames(1, version)) {
            Path target = released.resolve(name);
            if (!Files.exists(target)) Files.copy(AuditFixtures.SCHEMA.resolve(name), target);
        }
        try (Connection c = pg.superUserConnection(DB)) {
            return SchemaMigrator.migrate(c, released);
        }
    }

    private static List<String> scriptNames(int from, int to) {
        return SchemaMigratorIT.SCRIPTS.stream()
                .filter(s -> {
                    int v = Integer.parseInt(s.substring(1, s.indexOf("__")));
                    return v >= from && v <= to;
                })
                .toList();
    }

    /** Stands the audit clock at {@code at} (V006's audit_clock), or back on now() when null. */
    private static void clock(String at) throws SQLException {
        sql("create or replace function audit_clock() returns timestamptz language sql stable as $$ select "
                + (at == null ? "now()" : "'" + at + "'::timestamptz") + " $$");
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = pg.superUserConnection(DB); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute(statement);
        }
    }

    private static long longQuery(String query) throws SQLException {
        try (Connection c = pg.superUserConnection(DB); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
