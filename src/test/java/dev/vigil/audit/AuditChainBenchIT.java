package dev.vigil.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vigil.infra.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Rows per second of recordDecisions in batches of 500, printed (not asserted): the chain's cost. */
class AuditChainBenchIT {
    private static final Logger log = LoggerFactory.getLogger(AuditChainBenchIT.class);
    static final int BATCH = 500;
    static final int BATCHES = 20;
    static final int WARM = 8;

    @TempDir static Path dataDir;
    static EmbeddedPostgresServer pg;

    @BeforeAll
    static void startServer() {
        pg = EmbeddedPostgresServer.start(dataDir.resolve("pg"), 0);
    }

    @AfterAll
    static void stopServer() {
        if (pg != null) pg.close();
    }

    static String freshDb(String name) throws SQLException {
        pg.ensureDatabase(name);
        try (Connection c = pg.superUserConnection(name)) {
            SchemaMigrator.migrate(c, AuditFixtures.SCHEMA);
            SchemaMigrator.setPasswords(c, AuditFixtures.APP_PASSWORD, AuditFixtures.AUDITOR_PASSWORD);
        }
        return name;
    }

    static double rowsPerSecond(PostgresAuditStore store, String prefix) {
        // Decisions are built before the clock starts: only the store is measured
        List<List<AuditedDecision>> batches = new ArrayList<>();
        for (int b = 0; b < BATCHES + WARM; b++) {
            List<AuditedDecision> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) batch.add(AuditFixtures.audited(prefix + "-" + b + "-" + i));
            batches.add(batch);
        }
        for (int b = 0; b < WARM; b++) store.recordDecisions(batches.get(b)); // warm-up
        long t0 = System.nanoTime();
        for (int b = WARM; b < batches.size(); b++) store.recordDecisions(batches.get(b));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals((long) (BATCHES + WARM) * BATCH, store.countDecisions());
        return BATCHES * BATCH / seconds;
    }

    @Test
    void shouldReportRowsPerSecond() throws SQLException {
        assumeTrue(Boolean.getBoolean("vigil.measure"), "a measurement, not a test: set -Dvigil.measure=true to run it");
        String db = freshDb("bench_plain");
        double plain;
        try (PostgresAuditStore store = new PostgresAuditStore(pg.jdbcUrl(db), SchemaMigrator.APP_ROLE,
                AuditFixtures.APP_PASSWORD)) {
            plain = rowsPerSecond(store, "p");
        }
        String line = String.format("audit bench: %d batches of %d decisions, %,.0f rows/s (store as built, no key)",
                BATCHES, BATCH, plain);
        // KEYED-START
        String db2 = freshDb("bench_keyed");
        double keyed;
        try (PostgresAuditStore store = new PostgresAuditStore(pg.jdbcUrl(db2), SchemaMigrator.APP_ROLE,
                AuditFixtures.APP_PASSWORD, "a-bench-checkpoint-key-of-32-bytes-or-more".getBytes(StandardCharsets.UTF_8))) {
            keyed = rowsPerSecond(store, "k");
        }
        line += String.format("; with a signed checkpoint per batch %,.0f rows/s", keyed);
        // KEYED-END
        log.info(line);
        System.out.println(line); // the figure is the point of this test
    }
}
