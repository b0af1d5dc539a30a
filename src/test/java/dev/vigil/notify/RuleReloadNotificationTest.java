package dev.vigil.notify;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.rules.ReloadingRuleEngine;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken save in a watched rules folder reaches the webhook, as Vigil wires it (a listener of the reloading engine). */
class RuleReloadNotificationTest {
    @TempDir Path tmp;

    @Test
    void shouldPostARefusedRuleChangeToTheWebhook() throws Exception {
        Path rules = tmp.resolve("rules");
        try (Stream<Path> files = Files.walk(Path.of("rules"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path to = rules.resolve(Path.of("rules").relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to);
            }
        }
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        try (WebhookNotifier webhook = new WebhookNotifier(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"),
                        3, Duration.ofMillis(50), 10);
                ReloadingRuleEngine engine = ReloadingRuleEngine.load(rules, Clock.systemUTC())) {
            Notifications n = new Notifications(webhook, new BigDecimal("10000"), null);
            engine.addListener(n::onRuleReload);
            engine.startWatching(Duration.ofMillis(200), Duration.ofMillis(200));
            // When an analyst saves a constraint without its right-hand side
            Path velocity = rules.resolve("drl/velocity.drl");
            Files.writeString(velocity, Files.readString(velocity).replace("txCount1m > 5", "txCount1m > "));
            // Then the webhook is told which file broke and which rules stay in force
            String body = received.poll(60, TimeUnit.SECONDS);
            assertNotNull(body, "no webhook message within 60 s");
            String text = new ObjectMapper().readTree(body).path("text").asText();
            assertTrue(text.contains("refused") && text.contains("velocity.drl"), text);
        } finally {
            server.stop(0);
        }
    }
}
