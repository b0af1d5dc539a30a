package dev.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.audit.AuditedDecision;
import dev.vigil.audit.PostgresAuditStore;
import dev.vigil.audit.SchemaMigrator;
import dev.vigil.decision.Decision;
import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.event.EventSource;
import dev.vigil.event.GeoLocation;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.feature.Features;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.infra.Services;
import dev.vigil.rules.RuleSetVersion;
import dev.vigil.score.ModelScore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vigil audit verify} against a running embedded server: exit 0 when intact, 1 when broken. */
class AuditVerifyCommandIT {

    @TempDir Path dir;

    @Test
    void shouldExitZeroWhenIntactAndOneWithTheBreakWhenTamperedWith() throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0)) {
            pg.ensureDatabase(Services.DATABASE);
            try (Connection c = pg.superUserConnection(Services.DATABASE)) {
                SchemaMigrator.migrate(c, Path.of("audit-schema"));
                SchemaMigrator.setPasswords(c, "app-pw-1", "auditor-pw-1");
            }
            try (PostgresAuditStore store = new PostgresAuditStore(pg.jdbcUrl(Services.DATABASE),
                    SchemaMigrator.APP_ROLE, "app-pw-1", null)) {
                List<AuditedDecision> batch = new ArrayList<>();
                for (int i = 0; i < 5; i++) batch.add(audited("cli-" + i));
                store.recordDecisions(batch);
            }
            String port = Integer.toString(pg.port());
            System.setProperty("vigil.postgres.embedded-port", port);
            try {
                String[] out = new String[1];
                assertEquals(0, run(out), out[0]);
                assertTrue(out[0].startsWith("INTACT: 5 row(s) recomputed"), out[0]);

                try (Connection c = pg.superUserConnection(Services.DATABASE); Statement st = c.createStatement()) {
                    c.setAutoCommit(true);
                    st.execute("alter table decision disable trigger all");
                    st.execute("update decision set verdict = 'ALLOW' where transaction_id = 'cli-3'");
                }
                assertEquals(1, run(out), out[0]);
                String month = java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString();
                assertTrue(out[0].startsWith("BROKEN in " + month + " at chain_seq 4: ROW_CHANGED"), out[0]);
                // Months before the broken one verify; a range holding it does not
                assertEquals(0, run(out, "--to", "2000-01"), out[0]);
                assertEquals(1, run(out, "--from", "2000-01-01T00:00:00Z"), out[0]);
                assertEquals(1, run(out, "--from", month, "--to", month), out[0]);
            } finally {
                System.clearProperty("vigil.postgres.embedded-port");
            }
        }
    }

    private static int run(String[] out, String... options) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            return new CommandLine(new AuditCommand()).execute(java.util.stream.Stream.concat(java.util.stream.Stream.of("verify"),
                    java.util.Arrays.stream(options)).toArray(String[]::new));
        } finally {
            System.setOut(old);
            out[0] = bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private static AuditedDecision audited(String tx) {
        Instant t = Instant.parse("2026-03-01T10:15:30Z");
        TransactionEvent e = new TransactionEvent(tx, t, "acc-1", "cust-1", TransactionType.PURCHASE,
                new BigDecimal("10.00"), Currency.getInstance("EUR"), "DE89370400440532013000", "m-1", "5999",
                "web", "sepa", Boolean.FALSE, "dev-1", "203.0.113.7", new GeoLocation(52.52, 13.405, "DE"));
        List<Hit> hits = List.of(new Hit("R-1", Verdict.REVIEW, "why"));
        Features f = new Features(1, 1, 1, 1, BigDecimal.TEN, BigDecimal.TEN, BigDecimal.TEN, BigDecimal.TEN,
                3, 0, BigDecimal.ZERO, BigDecimal.ZERO, false, false, 10);
        Decision d = new Decision(Decision.decisionIdFor(tx), e, Verdict.REVIEW, hits, ModelScore.of(0.5, "m"), f, null,
                new RuleSetVersion("v", "h"), t, 10);
        return new AuditedDecision(d, EventSource.http(tx), "{}".getBytes(StandardCharsets.UTF_8));
    }
}
