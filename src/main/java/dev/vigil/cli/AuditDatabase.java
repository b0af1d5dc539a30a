package dev.vigil.cli;

import dev.vigil.config.Settings;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.infra.Services;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A read-only connection to the audit store for the {@code audit} commands: the external server
 * when one is configured; else the embedded one, used where it runs (a live Vigil) or started on
 * the data directory for the command's duration.
 */
final class AuditDatabase implements AutoCloseable {
    private final EmbeddedPostgresServer started;
    private final Connection connection;

    private AuditDatabase(EmbeddedPostgresServer started, Connection connection) {
        this.started = started;
        this.connection = connection;
    }

    static AuditDatabase open(Settings s) throws SQLException {
        if (!s.postgres().embedded()) {
            return readOnly(null, DriverManager.getConnection(s.postgres().url(), s.postgres().user(), s.postgres().password()));
        }
        String running = "jdbc:postgresql://127.0.0.1:" + s.postgres().embeddedPort() + "/" + Services.DATABASE;
        try {
            return readOnly(null, DriverManager.getConnection(running, "postgres", ""));
        } catch (SQLException notRunning) {
            EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(s.dataDir().resolve("postgres"), s.postgres().embeddedPort());
            try {
                return readOnly(pg, DriverManager.getConnection(pg.jdbcUrl(Services.DATABASE), pg.superUser(), ""));
            } catch (SQLException | RuntimeException e) {
                pg.close();
                throw e;
            }
        }
    }

    private static AuditDatabase readOnly(EmbeddedPostgresServer started, Connection c) throws SQLException {
        c.setReadOnly(true);
        return new AuditDatabase(started, c);
    }

    Connection connection() {
        return connection;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a read-only connection: nothing was written
        }
        if (started != null) started.close();
    }
}
