package dev.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.config.Settings;
import dev.vigil.event.RejectReason;
import dev.vigil.event.Topics;
import dev.vigil.route.PublishStage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Hostile payloads at both doors of a running Vigil: malformed, oversized, deeply nested,
 * wrong-typed, control characters and injection attempts. Each one sent over HTTP is refused with
 * its reason (400, or 413 when too large); the same bytes sent to Kafka reach the dead-letter topic
 * with the same reason and leave a rejection row. Injection text inside otherwise valid ids is not
 * an error: it is decided, and stored byte for byte, as only a bound parameter would be. After every
 * round the route still decides a plain valid event: nothing crashed or stalled it.
 */
class HostileInputIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong SEQ = new AtomicLong();
    private static final List<String> INJECTIONS = List.of(
            "'; DROP TABLE decision; --", "\" OR \"1\"=\"1", "1); DELETE FROM rejection WHERE (1=1",
            "${jndi:ldap://127.0.0.1/x}", "<script>alert(1)</script>", "{{7*7}}", "$(rm -rf /)", "../../etc/passwd",
            "\\u0000", "%00", "{\"$where\": \"sleep(1000)\"}", "' || pg_sleep(5) || '", "✓ ünïcödé 🚀", "\\\\\\\"");

    static Path dataDir;
    static Vigil vigil;
    static KafkaProducer<String, byte[]> producer;
    static HttpClient http;
    static Thread dlqReader;
    static volatile boolean reading = true;
    /** DLQ reason code by the source header (kafka:topic/partition/offset). */
    static final Map<String, String> dlqBySource = new ConcurrentHashMap<>();

    /** One hostile payload and the reasons it may be refused for; empty means it is valid and must be decided. */
    record Hostile(String kind, byte[] payload, Set<RejectReason> reasons, String validTransactionId) {
        @Override
        public String toString() {
            String text = new String(payload, 0, Math.min(payload.length, 120), StandardCharsets.UTF_8);
            return kind + " (" + payload.length + " bytes): " + text;
        }
    }

    @BeforeContainer
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("vigil-hostile-");
        vigil = Vigil.start(Settings.load(TestPlatform.embeddedOverrides(dataDir), Map.of()));
        String bootstrap = vigil.services().kafkaBootstrap();
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all", "max.request.size", 2 << 20),
                new StringSerializer(), new ByteArraySerializer());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        dlqReader = new Thread(() -> readDlq(bootstrap), "hostile-dlq-reader");
        dlqReader.setDaemon(true);
        dlqReader.start();
    }

    @AfterContainer
    static void stop() throws Exception {
        reading = false;
        if (dlqReader != null) dlqReader.join(5_000);
        if (producer != null) producer.close();
        if (vigil != null) vigil.close();
        if (dataDir != null) {
            try (var s = Files.walk(dataDir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Property(tries = 12, shrinking = net.jqwik.api.ShrinkingMode.BOUNDED)
    void shouldRefuseEachHostilePayloadWithItsReasonAtBothDoorsAndKeepDeciding(
            @ForAll @Size(min = 1, max = 12) List<@From("hostile") Hostile> payloads) throws Exception {
        List<RecordMetadata> sentToKafka = new ArrayList<>();
        for (Hostile h : payloads) {
            byte[] kafkaBytes = h.validTransactionId() == null ? h.payload() : withId(h.payload(), h.validTransactionId() + "-k");
            sentToKafka.add(producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, "hostile", kafkaBytes)).get());
        }
        for (Hostile h : payloads) {
            byte[] httpBytes = h.validTransactionId() == null ? h.payload() : withId(h.payload(), h.validTransactionId() + "-h");
            String requestId = "hostile-" + SEQ.incrementAndGet();
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + vigil.settings().httpPort() + "/v1/decisions"))
                    .header("Content-Type", "application/json").header("X-Request-Id", requestId)
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(httpBytes)).build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = JSON.readTree(r.body());
            if (h.validTransactionId() != null) {
                // Then injection text in an id is data: decided, and stored exactly as sent
                assertEquals(200, r.statusCode(), () -> h + " -> " + new String(r.body(), StandardCharsets.UTF_8));
                assertEquals(h.validTransactionId() + "-h", body.path("transaction_id").asText());
                assertEquals(h.validTransactionId() + "-h", vigil.audit().findDecision(h.validTransactionId() + "-h").orElseThrow().transactionId());
                continue;
            }
            String code = body.path("error").path("code").asText();
            assertFalse(code.isEmpty(), () -> h + " was not refused over HTTP: " + r.statusCode() + " "
                    + new String(r.body(), StandardCharsets.UTF_8));
            assertTrue(h.reasons().contains(RejectReason.valueOf(code)), () -> h + " refused over HTTP as " + code + ", expected one of " + h.reasons());
            assertEquals(code.equals("PAYLOAD_TOO_LARGE") ? 413 : 400, r.statusCode(), h::toString);
            assertFalse(body.path("error").path("message").asText().isBlank(), h::toString);
            assertEquals(requestId, body.path("request_id").asText());
            assertEquals(code, rejectionReason("http", requestId), () -> "rejection row of " + h);
        }
        // Over Kafka each one is dead-lettered with the same reason the HTTP door gave, or decided
        for (int i = 0; i < payloads.size(); i++) {
            Hostile h = payloads.get(i);
            RecordMetadata m = sentToKafka.get(i);
            if (h.validTransactionId() != null) {
                String id = h.validTransactionId() + "-k";
                TestPlatform.await(Duration.ofSeconds(60), "decision of " + h, () -> vigil.audit().findDecision(id).isPresent());
                continue;
            }
            String source = "kafka:" + m.topic() + "/" + m.partition() + "/" + m.offset();
            TestPlatform.await(Duration.ofSeconds(60), "dead letter of " + h, () -> dlqBySource.containsKey(source));
            String code = dlqBySource.get(source);
            assertTrue(h.reasons().contains(RejectReason.valueOf(code)), () -> h + " dead-lettered as " + code + ", expected one of " + h.reasons());
            assertEquals(code, rejectionReason("kafka", m.topic() + "/" + m.partition() + "/" + m.offset()), () -> "rejection row of " + h);
        }
        // and the route still decides a plain event
        String plainId = "plain-" + SEQ.incrementAndGet();
        producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, "acc-plain", withId(base().toString().getBytes(StandardCharsets.UTF_8), plainId))).get();
        TestPlatform.await(Duration.ofSeconds(60), "a plain event decided after the hostile ones", () -> vigil.audit().findDecision(plainId).isPresent());
    }

    @Provide
    Arbitrary<Hostile> hostile() {
        return Arbitraries.oneOf(garbage(), truncated(), oversized(), deeplyNested(), wrongTyped(), controlCharacters(),
                injectionWhereItIsInvalid(), injectionInUnknownMember(), injectionInIds(), duplicateMembers(), notAnObject());
    }

    private Arbitrary<Hostile> garbage() {
        return Arbitraries.bytes().list().ofMinSize(0).ofMaxSize(300).map(l -> {
            byte[] b = new byte[l.size()];
            for (int i = 0; i < b.length; i++) b[i] = l.get(i);
            return new Hostile("random bytes", b, EnumSet.allOf(RejectReason.class), null);
        });
    }

    private Arbitrary<Hostile> truncated() {
        byte[] full = base().toString().getBytes(StandardCharsets.UTF_8);
        return Arbitraries.integers().between(0, full.length - 1).map(n ->
                new Hostile("truncated JSON", java.util.Arrays.copyOf(full, n), EnumSet.of(RejectReason.NOT_JSON), null));
    }

    private Arbitrary<Hostile> oversized() {
        return Arbitraries.integers().between(65_537, 400_000).map(n -> {
            ObjectNode o = base();
            o.put("channel", "x".repeat(n));
            return new Hostile("oversized", bytes(o), EnumSet.of(RejectReason.PAYLOAD_TOO_LARGE), null);
        });
    }

    private Arbitrary<Hostile> deeplyNested() {
        return Combinators.combine(Arbitraries.integers().between(17, 50_000), Arbitraries.of("[", "{\"a\":"))
                .as((depth, open) -> {
                    String close = open.equals("[") ? "]" : "}";
                    String s = "{\"transaction_id\":" + open.repeat(depth) + "1" + close.repeat(depth) + "}";
                    // Above 64 KiB the size check comes first.
                    Set<RejectReason> r = s.length() > 65_536 ? EnumSet.of(RejectReason.PAYLOAD_TOO_LARGE) : EnumSet.of(RejectReason.NOT_JSON);
                    return new Hostile("nested " + depth + " deep", s.getBytes(StandardCharsets.UTF_8), r, null);
                });
    }

    private Arbitrary<Hostile> wrongTyped() {
        Arbitrary<String> field = Arbitraries.of("transaction_id", "occurred_at", "account_id", "customer_id", "type", "currency",
                "amount", "card_present", "geo", "channel");
        Arbitrary<String> value = Arbitraries.of("12", "true", "[]", "[1,2]", "{}", "{\"a\":1}", "1.5e3", "false");
        return Combinators.combine(field, value).as((f, v) -> {
            ObjectNode o = base();
            // The literal text as written: read into a tree, 1.5e3 became the double 1500.0 and went out as
            // "1500.0", a valid amount that was decided (CI, seed 7808785977790672830).
            o.putRawValue(f, new com.fasterxml.jackson.databind.util.RawValue(v));
            // A number is a valid amount; 1.5e3 is refused as exponent notation.
            // A boolean is a valid card_present: not hostile, it is decided.
            if ((f.equals("amount") && v.equals("12")) || (f.equals("card_present") && (v.equals("true") || v.equals("false")))) {
                return new Hostile(f + " " + v, bytes(o), EnumSet.noneOf(RejectReason.class), uniqueId());
            }
            return new Hostile(f + " as " + v, bytes(o), EnumSet.of(RejectReason.WRONG_TYPE, RejectReason.NON_NUMERIC_AMOUNT,
                    RejectReason.INVALID_VALUE, RejectReason.MISSING_FIELD, RejectReason.UNKNOWN_FIELD), null);
        });
    }

    private Arbitrary<Hostile> controlCharacters() {
        Arbitrary<Character> control = Arbitraries.oneOf(Arbitraries.chars().range('\u0000', '\u001f'), Arbitraries.just('\u007f'),
                Arbitraries.chars().range('\u0080', '\u009f'));
        Arbitrary<String> field = Arbitraries.of("transaction_id", "account_id", "customer_id", "merchant_id", "device_fingerprint", "channel");
        return Combinators.combine(field, control).as((f, c) -> {
            ObjectNode o = base();
            o.put(f, "ab" + c + "cd");
            return new Hostile("control U+" + Integer.toHexString(c) + " in " + f, bytes(o), EnumSet.of(RejectReason.INVALID_VALUE), null);
        });
    }

    private Arbitrary<Hostile> injectionWhereItIsInvalid() {
        return Combinators.combine(Arbitraries.of(INJECTIONS), Arbitraries.of("type", "currency", "amount", "occurred_at", "ip",
                "merchant_category")).as((inj, f) -> {
            ObjectNode o = base();
            o.put(f, inj);
            RejectReason r = switch (f) {
                case "type" -> RejectReason.UNKNOWN_EVENT_TYPE;
                case "currency" -> RejectReason.UNKNOWN_CURRENCY;
                case "amount" -> RejectReason.NON_NUMERIC_AMOUNT;
                case "occurred_at" -> RejectReason.BAD_TIMESTAMP;
                default -> RejectReason.INVALID_VALUE;
            };
            return new Hostile("injection in " + f, bytes(o), EnumSet.of(r), null);
        });
    }

    private Arbitrary<Hostile> injectionInUnknownMember() {
        return Arbitraries.of(INJECTIONS).map(inj -> {
            ObjectNode o = base();
            o.put(inj, "x");
            return new Hostile("injection as a member name", bytes(o), EnumSet.of(RejectReason.UNKNOWN_FIELD), null);
        });
    }

    private Arbitrary<Hostile> injectionInIds() {
        return Combinators.combine(Arbitraries.of(INJECTIONS), Arbitraries.of("account_id", "customer_id", "merchant_id", "channel"))
                .as((inj, f) -> {
                    ObjectNode o = base();
                    o.put(f, inj);
                    String id = inj.length() > 60 ? inj.substring(0, 60) : inj;
                    // The transaction id carries the injection too; the test adds a unique suffix per door.
                    return new Hostile("injection in " + f + " and the id", bytes(o), EnumSet.noneOf(RejectReason.class),
                            id + "#" + SEQ.incrementAndGet());
                });
    }

    private Arbitrary<Hostile> duplicateMembers() {
        return Arbitraries.of("transaction_id", "amount", "currency").map(f -> {
            String s = base().toString();
            String dup = s.substring(0, s.length() - 1) + ",\"" + f + "\":\"1\"}";
            return new Hostile("duplicate " + f, dup.getBytes(StandardCharsets.UTF_8), EnumSet.of(RejectReason.NOT_JSON), null);
        });
    }

    private Arbitrary<Hostile> notAnObject() {
        return Arbitraries.of("[]", "\"text\"", "42", "null", "true", "[{\"transaction_id\":\"x\"}]")
                .map(s -> new Hostile("not an object: " + s, s.getBytes(StandardCharsets.UTF_8), EnumSet.of(RejectReason.NOT_AN_OBJECT), null));
    }

    private static String uniqueId() {
        return "valid-" + SEQ.incrementAndGet();
    }

    /** A valid transaction. */
    static ObjectNode base() {
        ObjectNode o = JSON.createObjectNode();
        o.put("transaction_id", "hostile-base-" + SEQ.incrementAndGet());
        o.put("occurred_at", Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString());
        o.put("account_id", "acc-hostile");
        o.put("customer_id", "cust-hostile");
        o.put("type", "PURCHASE");
        o.put("amount", "12.50");
        o.put("currency", "EUR");
        return o;
    }

    private static byte[] bytes(ObjectNode o) {
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] withId(byte[] payload, String id) throws Exception {
        ObjectNode o = (ObjectNode) JSON.readTree(payload);
        o.put("transaction_id", id);
        return JSON.writeValueAsBytes(o);
    }

    /** The reason code recorded in the rejection table for a source, read with a bound parameter. */
    private static String rejectionReason(String channel, String ref) throws Exception {
        try (Connection c = DriverManager.getConnection(vigil.services().adminJdbcUrl(), vigil.services().adminUser(),
                vigil.services().adminPassword());
             PreparedStatement ps = c.prepareStatement("select reason_code from rejection where source_channel = ? and source_ref = ?")) {
            ps.setString(1, channel);
            ps.setString(2, ref);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no rejection row for " + channel + ":" + ref);
                String code = rs.getString(1);
                assertFalse(rs.next(), "two rejection rows for " + channel + ":" + ref);
                return code;
            }
        }
    }

    private static void readDlq(String bootstrap) {
        try (var consumer = new KafkaConsumer<String, byte[]>(Map.of("bootstrap.servers", bootstrap,
                "group.id", "hostile-dlq-" + System.nanoTime(), "auto.offset.reset", "earliest",
                "isolation.level", "read_committed", "enable.auto.commit", false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DLQ));
            while (reading) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    var source = r.headers().lastHeader(PublishStage.SOURCE);
                    var code = r.headers().lastHeader(PublishStage.REASON_CODE);
                    assertNotNull(source);
                    dlqBySource.put(new String(source.value(), StandardCharsets.UTF_8), new String(code.value(), StandardCharsets.UTF_8));
                }
            }
        }
    }
}
