package dev.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.infra.Services;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vigil user ...} and {@code vigil apikey ...} against a real embedded PostgreSQL, as an operator types them. */
class AccessCommandsIT {
    @TempDir Path dir;

    @Test
    void shouldAddUsersAndCreateListAndRevokeKeys() throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0)) {
            pg.ensureDatabase(Services.DATABASE);
            System.setProperty("vigil.postgres.embedded-port", Integer.toString(pg.port()));
            System.setProperty("vigil.auth.password-iterations", "20000");
            try {
                String[] out = new String[1];
                // The schema is brought up to date by the command itself on a fresh database.
                assertEquals(0, run(out, "a long passphrase\n", "user", "add", "zoe", "--role", "analyst,senior-analyst", "--name", "Zoe Z"), out[0]);
                assertEquals(1, run(out, "a long passphrase\n", "user", "add", "zoe", "--role", "analyst"), "twice");
                assertEquals(1, run(out, "short\n", "user", "add", "yan", "--role", "analyst"), "too short a password");
                assertEquals(1, run(out, "a long passphrase\n", "user", "add", "yan", "--role", "janitor"), "unknown role");
                assertEquals(0, run(out, "", "user", "list"), out[0]);
                assertTrue(out[0].contains("zoe") && out[0].contains("SENIOR_ANALYST") && !out[0].contains("yan"), out[0]);
                assertEquals(0, run(out, "", "user", "disable", "zoe"), out[0]);

                assertEquals(0, run(out, "", "apikey", "create", "--client", "sepa-rail"), out[0]);
                String key = out[0].lines().filter(l -> l.startsWith("vk_")).findFirst().orElseThrow();
                String keyId = key.substring(3, key.indexOf('_', 3));
                assertEquals(0, run(out, "", "apikey", "list"), out[0]);
                assertTrue(out[0].contains(keyId) && out[0].contains("sepa-rail") && !out[0].contains(key), "no secret listed: " + out[0]);
                assertEquals(0, run(out, "", "apikey", "revoke", keyId), out[0]);
                assertEquals(1, run(out, "", "apikey", "revoke", keyId), "already revoked");

                try (Connection c = pg.superUserConnection(Services.DATABASE); Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("select string_agg(event || ':' || subject, ',' order by id) from access_event where actor = 'cli'")) {
                    rs.next();
                    assertEquals("USER_ADDED:zoe,USER_DISABLED:zoe,API_KEY_CREATED:" + keyId + ",API_KEY_REVOKED:" + keyId, rs.getString(1));
                }
            } finally {
                System.clearProperty("vigil.postgres.embedded-port");
                System.clearProperty("vigil.auth.password-iterations");
            }
        }
    }

    private static int run(String[] out, String stdin, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return new CommandLine(new VigilCli()).execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
            out[0] = bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
