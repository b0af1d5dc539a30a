package dev.vigil;

import static dev.vigil.TestPlatform.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.audit.AuditVerifier;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.Features;
import dev.vigil.feature.ReferenceFeatureStore;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.infra.EmbeddedRedisServer;
import dev.vigil.infra.FreePort;
import dev.vigil.infra.Services;
import dev.vigil.simulate.MalformedEvents;
import dev.vigil.simulate.SimulatedEvent;
import dev.vigil.simulate.SimulationConfig;
import dev.vigil.simulate.Simulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vigil (its own JVM) against Kafka (its own JVM), Redis and PostgreSQL, while 20,000 transactions
 * flow: Vigil is killed with SIGKILL and restarted, Redis, PostgreSQL and the broker are each
 * stopped and started again, and Vigil is stopped with SIGTERM and restarted. Afterwards every
 * valid transaction has exactly one decision on {@code vigil.decisions} (read_committed) and
 * exactly one audit row, every malformed one exactly one rejection row and DLQ record, the audit
 * chain verifies, and every audited feature snapshot equals the reference computed from the full
 * history. Throughout, no offset is committed past an event without its audit row.
 */
class FaultToleranceIT {
    private static final Logger log = LoggerFactory.getLogger(FaultToleranceIT.class);
    private static final int TRANSACTIONS = 20_000;
    private static final int MALFORMED_EVERY = 250;
    private static final Duration OUTAGE = Duration.ofSeconds(4);

    @TempDir
    Path dir;

    private int kafkaPort;
    private Process broker;
    private Process vigil;
    private EmbeddedRedisServer redis;
    private int redisPort;
    private EmbeddedPostgresServer pg;
    private int pgPort;
    private int httpPort;

    /** Where each valid transaction landed: partition and offset in vigil.transactions. */
    private final Map<String, long[]> landed = new ConcurrentHashMap<>();

    @Test
    @Timeout(value = 9, unit = TimeUnit.MINUTES)
    void shouldLoseNothingAndDoubleNothingWhenEachPartDiesMidStream() throws Exception {
        long t0 = System.nanoTime();
        kafkaPort = FreePort.orFree(0);
        redisPort = FreePort.orFree(0);
        httpPort = FreePort.orFree(0);
        startBroker();
        redis = EmbeddedRedisServer.start(dir.resolve("redis"), redisPort);
        pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0);
        pgPort = pg.port();
        pg.ensureDatabase(Services.DATABASE);
        String bootstrap = "127.0.0.1:" + kafkaPort;
        awaitBroker(bootstrap);
        try {
            startVigil();
            awaitHealthy(Duration.ofMinutes(3));
            log.info("services and Vigil up after {} s", (System.nanoTime() - t0) / 1_000_000_000);

            // Given a simulated rail: its accounts opened first, then 20,000 transactions, some malformed
            EventCodec codec = new EventCodec(Clock.systemUTC(), Duration.ofMinutes(5), 65536);
            Simulator sim = new Simulator(SimulationConfig.defaults(400, 17, Instant.now().minus(Duration.ofDays(40))));
            ReferenceFeatureStore reference = new ReferenceFeatureStore();
            List<TransactionEvent> valid = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            List<Boolean> isValid = new ArrayList<>();
            int malformed = 0;
            try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
                int n = 0;
                while (n < TRANSACTIONS) {
                    SimulatedEvent e = sim.next();
                    if (e instanceof SimulatedEvent.Account a) {
                        // Only the openings before the first transaction: later account events would race
                        // the transactions on another topic, and the reference needs one order.
                        if (!valid.isEmpty() || malformed > 0) continue;
                        reference.apply(a.event());
                        producer.send(new ProducerRecord<>(Topics.ACCOUNT_EVENTS, a.event().accountId(), codec.write(a.event())));
                        continue;
                    }
                    TransactionEvent tx = ((SimulatedEvent.Transaction) e).event();
                    n++;
                    byte[] json = codec.write(tx);
                    if (n % MALFORMED_EVERY == 0) {
                        payloads.add(MalformedEvents.corrupt(json, n / MALFORMED_EVERY).payload());
                        isValid.add(false);
                        malformed++;
                    } else {
                        payloads.add(json);
                        isValid.add(true);
                        valid.add(tx);
                    }
                }
                producer.flush();
                awaitConsumed(bootstrap, "vigil-account-events", Topics.ACCOUNT_EVENTS, Duration.ofMinutes(2));

                // When they flow while each part of the platform is taken down in turn
                AtomicReference<Throwable> sendFailure = new AtomicReference<>();
                Thread sender = new Thread(() -> send(producer, payloads, isValid, valid, sendFailure), "fault-sender");
                sender.start();
                int total = valid.size();
                awaitAudited(total / 10, Duration.ofMinutes(2));
                log.info("FAULT: SIGKILL Vigil");
                assertOffsetsNeverAheadOfAudit(bootstrap);
                vigil.destroyForcibly();
                vigil.waitFor(30, TimeUnit.SECONDS);
                startVigil();

                awaitAudited(total * 3 / 10, Duration.ofMinutes(3));
                log.info("FAULT: Redis stopped");
                redis.close();
                Thread.sleep(OUTAGE.toMillis());
                redis = EmbeddedRedisServer.start(dir.resolve("redis"), redisPort);

                awaitAudited(total / 2, Duration.ofMinutes(2));
                log.info("FAULT: PostgreSQL stopped");
                pg.close();
                Thread.sleep(OUTAGE.toMillis());
                pg = EmbeddedPostgresServer.start(dir.resolve("pg"), pgPort);

                awaitAudited(total * 7 / 10, Duration.ofMinutes(2));
                log.info("FAULT: Kafka broker stopped");
                ChildProcesses.stop(broker, 60);
                Thread.sleep(OUTAGE.toMillis());
                startBroker();
                awaitBroker(bootstrap);

                awaitAudited(total * 85 / 100, Duration.ofMinutes(2));
                log.info("FAULT: SIGTERM Vigil (graceful stop)");
                vigil.destroy();
                assertTrue(vigil.waitFor(60, TimeUnit.SECONDS), "Vigil did not stop within 60 s of SIGTERM");
                assertEquals(0, vigil.exitValue(), "exit status after SIGTERM");
                // Stopped cleanly: the in-flight batch was finished and nothing committed runs ahead of the audit
                assertOffsetsNeverAheadOfAudit(bootstrap);
                startVigil();

                sender.join(TimeUnit.MINUTES.toMillis(3));
                assertTrue(sendFailure.get() == null, () -> "sending failed: " + sendFailure.get());
                awaitAudited(total, Duration.ofMinutes(3));
                final int malformedSent = malformed;
                await(Duration.ofMinutes(1), "rejection rows", () -> count("select count(*) from rejection") >= malformedSent);
                log.info("all audited after {} s", (System.nanoTime() - t0) / 1_000_000_000);

                // Then: exactly one decision per valid transaction for a read_committed reader
                Map<String, Integer> published = new HashMap<>();
                await(Duration.ofMinutes(1), "every decision published", () -> {
                    published.clear();
                    for (ConsumerRecord<String, byte[]> r : TestPlatform.readTopic(bootstrap, Topics.DECISIONS)) {
                        published.merge(TestPlatform.json(r.value()).path("transaction_id").asText(), 1, Integer::sum);
                    }
                    return published.size() >= total;
                });
                Set<String> validIds = new HashSet<>();
                for (TransactionEvent tx : valid) validIds.add(tx.transactionId());
                assertEquals(validIds, published.keySet(), "decided transactions");
                List<String> twice = published.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).toList();
                assertTrue(twice.isEmpty(), () -> twice.size() + " decisions published more than once, e.g. " + twice.get(0));
                assertEquals(malformed, TestPlatform.readTopic(bootstrap, Topics.DLQ).size(), "dead letters");

                // exactly one audit row each, and one rejection row per malformed event
                try (Connection c = pg.superUserConnection(Services.DATABASE)) {
                    assertEquals(total, queryLong(c, "select count(*) from decision"));
                    assertEquals(total, queryLong(c, "select count(distinct transaction_id) from decision"));
                    assertEquals(malformed, queryLong(c, "select count(*) from rejection"));
                    // the hash chain over every row verifies
                    AuditVerifier.Report report = AuditVerifier.verify(c, null);
                    assertTrue(report.intact(), () -> "audit chain broken: " + report.firstBreak());
                    assertEquals(total + malformed, report.linksChecked(), "chain links");

                    // and every feature snapshot equals the reference recomputed from the full history.
                    // The account's own features must agree exactly: one account is one partition, so its
                    // events arrive in order whatever dies. Features of entities several accounts share
                    // (customer, device, IP, merchant) count what had arrived from the other partitions
                    // when the event was decided; after kills and redeliveries the partitions run at
                    // different paces, so those can legitimately differ from a reference fed in send
                    // order (docs/features.md, "Entities shared across accounts").
                    Map<String, Features> stored = storedFeatures(c);
                    int compared = 0;
                    for (TransactionEvent tx : valid) {
                        Features expected = reference.enrich(tx).features();
                        assertEquals(accountOwn(expected), accountOwn(stored.get(tx.transactionId())),
                                "features of " + tx.transactionId());
                        compared++;
                    }
                    assertEquals(total, compared);
                }
                assertOffsetsNeverAheadOfAudit(bootstrap);
            }
            log.info("fault run done in {} s", (System.nanoTime() - t0) / 1_000_000_000);
        } finally {
            if (vigil != null) ChildProcesses.stop(vigil, 30);
            if (broker != null) ChildProcesses.stop(broker, 30);
            if (redis != null) redis.close();
            if (pg != null) pg.close();
        }
    }

    private void send(KafkaProducer<String, byte[]> producer, List<byte[]> payloads, List<Boolean> isValid,
                      List<TransactionEvent> valid, AtomicReference<Throwable> failure) {
        try {
            // About 600 a second: long enough for every fault to land mid-stream.
            long start = System.nanoTime();
            int v = 0;
            for (int i = 0; i < payloads.size(); i++) {
                String key;
                String id;
                if (isValid.get(i)) {
                    TransactionEvent tx = valid.get(v++);
                    key = tx.accountId();
                    id = tx.transactionId();
                } else {
                    key = "malformed";
                    id = null;
                }
                producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, key, payloads.get(i)), (meta, e) -> {
                    if (e != null) failure.compareAndSet(null, e);
                    else if (id != null) landed.put(id, new long[] {meta.partition(), meta.offset()});
                });
                long ahead = start + i * 1_666_666L - System.nanoTime();
                if (ahead > 0) Thread.sleep(ahead / 1_000_000);
            }
            producer.flush();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /**
     * Offsets are committed only after the audit commit: every valid event below its partition's
     * committed offset has its audit row.
     */
    private void assertOffsetsNeverAheadOfAudit(String bootstrap) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            committed = admin.listConsumerGroupOffsets("vigil").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        }
        Set<String> audited = new HashSet<>();
        try (Connection c = pg.superUserConnection(Services.DATABASE); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select transaction_id from decision")) {
            while (rs.next()) audited.add(rs.getString(1));
        }
        int checked = 0;
        for (Map.Entry<String, long[]> e : landed.entrySet()) {
            OffsetAndMetadata c = committed.get(new TopicPartition(Topics.TRANSACTIONS, (int) e.getValue()[0]));
            if (c != null && e.getValue()[1] < c.offset()) {
                checked++;
                assertTrue(audited.contains(e.getKey()), "offset committed past " + e.getKey() + " without its audit row");
            }
        }
        log.info("offsets checked against the audit: {} events below the committed offsets, all audited", checked);
    }

    /** The features of the account itself: not those counted over entities other accounts share. */
    private static String accountOwn(Features f) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(f.toMap());
        m.keySet().removeIf(k -> k.startsWith("customer_tx_") || k.startsWith("device_tx_") || k.startsWith("ip_tx_")
                || k.startsWith("merchant_tx_") || k.startsWith("merchant_fraud_rate_")
                || k.matches("(customer|device|ip|merchant)_seconds_since_previous"));
        return m.toString();
    }

    private static Map<String, Features> storedFeatures(Connection c) throws Exception {
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        Map<String, Features> out = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select transaction_id, features::text from audit_decisions")) {
            while (rs.next()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = json.readValue(rs.getString(2), Map.class);
                out.put(rs.getString(1), Features.fromMap(m));
            }
        }
        return out;
    }

    private void startBroker() throws Exception {
        broker = ChildProcesses.startJvm(ChildProcesses.KafkaBrokerMain.class.getName(),
                List.of(dir.resolve("kafka").toString(), String.valueOf(kafkaPort)), Map.of(), dir.resolve("broker.log"), "512m");
    }

    private void startVigil() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("VIGIL_DATA_DIR", dir.resolve("vigil").toString());
        env.put("VIGIL_HTTP_PORT", String.valueOf(httpPort));
        env.put("VIGIL_KAFKA_EMBEDDED", "false");
        env.put("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + kafkaPort);
        env.put("VIGIL_KAFKA_PARTITIONS", "3");
        env.put("VIGIL_REDIS_EMBEDDED", "false");
        env.put("VIGIL_REDIS_PORT", String.valueOf(redisPort));
        env.put("VIGIL_POSTGRES_EMBEDDED", "false");
        env.put("VIGIL_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:" + pgPort + "/" + Services.DATABASE);
        env.put("VIGIL_POSTGRES_PASSWORD", "app-secret");
        env.put("VIGIL_POSTGRES_ADMIN_PASSWORD", "");
        vigil = ChildProcesses.startJvm("dev.vigil.cli.VigilCli", List.of("run"), env, dir.resolve("vigil.log"), "768m");
    }

    private void awaitHealthy(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!vigil.isAlive()) throw new AssertionError("Vigil exited with " + vigil.exitValue() + "; see " + dir.resolve("vigil.log")
                    + ":\n" + tail(dir.resolve("vigil.log")));
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Vigil not healthy within " + timeout + ":\n" + tail(dir.resolve("vigil.log")));
    }

    private void awaitAudited(long rows, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            if (!vigil.isAlive()) throw new AssertionError("Vigil exited:\n" + tail(dir.resolve("vigil.log")));
            last = count("select count(*) from decision");
            if (last >= rows) return;
            Thread.sleep(200);
        }
        throw new AssertionError("only " + last + " of " + rows + " audited within " + timeout + ":\n" + tail(dir.resolve("vigil.log")));
    }

    /** A count, or -1 while PostgreSQL is away. */
    private long count(String sql) {
        try (Connection c = pg.superUserConnection(Services.DATABASE)) {
            return queryLong(c, sql);
        } catch (SQLException | RuntimeException e) {
            return -1;
        }
    }

    private static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitBroker(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 5000,
                "default.api.timeout.ms", 10000))) {
            await(Duration.ofMinutes(2), "the Kafka broker", () -> {
                try {
                    return !admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    private static void awaitConsumed(String bootstrap, String group, String topic, Duration timeout) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            await(timeout, topic + " consumed by " + group, () -> {
                try {
                    var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                    Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
                    admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
                            .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest()));
                    for (var e : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
                        OffsetAndMetadata c = committed.get(e.getKey());
                        if (e.getValue().offset() > (c == null ? 0 : c.offset())) return false;
                    }
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        // A rail's producer rides out a broker restart: it retries until the delivery timeout.
        return new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all", "linger.ms", 5,
                "delivery.timeout.ms", 180_000, "max.block.ms", 180_000, "request.timeout.ms", 10_000),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (Exception e) {
            return "(no log)";
        }
    }
}
