package dev.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.config.Settings;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blacklists reach the features: from {@code lists/*.csv} at start, and from the {@code vigil.lists}
 * topic while running; a malformed list update goes to the dead-letter topic. A fraud label on
 * {@code vigil.labels} reaches the merchant fraud rate of later transactions.
 */
class ListsAndLabelsIT {

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger ids = new AtomicInteger();

    @Test
    void shouldFlagBlacklistedEntitiesFromTheListFilesAndTheListsTopic() throws Exception {
        Settings settings = Settings.load(TestPlatform.embeddedOverrides(dataDir), Map.of());
        EventCodec codec = new EventCodec(Clock.systemUTC(), Duration.ofMinutes(5), 65536);
        try (Vigil vigil = Vigil.start(settings);
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", vigil.services().kafkaBootstrap(), "acks", "all"),
                        new StringSerializer(), new ByteArraySerializer())) {
            // Given the shipped lists/blacklist.csv: 192.0.2.66 is blacklisted from the start
            JsonNode fromFile = features(settings, codec, "dev-a", "192.0.2.66");
            assertTrue(fromFile.get("ip_blacklisted").asBoolean(), fromFile.toString());
            assertEquals(false, features(settings, codec, "dev-a", "192.0.2.67").get("ip_blacklisted").asBoolean());

            // When a device is blacklisted on the topic, next to a malformed update
            producer.send(new ProducerRecord<>(Topics.LISTS, "dev-b",
                    "{\"list\": \"blacklist\", \"entity\": \"device\", \"id\": \"dev-b\"}".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(Topics.LISTS, "x",
                    "{\"list\": \"greylist\", \"entity\": \"device\", \"id\": \"dev-c\"}".getBytes(StandardCharsets.UTF_8))).get();

            // Then transactions from that device are flagged once the update is consumed
            TestPlatform.await(Duration.ofSeconds(60), "device dev-b blacklisted", () -> {
                try {
                    return features(settings, codec, "dev-b", "10.1.1.1").get("device_blacklisted").asBoolean();
                } catch (Exception e) {
                    return false;
                }
            });
            // A fraud label for a transaction at merchant m-lists, known now, shows in the next ones' rate
            String labelled = "lists-" + ids.get(); // the last transaction sent, at m-lists
            producer.send(new ProducerRecord<>(Topics.LABELS, labelled, ("{\"transaction_id\": \"" + labelled
                    + "\", \"label\": \"FRAUD\", \"source\": \"chargeback\", \"known_at\": \"" + Instant.now() + "\"}")
                    .getBytes(StandardCharsets.UTF_8))).get();
            TestPlatform.await(Duration.ofSeconds(60), "a fraud rate at m-lists", () -> {
                try {
                    return features(settings, codec, "dev-a", "10.1.1.2").get("merchant_fraud_rate_1d").asText().matches("0\\.0*[1-9][0-9]*");
                } catch (Exception e) {
                    return false;
                }
            });
            TestPlatform.await(Duration.ofSeconds(30), "the malformed list update in the DLQ", () ->
                    TestPlatform.readTopic(vigil.services().kafkaBootstrap(), Topics.DLQ).stream()
                            .anyMatch(r -> new String(r.value(), StandardCharsets.UTF_8).contains("greylist")));
        }
    }

    private JsonNode features(Settings settings, EventCodec codec, String device, String ip) throws Exception {
        TransactionEvent e = new TransactionEvent("lists-" + ids.incrementAndGet(), Instant.now().truncatedTo(ChronoUnit.MILLIS),
                "acct-lists", "cust-lists", TransactionType.PURCHASE, new BigDecimal("3.00"), java.util.Currency.getInstance("EUR"),
                null, "m-lists", "5411", "web", "card", Boolean.FALSE, device, ip, null);
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + settings.httpPort() + "/v1/decisions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(codec.write(e))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return TestPlatform.json(r.body()).get("features");
    }
}
