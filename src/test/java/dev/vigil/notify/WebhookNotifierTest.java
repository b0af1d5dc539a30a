package dev.vigil.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.cases.Alert;
import dev.vigil.cases.CaseActionType;
import dev.vigil.cases.CaseStore;
import dev.vigil.decision.Verdict;
import dev.vigil.rules.RuleReload;
import dev.vigil.rules.RuleSetVersion;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The notifier against a real HTTP server on 127.0.0.1 (the JDK's own), failing and hanging on purpose. */
class WebhookNotifierTest {
    private HttpServer server;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    private URI serve(int failFirst, CountDownLatch hang) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (hang != null) {
                try {
                    hang.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
            int n = calls.incrementAndGet();
            int status = n <= failFirst ? 500 : 200;
            if (status == 200) received.add(new String(body, StandardCharsets.UTF_8));
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    @Test
    void shouldRetryAFailingWebhookUntilItAnswers() throws Exception {
        try (WebhookNotifier n = new WebhookNotifier(serve(2, null), 4, Duration.ofMillis(20), 10)) {
            assertTrue(n.notify("hello"));
            String body = received.poll(10, TimeUnit.SECONDS);
            assertEquals("hello", new ObjectMapper().readTree(body).path("text").asText());
            // The server records the body before it answers; the notifier counts once it has the answer.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (n.sent() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(1, n.sent());
            assertEquals(0, n.failed());
        }
    }

    @Test
    void shouldGiveUpAfterTheLastAttempt() throws Exception {
        try (WebhookNotifier n = new WebhookNotifier(serve(100, null), 3, Duration.ofMillis(10), 10)) {
            n.notify("never delivered");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (n.failed() == 0 && System.nanoTime() < deadline) Thread.sleep(20);
            assertEquals(1, n.failed());
            assertEquals(0, n.sent());
        }
    }

    @Test
    void shouldNeverBlockTheCallerWhileTheWebhookHangs() throws Exception {
        CountDownLatch hang = new CountDownLatch(1);
        try (WebhookNotifier n = new WebhookNotifier(serve(0, hang), 1, Duration.ofMillis(10), 5)) {
            long t0 = System.nanoTime();
            int queued = 0;
            for (int i = 0; i < 50; i++) if (n.notify("m" + i)) queued++;
            long millis = (System.nanoTime() - t0) / 1_000_000;
            // One in flight (hanging) and five waiting; the rest are dropped at once instead of waiting.
            assertTrue(queued <= 6, "queued " + queued);
            assertTrue(n.dropped() >= 44, "dropped " + n.dropped());
            assertTrue(millis < 2000, "notify took " + millis + " ms in all");
            hang.countDown();
        }
    }

    @Test
    void shouldNotifyBigBlocksAndRefusedReloadsOnly() throws Exception {
        try (WebhookNotifier w = new WebhookNotifier(serve(0, null), 1, Duration.ofMillis(10), 10)) {
            Notifications n = new Notifications(w, new BigDecimal("10000"), "http://127.0.0.1:8080/console/");
            CaseStore.Opened opened = new CaseStore.Opened(7, CaseActionType.OPEN, false, 80);
            assertFalse(n.onAlertFiled(alert("9999.99", Verdict.BLOCK), opened), "below the amount");
            assertFalse(n.onAlertFiled(alert("50000.00", Verdict.REVIEW), opened), "not a BLOCK");
            assertTrue(n.onAlertFiled(alert("10000.00", Verdict.BLOCK), opened), "at the amount");
            String block = new ObjectMapper().readTree(received.poll(10, TimeUnit.SECONDS)).path("text").asText();
            assertTrue(block.contains("10000.00 EUR") && block.contains("#/case/7"), block);
            RuleSetVersion v = new RuleSetVersion("2026.11.1", "abc123");
            Instant at = Instant.parse("2026-03-01T00:00:00Z");
            assertFalse(n.onRuleReload(new RuleReload(RuleReload.Outcome.APPLIED, v, new RuleSetVersion("2026.11.2", "def"), List.of(), at)));
            assertTrue(n.onRuleReload(new RuleReload(RuleReload.Outcome.REFUSED, v, v, List.of("rules/drl/velocity.drl: line 3"), at)));
            String reload = new ObjectMapper().readTree(received.poll(10, TimeUnit.SECONDS)).path("text").asText();
            assertTrue(reload.contains("velocity.drl") && reload.contains("2026.11.1"), reload);
        }
    }

    private static Alert alert(String amount, Verdict v) {
        return new Alert("tx-1", "acct-1", "c-1", Instant.parse("2026-03-01T00:00:00Z"), new BigDecimal(amount), "EUR", v, 90,
                List.of("AML-NEW-001"), List.of());
    }
}
