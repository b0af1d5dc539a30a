package dev.vigil.audit;

import dev.vigil.decision.Decision;
import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.decision.VerdictPolicy;
import dev.vigil.event.EventSource;
import dev.vigil.event.GeoLocation;
import dev.vigil.event.KycRiskLevel;
import dev.vigil.event.RejectReason;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.rules.RuleSetVersion;
import dev.vigil.score.ModelScore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/** Hand-built decisions and rejections, and a migrated audit database, for the audit ITs. */
final class AuditFixtures {
    static final Path SCHEMA = Path.of("audit-schema");
    static final String DB = "vigil";
    static final String APP_PASSWORD = "app-secret-'\"-1";
    static final String AUDITOR_PASSWORD = "auditor-secret-2";
    static final RuleSetVersion RULES = new RuleSetVersion("2026.11.1", "0123456789abcdef");
    static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456Z");

    private AuditFixtures() {}

    /** Creates the database, applies the schema and sets the role passwords; returns the scripts applied. */
    static List<String> migrate(EmbeddedPostgresServer pg) throws SQLException {
        return migrate(pg, DB);
    }

    /** The same for another database of the server. */
    static List<String> migrate(EmbeddedPostgresServer pg, String db) throws SQLException {
        pg.ensureDatabase(db);
        try (Connection c = pg.superUserConnection(db)) {
            List<String> applied = SchemaMigrator.migrate(c, SCHEMA);
            SchemaMigrator.setPasswords(c, APP_PASSWORD, AUDITOR_PASSWORD);
            return applied;
        }
    }

    static PostgresAuditStore appStore(EmbeddedPostgresServer pg) {
        return appStore(pg, DB);
    }

    static PostgresAuditStore appStore(EmbeddedPostgresServer pg, String db) {
        return new PostgresAuditStore(pg.jdbcUrl(db), SchemaMigrator.APP_ROLE, APP_PASSWORD);
    }

    static Features features() {
        return new Features(2, 5, 9, 31,
                new BigDecimal("150.10"), new BigDecimal("980.55"), new BigDecimal("12000.00"),
                new BigDecimal("123456789012345678901234567890.123456789"),
                3, 2, new BigDecimal("9000.50"), new BigDecimal("0.0000001234"),
                true, false, 42);
    }

    static AccountProfile account() {
        return new AccountProfile("acc-1", "cust-1", Instant.parse("2026-02-27T00:00:00Z"),
                new BigDecimal("25000.00"), Currency.getInstance("EUR"), "DE", KycRiskLevel.HIGH,
                false, false, true);
    }

    static TransactionEvent event(String txId, String accountId, Instant at, String amount) {
        return new TransactionEvent(txId, at, accountId, "cust-1", TransactionType.BALANCE_DEPOSIT,
                new BigDecimal(amount), Currency.getInstance("EUR"), "DE89370400440532013000", "m-77", "5999",
                "web", "sepa", Boolean.FALSE, "dev-1", "203.0.113.7", new GeoLocation(52.52, 13.405, "DE"));
    }

    static Decision decision(String txId, List<Hit> hits) {
        return decision(event(txId, "acc-1", T0, "9000.50"), hits, features(), account(), ModelScore.of(0.8731, "xgb-2026.02"));
    }

    static Decision decision(TransactionEvent e, List<Hit> hits, Features f, AccountProfile a, ModelScore score) {
        return new Decision(Decision.decisionIdFor(e.transactionId()), e, VerdictPolicy.combine(hits), hits, score, f, a,
                RULES, T0.plusMillis(40), 815);
    }

    static List<Hit> twoHits() {
        return List.of(
                new Hit("AML-NEW-001", Verdict.REVIEW, "Deposits of 9000.50 EUR within 3 days of opening"),
                new Hit("WL-001", Verdict.BLOCK, "Account is on a watchlist"));
    }

    static AuditedDecision audited(Decision d) {
        String raw = "{\"transactionId\":\"" + d.transactionId().replace("\\", "\\\\").replace("\"", "\\\"")
                + "\",\"amount\":\"" + d.event().amount().toPlainString() + "\"}";
        return new AuditedDecision(d, EventSource.kafka("transactions", 0, Math.abs(d.transactionId().hashCode())),
                raw.getBytes(StandardCharsets.UTF_8));
    }

    static AuditedDecision audited(String txId) {
        return audited(decision(txId, twoHits()));
    }

    static Rejection rejection(EventSource source, byte[] raw) {
        return new Rejection(source, raw, RejectReason.NOT_JSON, "Unexpected character 'x' at 1:1", null,
                T0.plusSeconds(5));
    }
}
