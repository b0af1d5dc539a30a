package dev.vigil.cli;

import dev.vigil.access.AccessStore;
import dev.vigil.access.PasswordHasher;
import dev.vigil.audit.SchemaMigrator;
import dev.vigil.config.Settings;
import dev.vigil.console.ConsoleSettings;
import dev.vigil.infra.ConnectionPool;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.infra.Services;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;

/**
 * The access tables for the {@code user} and {@code apikey} commands: the external server as
 * {@code vigil_app} when one is configured; else the embedded one, used where it runs or started
 * on the data directory for the command (and its schema brought up to date, so users can be added
 * before the first {@code vigil run}).
 */
final class AccessDatabase implements AutoCloseable {
    private final EmbeddedPostgresServer started;
    private final ConnectionPool pool;
    private final AccessStore access;

    private AccessDatabase(EmbeddedPostgresServer started, ConnectionPool pool, ConsoleSettings cs) {
        this.started = started;
        this.pool = pool;
        this.access = new AccessStore(pool, Clock.systemUTC(), cs.sessionTtl(), cs.apiKeyCacheTtl(),
                new PasswordHasher(cs.passwordIterations()));
    }

    static AccessDatabase open(Settings s) throws SQLException {
        ConsoleSettings cs = ConsoleSettings.from(s.raw());
        if (!s.postgres().embedded()) {
            return new AccessDatabase(null, new ConnectionPool(s.postgres().url(), s.postgres().user(), s.postgres().password(), 1, "vigil-cli"), cs);
        }
        String running = "jdbc:postgresql://127.0.0.1:" + s.postgres().embeddedPort() + "/" + Services.DATABASE;
        try (Connection c = DriverManager.getConnection(running, EmbeddedPostgresServer.SUPERUSER, "")) {
            SchemaMigrator.migrate(c, Path.of("audit-schema"));
            return new AccessDatabase(null, new ConnectionPool(running, EmbeddedPostgresServer.SUPERUSER, "", 1, "vigil-cli"), cs);
        } catch (SQLException notRunning) {
            EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(s.dataDir().resolve("postgres"), s.postgres().embeddedPort());
            try {
                pg.ensureDatabase(Services.DATABASE);
                try (Connection c = pg.superUserConnection(Services.DATABASE)) {
                    SchemaMigrator.migrate(c, Path.of("audit-schema"));
                }
                return new AccessDatabase(pg, new ConnectionPool(pg.jdbcUrl(Services.DATABASE), pg.superUser(), "", 1, "vigil-cli"), cs);
            } catch (SQLException | RuntimeException e) {
                pg.close();
                throw e;
            }
        }
    }

    AccessStore access() {
        return access;
    }

    @Override
    public void close() {
        pool.close();
        if (started != null) started.close();
    }
}
