package dev.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.config.Settings;
import dev.vigil.event.EventCodec;
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
import java.util.Currency;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP path with the feature store's Redis stopped: a clear 503 naming the feature store,
 * nothing decided on made-up features; and decisions again once Redis is back.
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
