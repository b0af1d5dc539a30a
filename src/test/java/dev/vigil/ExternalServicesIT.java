package dev.vigil;

import static dev.vigil.TestPlatform.await;
import static dev.vigil.TestPlatform.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.config.Settings;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.event.TransactionEvent;
import dev.vigil.infra.EmbeddedKafkaBroker;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.infra.EmbeddedRedisCluster;
import dev.vigil.infra.EmbeddedRedisServer;
import dev.vigil.infra.FreePort;
import dev.vigil.infra.Services;
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
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vigil configured for external servers (vigil.*.embedded=false) rather than starting its own:
 * the servers here are started apart from Vigil, as an operator's would be; and its feature store on a Redis Cluster.
 */
class ExternalServicesIT {

    @Test
    void shouldRunAgainstKafkaRedisAndPostgresThatItDidNotStart(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir.resolve("ext-kafka"), 0, 2);
             EmbeddedRedisServer redis = EmbeddedRedisServer.start(dir.resolve("ext-redis"), 0);
             EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("ext-pg"), 0)) {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.superUser(), "");
                 Statement st = c.createStatement()) {
                st.execute("create database " + Services.DATABASE);
            }
            int httpPort = FreePort.orFree(0);
            Map<String, String> o = new HashMap<>();
            o.put("vigil.data-dir", dir.resolve("unused").toString());
            o.put("vigil.http.port", String.valueOf(httpPort));
            o.put("vigil.kafka.embedded", "false");
            o.put("vigil.kafka.bootstrap-servers", kafka.bootstrapServers());
            o.put("vigil.redis.embedded", "false");
            o.put("vigil.redis.host", redis.host());
            o.put("vigil.redis.port", String.valueOf(redis.port()));
            o.put("vigil.postgres.embedded", "false");
            o.put("vigil.postgres.url", pg.jdbcUrl(Services.DATABASE));
            o.put("vigil.postgres.admin-user", pg.superUser());
            Map<String, String> env = Map.of("VIGIL_POSTGRES_PASSWORD", "app-secret", "VIGIL_POSTGRES_ADMIN_PASSWORD", "");

            try (Vigil vigil = Vigil.start(Settings.load(o, env))) {
                sendFortyTransactions(vigil, kafka.bootstrapServers(), httpPort);
            }
        }
    }

    /**
     * The feature store on a Redis Cluster of three masters (vigil.redis.cluster-nodes), Kafka and PostgreSQL embedded:
     * every transaction is decided and audited, the features are counted (an account's later transactions see its
     * earlier ones), and the entities' state is spread over the masters.
     */
    @Test
    void shouldRunItsFeatureStoreOnARedisCluster(@TempDir Path dir) throws Exception {
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir.resolve("ext-redis-cluster"), 3)) {
            int httpPort = FreePort.orFree(0);
            Map<String, String> o = TestPlatform.embeddedOverrides(dir.resolve("data"));
            o.put("vigil.http.port", String.valueOf(httpPort));
            o.put("vigil.redis.embedded", "false");
            o.put("vigil.redis.cluster-nodes", cluster.nodes().get(1).getHost() + ":" + cluster.nodes().get(1).getPort());
            try (Vigil vigil = Vigil.start(Settings.load(o))) {
                sendFortyTransactions(vigil, vigil.services().kafkaBootstrap(), httpPort);
                long counted = TestPlatform.readTopic(vigil.services().kafkaBootstrap(), Topics.DECISIONS).stream()
                        .filter(d -> json(d.value()).path("features").path("tx_count_24h").asInt() > 1).count();
                assertTrue(counted > 0, "some of 40 transactions of 10 accounts over a day see an earlier one of their account");
            }
            for (var node : cluster.nodes()) {
                try (var raw = redis.clients.jedis.RedisClient.create(node.getHost(), node.getPort())) {
                    assertTrue(raw.dbSize() > 0, "the entities' state reaches every master, not " + node);
                }
            }
        }
    }

    /** Forty simulated transactions, half on Kafka and half over HTTP with an API key; waits for their audit rows and decisions. */
    private static void sendFortyTransactions(Vigil vigil, String bootstrap, int httpPort) throws Exception {
        EventCodec codec = new EventCodec(Clock.systemUTC(), Duration.ofMinutes(5), 65536);
        Iterator<SimulatedEvent> stream = new Simulator(
                SimulationConfig.defaults(10, 5, Instant.now().minus(Duration.ofDays(3))));
        HttpClient http = HttpClient.newHttpClient();
        // Auth is on here, as in production: the rail holds a key kept in the external database.
        String key = vigil.console().access().createApiKey("external-rail", "test").key();
        int sent = 0;
        try (var producer = new KafkaProducer<String, byte[]>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            while (sent < 40) {
                SimulatedEvent e = stream.next();
                if (!(e instanceof SimulatedEvent.Transaction t)) continue;
                TransactionEvent tx = t.event();
                sent++;
                if (sent % 2 == 0) {
                    producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, tx.accountId(), codec.write(tx)));
                } else {
                    var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/decisions"))
                            .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofByteArray(codec.write(tx))).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    assertEquals(200, r.statusCode(), () -> new String(r.body()));
                    assertEquals(tx.transactionId(), json(r.body()).path("transaction_id").asText());
                }
            }
        }
        await(Duration.ofSeconds(60), "40 audit rows", () -> vigil.audit().countDecisions() == 40);
        await(Duration.ofSeconds(30), "40 decisions on the broker", () -> TestPlatform.readTopic(bootstrap, Topics.DECISIONS).size() == 40);
    }
}
