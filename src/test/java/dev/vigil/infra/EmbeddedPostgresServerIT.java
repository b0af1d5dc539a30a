package dev.vigil.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresServerIT {

    @TempDir Path dir;

    @Test
    void shouldKeepDataAcrossRestartAndRunDurably() throws Exception {
        Path data = dir.resolve("pg");
        int port;
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0)) {
            port = pg.port();
            assertTrue(port > 0);
            pg.ensureDatabase("vigil");
            pg.ensureDatabase("vigil"); // a second call finds it and does nothing
            try (Connection c = pg.superUserConnection("vigil"); Statement st = c.createStatement()) {
                st.execute("create table kept (v text)");
                st.execute("insert into kept values ('before restart')");
                assertEquals("on", show(st, "fsync"));
                assertEquals("on", show(st, "synchronous_commit"));
                assertEquals("127.0.0.1", show(st, "listen_addresses"));
            }
        }
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, port)) {
            assertEquals(port, pg.port());
            try (Connection c = pg.superUserConnection("vigil"); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select v from kept")) {
                assertTrue(rs.next());
                assertEquals("before restart", rs.getString(1));
            }
        }
    }

    @Test
    void shouldRequireAPasswordFromRolesOtherThanTheSuperuser() throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg2"), 0)) {
            try (Connection c = pg.superUserConnection("postgres"); Statement st = c.createStatement()) {
                st.execute("create role someone login password 'right'");
            }
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), "someone", "right")) {
                assertTrue(c.isValid(2));
            }
            SQLException e = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(pg.jdbcUrl("postgres"), "someone", "wrong"));
            assertEquals("28P01", e.getSQLState(), e.getMessage());
        }
    }

    private static String show(Statement st, String setting) throws SQLException {
        try (ResultSet rs = st.executeQuery("show " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
