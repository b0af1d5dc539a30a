package dev.vigil.infra;

import dev.vigil.audit.SchemaMigrator;
import dev.vigil.config.Settings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka, Redis and PostgreSQL for Vigil: each either started here from its Maven artifact (the
 * default, data under {@code vigil.data-dir}) or an external server named by configuration. Also
 * brings the audit schema up to date.
 */
public final class Services implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Services.class);
    public static final String DATABASE = "vigil";

    private final List<AutoCloseable> started = new ArrayList<>();
    private String kafkaBootstrap;
    private String redisHost;
    private int redisPort;
    private String jdbcUrl;
    private String appUser;
    private String appPassword;
    private String adminJdbcUrl;
    private String adminUser;
    private String adminPassword;

    private Services() {}

    public static Services start(Settings s) {
        Services services = new Services();
        try {
            services.startKafka(s);
            services.startRedis(s);
            services.startPostgres(s);
            return services;
        } catch (RuntimeException e) {
            services.close();
            throw e;
        }
    }

    private void startKafka(Settings s) {
        if (s.kafka().embedded()) {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(
                    s.dataDir().resolve("kafka"), s.kafka().embeddedPort(), s.kafka().partitions());
            started.add(broker);
            kafkaBootstrap = broker.bootstrapServers();
        } else {
            kafkaBootstrap = s.kafka().bootstrapServers();
        }
    }

    private void startRedis(Settings s) {
        if (s.redis().embedded()) {
            EmbeddedRedisServer redis = EmbeddedRedisServer.start(s.dataDir().resolve("redis"), s.redis().port());
            started.add(redis);
            redisHost = redis.host();
            redisPort = redis.port();
        } else {
            redisHost = s.redis().host();
            redisPort = s.redis().port();
        }
    }

    private void startPostgres(Settings s) {
        Path schemaDir = Path.of("audit-schema");
        if (s.postgres().embedded()) {
            EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(
                    s.dataDir().resolve("postgres"), s.postgres().embeddedPort());
            started.add(pg);
            adminUser = pg.superUser();
            adminPassword = "";
            pg.ensureDatabase(DATABASE);
            adminJdbcUrl = pg.jdbcUrl(DATABASE);
            jdbcUrl = adminJdbcUrl;
            appUser = s.postgres().user();
            // A fresh password each start: the embedded server is private to this process.
            byte[] secret = new byte[18];
            new SecureRandom().nextBytes(secret);
            appPassword = HexFormat.of().formatHex(secret);
            migrate(schemaDir, true, s.postgres().auditorPassword());
        } else {
            jdbcUrl = s.postgres().url();
            adminJdbcUrl = jdbcUrl;
            appUser = s.postgres().user();
            appPassword = s.postgres().password();
            adminUser = s.postgres().adminUser();
            adminPassword = s.postgres().adminPassword();
            if (s.postgres().migrate() && adminPassword != null) {
                // Provisioning as the admin also sets the application role's password from the environment.
                migrate(schemaDir, true, s.postgres().auditorPassword());
            } else {
                log.info("Not migrating the audit schema (set VIGIL_POSTGRES_ADMIN_PASSWORD and vigil.postgres.migrate=true to do so)");
            }
        }
    }

    /** @param auditorPassword the vigil_auditor role's new password, or null to leave it as it is */
    private void migrate(Path schemaDir, boolean setAppPassword, String auditorPassword) {
        try (Connection c = DriverManager.getConnection(adminJdbcUrl, adminUser, adminPassword)) {
            SchemaMigrator.migrate(c, schemaDir);
            if (setAppPassword) SchemaMigrator.setPasswords(c, appPassword, auditorPassword);
        } catch (SQLException e) {
            throw new IllegalStateException("could not migrate the audit schema at " + adminJdbcUrl + ": " + e.getMessage(), e);
        }
    }

    public String kafkaBootstrap() { return kafkaBootstrap; }
    public String redisHost() { return redisHost; }
    public int redisPort() { return redisPort; }
    /** Where the application writes audit rows, as {@link #appUser()}. */
    public String jdbcUrl() { return jdbcUrl; }
    public String appUser() { return appUser; }
    public String appPassword() { return appPassword; }
    /** For the CLI's read-only queries on the embedded server, and for migrations. */
    public String adminJdbcUrl() { return adminJdbcUrl; }
    public String adminUser() { return adminUser; }
    public String adminPassword() { return adminPassword; }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", started.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        started.clear();
    }
}
