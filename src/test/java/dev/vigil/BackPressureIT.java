package dev.vigil;

import static dev.vigil.TestPlatform.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.config.Settings;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.event.TransactionEvent;
import dev.vigil.simulate.SimulatedEvent;
import dev.vigil.simulate.SimulationConfig;
import dev.vigil.simulate.Simulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * A PostgreSQL that stops accepting audit rows (another session holds a lock on the audit tables,
 * as a long migration or a stuck vacuum would): Kafka consumption stops at the batches already
 * taken in instead of reading on into memory, HTTP requests beyond the bounded queue are refused at
 * once with 503 and {@code Retry-After}, and when the lock goes everything taken in is decided.
 * A Redis that answers slowly: consumption slows to its pace, the backlog stays in Kafka (each
 * consumer holds at most one batch), and once Redis is quick again everything is decided once.
 */
class BackPressureIT {
    private static final int BATCH = 100;
    private static final int CONSUMERS = 2;
    /** More than vert.x's default 20 worker threads: the queue, not the HTTP server's threads, must be the bound. */
    private static final int MAX_QUEUED = 32;
    private static final int HTTP_MAX_BATCH = 4;

    @TempDir
    Path dir;

    @Test
    void shouldConsumeAtRedisPaceHoldingAtMostABatchPerConsumerWhileRedisIsSlowThenCatchUp() throws Exception {
        Map<String, String> o = overridesWithSmallBatches();
        Settings settings = Settings.load(o, Map.of());
        EventCodec codec = new EventCodec(Clock.systemUTC(), Duration.ofMinutes(5), 65536);
        int events = 8_000;
        try (Vigil vigil = Vigil.start(settings);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", vigil.services().kafkaBootstrap()),
                     new StringSerializer(), new ByteArraySerializer());
             RedisClient redis = RedisClient.create(vigil.services().redisHost(), vigil.services().redisPort())) {
            // Given a Redis that sleeps 1 s at a time, answering only in the 10 ms between sleeps: a consumer then
            // finishes at most about a batch a second, so in 8 s the two take in well under half of the events
            try (SlowRedis slow = new SlowRedis(redis, Duration.ofSeconds(1), Duration.ofMillis(10))) {
                // When 8,000 events arrive on Kafka at once
                Simulator sim = new Simulator(SimulationConfig.defaults(200, 3, Instant.now().minus(Duration.ofDays(30))));
                int sent = 0;
                while (sent < events) {
                    if (sim.next() instanceof SimulatedEvent.Transaction t) {
                        producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, t.event().accountId(), codec.write(t.event())));
                        sent++;
                    }
                }
                producer.flush();

                // Then for 8 s Vigil decides at Redis's pace, holding no more than a batch per consumer thread
                long maxHeld = 0;
                long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
                while (System.nanoTime() < until) {
                    // Taken in before decided: what a consumer holds is never overstated.
                    long held = vigil.metrics().events("kafka") - vigil.metrics().totalDecisions() - vigil.metrics().duplicates();
                    maxHeld = Math.max(maxHeld, held);
                    Thread.sleep(50);
                }
                long takenWhileSlow = vigil.metrics().events("kafka");
                long decidedWhileSlow = vigil.metrics().totalDecisions();
                assertTrue(maxHeld <= (long) CONSUMERS * BATCH, "held at once while Redis was slow: " + maxHeld);
                assertTrue(decidedWhileSlow > 0, "nothing decided while Redis was slow: consumption stopped instead of slowing");
                assertTrue(takenWhileSlow <= events / 2, "taken in while Redis was slow: " + takenWhileSlow + " of " + events
                        + "; the backlog should wait in Kafka");
            }

            // When Redis is quick again, every event is decided and audited once
            awaitAudited(vigil, events);
            assertEquals(events, vigil.audit().countDecisions());
        }
    }

    @Test
    void shouldStopConsumingAndShedHttpWhileTheAuditStoreIsBlockedThenCatchUp() throws Exception {
        Map<String, String> o = overridesWithSmallBatches();
        o.put("vigil.http.max-queued", String.valueOf(MAX_QUEUED));
        o.put("vigil.http.max-batch", String.valueOf(HTTP_MAX_BATCH));
        o.put("vigil.http.workers", "1");
        o.put("vigil.retry.http-patience", "PT30S");
        Settings settings = Settings.load(o, Map.of());
        EventCodec codec = new EventCodec(Clock.systemUTC(), Duration.ofMinutes(5), 65536);
        try (Vigil vigil = Vigil.start(settings);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", vigil.services().kafkaBootstrap()),
                     new StringSerializer(), new ByteArraySerializer());
             Connection blocker = DriverManager.getConnection(vigil.services().adminJdbcUrl(), vigil.services().adminUser(),
                     vigil.services().adminPassword())) {
            Simulator sim = new Simulator(SimulationConfig.defaults(200, 3, Instant.now().minus(Duration.ofDays(30))));
            List<TransactionEvent> txs = new ArrayList<>();
            while (txs.size() < 1_300) {
                if (sim.next() instanceof SimulatedEvent.Transaction t) txs.add(t.event());
            }
            // Given the audit tables locked against inserts by another session
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("lock table decision, rejection in share mode");
            }
            long takenBefore = vigil.metrics().events("kafka");

            // When 1,200 events arrive on Kafka and 70 requests at once over HTTP
            for (TransactionEvent tx : txs.subList(0, 1_200)) {
                producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, tx.accountId(), codec.write(tx)));
            }
            producer.flush();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create("http://127.0.0.1:" + settings.httpPort() + "/v1/decisions");
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (TransactionEvent tx : txs.subList(1_200, 1_270)) {
                answers.add(http.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(codec.write(tx))).build(), HttpResponse.BodyHandlers.ofString()));
            }

            // Then the requests beyond the queue are refused at once, with Retry-After
            long bound = MAX_QUEUED + HTTP_MAX_BATCH;
            await(Duration.ofSeconds(20), "HTTP requests beyond the queue refused",
                    () -> answers.stream().filter(CompletableFuture::isDone).count() >= answers.size() - bound);
            List<HttpResponse<String>> refused = answers.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
            for (HttpResponse<String> r : refused) {
                assertEquals(503, r.statusCode(), r.body());
                assertTrue(r.body().contains("OVERLOADED"), r.body());
                assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
            }
            assertTrue(vigil.metrics().shed() >= answers.size() - bound, "shed count " + vigil.metrics().shed());

            // and Kafka consumption stops at what the consumers had in hand: no unbounded read-ahead
            Thread.sleep(3_000);
            long taken = vigil.metrics().events("kafka") - takenBefore;
            Thread.sleep(2_000);
            long takenLater = vigil.metrics().events("kafka") - takenBefore;
            assertEquals(taken, takenLater, "consumption went on while the audit store was blocked");
            assertTrue(taken <= (long) CONSUMERS * BATCH, "taken in while blocked: " + taken);
            assertEquals(0, vigil.audit().countDecisions());

            // When the lock is released, everything taken in is decided and the accepted requests answered
            blocker.rollback();
            long expected = 1_200 + (answers.size() - refused.size());
            // This wait timed out in one of about fifteen CI runs on 2026-11-23 and 24 (a rebalance 6 s after start,
            // then nothing logged for 90 s), and not in about 50 runs of the test since: if it does again, the failure
            // says where every Vigil thread was.
            awaitAudited(vigil, expected);
            for (CompletableFuture<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                assertTrue(r.statusCode() == 200 || r.statusCode() == 503, r.body());
            }
            assertEquals(answers.size() - refused.size(), answers.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 200).count(),
                    "every request taken into the queue is decided once the store answers");
        }
    }

    /** Everything embedded in this test's directory, with Kafka batches of {@link #BATCH} and {@link #CONSUMERS} consumer threads. */
    private Map<String, String> overridesWithSmallBatches() {
        Map<String, String> o = TestPlatform.embeddedOverrides(dir);
        o.put("vigil.kafka.batch-size", String.valueOf(BATCH));
        o.put("vigil.kafka.consumers", String.valueOf(CONSUMERS));
        return o;
    }

    /** Waits until {@code expected} decisions are audited; on timeout, says how far it got and where every Vigil thread was. */
    private static void awaitAudited(Vigil vigil, long expected) throws InterruptedException {
        AtomicLong audited = new AtomicLong();
        await(Duration.ofSeconds(90), "every Kafka event audited", () -> audited.updateAndGet(n -> vigil.audit().countDecisions()) >= expected,
                () -> "audited " + audited + " of " + expected + ", Kafka events taken in " + vigil.metrics().events("kafka")
                        + "\n" + TestPlatform.vigilThreadStacks());
    }
}
