package dev.vigil.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.decision.Decision;
import dev.vigil.decision.Hit;
import dev.vigil.decision.ShadowScore;
import dev.vigil.decision.Verdict;
import dev.vigil.decision.VerdictPolicy;
import dev.vigil.event.EventSource;
import dev.vigil.event.RejectReason;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.feature.Features;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.rules.RuleSetVersion;
import dev.vigil.score.Contribution;
import dev.vigil.score.ModelScore;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Currency;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The canonical bytes Java hashes at write time are exactly what {@code audit_decision_canonical_v2}
 * and {@code audit_rejection_canonical_v2} (SQL, the auditor's reference) return for the stored row,
 * for arbitrary values: any text (tabs, backslashes, newlines, NUL, lone surrogates, emoji), decimals
 * of any scale, times with nanoseconds, doubles, and NULLs.
 */
class CanonicalRowsIT {
    static EmbeddedPostgresServer pg;
    static Path dir;
    static PostgresAuditStore store;
    static final AtomicInteger N = new AtomicInteger();

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("canonical-it");
        pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0);
        AuditFixtures.migrate(pg);
        store = AuditFixtures.appStore(pg);
    }

    @AfterContainer
    static void stop() {
        if (store != null) store.close();
        if (pg != null) pg.close();
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMinLength(0).ofMaxLength(40),
                Arbitraries.strings().withChars("a\t\n\r\\\"',;|{}[]\u0000\ud800\u00e9\u4e2d").ofMaxLength(20),
                Arbitraries.of("\ud83d\ude00 emoji", "\\x00", "\\N", "plain"));
    }

    @Provide
    Arbitrary<BigDecimal> amount() {
        return Combinators.combine(Arbitraries.bigIntegers().between(BigInteger.ZERO, new BigInteger("99999999999999999999999999")),
                Arbitraries.integers().between(-3, 12)).as((u, s) -> new BigDecimal(u, s));
    }

    @Provide
    Arbitrary<Instant> time() {
        return Arbitraries.longs().between(-2_000_000_000L, 4_000_000_000L)
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
    }

    @Provide
    Arbitrary<Double> probability() {
        return Arbitraries.oneOf(Arbitraries.doubles().between(0, 1), Arbitraries.of(0.0, -0.0, 1.0, 1e-300, 0.1 + 0.2));
    }

    @net.jqwik.api.Example
    void everyFeatureFormatJavaKnowsShouldBeTheOneTheDatabaseDefines() throws SQLException {
        // Given the formats the migrations created; When read back; Then Java's table is the same, in order
        List<CanonicalRows.FeatureFormat> inDatabase = new java.util.ArrayList<>();
        try (Connection c = pg.superUserConnection(AuditFixtures.DB);
                java.sql.ResultSet rs = c.createStatement().executeQuery(
                        "select format, names, array_to_string(kinds, '') from audit_feature_format order by format")) {
            while (rs.next()) {
                inDatabase.add(new CanonicalRows.FeatureFormat(rs.getInt(1),
                        List.of((String[]) rs.getArray(2).getArray()), rs.getString(3)));
            }
        }
        assertEquals(CanonicalRows.FORMATS, inDatabase);
        // and the current one is the whole catalogue, in the model's order
        assertEquals(dev.vigil.feature.Features.NAMES, CanonicalRows.CURRENT.names());
    }

    @net.jqwik.api.Example
    void theWholeCatalogueShouldReadBackAsWrittenAndAsJsonForAuditors() throws SQLException {
        // Given a decision whose features are the whole catalogue with values off their defaults
        java.util.Map<String, Object> values = new java.util.LinkedHashMap<>(AuditFixtures.features().toMap());
        values.put("structuring_count_24h", 3L);
        values.put("implied_speed_kmh", new BigDecimal("1234.567"));
        values.put("merchant_whitelisted", true);
        values.put("rapid_in_out_ratio_3d", new BigDecimal("0.8125"));
        dev.vigil.feature.Features f = dev.vigil.feature.Features.fromMap(values);
        String tx = "format-" + N.incrementAndGet();
        Decision d = AuditFixtures.decision(AuditFixtures.event(tx, "acc-format", AuditFixtures.T0, "10.00"), List.of(), f,
                AuditFixtures.account(), dev.vigil.score.ModelScore.of(0.1, "m"));
        // When it is recorded
        store.recordDecisions(List.of(AuditFixtures.audited(d)));
        // Then the stored features rebuild the same Features, and the auditors' jsonb names every one
        StoredDecision back = store.findDecision(tx).orElseThrow();
        assertEquals(f, dev.vigil.feature.Features.fromMap(back.features()));
        try (Connection c = pg.superUserConnection(AuditFixtures.DB);
                PreparedStatement ps = c.prepareStatement(
                        "select features ->> 'implied_speed_kmh', (select count(*) from jsonb_object_keys(features))"
                                + " from audit_decisions where transaction_id = ?")) {
            ps.setString(1, tx);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals("1234.567", rs.getString(1));
                assertEquals(dev.vigil.feature.Features.NAMES.size(), rs.getInt(2));
            }
        }
    }

    @Property(tries = 60)
    void auditorsShouldSeeTheSameAccountAndContributionsWhateverTheRowsFormat(@ForAll("text") String id,
            @ForAll("text") String country, @ForAll("amount") BigDecimal netWorth, @ForAll("time") Instant opened,
            @ForAll boolean closed, @ForAll("probability") double value, @ForAll double contribution,
            @ForAll boolean withFacts) throws SQLException {
        // Given the same facts and contributions written as format 4 stored them (objects) and as format 5 does (arrays)
        dev.vigil.feature.AccountProfile a = withFacts
                ? new dev.vigil.feature.AccountProfile(id, country, opened, netWorth, Currency.getInstance("CHF"), country,
                        dev.vigil.event.KycRiskLevel.MEDIUM, closed, !closed, closed)
                : new dev.vigil.feature.AccountProfile(id, null, null, null, null, null, null, false, false, false);
        List<Contribution> shap = List.of(new Contribution(id, value, contribution), new Contribution("tx_sum_7d", Double.NaN, -0.0),
                new Contribution(country, 12000.5, Double.NEGATIVE_INFINITY));
        // When the auditors' functions read them
        try (Connection c = pg.superUserConnection(AuditFixtures.DB); PreparedStatement ps = c.prepareStatement(
                "select audit_account_json(4::smallint, ?) = audit_account_json(5::smallint, ?),"
                        + " audit_contributions_json(4::smallint, ?) = audit_contributions_json(5::smallint, ?),"
                        + " audit_account_json(5::smallint, ?)::text, jsonb_typeof(audit_contributions_json(5::smallint, ?) -> 0)")) {
            ps.setString(1, AuditJson.account(4, a));
            ps.setString(2, AuditJson.account(5, a));
            ps.setString(3, AuditJson.contributions(4, shap));
            ps.setString(4, AuditJson.contributions(5, shap));
            ps.setString(5, AuditJson.account(5, a));
            ps.setString(6, AuditJson.contributions(5, shap));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                // Then they show the same jsonb: objects with the same keys and values
                assertTrue(rs.getBoolean(1), () -> "account facts differ: " + AuditJson.account(4, a));
                assertTrue(rs.getBoolean(2), () -> "contributions differ: " + AuditJson.contributions(4, shap));
                assertEquals(AuditJson.ACCOUNT_KEYS.size(), AuditJson.readMap(rs.getString(3)).size());
                assertEquals("object", rs.getString(4));
            }
        }
    }

    @Property(tries = 60)
    void javaAndSqlShouldAgreeOnADecisionsCanonicalBytes(@ForAll("text") String id, @ForAll("text") String account,
            @ForAll("text") String reason, @ForAll("amount") BigDecimal amount, @ForAll("amount") BigDecimal sum,
            @ForAll("time") Instant at, @ForAll("probability") double p, @ForAll("probability") double challenger,
            @ForAll boolean withAccount, @ForAll boolean withChallenger, @ForAll boolean withShap, @ForAll byte[] raw)
            throws SQLException {
        String tx = id + "#" + N.incrementAndGet(); // unique, however the generator repeats itself
        List<Hit> hits = reason.isBlank() ? List.of() : List.of(new Hit("R-" + reason.length(), Verdict.REVIEW, reason));
        Features f = new Features(1, 2, 3, 4, sum, amount, BigDecimal.ZERO, sum, -1, 0, amount, new BigDecimal("-1.0000"),
                withAccount, !withAccount, 42);
        List<Contribution> shap = withShap
                ? List.of(new Contribution(reason, p, -challenger), new Contribution("tx_sum_7d", Double.NaN, 1e-9))
                : List.of();
        TransactionEvent e = new TransactionEvent(tx, at, account, reason, TransactionType.TRANSFER_OUT, amount,
                Currency.getInstance("JPY"), null, null, null, null, null, null, null, null, null);
        Decision d = new Decision(Decision.decisionIdFor(tx), e, VerdictPolicy.combine(hits), hits,
                new ModelScore(p, (int) Math.round(p * 100), withAccount ? reason : null, shap), f,
                withAccount ? AuditFixtures.account() : null, new RuleSetVersion(reason, account), at.plusNanos(999), -7,
                withChallenger ? new ShadowScore(account, challenger, Verdict.BLOCK) : null);
        AuditedDecision a = new AuditedDecision(d, new EventSource(reason, account), raw);
        assertEquals(List.of(true), store.recordDecisions(List.of(a)));

        try (Connection c = pg.superUserConnection(AuditFixtures.DB); PreparedStatement ps = c.prepareStatement(
                "select audit_decision_canonical_v2(d), d.recorded_at from decision d where d.transaction_id = ?")) {
            ps.setString(1, Text.clean(tx));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                Instant recordedAt = rs.getObject(2, OffsetDateTime.class).toInstant();
                byte[] java = CanonicalRows.decision(CanonicalRows.DecisionValues.of(a), recordedAt,
                        new CanonicalRows.Buffer(256), null);
                assertArrayEquals(rs.getBytes(1), java);
            }
        }
    }

    @Property(tries = 30)
    void javaAndSqlShouldAgreeOnARejectionsCanonicalBytes(@ForAll("text") String ref, @ForAll("text") String message,
            @ForAll("time") Instant at, @ForAll boolean withTx, @ForAll byte[] raw) throws SQLException {
        String unique = ref + "#" + N.incrementAndGet();
        Rejection r = new Rejection(EventSource.http(unique), raw, RejectReason.WRONG_TYPE, message, withTx ? message : null, at);
        store.recordRejections(List.of(r));
        try (Connection c = pg.superUserConnection(AuditFixtures.DB); PreparedStatement ps = c.prepareStatement(
                "select audit_rejection_canonical_v2(r), r.recorded_at from rejection r where r.source_ref = ?")) {
            ps.setString(1, Text.clean(unique));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                byte[] java = CanonicalRows.rejection(CanonicalRows.RejectionValues.of(r),
                        rs.getObject(2, OffsetDateTime.class).toInstant(), new CanonicalRows.Buffer(64), null);
                assertArrayEquals(rs.getBytes(1), java);
            }
        }
    }

    @Property(tries = 200)
    void numericSendShouldBeReadBackAsTheSameDigitsAndScale(@ForAll("amount") BigDecimal v) throws SQLException {
        BigDecimal plain = v.scale() < 0 ? v.setScale(0) : v;
        // The row written by COPY (binary numeric) prints exactly the text Java hashed
        String tx = "num#" + N.incrementAndGet();
        TransactionEvent e = new TransactionEvent(tx, Instant.EPOCH, "a", "c", TransactionType.PURCHASE, v,
                Currency.getInstance("EUR"), null, null, null, null, null, null, null, null, null);
        Decision d = new Decision(Decision.decisionIdFor(tx), e, Verdict.ALLOW, List.of(), ModelScore.of(0.5, "m"),
                AuditFixtures.features(), null, AuditFixtures.RULES, Instant.EPOCH, 1);
        store.recordDecisions(List.of(new AuditedDecision(d, EventSource.http(tx), new byte[0])));
        try (Connection c = pg.superUserConnection(AuditFixtures.DB); PreparedStatement ps = c.prepareStatement(
                "select amount::text, amount from decision where transaction_id = ?")) {
            ps.setString(1, tx);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(plain.toPlainString(), rs.getString(1));
                assertEquals(plain, rs.getBigDecimal(2));
            }
        }
    }
}
