package dev.vigil.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.access.AccessStore;
import dev.vigil.access.PasswordHasher;
import dev.vigil.access.Principal;
import dev.vigil.access.Role;
import dev.vigil.audit.SchemaMigrator;
import dev.vigil.decision.Verdict;
import dev.vigil.infra.ConnectionPool;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.score.Contribution;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cases, case actions, users, sessions and API keys on a real embedded PostgreSQL with the
 * project's schema, used as the vigil_app role like the running platform.
 */
class CasesAndAccessIT {
    static final String APP_PASSWORD = "app-secret-cases";
    static final String AUDITOR_PASSWORD = "auditor-secret-cases";
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static final char[] PW = "correct horse battery".toCharArray();

    @TempDir static Path dir;
    static EmbeddedPostgresServer pg;
    static ConnectionPool pool;
    static MutableClock clock = new MutableClock(T0);
    static AccessStore access;
    static CaseStore store;
    static CaseService service;
    static final List<AnalystLabel> published = new ArrayList<>();
    static final AtomicInteger accounts = new AtomicInteger();

    @BeforeAll
    static void start() throws SQLException {
        pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0);
        pg.ensureDatabase("vigil");
        try (Connection c = pg.superUserConnection("vigil")) {
            SchemaMigrator.migrate(c, Path.of("audit-schema"));
            SchemaMigrator.setPasswords(c, APP_PASSWORD, AUDITOR_PASSWORD);
        }
        pool = new ConnectionPool(pg.jdbcUrl("vigil"), SchemaMigrator.APP_ROLE, APP_PASSWORD, 3, "test");
        access = new AccessStore(pool, clock, Duration.ofHours(8), Duration.ZERO, new PasswordHasher(2000));
        store = new CaseStore(pool, clock, Duration.ofHours(72), CasePriority.defaults());
        service = new CaseService(store, published::addAll);
        access.addUser("ana", "Ana Analyst", List.of(Role.ANALYST), PW, "test");
        access.addUser("sam", "Sam Senior", List.of(Role.SENIOR_ANALYST), PW, "test");
        access.addUser("sue", "Sue Senior", List.of(Role.SENIOR_ANALYST), PW, "test");
        access.addUser("rita", "Rita Rules", List.of(Role.RULE_AUTHOR), PW, "test");
        access.addUser("aud", "Audrey Auditor", List.of(Role.AUDITOR), PW, "test");
        access.addUser("adm", "Adam Admin", List.of(Role.ADMIN), PW, "test");
    }

    @AfterAll
    static void stop() {
        if (pool != null) pool.close();
        if (pg != null) pg.close();
    }

    static String newAccount() {
        return "acct-" + accounts.incrementAndGet();
    }

    static Alert alert(String tx, String account, Instant at, String amount, Verdict v, int risk, String... rules) {
        return new Alert(tx, account, "cust-" + account, at, new BigDecimal(amount), "EUR", v, risk, List.of(rules),
                List.of(new Contribution("amount", 950.0, 1.25), new Contribution("tx_count_1h", 7, -0.4)));
    }

    static Principal user(String name) {
        return access.user(name).map(u -> Principal.user(u.username(), u.roles())).orElseThrow();
    }

    // ---- cases --------------------------------------------------------------------------------

    @Test
    void shouldOpenACaseThenJoinTheAccountsNextAlertWithinTheWindow() throws SQLException {
        String acct = newAccount();
        // Given a first REVIEW: it opens a case.
        CaseStore.Opened first = store.openOrJoin(alert("tx-a1-" + acct, acct, T0, "120.00", Verdict.REVIEW, 40, "VEL-001"));
        assertEquals(CaseActionType.OPEN, first.action());
        // When a BLOCK of the same account comes 2 hours later (inside the 72 h window): it joins.
        CaseStore.Opened second = store.openOrJoin(alert("tx-a2-" + acct, acct, T0.plus(Duration.ofHours(2)), "25000.00",
                Verdict.BLOCK, 90, "AML-NEW-001"));
        assertEquals(CaseActionType.JOIN, second.action());
        assertEquals(first.caseId(), second.caseId());
        // Then the case carries the higher priority, both rules, the BLOCK and the larger amount.
        JsonNode c = store(first.caseId()).path("case");
        assertEquals(2, c.path("alert_count").asInt());
        assertEquals("BLOCK", c.path("max_verdict").asText());
        assertEquals("25000.00", c.path("max_amount").asText());
        assertEquals(Math.max(first.priority(), second.priority()), c.path("priority").asInt());
        assertEquals(List.of("AML-NEW-001", "VEL-001"), strings(c.path("rule_ids")));
        // The SLA deadline follows the higher priority: HIGH is 4 h after opening.
        assertEquals(Instant.parse(c.path("opened_at").asText()).plus(Duration.ofHours(4)), Instant.parse(c.path("sla_deadline").asText()));
        JsonNode actions = store(first.caseId()).path("actions");
        assertEquals("OPEN", actions.get(0).path("action").asText());
        assertEquals("JOIN", actions.get(1).path("action").asText());
        assertEquals("vigil", actions.get(1).path("actor").asText());
        // The SHAP contributions travel with the alert.
        assertEquals(1.25, store(first.caseId()).path("alerts").get(0).path("contributions").get(0).path("contribution").asDouble());
    }

    @Test
    void shouldFileARedeliveredAlertOnce() throws SQLException {
        String acct = newAccount();
        Alert a = alert("tx-dup-" + acct, acct, T0, "50.00", Verdict.REVIEW, 30, "VEL-002");
        CaseStore.Opened first = store.openOrJoin(a);
        CaseStore.Opened again = store.openOrJoin(a);
        assertFalse(first.duplicate());
        assertTrue(again.duplicate());
        assertEquals(first.caseId(), again.caseId());
        assertEquals(1, store(first.caseId()).path("case").path("alert_count").asInt());
        assertEquals(1, store(first.caseId()).path("actions").size());
    }

    @Test
    void shouldOpenANewCaseOutsideTheWindowOrAfterTheCaseIsClosed() throws SQLException {
        String acct = newAccount();
        long first = store.openOrJoin(alert("tx-w1-" + acct, acct, T0, "10.00", Verdict.REVIEW, 20, "VEL-001")).caseId();
        // 73 hours of event time later: outside the 72 h window, so a new case.
        long late = store.openOrJoin(alert("tx-w2-" + acct, acct, T0.plus(Duration.ofHours(73)), "10.00", Verdict.REVIEW, 20)).caseId();
        assertNotEquals(first, late);
        // Closed: the account's next alert, even a minute later, opens another case.
        service.act(user("ana"), late, new CaseService.Request(CaseActionType.CLOSE, CaseOutcome.LEGIT, null, null, "known customer"));
        long after = store.openOrJoin(alert("tx-w3-" + acct, acct, T0.plus(Duration.ofHours(73)).plusSeconds(60), "10.00",
                Verdict.REVIEW, 20)).caseId();
        assertNotEquals(late, after);
        assertEquals(2, store(after).path("past_cases").size());
    }

    @Test
    void shouldRecordEachActionWithItsUserAndPublishALabelPerTransactionOnClose() throws SQLException {
        String acct = newAccount();
        long id = store.openOrJoin(alert("tx-c1-" + acct, acct, T0, "700.00", Verdict.REVIEW, 60, "VEL-001")).caseId();
        store.openOrJoin(alert("tx-c2-" + acct, acct, T0.plusSeconds(30), "800.00", Verdict.REVIEW, 65, "VEL-001"));
        assertEquals(CaseState.IN_REVIEW, service.act(user("ana"), id,
                new CaseService.Request(CaseActionType.ASSIGN, null, null, null, null)).state());
        service.act(user("ana"), id, new CaseService.Request(CaseActionType.COMMENT, null, null, null, "card testing pattern"));
        clock.advance(Duration.ofMinutes(5));
        published.clear();
        CaseService.Result closed = service.act(user("ana"), id,
                new CaseService.Request(CaseActionType.CLOSE, CaseOutcome.FRAUD, null, null, "confirmed with customer"));
        assertEquals(CaseState.CLOSED_FRAUD, closed.state());
        assertTrue(closed.labelsPublished());
        assertEquals(List.of("tx-c1-" + acct, "tx-c2-" + acct), published.stream().map(AnalystLabel::transactionId).toList());
        assertTrue(published.stream().allMatch(l -> l.label() == CaseOutcome.FRAUD && l.knownAt().equals(clock.instant())));
        JsonNode actions = store(id).path("actions");
        assertEquals(List.of("OPEN", "JOIN", "ASSIGN", "COMMENT", "CLOSE"), strings(actions, "action"));
        assertEquals(List.of("vigil", "vigil", "ana", "ana", "ana"), strings(actions, "actor"));
        assertEquals("FRAUD", actions.get(4).path("outcome").asText());
        // A closed case takes no second close.
        CaseException again = assertThrows(CaseException.class, () -> service.act(user("sam"), id,
                new CaseService.Request(CaseActionType.CLOSE, CaseOutcome.LEGIT, null, null, null)));
        assertEquals(CaseException.Code.CONFLICT, again.code());
    }

    @Test
    void shouldRefuseEachRoleTheCaseActionsItMayNotDo() throws SQLException {
        String acct = newAccount();
        long id = store.openOrJoin(alert("tx-r1-" + acct, acct, T0, "9000.00", Verdict.BLOCK, 95, "AML-NEW-001")).caseId();
        for (String who : List.of("rita", "aud", "adm")) {
            for (CaseActionType action : List.of(CaseActionType.ASSIGN, CaseActionType.COMMENT, CaseActionType.CLOSE,
                    CaseActionType.ESCALATE, CaseActionType.REQUEST_RELEASE, CaseActionType.APPROVE_RELEASE)) {
                CaseException e = assertThrows(CaseException.class, () -> service.act(user(who), id,
                        new CaseService.Request(action, CaseOutcome.FRAUD, null, null, "x")), who + " " + action);
                assertEquals(CaseException.Code.FORBIDDEN, e.code(), who + " " + action);
            }
        }
        // An analyst may ask for a release but not approve one.
        service.act(user("ana"), id, new CaseService.Request(CaseActionType.REQUEST_RELEASE, null, null, null, "customer called"));
        CaseException analyst = assertThrows(CaseException.class, () -> service.act(user("ana"), id,
                new CaseService.Request(CaseActionType.APPROVE_RELEASE, null, null, null, null)));
        assertEquals(CaseException.Code.FORBIDDEN, analyst.code());
        // Nothing refused left a trace.
        assertEquals(List.of("OPEN", "REQUEST_RELEASE"), strings(store(id).path("actions"), "action"));
    }

    @Test
    void shouldReleaseABlockOnlyWithASecondSeniorAnalyst() throws SQLException {
        String acct = newAccount();
        String tx = "tx-rel-" + acct;
        long id = store.openOrJoin(alert(tx, acct, T0, "15000.00", Verdict.BLOCK, 92, "AML-NEW-001")).caseId();
        // Approving with nothing asked for is refused.
        assertEquals(CaseException.Code.CONFLICT, assertThrows(CaseException.class, () -> service.act(user("sam"), id,
                new CaseService.Request(CaseActionType.APPROVE_RELEASE, null, null, tx, null))).code());
        service.act(user("sam"), id, new CaseService.Request(CaseActionType.REQUEST_RELEASE, null, null, tx, "verified"));
        // Four-eyes: the senior who asked may not approve.
        CaseException self = assertThrows(CaseException.class, () -> service.act(user("sam"), id,
                new CaseService.Request(CaseActionType.APPROVE_RELEASE, null, null, tx, null)));
        assertEquals(CaseException.Code.FORBIDDEN, self.code());
        assertTrue(self.getMessage().contains("four-eyes"), self.getMessage());
        service.act(user("sue"), id, new CaseService.Request(CaseActionType.APPROVE_RELEASE, null, null, tx, "second look ok"));
        JsonNode c = store(id);
        assertEquals("RELEASED", c.path("case").path("release_state").asText());
        assertEquals(List.of("vigil", "sam", "sue"), strings(c.path("actions"), "actor"));
        // Released once is enough.
        assertEquals(CaseException.Code.CONFLICT, assertThrows(CaseException.class, () -> service.act(user("ana"), id,
                new CaseService.Request(CaseActionType.REQUEST_RELEASE, null, null, tx, null))).code());
    }

    @Test
    void shouldKeepCaseActionsAppendOnlyEvenForTheSuperuser() throws SQLException {
        String acct = newAccount();
        store.openOrJoin(alert("tx-ao-" + acct, acct, T0, "10.00", Verdict.REVIEW, 10));
        try (Connection c = pg.superUserConnection("vigil"); Statement st = c.createStatement()) {
            for (String sql : List.of("update case_action set actor = 'mallory'", "delete from case_action",
                    "delete from case_alert", "delete from cases", "delete from users", "truncate access_event")) {
                SQLException e = assertThrows(SQLException.class, () -> st.execute(sql), sql);
                assertEquals("P0001", e.getSQLState(), sql);
            }
        }
        // The application role may not even try to change an action.
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("vigil"), SchemaMigrator.APP_ROLE, APP_PASSWORD);
                Statement st = c.createStatement()) {
            assertEquals("42501", assertThrows(SQLException.class, () -> st.execute("update case_action set comment = 'x'")).getSQLState());
        }
        // The auditor reads users but not their password hashes.
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("vigil"), SchemaMigrator.AUDITOR_ROLE, AUDITOR_PASSWORD);
                Statement st = c.createStatement()) {
            st.executeQuery("select username, roles from users").close();
            st.executeQuery("select count(*) from case_action").close();
            assertEquals("42501", assertThrows(SQLException.class, () -> st.executeQuery("select password_hash from users")).getSQLState());
            assertEquals("42501", assertThrows(SQLException.class, () -> st.executeQuery("select secret_hash from api_key")).getSQLState());
        }
    }

    @Test
    void shouldPageAQueueOfTenThousandOpenCasesInTheDatabase() throws SQLException {
        // 10,000 open cases written in one statement (filing them one by one is not what is tested here).
        try (Connection c = pg.superUserConnection("vigil"); Statement st = c.createStatement()) {
            st.execute("insert into cases (account_id, customer_id, state, priority, opened_at, sla_deadline, first_event_at,"
                    + " last_event_at, alert_count, max_verdict, max_amount, currency, max_risk_score, rule_ids)"
                    + " select 'bulk-' || i, 'c', case when i % 3 = 0 then 'IN_REVIEW' else 'OPEN' end, (i * 37) % 101,"
                    + " timestamptz '2026-03-01 00:00Z' - make_interval(mins => i), timestamptz '2026-03-02 00:00Z',"
                    + " now(), now(), 1, 'REVIEW', i, 'EUR', i % 100, case when i % 10 = 0 then array['BULK-010'] else array['BULK-OTHER'] end"
                    + " from generate_series(1, 10000) i");
        }
        CaseQueries q = new CaseQueries(pool, clock);
        long t0 = System.nanoTime();
        ObjectNode page = q.queue(new CaseQueries.QueueQuery(null, null, "BULK-010", null, null, "priority", false, 2, 50));
        long micros = (System.nanoTime() - t0) / 1000;
        assertEquals(1000, page.path("total").asLong());
        assertEquals(50, page.path("items").size());
        int prev = Integer.MAX_VALUE;
        for (JsonNode item : page.path("items")) {
            assertTrue(item.path("priority").asInt() <= prev, "sorted by priority, highest first");
            prev = item.path("priority").asInt();
            assertEquals(List.of("BULK-010"), strings(item.path("rule_ids")));
        }
        ObjectNode all = q.queue(new CaseQueries.QueueQuery(null, "HIGH", null, null, Duration.ofDays(1), "age", true, 0, 200));
        assertEquals(200, all.path("items").size());
        for (JsonNode item : all.path("items")) assertTrue(item.path("priority").asInt() >= 70);
        System.out.printf("queue page 3 of a rule filter over 10,000 open cases: %d us%n", micros);
    }

    // ---- access --------------------------------------------------------------------------------

    @Test
    void shouldLogInWithTheRightPasswordAndExpireTheSession() {
        AccessStore.Login ok = access.login("ana", PW, "127.0.0.1");
        AccessStore.Login.Ok session = assertInstanceOf(AccessStore.Login.Ok.class, ok);
        assertEquals(List.of(Role.ANALYST), access.session(session.token()).orElseThrow().roles());
        clock.advance(Duration.ofHours(8).plusSeconds(1));
        assertTrue(access.session(session.token()).isEmpty(), "expired after the TTL");
        AccessStore.Login.Ok again = assertInstanceOf(AccessStore.Login.Ok.class, access.login("ana", PW, "127.0.0.1"));
        access.logout(again.token());
        assertTrue(access.session(again.token()).isEmpty(), "ended by logout");
    }

    @Test
    void shouldThrottleWrongPasswordsAndNotCheckThemWhileThrottled() {
        access.addUser("tess", "Tess", List.of(Role.ANALYST), PW, "test");
        for (int i = 0; i < 3; i++) assertInstanceOf(AccessStore.Login.Refused.class, access.login("tess", "wrong password!".toCharArray(), "10.0.0.9"));
        // The fourth attempt must wait, even with the right password.
        AccessStore.Login.Throttled t = assertInstanceOf(AccessStore.Login.Throttled.class, access.login("tess", PW, "10.0.0.9"));
        assertTrue(t.retryAfter().toMillis() > 0);
        clock.advance(t.retryAfter().plusMillis(1));
        assertInstanceOf(AccessStore.Login.Ok.class, access.login("tess", PW, "10.0.0.9"));
        // A disabled user cannot log in and loses open sessions.
        AccessStore.Login.Ok s = assertInstanceOf(AccessStore.Login.Ok.class, access.login("tess", PW, "10.0.0.8"));
        access.setDisabled("tess", true, "adm");
        assertTrue(access.session(s.token()).isEmpty());
        assertInstanceOf(AccessStore.Login.Refused.class, access.login("tess", PW, "10.0.0.8"));
    }

    @Test
    void shouldAcceptAnApiKeyUntilItIsRevoked() {
        AccessStore.NewApiKey k = access.createApiKey("rail-sepa", "cli");
        assertEquals("rail-sepa", access.clientForApiKey(k.key()).orElseThrow());
        assertTrue(access.clientForApiKey(k.key() + "x").isEmpty(), "a wrong secret");
        assertTrue(access.clientForApiKey("vk_nosuchkey1_" + k.key().substring(k.key().lastIndexOf('_') + 1)).isEmpty());
        assertTrue(access.revokeApiKey(k.keyId(), "cli"));
        assertFalse(access.revokeApiKey(k.keyId(), "cli"));
        assertTrue(access.clientForApiKey(k.key()).isEmpty(), "revoked");
        assertTrue(access.apiKeys().stream().anyMatch(i -> i.keyId().equals(k.keyId()) && !i.active()));
    }

    private static JsonNode store(long caseId) throws SQLException {
        return new CaseQueries(pool, clock).detail(caseId).orElseThrow();
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> strings(JsonNode arr, String field) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }
}
