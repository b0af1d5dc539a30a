package dev.vigil.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
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

    @Test
    void shouldStartAfterAVigilWasKilledAndLeftItsServerRunning() throws Exception {
        // Given a JVM that started the server, wrote a row, and was then killed with SIGKILL
        Path data = dir.resolve("pg-crash");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), data.toString())
                .redirectErrorStream(true).start();
        long orphanPid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("READY")) { /* skip logs */ }
            assertTrue(line != null, "the child never got ready");
            child.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            orphanPid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
            // the premise: its postmaster outlived it
            assertTrue(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false), "postmaster survived");
        } finally {
            child.destroyForcibly();
        }

        // When Vigil starts again on the same data directory (any port)
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0);
                Connection c = pg.superUserConnection("postgres"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select v from kept")) {
            // Then the orphan is gone and the committed row is there
            assertTrue(ProcessHandle.of(orphanPid).map(h -> !h.isAlive()).orElse(true), "orphan stopped");
            assertTrue(rs.next());
            assertEquals("written before the crash", rs.getString(1));
        } finally {
            // if the code under test failed, do not leave the orphan this test made
            ProcessHandle.of(orphanPid).ifPresent(ProcessHandle::destroy);
        }
    }

    @Test
    void shouldRefuseADataDirectoryAlreadyInUse() throws SQLException {
        Path data = dir.resolve("pg-busy");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedPostgresServer.start(data, 0));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            try (Connection c = pg.superUserConnection("postgres")) {
                assertTrue(c.isValid(2), "the running server is untouched");
            }
        }
    }

    /** Runs in a separate JVM: starts a server, writes a row, and waits to be killed. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(Path.of(args[0]), 0);
            try (Connection c = pg.superUserConnection("postgres"); Statement st = c.createStatement()) {
                st.execute("create table kept (v text)");
                st.execute("insert into kept values ('written before the crash')");
            }
            System.out.println("READY " + pg.port());
            System.out.flush();
            Thread.sleep(120_000); // killed long before; a bound in case the test runner dies first
            pg.close();
        }
    }

    private static String show(Statement st, String setting) throws SQLException {
        try (ResultSet rs = st.executeQuery("show " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
