package dev.vigil.audit;

import static dev.vigil.audit.AuditFixtures.audited;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.infra.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaMigratorIT {

    static final List<String> SCRIPTS = List.of(
            "V001__audit_tables.sql", "V002__append_only.sql", "V003__roles.sql", "V004__auditor_views.sql",
            "V005__hash_chain.sql", "V006__monthly_partitions.sql", "V007__auditor_views.sql", "V008__feature_format_2.sql", "V009__feature_format_3.sql",
            "V010__cases_and_access.sql", "V011__feature_format_4.sql", "V012__row_format_5.sql",
            "V013__feature_format_6.sql", "V014__null_facts_read_as_null.sql", "V015__feature_format_7.sql",
            "V016__feature_format_8.sql");

    @TempDir static Path dir;
    static EmbeddedPostgresServer pg;

    @BeforeAll
    static void start() {
        pg = EmbeddedPostgresServer.start(dir.resolve("shared-pg"), 0);
    }

    @AfterAll
    static void stop() {
        if (pg != null) pg.close();
    }

    @Test
    void shouldFindExactlyTheScriptsOfTheSchemaFolder() throws IOException {
        // Guards the other tests: a new script must be added to SCRIPTS (and to the README) on purpose.
        List<String> onDisk;
        try (Stream<Path> files = Files.list(AuditFixtures.SCHEMA)) {
            onDisk = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
        }
        assertEquals(SCRIPTS, onDisk);
    }

    @Test
    void shouldApplyEachScriptOnceAndKeepRowsAcrossAServerRestart(@TempDir Path data) throws SQLException {
        Path pgData = data.resolve("pg");
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(pgData, 0);
        int port = server.port();
        try {
            // Given a migrated database with one decision
            assertEquals(SCRIPTS, AuditFixtures.migrate(server));
            assertEquals(List.of(), AuditFixtures.migrate(server));
            PostgresAuditStore store = AuditFixtures.appStore(server);
            assertEquals(List.of(true), store.recordDecisions(List.of(audited("before-restart"))));

            // When the server stops, writes fail and nothing pretends to be recorded
            server.close();
            assertFalse(store.isHealthy());
            AuditUnavailableException down = assertThrows(AuditUnavailableException.class,
                    () -> store.recordDecisions(List.of(audited("during-outage"))));
            assertTrue(down.isTransient(), down.getMessage());

            // and when it starts again on the same data directory
            server = EmbeddedPostgresServer.start(pgData, port);

            // Then migrating again changes nothing, the row is still there, and the same store reconnects
            assertEquals(List.of(), AuditFixtures.migrate(server));
            assertEquals(List.of(true), store.recordDecisions(List.of(audited("during-outage"))));
            assertTrue(store.findDecision("before-restart").isPresent());
            assertEquals(2, store.countDecisions());
            assertEquals(hashesOnDisk(AuditFixtures.SCHEMA), appliedHashes(server, AuditFixtures.DB));

            // and a restart between two calls costs the caller nothing: the dead idle connection
            // is replaced within the next call
            server.close();
            server = EmbeddedPostgresServer.start(pgData, port);
            assertEquals(List.of(true, false), store.recordDecisions(
                    List.of(audited("after-second-restart"), audited("before-restart"))));
            assertEquals(3, store.countDecisions());
            store.close();
        } finally {
            server.close();
        }
    }

    @Test
    void shouldRefuseToStartWhenAnAppliedScriptWasChanged(@TempDir Path tmp) throws Exception {
        Path schema = copySchema(tmp);
        String db = "changed";
        pg.ensureDatabase(db);
        try (Connection c = pg.superUserConnection(db)) {
            SchemaMigrator.migrate(c, schema);
            Map<String, String> before = appliedHashes(pg, db);

            // Even a comment counts: the file an auditor reads must be the one that ran
            Files.writeString(schema.resolve("V002__append_only.sql"), "\n-- tidied\n", StandardOpenOption.APPEND);

            SchemaMismatchException e = assertThrows(SchemaMismatchException.class, () -> SchemaMigrator.migrate(c, schema));
            assertTrue(e.getMessage().contains("V002__append_only.sql"), e.getMessage());
            assertEquals(before, appliedHashes(pg, db));
        }
    }

    @Test
    void shouldRefuseToStartWhenAnAppliedScriptIsMissing(@TempDir Path tmp) throws Exception {
        Path schema = copySchema(tmp);
        String db = "missing";
        pg.ensureDatabase(db);
        try (Connection c = pg.superUserConnection(db)) {
            SchemaMigrator.migrate(c, schema);
            Files.delete(schema.resolve("V004__auditor_views.sql"));
            SchemaMismatchException e = assertThrows(SchemaMismatchException.class, () -> SchemaMigrator.migrate(c, schema));
            assertTrue(e.getMessage().contains("V004__auditor_views.sql"), e.getMessage());
        }
    }

    @Test
    void shouldApplyOnlyTheNewScriptLaterAndRefuseOneNumberedBelowIt(@TempDir Path tmp) throws Exception {
        Path schema = copySchema(tmp);
        String db = "evolving";
        pg.ensureDatabase(db);
        try (Connection c = pg.superUserConnection(db)) {
            SchemaMigrator.migrate(c, schema);
            // Numbered far above the project's own scripts, so they never clash with a real one.
            Files.writeString(schema.resolve("V900__note.sql"), "create table audit_note (n text);");
            assertEquals(List.of("V900__note.sql"), SchemaMigrator.migrate(c, schema));

            Files.writeString(schema.resolve("V899__late.sql"), "create table late (n text);");
            SchemaMismatchException e = assertThrows(SchemaMismatchException.class, () -> SchemaMigrator.migrate(c, schema));
            assertTrue(e.getMessage().contains("V899__late.sql"), e.getMessage());
            assertNull(regclass(c, "late"));
        }
    }

    @Test
    void shouldApplyNothingWhenAPendingScriptFails(@TempDir Path tmp) throws Exception {
        // Given a fresh database and a folder whose last script breaks halfway
        Path schema = copySchema(tmp);
        Files.writeString(schema.resolve("V901__broken.sql"), "create table half (x int);\nselect * from no_such_table;");
        String db = "broken";
        pg.ensureDatabase(db);
        try (Connection c = pg.superUserConnection(db)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> SchemaMigrator.migrate(c, schema));
            assertTrue(e.getMessage().contains("V901__broken.sql"), e.getMessage());

            // Then not even the scripts before it are applied: all pending scripts are one transaction
            assertNull(regclass(c, "half"));
            assertNull(regclass(c, "decision"));
            assertNull(regclass(c, "schema_version"));
            assertTrue(c.getAutoCommit(), "the caller's auto-commit setting is restored");
        }
    }

    private static Path copySchema(Path tmp) throws IOException {
        Path copy = Files.createDirectories(tmp.resolve("audit-schema"));
        try (Stream<Path> files = Files.list(AuditFixtures.SCHEMA)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".sql")).toList()) {
                Files.copy(p, copy.resolve(p.getFileName()));
            }
        }
        return copy;
    }

    private static Map<String, String> hashesOnDisk(Path schema) {
        Map<String, String> m = new LinkedHashMap<>();
        SchemaMigrator.readScripts(schema).values().forEach(s -> m.put(s.fileName(), s.sha256()));
        return m;
    }

    private static Map<String, String> appliedHashes(EmbeddedPostgresServer server, String db) throws SQLException {
        Map<String, String> m = new LinkedHashMap<>();
        try (Connection c = server.superUserConnection(db); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select script, sha256 from schema_version order by version")) {
            while (rs.next()) m.put(rs.getString(1), rs.getString(2));
        }
        return m;
    }

    private static String regclass(Connection c, String name) throws SQLException {
        try (var ps = c.prepareStatement("select to_regclass(?)::text")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
