package dev.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.audit.StoredDecision;
import dev.vigil.config.Settings;
import dev.vigil.decision.DegradedDecider;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.infra.EmbeddedRedisServer;
import dev.vigil.infra.FreePort;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP path with the feature store's Redis stopped: by default a clear 503 naming the feature
 * store, nothing decided on made-up features; with {@code vigil.http.when-features-unavailable=degraded}
 * a decision from the event alone, at least REVIEW, flagged in the answer, the audit row and the
 * topic, while the Kafka path waits. Decisions with features again once Redis is back.
 */
class FeatureStoreOutageIT {

    @TempDir
    Path dataDir;

    @TempDir
    Path redisDir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldAnswer503WhileRedisIsDownAndDecideAgainOnceItIsBack() throws Exception {
        int redisPort = FreePort.orFree(0);
        EmbeddedRedisServer redis = EmbeddedRedisServer.start(redisDir, redisPort);
        Map<String, String> o = TestPlatform.embeddedOverrides(dataDir);
        o.put("vigil.redis.embedded", "false");
        o.put("vigil.redis.host", redis.host());
        o.put("vigil.redis.port", String.valueOf(redis.port()));
        Settings settings = Settings.load(o, Map.of());
        EventCodec codec = new EventCodec(Clock.systemUTC(), Duration.ofMinutes(5), 65536);
        try (Vigil vigil = Vigil.start(settings)) {
            // Given Redis up: a decision
            HttpResponse<byte[]> ok = post(settings, codec.write(tx("outage-1")));
            assertEquals(200, ok.statusCode(), new String(ok.body()));

            // When Redis stops: 503, the feature store named, a hint to retry
            redis.close();
            HttpResponse<byte[]> down = post(settings, codec.write(tx("outage-2")));
            assertEquals(503, down.statusCode(), new String(down.body()));
            JsonNode error = TestPlatform.json(down.body()).get("error");
            assertEquals("UNAVAILABLE", error.get("code").asText());
            assertTrue(error.get("message").asText().contains("Redis feature store"), error.toString());
            assertEquals("1", down.headers().firstValue("Retry-After").orElse(""));

            // Then with Redis back on the same port, the same transaction is decided
            redis = EmbeddedRedisServer.start(redisDir, redisPort);
            HttpResponse<byte[]> back = post(settings, codec.write(tx("outage-2")));
            assertEquals(200, back.statusCode(), new String(back.body()));
        } finally {
            redis.close();
        }
    }

    @Test
    void shouldAnswerFlaggedDegradedDecisionsWhileRedisIsDownWhenConfiguredAndLetKafkaWait() throws Exception {
        int redisPort = FreePort.orFree(0);
        EmbeddedRedisServer redis = EmbeddedRedisServer.start(redisDir, redisPort);
        Map<String, String> o = TestPlatform.embeddedOverrides(dataDir);
        o.put("vigil.redis.embedded", "false");
        o.put("vigil.redis.host", redis.host());
        o.put("vigil.redis.port", String.valueOf(redis.port()));
        o.put("vigil.http.when-features-unavailable", "degraded");
        // The Kafka path gives a batch back after this long; short, so the wait for Redis is seen twice.
        o.put("vigil.retry.kafka-patience", "PT3S");
        Settings settings = Settings.load(o, Map.of());
        EventCodec codec = new EventCodec(Clock.systemUTC(), Duration.ofMinutes(5), 65536);
        try (Vigil vigil = Vigil.start(settings);
             var producer = new KafkaProducer<String, byte[]>(Map.of("bootstrap.servers", vigil.services().kafkaBootstrap()),
                     new StringSerializer(), new ByteArraySerializer())) {
            // Given Redis up: a decision with features, not flagged
            HttpResponse<byte[]> ok = post(settings, codec.write(tx("degraded-1")));
            assertEquals(200, ok.statusCode(), new String(ok.body()));
            assertFalse(TestPlatform.json(ok.body()).has("degraded"));

            // When Redis stops: an ordinary payment is answered REVIEW, flagged degraded, with the reason
            redis.close();
            HttpResponse<byte[]> down = post(settings, codec.write(tx("degraded-2")));
            assertEquals(200, down.statusCode(), new String(down.body()));
            JsonNode d = TestPlatform.json(down.body());
            assertTrue(d.path("degraded").asBoolean(), d.toString());
            assertEquals("REVIEW", d.path("verdict").asText(), "never ALLOW because the features are missing");
            assertEquals(List.of(DegradedDecider.RULE_ID), ruleIds(d));
            assertEquals(DegradedDecider.NO_MODEL, d.path("model_version").asText());
            // and what the event alone shows still blocks: 60,000 EUR is over AMT-021's 45,000
            TransactionEvent large = tx("degraded-3", new BigDecimal("60000.00"));
            JsonNode blocked = TestPlatform.json(post(settings, codec.write(large)).body());
            assertEquals("BLOCK", blocked.path("verdict").asText(), blocked.toString());
            assertTrue(blocked.path("degraded").asBoolean());
            assertEquals(List.of("AMT-021", DegradedDecider.RULE_ID), ruleIds(blocked));
            // while a transaction arriving by Kafka waits for Redis rather than being decided degraded
            producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, "acct-outage", codec.write(tx("degraded-kafka")))).get();
            Thread.sleep(4_000);
            assertTrue(vigil.audit().findDecision("degraded-kafka").isEmpty(), "the Kafka path decided without Redis");

            // Then the audit rows record the degraded decisions by their hit
            StoredDecision row = vigil.audit().findDecision("degraded-2").orElseThrow();
            assertEquals("REVIEW", row.verdict().name());
            assertTrue(row.hits().stream().anyMatch(h -> h.ruleId().equals(DegradedDecider.RULE_ID)), row.hits().toString());
            assertTrue(vigil.audit().findDecision("degraded-1").orElseThrow().hits().stream()
                    .noneMatch(h -> h.ruleId().equals(DegradedDecider.RULE_ID)));
            // and vigil.decisions carries the flag
            String bootstrap = vigil.services().kafkaBootstrap();
            TestPlatform.await(Duration.ofSeconds(30), "degraded decisions published", () -> TestPlatform.readTopic(bootstrap, Topics.DECISIONS)
                    .stream().filter(r -> TestPlatform.json(r.value()).path("degraded").asBoolean()).count() == 2);

            // and with Redis back, decisions have features again, the Kafka one included
            redis = EmbeddedRedisServer.start(redisDir, redisPort);
            HttpResponse<byte[]> back = post(settings, codec.write(tx("degraded-4")));
            assertEquals(200, back.statusCode(), new String(back.body()));
            assertFalse(TestPlatform.json(back.body()).has("degraded"));
            TestPlatform.await(Duration.ofSeconds(60), "the Kafka transaction decided once Redis is back",
                    () -> vigil.audit().findDecision("degraded-kafka").isPresent());
            assertTrue(vigil.audit().findDecision("degraded-kafka").orElseThrow().hits().stream()
                    .noneMatch(h -> h.ruleId().equals(DegradedDecider.RULE_ID)));
        } finally {
            redis.close();
        }
    }

    private static List<String> ruleIds(JsonNode decision) {
        List<String> ids = new ArrayList<>();
        decision.path("reasons").forEach(r -> ids.add(r.path("rule_id").asText()));
        return ids;
    }

    private static TransactionEvent tx(String id, BigDecimal amount) {
        return new TransactionEvent(id, Instant.now().truncatedTo(ChronoUnit.MILLIS), "acct-outage", "cust-outage",
                TransactionType.PURCHASE, amount, Currency.getInstance("EUR"), null, "m-1", "5411",
                "web", "card", Boolean.FALSE, "dev-1", "10.0.0.9", null);
    }

    private static TransactionEvent tx(String id) {
        return new TransactionEvent(id, Instant.now().truncatedTo(ChronoUnit.MILLIS), "acct-outage", "cust-outage",
                TransactionType.PURCHASE, new BigDecimal("12.50"), Currency.getInstance("EUR"), null, "m-1", "5411",
                "web", "card", Boolean.FALSE, "dev-1", "10.0.0.9", null);
    }

    private HttpResponse<byte[]> post(Settings settings, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + settings.httpPort() + "/v1/decisions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
