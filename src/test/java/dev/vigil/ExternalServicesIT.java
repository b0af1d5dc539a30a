package dev.vigil;

import static dev.vigil.TestPlatform.await;
import static dev.vigil.TestPlatform.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.config.Settings;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.event.TransactionEvent;
import dev.vigil.infra.EmbeddedKafkaBroker;
import dev.vigil.infra.EmbeddedPostgresServer;
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
 * the servers here are started apart from Vigil, as an operator's would be.
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
                EventCodec codec = new EventCodec(Clock.systemUTC(), Duration.ofMinutes(5), 65536);
                Iterator<SimulatedEvent> stream = new Simulator(
                        SimulationConfig.defaults(10, 5, Instant.now().minus(Duration.ofDays(3))));
                HttpClient http = HttpClient.newHttpClient();
                // Auth is on here, as in production: the rail holds a key kept in the external database.
                String key = vigil.console().access().createApiKey("external-rail", "test").key();
                int sent = 0;
                try (var producer = new KafkaProducer<String, byte[]>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
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
                await(Duration.ofSeconds(60), "40 audit rows in the external database", () -> vigil.audit().countDecisions() == 40);
                await(Duration.ofSeconds(30), "40 decisions on the external broker",
                        () -> TestPlatform.readTopic(kafka.bootstrapServers(), Topics.DECISIONS).size() == 40);
            }
        }
    }
}
