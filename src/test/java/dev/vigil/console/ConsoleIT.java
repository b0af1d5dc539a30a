package dev.vigil.console;

import static dev.vigil.TestPlatform.await;
import static dev.vigil.TestPlatform.json;
import static dev.vigil.TestPlatform.readTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.TestPlatform;
import dev.vigil.Vigil;
import dev.vigil.access.AccessStore;
import dev.vigil.access.Role;
import dev.vigil.config.Settings;
import dev.vigil.event.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console, the access checks and the case queue in the running platform, on real embedded
 * Kafka, Redis and PostgreSQL, with authentication on: API keys on {@code /v1/decisions}, every
 * role refused what it may not do, a BLOCK filed as a case, and a browser (Debian's headless
 * chromium) closing it as fraud.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
    static final String PASSWORD = "console-test-password";

    @TempDir static Path dataDir;
    Vigil vigil;
    String base;
    AccessStore access;
    AccessStore.NewApiKey railKey;
    final HttpClient http = HttpClient.newHttpClient();
    final Map<String, String> sessions = new LinkedHashMap<>();
    long caseId;
    String blockedTx;
    String caseRule;

    /** What the webhook (a real HTTP server on 127.0.0.1) was sent. */
    final java.util.concurrent.BlockingQueue<String> webhook = new java.util.concurrent.LinkedBlockingQueue<>();
    com.sun.net.httpserver.HttpServer hookServer;

    @BeforeAll
    void start() throws Exception {
        hookServer = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hookServer.createContext("/hook", ex -> {
            webhook.add(new String(ex.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        hookServer.start();
        Map<String, String> o = TestPlatform.embeddedOverrides(dataDir);
        o.put("vigil.auth.enabled", "true");
        o.put("vigil.notify.webhook-url", "http://127.0.0.1:" + hookServer.getAddress().getPort() + "/hook");
        o.put("vigil.notify.block-amount", "20000");
        vigil = Vigil.start(Settings.load(o, Map.of()));
        base = "http://127.0.0.1:" + vigil.settings().httpPort();
        access = vigil.console().access();
        for (Role r : Role.values()) {
            String name = r.name().toLowerCase().replace('_', '-');
            access.addUser(name, name, List.of(r), PASSWORD.toCharArray(), "test");
        }
        access.addUser("senior-two", "Second senior", List.of(Role.SENIOR_ANALYST), PASSWORD.toCharArray(), "test");
        railKey = access.createApiKey("rail-test", "test");
        for (String u : List.of("analyst", "senior-analyst", "rule-author", "auditor", "admin")) sessions.put(u, login(u));
    }

    @AfterAll
    void stop() {
        if (vigil != null) vigil.close();
        if (hookServer != null) hookServer.stop(0);
    }

    @Test
    @Order(1)
    void shouldAnswerDecisionsOnlyToAKnownApiKeyAndRecordItsClient() throws Exception {
        byte[] tx = transaction("tx-key-" + UUID.randomUUID(), "acct-key", "12.00");
        assertEquals(401, post("/v1/decisions", tx, Map.of()).statusCode(), "no key");
        assertEquals(401, post("/v1/decisions", tx, Map.of("Authorization", "Bearer vk_unknownkey1_nothing")).statusCode(), "unknown key");
        HttpResponse<String> ok = post("/v1/decisions", tx, Map.of("Authorization", "Bearer " + railKey.key(), "X-Request-Id", "req-77"));
        assertEquals(200, ok.statusCode(), ok.body());
        assertFalse(ok.headers().firstValue("Authorization").isPresent(), "credentials are not echoed");
        String txId = json(ok.body().getBytes()).path("transaction_id").asText();
        assertEquals("rail-test/req-77", vigil.audit().findDecision(txId).orElseThrow().source().ref());
        // A revoked key stops working (the cache in this test lives 5 s at most).
        AccessStore.NewApiKey temp = access.createApiKey("rail-temp", "test");
        assertEquals(200, post("/v1/decisions", transaction("tx-tmp-" + UUID.randomUUID(), "acct-key", "1.00"),
                Map.of("X-Api-Key", temp.key())).statusCode());
        access.revokeApiKey(temp.keyId(), "test");
        assertEquals(401, post("/v1/decisions", transaction("tx-tmp2-" + UUID.randomUUID(), "acct-key", "1.00"),
                Map.of("X-Api-Key", temp.key())).statusCode());
    }

    @Test
    @Order(2)
    void shouldOpenOnlyHealthToAnonymousCallers() throws Exception {
        assertEquals(200, get("/health", null).statusCode());
        assertEquals(401, get("/metrics", null).statusCode());
        assertEquals(200, get("/metrics", Map.of("Authorization", "Bearer " + railKey.key())).statusCode());
        assertEquals(200, get("/metrics", Map.of("Cookie", "vigil_session=" + sessions.get("admin"))).statusCode());
        assertEquals(403, get("/metrics", Map.of("Cookie", "vigil_session=" + sessions.get("analyst"))).statusCode());
        for (String p : List.of("/api/cases", "/api/cases/1", "/api/overview", "/api/audit/log", "/api/users", "/api/apikeys", "/api/me")) {
            assertEquals(401, get(p, null).statusCode(), p);
            assertEquals(401, get(p, Map.of("Cookie", "vigil_session=forged")).statusCode(), p);
        }
        // The console's pages hold no data and are served to all; the login form is on them.
        HttpResponse<String> page = get("/console/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
    }

    @Test
    @Order(3)
    void shouldFileABlockAsACaseOffTheDecisionPath() throws Exception {
        // Given an account on a watchlist (LST-001 blocks its transactions)
        String acct = "acct-watch-" + UUID.randomUUID().toString().substring(0, 8);
        try (var producer = new KafkaProducer<String, byte[]>(Map.of("bootstrap.servers", vigil.services().kafkaBootstrap()),
                new StringSerializer(), new ByteArraySerializer())) {
            String now = Instant.now().minusSeconds(5).toString();
            producer.send(new ProducerRecord<>(Topics.ACCOUNT_EVENTS, acct, ("{\"event_id\":\"e1-" + acct + "\",\"type\":\"ACCOUNT_OPENED\","
                    + "\"occurred_at\":\"" + now + "\",\"account_id\":\"" + acct + "\",\"customer_id\":\"c-" + acct + "\",\"opened_at\":\"" + now + "\"}").getBytes())).get();
            producer.send(new ProducerRecord<>(Topics.ACCOUNT_EVENTS, acct, ("{\"event_id\":\"e2-" + acct + "\",\"type\":\"WATCHLIST_HIT\","
                    + "\"occurred_at\":\"" + now + "\",\"account_id\":\"" + acct + "\",\"customer_id\":\"c-" + acct + "\"}").getBytes())).get();
        }
        // When its transactions come in (until the account event has been applied and one is blocked)
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (blockedTx == null && System.nanoTime() < deadline) {
            String id = "tx-block-" + UUID.randomUUID();
            HttpResponse<String> r = post("/v1/decisions", transaction(id, acct, "25000.00"), Map.of("Authorization", "Bearer " + railKey.key()));
            assertEquals(200, r.statusCode(), r.body());
            if (json(r.body().getBytes()).path("verdict").asText().equals("BLOCK")) blockedTx = id;
            else Thread.sleep(200);
        }
        assertNotNull(blockedTx, "no BLOCK for a watchlisted account within 30 s");
        // Then a case for the account appears in the queue
        String cookie = "vigil_session=" + sessions.get("analyst");
        await(Duration.ofSeconds(30), "a case for " + acct, () -> {
            try {
                for (JsonNode c : json(get("/api/cases?size=200", Map.of("Cookie", cookie)).body().getBytes()).path("items")) {
                    if (c.path("account_id").asText().equals(acct)) {
                        caseId = c.path("case_id").asLong();
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode detail = json(get("/api/cases/" + caseId, Map.of("Cookie", cookie)).body().getBytes());
        assertEquals("BLOCK", detail.path("case").path("max_verdict").asText());
        // Blocked by the watchlist rule or, before the account event was applied, by the model score rule.
        assertTrue(detail.path("case").path("rule_ids").size() >= 1, detail.path("case").toString());
        caseRule = detail.path("case").path("rule_ids").get(0).asText();
        JsonNode alert = detail.path("alerts").get(0);
        assertEquals(blockedTx, alert.path("transaction_id").asText());
        assertTrue(alert.path("features").isObject(), "the decision's features are on the case page");
        assertTrue(detail.path("timeline").size() >= 1);
        // And the webhook heard of the BLOCK of 25,000.00 (at least the 20,000 configured), with a link to the case
        String hook = null;
        for (long end = System.nanoTime() + Duration.ofSeconds(20).toNanos(); System.nanoTime() < end; ) {
            String m = webhook.poll(1, java.util.concurrent.TimeUnit.SECONDS);
            if (m != null && m.contains(blockedTx)) {
                hook = m;
                break;
            }
        }
        assertNotNull(hook, "a webhook message for " + blockedTx);
        assertTrue(json(hook.getBytes()).path("text").asText().contains("#/case/" + caseId), hook);
    }

    @Test
    @Order(4)
    void shouldRefuseEveryRoleWhatItMayNotDoOverHttp() throws Exception {
        // Expected status of each read endpoint for each role.
        Map<String, Map<String, Integer>> table = new LinkedHashMap<>();
        table.put("/api/cases", Map.of("analyst", 200, "senior-analyst", 200, "rule-author", 403, "auditor", 200, "admin", 403));
        table.put("/api/cases/" + caseId, Map.of("analyst", 200, "senior-analyst", 200, "rule-author", 403, "auditor", 200, "admin", 403));
        table.put("/api/overview", Map.of("analyst", 200, "senior-analyst", 200, "rule-author", 200, "auditor", 200, "admin", 200));
        table.put("/api/audit/log", Map.of("analyst", 403, "senior-analyst", 403, "rule-author", 403, "auditor", 200, "admin", 200));
        table.put("/api/users", Map.of("analyst", 403, "senior-analyst", 403, "rule-author", 403, "auditor", 403, "admin", 200));
        table.put("/api/apikeys", Map.of("analyst", 403, "senior-analyst", 403, "rule-author", 403, "auditor", 403, "admin", 200));
        for (var row : table.entrySet()) {
            for (var cell : row.getValue().entrySet()) {
                int status = get(row.getKey(), Map.of("Cookie", "vigil_session=" + sessions.get(cell.getKey()))).statusCode();
                assertEquals(cell.getValue(), status, cell.getKey() + " GET " + row.getKey());
            }
        }
        // Case actions: only analysts act; the rule author, the auditor and the admin are refused and leave no record.
        for (String who : List.of("rule-author", "auditor", "admin")) {
            for (String action : List.of("ASSIGN", "COMMENT", "CLOSE", "ESCALATE", "REQUEST_RELEASE", "APPROVE_RELEASE")) {
                HttpResponse<String> r = act(who, caseId, "{\"action\":\"" + action + "\",\"outcome\":\"FRAUD\",\"comment\":\"x\"}");
                assertEquals(403, r.statusCode(), who + " " + action + ": " + r.body());
            }
        }
        // No API key opens the console, and a POST without the console's header is refused (another site's form).
        assertEquals(401, get("/api/cases", Map.of("Authorization", "Bearer " + railKey.key())).statusCode());
        HttpResponse<String> csrf = http.send(HttpRequest.newBuilder(URI.create(base + "/api/cases/" + caseId + "/actions"))
                .header("Cookie", "vigil_session=" + sessions.get("analyst")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"COMMENT\",\"comment\":\"x\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, csrf.statusCode());
        // Four-eyes over HTTP: the analyst asks, the analyst cannot approve, a senior can.
        assertEquals(200, act("analyst", caseId, "{\"action\":\"REQUEST_RELEASE\",\"comment\":\"customer verified by phone\"}").statusCode());
        assertEquals(403, act("analyst", caseId, "{\"action\":\"APPROVE_RELEASE\"}").statusCode());
        String seniorTwo = login("senior-two");
        HttpResponse<String> approved = http.send(HttpRequest.newBuilder(URI.create(base + "/api/cases/" + caseId + "/actions"))
                .header("Cookie", "vigil_session=" + seniorTwo).header("X-Vigil-Console", "1").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"APPROVE_RELEASE\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, approved.statusCode(), approved.body());
        // Wrong passwords are throttled: the fourth attempt in a row is answered 429.
        for (int i = 0; i < 3; i++) assertEquals(401, loginResponse("auditor", "not the password").statusCode());
        HttpResponse<String> throttled = loginResponse("auditor", PASSWORD);
        assertEquals(429, throttled.statusCode());
        assertTrue(throttled.headers().firstValue("Retry-After").isPresent());
    }

    @Test
    @Order(5)
    void shouldLetAnAnalystCloseTheCaseAsFraudInTheBrowser() throws Exception {
        Path chromium = HeadlessChromium.find();
        Assumptions.assumeTrue(chromium != null,
                "SKIPPED: no chromium on this machine (apt-get install -y chromium); the console's browser test did not run");
        Path profile = Files.createDirectories(dataDir.resolve("chromium/profile"));
        try (HeadlessChromium b = new HeadlessChromium(chromium, profile)) {
            // Log in
            b.navigate(base + "/console/");
            b.waitFor("document.querySelector('#login-username')", Duration.ofSeconds(20));
            b.eval("document.querySelector('#login-username').value = 'analyst';"
                    + "document.querySelector('#login-password').value = '" + PASSWORD + "';"
                    + "document.querySelector('#login-submit').click(); true");
            // The queue shows the case; filter by its rule and open it with the keyboard (the first row is selected).
            b.waitFor("document.querySelector('#case-link-" + caseId + "')", Duration.ofSeconds(20));
            b.eval("const r = document.querySelector('#filter-rule'); r.value = '" + caseRule + "'; r.dispatchEvent(new Event('change')); true");
            b.waitFor("document.querySelector('#queue tbody tr.sel') && document.querySelector('#queue tbody tr.sel').dataset.case === '" + caseId + "'"
                    + " || document.querySelectorAll('#queue tbody tr[data-case]').length > 0", Duration.ofSeconds(20));
            String first = b.eval("document.querySelector('#queue tbody tr[data-case]').dataset.case").asText();
            if (!first.equals(String.valueOf(caseId))) b.navigate(base + "/console/#/case/" + caseId);
            else {
                b.eval("document.activeElement && document.activeElement.blur(); true");
                b.press("Enter");
            }
            b.waitFor("document.querySelector('#case-state') && location.hash === '#/case/" + caseId + "'", Duration.ofSeconds(20));
            assertTrue(b.eval("document.body.innerText").asText().contains(blockedTx), "the case page shows the transaction");
            assertTrue(b.eval("document.body.innerText").asText().contains(caseRule), "and the rule with its reason");
            // Close as fraud, with a comment, by the button's key
            b.eval("document.querySelector('#action-comment').value = 'confirmed fraud in the browser'; true");
            b.press("f");
            b.waitFor("document.querySelector('#case-state') && document.querySelector('#case-state').textContent === 'CLOSED_FRAUD'",
                    Duration.ofSeconds(20));
            // With -Dvigil.console.screenshots=DIR, pictures of each page for a person to look at.
            String shots = System.getProperty("vigil.console.screenshots");
            if (shots != null) {
                Path dir = Files.createDirectories(Path.of(shots));
                b.send("Emulation.setDeviceMetricsOverride", TestPlatform.JSON.createObjectNode().put("width", 1400).put("height", 1000)
                        .put("deviceScaleFactor", 1).put("mobile", false));
                b.screenshot(dir.resolve("case.png"));
                b.eval("location.hash = '#/queue'; document.querySelector('#filter-state') && true");
                b.waitFor("document.querySelector('#queue')", Duration.ofSeconds(10));
                b.eval("const st = document.querySelector('#filter-state'); st.value = 'ALL'; st.dispatchEvent(new Event('change')); true");
                Thread.sleep(1000);
                b.screenshot(dir.resolve("queue.png"));
                b.eval("location.hash = '#/overview'; true");
                b.waitFor("document.querySelector('#tile-eps')", Duration.ofSeconds(10));
                b.screenshot(dir.resolve("overview.png"));
            }
        }
        // The label is on vigil.labels
        List<JsonNode> labels = new ArrayList<>();
        await(Duration.ofSeconds(20), "the label of " + blockedTx, () -> {
            labels.clear();
            for (ConsumerRecord<String, byte[]> r : readTopic(vigil.services().kafkaBootstrap(), Topics.LABELS)) {
                JsonNode l = json(r.value());
                if (l.path("transaction_id").asText().equals(blockedTx)) labels.add(l);
            }
            return !labels.isEmpty();
        });
        assertEquals(1, labels.size());
        assertEquals("FRAUD", labels.get(0).path("label").asText());
        assertEquals("analyst", labels.get(0).path("source").asText());
        assertFalse(labels.get(0).path("known_at").asText().isEmpty());
        // And the action is in the audit store, with the user and the comment
        try (Connection c = DriverManager.getConnection(vigil.services().jdbcUrl(), vigil.services().appUser(), vigil.services().appPassword());
                PreparedStatement ps = c.prepareStatement("select actor, outcome, comment, state_after from case_action"
                        + " where case_id = ? and action = 'CLOSE'")) {
            ps.setLong(1, caseId);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "a CLOSE action row");
                assertEquals("analyst", rs.getString(1));
                assertEquals("FRAUD", rs.getString(2));
                assertEquals("confirmed fraud in the browser", rs.getString(3));
                assertEquals("CLOSED_FRAUD", rs.getString(4));
                assertFalse(rs.next());
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private String login(String user) throws Exception {
        HttpResponse<String> r = loginResponse(user, PASSWORD);
        assertEquals(200, r.statusCode(), user + ": " + r.body());
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        return cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    }

    private HttpResponse<String> loginResponse(String user, String password) throws Exception {
        return post("/api/login", ("{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}").getBytes(), Map.of());
    }

    private HttpResponse<String> act(String user, long id, String body) throws Exception {
        return post("/api/cases/" + id + "/actions", body.getBytes(),
                Map.of("Cookie", "vigil_session=" + sessions.get(user), "X-Vigil-Console", "1", "Content-Type", "application/json"));
    }

    private HttpResponse<String> post(String path, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET();
        if (headers != null) headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] transaction(String id, String account, String amount) {
        return ("{\"transaction_id\":\"" + id + "\",\"occurred_at\":\"" + Instant.now().minusSeconds(1) + "\",\"account_id\":\"" + account
                + "\",\"customer_id\":\"c-" + account + "\",\"type\":\"PURCHASE\",\"amount\":\"" + amount + "\",\"currency\":\"EUR\"}").getBytes();
    }
}
