package dev.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.audit.AuditedDecision;
import dev.vigil.audit.PostgresAuditStore;
import dev.vigil.audit.SchemaMigrator;
import dev.vigil.decision.Decision;
import dev.vigil.decision.Verdict;
import dev.vigil.event.EventSource;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.feature.Features;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.infra.Services;
import dev.vigil.rules.RuleSetVersion;
import dev.vigil.score.ModelScore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit commands through picocli against a running embedded server: retention then verify; query, explain, sar. */
class AuditCommandsIT {

    @TempDir Path dir;

    @Test
    void shouldArchiveAnOldMonthAndLeaveAStoreThatVerifies() throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0)) {
            pg.ensureDatabase(Services.DATABASE);
            try (Connection c = pg.superUserConnection(Services.DATABASE)) {
                SchemaMigrator.migrate(c, Path.of("audit-schema"));
                SchemaMigrator.setPasswords(c, "app-pw-1", "auditor-pw-1");
            }
            // Rows recorded in March 2015 (the audit clock stood there) and now
            for (String at : new String[] {"'2015-03-10T00:00:00Z'::timestamptz", "now()"}) {
                try (Connection c = pg.superUserConnection(Services.DATABASE); Statement st = c.createStatement()) {
                    st.execute("create or replace function audit_clock() returns timestamptz language sql stable as $$ select "
                            + at + " $$");
                }
                try (PostgresAuditStore store = new PostgresAuditStore(pg.jdbcUrl(Services.DATABASE),
                        SchemaMigrator.APP_ROLE, "app-pw-1", null)) {
                    store.recordDecisions(List.of(audited("r-" + at.length() + "-1"), audited("r-" + at.length() + "-2")));
                }
            }
            System.setProperty("vigil.postgres.embedded-port", Integer.toString(pg.port()));
            try {
                Path archive = dir.resolve("archive");
                String[] out = new String[1];
                assertEquals(0, run(out, "retention", "--older-than", "7y", "--dry-run"), out[0]);
                assertTrue(out[0].contains("[2015-03]"), out[0]);
                assertEquals(0, run(out, "retention", "--older-than", "7y", "--archive-dir", archive.toString()), out[0]);
                assertTrue(out[0].contains("archived 2015-03: 2 decisions"), out[0]);
                assertTrue(Files.exists(archive.resolve("audit-2015-03.jsonl.gz")));
                assertEquals(0, run(out, "verify"), out[0]);
                assertTrue(out[0].contains("2015-03: archived"), out[0]);
                assertEquals(0, run(out, "retention", "--older-than", "7y"), out[0]);
                assertTrue(out[0].contains("none"), out[0]);
                assertEquals(2, run(out, "retention", "--older-than", "seven"), out[0]);
            } finally {
                System.clearProperty("vigil.postgres.embedded-port");
            }
        }
    }

    @Test
    void shouldQueryExplainAndDraftASarThroughTheCli() throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg2"), 0)) {
            pg.ensureDatabase(Services.DATABASE);
            try (Connection c = pg.superUserConnection(Services.DATABASE)) {
                SchemaMigrator.migrate(c, Path.of("audit-schema"));
                SchemaMigrator.setPasswords(c, "app-pw-1", "auditor-pw-1");
            }
            try (PostgresAuditStore store = new PostgresAuditStore(pg.jdbcUrl(Services.DATABASE),
                    SchemaMigrator.APP_ROLE, "app-pw-1", null)) {
                store.recordDecisions(List.of(audited("cli-q-1"), audited("cli-q-2")));
            }
            System.setProperty("vigil.postgres.embedded-port", Integer.toString(pg.port()));
            try {
                String[] out = new String[1];
                assertEquals(0, run(out, "query", "--account", "acc-1", "--format", "jsonl"), out[0]);
                assertEquals(2, out[0].lines().filter(l -> l.startsWith("{\"event_time\"")).count(), out[0]);
                assertEquals(0, run(out, "query", "--verdict", "BLOCK"), out[0]);
                assertTrue(out[0].contains("(0 rows)"), out[0]);
                assertEquals(0, run(out, "explain", "cli-q-2"), out[0]);
                assertTrue(out[0].contains("Decision ") && out[0].contains("cli-q-2") && out[0].contains("none: ALLOW"), out[0]);
                assertEquals(2, run(out, "explain", "no-such-tx"), out[0]);
                Path sarDir = dir.resolve("sar");
                assertEquals(0, run(out, "sar", "acc-1", "--from", "2015-01-01T00:00:00Z", "--to", "2016-01-01T00:00:00Z",
                        "--out-dir", sarDir.toString()), out[0]);
                assertTrue(Files.readString(sarDir.resolve("sar-acc-1-2015-01-01.json")).contains("\"transactions\" : 2"));
                assertTrue(Files.readString(sarDir.resolve("sar-acc-1-2015-01-01.html")).contains("cli-q-1"));
            } finally {
                System.clearProperty("vigil.postgres.embedded-port");
            }
        }
    }

    private static int run(String[] out, String... args) {
        return AuditCliAccess.audit(out, args);
    }

    private static AuditedDecision audited(String tx) {
        Instant t = Instant.parse("2015-03-01T10:15:30Z");
        TransactionEvent e = new TransactionEvent(tx, t, "acc-1", "cust-1", TransactionType.PURCHASE,
                new BigDecimal("10.00"), Currency.getInstance("EUR"), null, null, null, null, null, null, null, null, null);
        Features f = new Features(1, 1, 1, 1, BigDecimal.TEN, BigDecimal.TEN, BigDecimal.TEN, BigDecimal.TEN,
                3, 0, BigDecimal.ZERO, BigDecimal.ZERO, false, false, 10);
        Decision d = new Decision(Decision.decisionIdFor(tx), e, Verdict.ALLOW, List.of(), ModelScore.of(0.1, "m"), f, null,
                new RuleSetVersion("v", "h"), t, 10);
        return new AuditedDecision(d, EventSource.http(tx), "{}".getBytes(StandardCharsets.UTF_8));
    }
}
