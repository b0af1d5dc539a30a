package dev.vigil.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.decision.Decision;
import dev.vigil.decision.DecisionEngine;
import dev.vigil.decision.Verdict;
import dev.vigil.event.EventCodec;
import dev.vigil.event.EventSource;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.feature.ReferenceFeatureStore;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.rules.DroolsRuleEngine;
import dev.vigil.score.ModelDirectory;
import dev.vigil.score.XgboostRiskModel;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditors' tools on decisions made by the real decision core (reference feature store, the demo
 * model, the project's rules) and recorded by the real store: query, explain, replay, SAR, views.
 */
class AuditorToolsIT {
    static final Path RULES = Path.of("rules");
    static final Path MODELS = Path.of("models/vigil-demo");
    static final Instant T = Instant.parse("2026-03-02T09:00:00Z");

    @TempDir static Path dataDir;
    static EmbeddedPostgresServer pg;
    static List<Decision> decided;

    @BeforeAll
    static void decideAndRecord() throws SQLException {
        pg = EmbeddedPostgresServer.start(dataDir.resolve("pg"), 0);
        AuditFixtures.migrate(pg);
        EventCodec codec = new EventCodec();
        List<TransactionEvent> events = new ArrayList<>();
        // Seven cash deposits just under 10,000 within a minute on acc-s: structuring and velocity
        for (int i = 0; i < 7; i++) events.add(event("s-" + i, "acc-s", TransactionType.CASH_DEPOSIT, "9500.00", T.plusSeconds(5L * i)));
        // One small purchase on acc-q: nothing to say
        events.add(event("q-1", "acc-q", TransactionType.PURCHASE, "12.30", T.plusSeconds(3)));
        try (XgboostRiskModel model = XgboostRiskModel.load(ModelDirectory.resolve(MODELS))) {
            DecisionEngine engine = new DecisionEngine(new ReferenceFeatureStore(), model, DroolsRuleEngine.load(RULES),
                    Clock.fixed(T.plusSeconds(60), ZoneOffset.UTC));
            decided = engine.decideAll(events);
        }
        List<AuditedDecision> audited = new ArrayList<>();
        for (Decision d : decided) {
            audited.add(new AuditedDecision(d, EventSource.http("req-" + d.transactionId()), codec.write(d.event())));
        }
        try (PostgresAuditStore store = AuditFixtures.appStore(pg)) {
            store.recordDecisions(audited);
        }
    }

    @AfterAll
    static void stop() {
        if (pg != null) pg.close();
    }

    static TransactionEvent event(String id, String account, TransactionType type, String amount, Instant at) {
        return new TransactionEvent(id, at, account, "cust-" + account, type, new BigDecimal(amount),
                Currency.getInstance("USD"), null, null, null, "branch", "cash", null, null, null, null);
    }

    static Connection auditor() throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(AuditFixtures.DB), SchemaMigrator.AUDITOR_ROLE, AuditFixtures.AUDITOR_PASSWORD);
    }

    static StoredDecision stored(String tx) throws SQLException {
        try (Connection c = auditor()) {
            return AuditQuery.find(c, tx).orElseThrow();
        }
    }

    @Test
    void theFixtureShouldHaveAlertsToAudit() {
        // Without hits on acc-s the rest proves little
        assertTrue(decided.stream().filter(d -> d.event().accountId().equals("acc-s")).anyMatch(d -> !d.hits().isEmpty()),
                decided.toString());
        assertEquals(Verdict.ALLOW, decided.get(7).verdict());
    }

    @Test
    void shouldFilterByAccountRuleVerdictAndTime() throws SQLException {
        Decision alerted = decided.stream().filter(d -> !d.hits().isEmpty()).reduce((a, b) -> b).orElseThrow();
        String rule = alerted.hits().get(0).ruleId();
        try (Connection c = auditor()) {
            assertEquals(7, AuditQuery.run(c, new AuditQuery.Filter("acc-s", null, null, null, null, null, 100)).size());
            assertEquals(1, AuditQuery.run(c, new AuditQuery.Filter(null, "cust-acc-q", null, null, null, null, 100)).size());
            List<Map<String, Object>> byRule = AuditQuery.run(c, new AuditQuery.Filter(null, null, rule, null, null, null, 100));
            long expected = decided.stream().filter(d -> d.hits().stream().anyMatch(h -> h.ruleId().equals(rule))).count();
            assertEquals(expected, byRule.size());
            assertTrue(byRule.stream().allMatch(r -> ((String) r.get("rule_ids")).contains(rule)));
            long allows = decided.stream().filter(d -> d.verdict() == Verdict.ALLOW).count();
            assertEquals(allows, AuditQuery.run(c, new AuditQuery.Filter(null, null, null, Verdict.ALLOW, null, null, 100)).size());
            // [T+10 s, T+20 s): deposits 2 and 3 of acc-s
            assertEquals(List.of("s-3", "s-2"), AuditQuery.run(c, new AuditQuery.Filter("acc-s", null, null, null,
                    T.plusSeconds(10), T.plusSeconds(20), 100)).stream().map(r -> r.get("transaction_id")).toList());
            assertEquals(2, AuditQuery.run(c, new AuditQuery.Filter("acc-s", null, null, null, null, null, 2)).size());
        }
    }

    @Test
    void shouldReplayToTheSameVerdictWithTheRecordedVersions() throws Exception {
        for (Decision d : decided) {
            StoredDecision s = stored(d.transactionId());
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int code = dev.vigil.cli.AuditCliAccess.replay(s, RULES, MODELS, new java.io.PrintStream(out, true));
            assertEquals(0, code, out.toString());
            assertTrue(out.toString().startsWith("REPLAY SAME: " + d.verdict()), out.toString());
        }
    }

    @Test
    void shouldNameTheRuleSetNeededWhenTheRulesFolderIsAnotherVersion(@TempDir Path tmp) throws Exception {
        Path rules = tmp.resolve("rules");
        copy(RULES, rules);
        // Any change to a rule file is another rule set (the label alone is not: the content hash identifies the rules)
        Path drl;
        try (var files = Files.list(rules.resolve("drl"))) {
            drl = files.filter(p -> p.toString().endsWith(".drl")).findFirst().orElseThrow();
        }
        Files.writeString(drl, "\n// edited after the decision\n", java.nio.file.StandardOpenOption.APPEND);
        StoredDecision s = stored("s-6");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code = dev.vigil.cli.AuditCliAccess.replay(s, rules, MODELS, new java.io.PrintStream(out, true));
        assertEquals(3, code, out.toString());
        assertTrue(out.toString().contains("rule set " + s.ruleSetVersion().label() + " with content hash "
                + s.ruleSetVersion().contentHash()), out.toString());
    }

    @Test
    void shouldShowWhatDiffersWhenTheRecordDoesNotFollowFromItsInputs() throws Exception {
        // A decision recorded with a verdict its rules never gave (no hits, yet BLOCK)
        Decision real = decided.get(7);
        Decision forged = new Decision(Decision.decisionIdFor("forged-1"), new TransactionEvent("forged-1",
                real.event().occurredAt(), "acc-q", "cust-acc-q", TransactionType.PURCHASE, new BigDecimal("12.30"),
                Currency.getInstance("USD"), null, null, null, "branch", "cash", null, null, null, null), Verdict.BLOCK,
                List.of(), real.score(), real.features(), null, real.ruleSetVersion(), real.decidedAt(), 5);
        try (PostgresAuditStore store = AuditFixtures.appStore(pg)) {
            store.recordDecisions(List.of(new AuditedDecision(forged, EventSource.http("forged"),
                    new EventCodec().write(forged.event()))));
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code = dev.vigil.cli.AuditCliAccess.replay(stored("forged-1"), RULES, MODELS, new java.io.PrintStream(out, true));
        assertEquals(1, code, out.toString());
        assertTrue(out.toString().contains("verdict: recorded BLOCK, replayed ALLOW"), out.toString());
    }

    @Test
    void shouldExplainTheWholeStoryOfADecision() throws SQLException {
        Decision d = decided.stream().filter(x -> !x.hits().isEmpty()).findFirst().orElseThrow();
        String text = dev.vigil.cli.AuditCliAccess.explain(stored(d.transactionId()));
        for (String expected : List.of(d.transactionId(), d.verdict().name(), d.hits().get(0).ruleId(), d.hits().get(0).reason(),
                d.ruleSetVersion().contentHash(), String.valueOf(d.modelVersion()), "tx_count_1m", "9500.00")) {
            assertTrue(text.contains(expected), expected + " missing from:\n" + text);
        }
    }

    @Test
    void shouldDraftASarWithTheSubjectActivityTransactionsAndRules() throws SQLException {
        ObjectNode sar;
        try (Connection c = auditor()) {
            sar = SarDraft.build(c, "acc-s", T.minusSeconds(3600), T.plusSeconds(3600));
        }
        assertEquals(7, sar.get("transactions").size());
        assertEquals("66500.00", sar.at("/suspicious_activity/total_amount_by_currency/USD").asText());
        assertEquals("acc-s", sar.at("/subject/account_id").asText());
        assertFalse(sar.at("/suspicious_activity/rules_involved").isEmpty());
        assertNotNull(sar.at("/narrative/why").asText());
        String html = SarDraft.html(sar);
        assertTrue(html.contains("<h2>Part I: Subject</h2>") && html.contains("s-6"), html);
        assertEquals("&lt;b&gt; &amp; &quot;", SarDraft.esc("<b> & \""));
    }

    @Test
    void shouldLetTheAuditorUseTheDocumentedViews() throws SQLException {
        try (Connection c = auditor(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select decisions, amount from audit_account_activity where account_id = 'acc-s'")) {
                assertTrue(rs.next());
                assertEquals(7, rs.getInt(1));
                assertEquals(new BigDecimal("66500.00"), rs.getBigDecimal(2));
            }
            String rule = decided.stream().filter(x -> !x.hits().isEmpty()).findFirst().orElseThrow().hits().get(0).ruleId();
            try (ResultSet rs = st.executeQuery("select sum(hits) from audit_alerts_by_rule_day where rule_id = '" + rule + "'")) {
                assertTrue(rs.next());
                assertTrue(rs.getInt(1) > 0);
            }
            try (ResultSet rs = st.executeQuery("select kind, version, decisions from audit_version_history order by kind")) {
                assertTrue(rs.next());
                assertEquals("model", rs.getString(1));
                assertTrue(rs.next());
                assertEquals("rule_set", rs.getString(1));
                assertEquals(new dev.vigil.rules.RuleSetVersion(decided.get(0).ruleSetVersion().label(),
                        decided.get(0).ruleSetVersion().contentHash()).label(), rs.getString(2));
            }
            try (ResultSet rs = st.executeQuery("select count(distinct transaction_id) from audit_rule_decisions where rule_id = '"
                    + rule + "' and rule_set_hash = '" + decided.get(0).ruleSetVersion().contentHash() + "'")) {
                assertTrue(rs.next());
                assertEquals(decided.stream().filter(d -> d.hits().stream().anyMatch(h -> h.ruleId().equals(rule))).count(),
                        rs.getLong(1));
            }
        }
    }

    static void copy(Path from, Path to) throws java.io.IOException {
        try (var all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }
}
