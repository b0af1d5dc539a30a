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
import dev.vigil.event.RejectReason;
import dev.vigil.event.Topics;
import dev.vigil.event.TransactionEvent;
import dev.vigil.route.PublishStage;
import dev.vigil.simulate.MalformedEvents;
import dev.vigil.simulate.SimulatedEvent;
import dev.vigil.simulate.SimulationConfig;
import dev.vigil.simulate.Simulator;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole platform on real embedded Kafka, Redis and PostgreSQL: simulated traffic, some of it
 * malformed, in through Kafka and HTTP; out as decisions, alerts, dead letters and audit rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {
    @TempDir
    static Path dataDir;

    private Vigil vigil;
    private Settings settings;
    private EventCodec codec;
    private final HttpClient http = HttpClient.newHttpClient();
    private KafkaProducer<String, byte[]> producer;

    /** What was sent in the first test, for the later ones. */
    private final Map<String, TransactionEvent> valid = new HashMap<>();
    private final List<byte[]> validKafkaPayloads = new ArrayList<>();
    private final Map<RejectReason, Integer> malformedByReason = new HashMap<>();
    private int malformedCount;

    @BeforeAll
    void start() {
        settings = Settings.load(TestPlatform.embeddedOverrides(dataDir), Map.of());
        vigil = Vigil.start(settings);
        codec = new EventCodec(Clock.systemUTC(), Duration.ofMinutes(5), 65536);
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", vigil.services().kafkaBootstrap(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    void stop() {
        if (producer != null) producer.close();
        if (vigil != null) vigil.close();
    }

    @Test
    @Order(1)
    void shouldDecideAuditAndPublishEveryValidEventAndDeadLetterEveryMalformedOne() throws Exception {
        // Given a simulated rail with a high share of bad behaviour, so that alerts happen
        Iterator<SimulatedEvent> stream = new Simulator(
                SimulationConfig.defaults(60, 11, Instant.now().minus(Duration.ofDays(10))).withFraudShare(0.3));
        List<HttpResponse<byte[]>> httpAnswers = new ArrayList<>();
        Map<Integer, RejectReason> httpMalformedExpected = new HashMap<>();
        int n = 0;
        while (n < 300) {
            SimulatedEvent e = stream.next();
            if (e instanceof SimulatedEvent.Account a) {
                producer.send(new ProducerRecord<>(Topics.ACCOUNT_EVENTS, a.event().accountId(), codec.write(a.event()))).get();
                continue;
            }
            TransactionEvent tx = ((SimulatedEvent.Transaction) e).event();
            byte[] json = codec.write(tx);
            n++;
            if (n % 25 == 0) {
                // When a malformed variant arrives over Kafka, it must go to the DLQ with its reason
                var bad = MalformedEvents.corrupt(json, n / 25);
                producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, tx.accountId(), bad.payload()));
                malformedByReason.merge(bad.expected(), 1, Integer::sum);
                malformedCount++;
            } else if (n % 40 == 0) {
                // and over HTTP it is refused with the reason in the answer
                var bad = MalformedEvents.corrupt(json, n / 40 + 3);
                httpMalformedExpected.put(httpAnswers.size(), bad.expected());
                httpAnswers.add(post(bad.payload()));
                malformedByReason.merge(bad.expected(), 1, Integer::sum);
                malformedCount++;
            } else if (n % 7 == 0) {
                // A share of valid events comes over HTTP and is answered synchronously
                valid.put(tx.transactionId(), tx);
                HttpResponse<byte[]> r = post(json);
                assertEquals(200, r.statusCode(), () -> new String(r.body()));
                JsonNode d = json(r.body());
                assertEquals(tx.transactionId(), d.path("transaction_id").asText());
                assertTrue(Set.of("ALLOW", "REVIEW", "BLOCK").contains(d.path("verdict").asText()));
                assertFalse(d.path("decision_id").asText().isEmpty());
                assertEquals(vigil.modelVersion(), d.path("model_version").asText());
                assertFalse(d.path("duplicate").asBoolean());
            } else {
                valid.put(tx.transactionId(), tx);
                validKafkaPayloads.add(json);
                producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, tx.accountId(), json));
            }
        }
        producer.flush();
        for (var entry : httpMalformedExpected.entrySet()) {
            HttpResponse<byte[]> r = httpAnswers.get(entry.getKey());
            assertTrue(r.statusCode() == 400 || r.statusCode() == 413, "status " + r.statusCode());
            assertEquals(entry.getValue().name(), json(r.body()).path("error").path("code").asText());
        }

        // Then every valid event has exactly one audit row, and every malformed one a REJECTED row
        await(Duration.ofSeconds(90), "audit rows for all events", () ->
                vigil.audit().countDecisions() == valid.size() && vigil.audit().countRejections() == malformedCount);
        String bootstrap = vigil.services().kafkaBootstrap();
        await(Duration.ofSeconds(60), "decisions published", () -> readTopic(bootstrap, Topics.DECISIONS).size() >= valid.size());

        // exactly one decision per valid transaction
        List<ConsumerRecord<String, byte[]>> decisionRecords = readTopic(bootstrap, Topics.DECISIONS);
        List<JsonNode> decisions = decisionRecords.stream().map(r -> json(r.value())).toList();
        Map<String, Long> perTx = decisions.stream().collect(Collectors.groupingBy(d -> d.path("transaction_id").asText(), Collectors.counting()));
        assertEquals(valid.keySet(), perTx.keySet());
        assertTrue(perTx.values().stream().allMatch(c -> c == 1), () -> "published more than once: " + perTx.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " at " + decisionRecords.stream()
                        .filter(r -> json(r.value()).path("transaction_id").asText().equals(e.getKey()))
                        .map(r -> r.partition() + "/" + r.offset()).toList()
                        + " audited from " + vigil.audit().findDecision(e.getKey()).map(d -> d.source().toString()).orElse("?"))
                .toList());

        // an alert exactly for REVIEW and BLOCK
        Set<String> alerting = decisions.stream().filter(d -> !d.path("verdict").asText().equals("ALLOW"))
                .map(d -> d.path("transaction_id").asText()).collect(Collectors.toSet());
        Set<String> alerts = readTopic(bootstrap, Topics.ALERTS).stream().map(r -> json(r.value()).path("transaction_id").asText())
                .collect(Collectors.toSet());
        assertEquals(alerting, alerts);
        assertFalse(alerts.isEmpty(), "with a 30% fraud share some transactions must alert");
        assertEquals(readTopic(bootstrap, Topics.ALERTS).size(), alerts.size(), "one alert per alerting decision");

        // every malformed event is in the DLQ with its original bytes and the reason it must have
        List<ConsumerRecord<String, byte[]>> dlq = readTopic(bootstrap, Topics.DLQ);
        assertEquals(malformedCount, dlq.size());
        Map<RejectReason, Integer> dlqReasons = new HashMap<>();
        for (var r : dlq) {
            String code = new String(r.headers().lastHeader(PublishStage.REASON_CODE).value(), StandardCharsets.UTF_8);
            dlqReasons.merge(RejectReason.valueOf(code), 1, Integer::sum);
            assertFalse(new String(r.headers().lastHeader(PublishStage.REASON_MESSAGE).value(), StandardCharsets.UTF_8).isBlank());
            assertTrue(new String(r.headers().lastHeader(PublishStage.SOURCE).value(), StandardCharsets.UTF_8)
                    .matches("(kafka:vigil\\.transactions/\\d+/\\d+|http:.+)"));
        }
        assertEquals(malformedByReason, dlqReasons);

        // and offsets are committed up to the end once everything is audited
        assertCommittedToEnd(Topics.TRANSACTIONS);
    }

    @Test
    @Order(2)
    void shouldRecordTheFeatureSnapshotAndVersionsInTheAuditRow() {
        String txId = valid.keySet().iterator().next();
        var stored = vigil.audit().findDecision(txId).orElseThrow();
        assertEquals(vigil.modelVersion(), stored.modelVersion());
        assertEquals(vigil.ruleSetVersion(), stored.ruleSetVersion().toString());
        assertEquals(txId, stored.transactionId());
        assertTrue(stored.features().containsKey("tx_count_1m"));
    }

    @Test
    @Order(3)
    void shouldNeitherWriteASecondAuditRowNorCountAFeatureTwiceWhenEventsAreRedelivered() throws Exception {
        long rowsBefore = vigil.audit().countDecisions();
        long decisionsBefore = readTopic(vigil.services().kafkaBootstrap(), Topics.DECISIONS).size();
        long duplicatesBefore = vigil.metrics().duplicates();

        // When every valid Kafka event is delivered a second time
        for (byte[] payload : validKafkaPayloads) {
            producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, null, payload));
        }
        // and one HTTP event is submitted again
        TransactionEvent again = valid.values().iterator().next();
        HttpResponse<byte[]> r = post(codec.write(again));
        assertEquals(200, r.statusCode());
        assertTrue(json(r.body()).path("duplicate").asBoolean(), "a resubmission is answered as a duplicate");
        producer.flush();

        await(Duration.ofSeconds(60), "redelivered events processed",
                () -> vigil.metrics().duplicates() - duplicatesBefore == validKafkaPayloads.size() + 1);
        assertCommittedToEnd(Topics.TRANSACTIONS);

        // Then no second audit row and no second decision on the topic
        assertEquals(rowsBefore, vigil.audit().countDecisions());
        assertEquals(decisionsBefore, readTopic(vigil.services().kafkaBootstrap(), Topics.DECISIONS).size());

        // and the counters were not bumped: a fresh transaction sees exactly the distinct ones before it
        TransactionEvent last = valid.values().stream().max((a, b) -> a.occurredAt().compareTo(b.occurredAt())).orElseThrow();
        long sameAccountInWeek = valid.values().stream()
                .filter(t -> t.accountId().equals(last.accountId()))
                .filter(t -> !t.occurredAt().isAfter(last.occurredAt()))
                .filter(t -> t.occurredAt().isAfter(last.occurredAt().minus(Duration.ofDays(6))))
                .count();
        TransactionEvent probe = new TransactionEvent("probe-" + System.nanoTime(), last.occurredAt().plusSeconds(1),
                last.accountId(), last.customerId(), last.type(), new BigDecimal("1.00"), last.currency(),
                null, null, null, null, null, null, null, null, null);
        JsonNode d = json(post(codec.write(probe)).body());
        long count7d = d.path("features").path("tx_count_7d").asLong();
        // Transactions within the last 6 days are surely inside the 7-day window (its buckets are 168 min wide);
        // a double count would push the figure above everything the account ever did.
        long everything = valid.values().stream().filter(t -> t.accountId().equals(last.accountId())).count() + 1;
        assertTrue(count7d >= sameAccountInWeek + 1, "count " + count7d + " < " + (sameAccountInWeek + 1));
        assertTrue(count7d <= everything, "count " + count7d + " > every transaction of the account (" + everything + "): double counted");
    }

    @Test
    @Order(4)
    void shouldReportHealthAndMetrics() throws Exception {
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(uri("/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        JsonNode h = TestPlatform.JSON.readTree(health.body());
        assertEquals("UP", h.path("checks").path("kafka").asText());
        assertEquals("UP", h.path("checks").path("redis").asText());
        assertEquals("UP", h.path("checks").path("postgres").asText());

        String metrics = http.send(HttpRequest.newBuilder(uri("/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("vigil_decisions_total{verdict=\"ALLOW\"}"), metrics);
        assertTrue(metrics.contains("vigil_rejections_total{"), metrics);
        assertTrue(metrics.contains("vigil_decision_latency_seconds_bucket"), metrics);
    }

    private void assertCommittedToEnd(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", vigil.services().kafkaBootstrap()))) {
            await(Duration.ofSeconds(30), "offsets of " + topic + " committed to the end", () -> {
                try {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("vigil")
                            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    for (int p = 0; p < settings.kafka().partitions(); p++) latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                    var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                    for (var e : ends.entrySet()) {
                        OffsetAndMetadata c = committed.get(e.getKey());
                        long end = e.getValue().offset();
                        if (end > 0 && (c == null || c.offset() != end)) return false;
                    }
                    return true;
                } catch (Exception ex) {
                    return false;
                }
            });
        }
    }

    private HttpResponse<byte[]> post(byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/v1/decisions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + settings.httpPort() + path);
    }
}
