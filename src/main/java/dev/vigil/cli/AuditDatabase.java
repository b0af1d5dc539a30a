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
        return open(s, true);
    }

    /**
     * A connection that may change the schema (retention drops archived partitions): the embedded
     * server's superuser, or the configured admin user of an external server.
     */
    static AuditDatabase openAdmin(Settings s) throws SQLException {
        return open(s, false);
    }

    private static AuditDatabase open(Settings s, boolean readOnly) throws SQLException {
        if (!s.postgres().embedded()) {
            Connection c = readOnly
                    ? DriverManager.getConnection(s.postgres().url(), s.postgres().user(), s.postgres().password())
                    : DriverManager.getConnection(s.postgres().url(), s.postgres().adminUser(), s.postgres().adminPassword());
            return wrap(null, c, readOnly);
        }
        String running = "jdbc:postgresql://127.0.0.1:" + s.postgres().embeddedPort() + "/" + Services.DATABASE;
        try {
            return wrap(null, DriverManager.getConnection(running, "postgres", ""), readOnly);
        } catch (SQLException notRunning) {
            EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(s.dataDir().resolve("postgres"), s.postgres().embeddedPort());
            try {
                return wrap(pg, DriverManager.getConnection(pg.jdbcUrl(Services.DATABASE), pg.superUser(), ""), readOnly);
            } catch (SQLException | RuntimeException e) {
                pg.close();
                throw e;
            }
        }
    }

    private static AuditDatabase wrap(EmbeddedPostgresServer started, Connection c, boolean readOnly) throws SQLException {
        c.setReadOnly(readOnly);
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
            // closing: every write was committed or rolled back by its command
        }
        if (started != null) started.close();
    }
}
