package dev.vigil;

import static dev.vigil.TestPlatform.await;
import static dev.vigil.TestPlatform.json;
import static dev.vigil.TestPlatform.readTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.config.Settings;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.infra.EmbeddedKafkaBroker;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.infra.EmbeddedRedisServer;
import dev.vigil.infra.FreePort;
import dev.vigil.infra.Services;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: with two consumer threads per instance and Vigil instances joining and leaving the
 * consumer group while traffic flows, every transaction has exactly one audit row and its decision
 * (and alert) is published exactly once for a {@code read_committed} reader.
 *
 * <p>Batches are assembled over 300 ms, several polls, so the group's rebalances land in the middle
 * of batches: the case where a batch held records another consumer had meanwhile decided and
 * committed, and published them a second time; and the case where records fetched again after a
 * rebalance moved the position back arrived in the batch after their first copies, and were
 * published a second time by the same consumer (docs/delivery.md, issue 7).
 */
class ConsumerGroupRebalanceIT {
    /** Enough to keep traffic flowing through three instance starts and one stop on a busy machine. */
    private static final int MAX_EVENTS = 4_000;

    @TempDir
    Path dir;

    @Test
    void shouldAuditAndPublishEachDecisionOnceWhileInstancesJoinAndLeaveTheGroup() throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0, 4);
             EmbeddedRedisServer redis = EmbeddedRedisServer.start(dir.resolve("redis"), 0);
             EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0)) {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.superUser(), "");
                 Statement st = c.createStatement()) {
                st.execute("create database " + Services.DATABASE);
            }
            Map<String, String> env = Map.of("VIGIL_POSTGRES_PASSWORD", "app-secret", "VIGIL_POSTGRES_ADMIN_PASSWORD", "");
            EventCodec codec = new EventCodec(Clock.systemUTC(), Duration.ofMinutes(5), 65536);
            Map<String, TransactionEvent> sent = new ConcurrentHashMap<>();
            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicInteger count = new AtomicInteger();
            List<Vigil> running = new ArrayList<>();
            Thread rail = null;
            try {
                // Given one instance with two consumer threads, and a rail sending steadily
                Vigil first = Vigil.start(settings("a", kafka, redis, pg, env));
                running.add(first);
                Instant base = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MILLIS);
                rail = new Thread(() -> {
                    try (var producer = new KafkaProducer<String, byte[]>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                            "linger.ms", 5), new StringSerializer(), new ByteArraySerializer())) {
                        while (sending.get() && count.get() < MAX_EVENTS) {
                            int n = count.getAndIncrement();
                            TransactionEvent tx = tx(n, base);
                            sent.put(tx.transactionId(), tx);
                            producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, tx.accountId(), codec.write(tx)));
                            if (n % 4 == 3) Thread.sleep(50); // about 80 a second, well within what this machine decides
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "rail");
                rail.start();
                await(Duration.ofSeconds(60), "first decisions", () -> first.audit().countDecisions() > 100);

                // When a second instance joins the group mid-stream
                Vigil second = Vigil.start(settings("b", kafka, redis, pg, env));
                running.add(second);
                Thread.sleep(3_000);
                // and the first leaves it
                running.remove(first);
                first.close();
                Thread.sleep(2_000);
                // and a third joins
                Vigil third = Vigil.start(settings("c", kafka, redis, pg, env));
                running.add(third);
                Thread.sleep(3_000);
                sending.set(false);
                rail.join(10_000);

                // Then every transaction has exactly one audit row
                int total = sent.size();
                assertTrue(total > 500, "sent " + total);
                await(Duration.ofSeconds(180), total + " audit rows", () -> second.audit().countDecisions() == total);
                // and exactly one published decision
                await(Duration.ofSeconds(60), "decisions published",
                        () -> readTopic(kafka.bootstrapServers(), Topics.DECISIONS).size() >= total);
                Thread.sleep(1_000); // a late duplicate, if any, would land now
                List<ConsumerRecord<String, byte[]>> decisions = readTopic(kafka.bootstrapServers(), Topics.DECISIONS);
                Map<String, Long> perTx = decisions.stream().map(r -> json(r.value()).path("transaction_id").asText())
                        .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
                assertEquals(sent.keySet(), perTx.keySet());
                Map<String, Long> twice = new HashMap<>(perTx);
                twice.values().removeIf(n -> n == 1);
                assertTrue(twice.isEmpty(), () -> "published more than once: " + twice.keySet().stream().sorted().limit(20)
                        .map(id -> id + " at " + decisions.stream().filter(r -> json(r.value()).path("transaction_id").asText().equals(id))
                                .map(r -> r.partition() + "/" + r.offset() + "@" + json(r.value()).path("decided_at").asText()).toList()
                                + " audited from " + second.audit().findDecision(id).map(d -> d.source().toString()).orElse("?"))
                        .toList() + " (" + twice.size() + " in all)");
                assertEquals(total, decisions.size());

                // and exactly one alert for each REVIEW or BLOCK
                Set<String> alerting = decisions.stream().map(r -> json(r.value()))
                        .filter(d -> !d.path("verdict").asText().equals("ALLOW"))
                        .map(d -> d.path("transaction_id").asText()).collect(Collectors.toSet());
                List<String> alerts = readTopic(kafka.bootstrapServers(), Topics.ALERTS).stream()
                        .map(r -> json(r.value()).path("transaction_id").asText()).toList();
                assertFalse(alerting.isEmpty(), "the large amounts must alert");
                assertEquals(alerting.size(), alerts.size(), "one alert per alerting decision");
                assertEquals(alerting, Set.copyOf(alerts));
            } finally {
                sending.set(false);
                if (rail != null) rail.join(10_000);
                for (Vigil v : running) v.close();
            }
        }
    }

    private Settings settings(String name, EmbeddedKafkaBroker kafka, EmbeddedRedisServer redis, EmbeddedPostgresServer pg,
            Map<String, String> env) {
        Map<String, String> o = new HashMap<>();
        o.put("vigil.data-dir", dir.resolve("vigil-" + name).toString());
        o.put("vigil.http.port", String.valueOf(FreePort.orFree(0)));
        o.put("vigil.kafka.embedded", "false");
        o.put("vigil.kafka.bootstrap-servers", kafka.bootstrapServers());
        o.put("vigil.kafka.consumers", "2");
        o.put("vigil.kafka.batch-size", "200");
        // Batches assembled over several polls, so that rebalances land inside them.
        o.put("vigil.kafka.batch-interval-ms", "300");
        o.put("vigil.redis.embedded", "false");
        o.put("vigil.redis.host", redis.host());
        o.put("vigil.redis.port", String.valueOf(redis.port()));
        o.put("vigil.postgres.embedded", "false");
        o.put("vigil.postgres.url", pg.jdbcUrl(Services.DATABASE));
        o.put("vigil.postgres.admin-user", pg.superUser());
        o.put("vigil.auth.enabled", "false");
        o.put("vigil.auth.password-iterations", "20000");
        return Settings.load(o, env);
    }

    /** Fifty accounts; every 25th transaction is above the 50,000 USD block threshold (AMT-020), so alerts happen. */
    private static TransactionEvent tx(int n, Instant base) {
        BigDecimal amount = n % 25 == 0 ? new BigDecimal("60000.00") : new BigDecimal(10 + n % 500 + ".25");
        return new TransactionEvent("rb-" + n, base.plusMillis(100L * n), "acct-rb-" + n % 50, "cust-rb-" + n % 50,
                TransactionType.PURCHASE, amount, Currency.getInstance("USD"), null, "m-" + n % 7, "5411",
                "ONLINE", "CARD", Boolean.FALSE, null, null, null);
    }
}
