package dev.vigil.audit;

import dev.vigil.decision.Decision;
import dev.vigil.decision.Verdict;
import dev.vigil.event.EventSource;
import dev.vigil.event.TransactionEvent;
import dev.vigil.rules.RuleSetVersion;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit store in PostgreSQL (schema in {@code audit-schema/}), used as the {@code vigil_app}
 * role, which may only insert and read.
 *
 * <p>Each call is one transaction on one connection: every row of the call is committed, or none
 * is and the call throws {@link AuditUnavailableException}. After a failure the connection is
 * dropped and the next call opens a new one, so a restarted server is picked up without a restart
 * of Vigil; a connection found dead at the first statement of a call is replaced at once, within
 * the call. Values always travel as bound parameters.
 *
 * <p>A failure while committing leaves the outcome unknown: the rows may or may not be there. A
 * retry is safe (recording is idempotent by transaction id and by source) but may then report
 * {@code false} for rows the failed call did write.
 *
 * <p>Calls are serialised on this object; use one store per writer thread for parallel writes.
 *
 * <p>Tamper evidence: every row written joins one hash chain (table {@code audit_chain}, see
 * {@link AuditChain}) in the same transaction. Each write transaction locks the single
 * {@code audit_chain_head} row first, so stores in several processes append to one gapless chain
 * one transaction after another. When a checkpoint key is set, each write transaction also records
 * a checkpoint of the new head signed with it; {@link AuditVerifier} checks both.
 */
public final class PostgresAuditStore implements AuditSink {
    private static final Logger log = LoggerFactory.getLogger(PostgresAuditStore.class);

    /** Rows per INSERT statement; 22 parameters a row stays far below the protocol's 65,535. */
    static final int MAX_ROWS_PER_STATEMENT = 1000;

    private static final String DECISION_COLUMNS = "decision_id, transaction_id, account_id, customer_id, event_time, "
            + "processed_at, source_channel, source_ref, raw_event, amount, currency, transaction_type, features, "
            + "account, rule_set_version, rule_set_hash, model_version, score, risk_score, verdict, hits, latency_micros";
    private static final String DECISION_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), CAST(? AS jsonb), "
            + "?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?)";
    private static final String REJECTION_COLUMNS =
            "source_channel, source_ref, received_at, reason_code, message, transaction_id, raw_event";
    private static final String REJECTION_ROW = "(?, ?, ?, ?, ?, ?, ?)";
    private static final String SELECT_DECISION = "select id, decision_id, transaction_id, account_id, customer_id, "
            + "event_time, processed_at, recorded_at, source_channel, source_ref, amount, currency, transaction_type, "
            + "verdict, hits::text, features::text, account::text, rule_set_version, rule_set_hash, model_version, "
            + "score, risk_score, latency_micros, raw_event from decision where transaction_id = ?";

    private final String url;
    private final String safeUrl;
    private final Properties props;
    private final byte[] checkpointKey; // null: no checkpoints
    private final MessageDigest sha256 = AuditChain.sha256(); // guarded by this
    private Connection connection; // guarded by this; null after a failure
    private boolean closed;

    /**
     * Connects at once, with the checkpoint key from {@value AuditChain#KEY_ENV} (no checkpoints when
     * it is unset).
     *
     * @see #PostgresAuditStore(String, String, String, byte[])
     */
    public PostgresAuditStore(String jdbcUrl, String user, String password) {
        this(jdbcUrl, user, password, AuditChain.keyFromEnvironment().orElse(null));
    }

    /**
     * Connects at once, so a wrong URL or password shows at start.
     *
     * @param jdbcUrl e.g. {@code jdbc:postgresql://127.0.0.1:5432/vigil}; parameters in it override
     *     the defaults here (connectTimeout 5 s, socketTimeout 30 s, tcpKeepAlive,
     *     synchronous_commit on)
     * @param password may be null when the server does not ask for one
     * @param checkpointKey HMAC key (at least {@value AuditChain#MIN_KEY_BYTES} bytes) for a signed
     *     checkpoint after every write; null for none
     * @throws AuditUnavailableException when the first connection fails
     */
    public PostgresAuditStore(String jdbcUrl, String user, String password, byte[] checkpointKey) {
        this.checkpointKey = checkpointKey == null ? null : AuditChain.checkKey(checkpointKey);
        this.url = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        int q = jdbcUrl.indexOf('?');
        this.safeUrl = q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
        this.props = connectionProperties(user, password);
        synchronized (this) {
            try {
                connection();
            } catch (SQLException e) {
                throw unavailable("could not connect to the audit store", e);
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A transaction id that appears twice in {@code decisions} is written once, for its first
     * occurrence; the later ones answer false.
     */
    @Override
    public synchronized List<Boolean> recordDecisions(List<AuditedDecision> decisions) {
        Objects.requireNonNull(decisions, "decisions");
        if (decisions.isEmpty()) return List.of();
        // Everything that can fail without the database is done before the transaction starts.
        List<DecisionRow> rows = new ArrayList<>(decisions.size());
        String[] ids = new String[decisions.size()];
        boolean[] isFirst = new boolean[decisions.size()];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < decisions.size(); i++) {
            DecisionRow row = DecisionRow.of(decisions.get(i));
            ids[i] = row.transactionId;
            isFirst[i] = seen.add(row.transactionId);
            if (isFirst[i]) rows.add(row);
        }
        Set<String> written = inTransaction("record " + decisions.size() + " decisions", c -> {
            Head head = lockHead(c);
            List<Link> links = new ArrayList<>(rows.size());
            Set<String> inserted = new HashSet<>();
            for (int from = 0; from < rows.size(); from += MAX_ROWS_PER_STATEMENT) {
                List<DecisionRow> chunk = rows.subList(from, Math.min(rows.size(), from + MAX_ROWS_PER_STATEMENT));
                String sql = "insert into decision (" + DECISION_COLUMNS + ") values "
                        + String.join(", ", Collections.nCopies(chunk.size(), DECISION_ROW))
                        + " on conflict (transaction_id) do nothing"
                        + " returning transaction_id, id, audit_decision_canonical(decision)";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int p = 1;
                    for (DecisionRow r : chunk) p = r.bind(ps, p);
                    try (ResultSet rs = ps.executeQuery()) {
                        // Only the rows really inserted are returned, so duplicates get no link.
                        while (rs.next()) {
                            inserted.add(rs.getString(1));
                            links.add(new Link("decision", rs.getLong(2), rs.getBytes(3)));
                        }
                    }
                }
            }
            append(c, head, links);
            return inserted;
        });
        List<Boolean> result = new ArrayList<>(decisions.size());
        for (int i = 0; i < decisions.size(); i++) {
            result.add(isFirst[i] && written.contains(ids[i]));
        }
        log.debug("recorded {} of {} decisions", written.size(), decisions.size());
        return List.copyOf(result);
    }

    @Override
    public synchronized void recordRejections(List<Rejection> rejections) {
        Objects.requireNonNull(rejections, "rejections");
        if (rejections.isEmpty()) return;
        List<Rejection> rows = new ArrayList<>(rejections.size());
        Set<List<String>> seen = new HashSet<>();
        for (Rejection r : rejections) {
            Objects.requireNonNull(r, "rejection");
            if (seen.add(List.of(Text.clean(r.source().channel()), Text.clean(r.source().ref())))) rows.add(r);
        }
        int written = inTransaction("record " + rejections.size() + " rejections", c -> {
            Head head = lockHead(c);
            List<Link> links = new ArrayList<>(rows.size());
            for (int from = 0; from < rows.size(); from += MAX_ROWS_PER_STATEMENT) {
                List<Rejection> chunk = rows.subList(from, Math.min(rows.size(), from + MAX_ROWS_PER_STATEMENT));
                String sql = "insert into rejection (" + REJECTION_COLUMNS + ") values "
                        + String.join(", ", Collections.nCopies(chunk.size(), REJECTION_ROW))
                        + " on conflict (source_channel, source_ref) do nothing"
                        + " returning id, audit_rejection_canonical(rejection)";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int p = 1;
                    for (Rejection r : chunk) {
                        ps.setString(p++, Text.clean(r.source().channel()));
                        ps.setString(p++, Text.clean(r.source().ref()));
                        ps.setObject(p++, utc(r.receivedAt()));
                        ps.setString(p++, r.reason().name());
                        ps.setString(p++, Text.clean(r.message()));
                        ps.setString(p++, Text.clean(r.transactionId()));
                        ps.setBytes(p++, r.rawEvent());
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) links.add(new Link("rejection", rs.getLong(1), rs.getBytes(2)));
                    }
                }
            }
            append(c, head, links);
            return links.size();
        });
        log.debug("recorded {} of {} rejections", written, rejections.size());
    }

    /** True when {@code select 1} answers within 2 seconds (reconnecting if needed). */
    @Override
    public synchronized boolean isHealthy() {
        if (closed) return false;
        try {
            Connection c = connection();
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(2);
                try (ResultSet rs = st.executeQuery("select 1")) {
                    boolean ok = rs.next() && rs.getInt(1) == 1;
                    c.commit();
                    return ok;
                }
            }
        } catch (SQLException e) {
            log.warn("audit store at {} is not healthy: {}", safeUrl, e.getMessage());
            discardConnection();
            return false;
        }
    }

    /**
     * Records a checkpoint of the current chain head signed with {@code key}, unless the head is
     * already checkpointed (or the chain is empty). For a scheduler when the store itself has no key,
     * or to close the chain before a shutdown.
     *
     * @return the chain_seq checkpointed, or empty when nothing was new
     */
    public synchronized OptionalLong checkpoint(byte[] key) {
        byte[] k = AuditChain.checkKey(key);
        return inTransaction("checkpoint the audit chain", c -> {
            Head head = lockHead(c);
            if (head.seq == 0 || head.lastCheckpoint >= head.seq) return OptionalLong.empty();
            writeCheckpoint(c, k, head.seq, head.hash);
            try (PreparedStatement ps = c.prepareStatement("update audit_chain_head set last_checkpoint_seq = ?")) {
                ps.setLong(1, head.seq);
                ps.executeUpdate();
            }
            return OptionalLong.of(head.seq);
        });
    }

    /** Rows in the decision table. */
    public synchronized long countDecisions() {
        return inTransaction("count decisions", c -> count(c, "select count(*) from decision"));
    }

    /** Rows in the rejection table. */
    public synchronized long countRejections() {
        return inTransaction("count rejections", c -> count(c, "select count(*) from rejection"));
    }

    /** The stored decision for {@code transactionId}, if one was recorded. */
    public synchronized Optional<StoredDecision> findDecision(String transactionId) {
        Objects.requireNonNull(transactionId, "transactionId");
        return inTransaction("find decision " + transactionId, c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT_DECISION)) {
                ps.setString(1, Text.clean(transactionId));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(storedDecision(rs)) : Optional.<StoredDecision>empty();
                }
            }
        });
    }

    @Override
    public synchronized Optional<EventSource> recordedSource(String transactionId) {
        Objects.requireNonNull(transactionId, "transactionId");
        return inTransaction("find the source of " + transactionId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "select source_channel, source_ref from decision where transaction_id = ?")) {
                ps.setString(1, Text.clean(transactionId));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new EventSource(rs.getString(1), rs.getString(2)))
                            : Optional.<EventSource>empty();
                }
            }
        });
    }

    @Override
    public synchronized void close() {
        closed = true;
        discardConnection();
    }

    /** The chain head, locked until the transaction ends. */
    private record Head(long seq, byte[] hash, long lastCheckpoint) {}

    /** An inserted row waiting for its place in the chain. */
    private record Link(String kind, long id, byte[] canonical) {}

    private static Head lockHead(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "select chain_seq, head_hash, last_checkpoint_seq from audit_chain_head for update")) {
            if (!rs.next()) throw new SQLException("audit_chain_head is empty: the chain has no head", "P0002");
            return new Head(rs.getLong(1), rs.getBytes(2), rs.getLong(3));
        }
    }

    /** Chains {@code links} after {@code head}, moves the head, and checkpoints it when a key is set. */
    private void append(Connection c, Head head, List<Link> links) throws SQLException {
        if (links.isEmpty()) return;
        long seq = head.seq;
        byte[] prev = head.hash;
        int n = links.size();
        Long[] seqs = new Long[n];
        String[] kinds = new String[n];
        Long[] ids = new Long[n];
        byte[][] prevs = new byte[n][];
        byte[][] hashes = new byte[n][];
        for (int i = 0; i < n; i++) {
            Link l = links.get(i);
            byte[] hash = AuditChain.link(sha256, prev, l.canonical);
            seqs[i] = ++seq;
            kinds[i] = l.kind;
            ids[i] = l.id;
            prevs[i] = prev;
            hashes[i] = hash;
            prev = hash;
        }
        // Five arrays bind and plan far faster than five parameters a row.
        try (PreparedStatement ps = c.prepareStatement("insert into audit_chain (chain_seq, row_kind, row_id, prev_hash, row_hash)"
                + " select * from unnest(?::bigint[], ?::text[], ?::bigint[], ?::bytea[], ?::bytea[])")) {
            ps.setArray(1, c.createArrayOf("bigint", seqs));
            ps.setArray(2, c.createArrayOf("text", kinds));
            ps.setArray(3, c.createArrayOf("bigint", ids));
            ps.setArray(4, c.createArrayOf("bytea", prevs));
            ps.setArray(5, c.createArrayOf("bytea", hashes));
            ps.executeUpdate();
        }
        boolean checkpoint = checkpointKey != null;
        if (checkpoint) writeCheckpoint(c, checkpointKey, seq, prev);
        try (PreparedStatement ps = c.prepareStatement(
                "update audit_chain_head set chain_seq = ?, head_hash = ?, last_checkpoint_seq = ?")) {
            ps.setLong(1, seq);
            ps.setBytes(2, prev);
            ps.setLong(3, checkpoint ? seq : head.lastCheckpoint);
            ps.executeUpdate();
        }
    }

    private static void writeCheckpoint(Connection c, byte[] key, long seq, byte[] hash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "insert into audit_checkpoint (chain_seq, head_hash, signature) values (?, ?, ?)")) {
            ps.setLong(1, seq);
            ps.setBytes(2, hash);
            ps.setBytes(3, AuditChain.sign(key, seq, hash));
            ps.executeUpdate();
        }
    }

    private static StoredDecision storedDecision(ResultSet rs) throws SQLException {
        return new StoredDecision(
                rs.getLong("id"),
                rs.getObject("decision_id", UUID.class),
                rs.getString("transaction_id"),
                rs.getString("account_id"),
                rs.getString("customer_id"),
                instant(rs, "event_time"),
                instant(rs, "processed_at"),
                instant(rs, "recorded_at"),
                new EventSource(rs.getString("source_channel"), rs.getString("source_ref")),
                rs.getBigDecimal("amount"),
                rs.getString("currency"),
                rs.getString("transaction_type"),
                Verdict.valueOf(rs.getString("verdict")),
                AuditJson.readHits(rs.getString("hits")),
                AuditJson.readMap(rs.getString("features")),
                AuditJson.readMap(rs.getString("account")),
                new RuleSetVersion(rs.getString("rule_set_version"), rs.getString("rule_set_hash")),
                rs.getString("model_version"),
                rs.getDouble("score"),
                rs.getInt("risk_score"),
                rs.getLong("latency_micros"),
                rs.getBytes("raw_event"));
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(String what, Work<T> work) {
        if (closed) throw new IllegalStateException("audit store is closed");
        for (int attempt = 1; ; attempt++) {
            boolean reused = connection != null;
            Connection c;
            T result;
            try {
                c = connection();
                result = work.run(c);
            } catch (SQLException e) {
                discardConnection();
                // A connection that died while idle (a server restart) fails the first statement.
                // Nothing was committed then, so one retry on a new connection is exact, not a guess.
                if (attempt == 1 && reused && isConnectionLoss(e)) {
                    log.info("audit store connection was lost ({}); reconnecting", e.getSQLState());
                    continue;
                }
                throw unavailable("could not " + what, e);
            } catch (RuntimeException e) {
                discardConnection();
                throw e;
            }
            try {
                c.commit();
                return result;
            } catch (SQLException e) {
                discardConnection();
                throw unavailable("could not commit (outcome unknown; a retry is safe) " + what, e);
            }
        }
    }

    private static boolean isConnectionLoss(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = DriverManager.getConnection(url, props);
            try {
                c.setAutoCommit(false);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            connection = c;
            log.info("connected to the audit store at {} as {}", safeUrl, props.getProperty("user"));
        }
        return connection;
    }

    private void discardConnection() {
        Connection c = connection;
        connection = null;
        if (c == null) return;
        try {
            if (!c.isClosed()) c.rollback();
        } catch (SQLException ignored) {
            // The connection is going away; the server rolls back what it had.
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // Nothing more to release.
        }
    }

    private AuditUnavailableException unavailable(String what, SQLException e) {
        log.warn("audit store at {}: {} failed: {} (SQLState {})", safeUrl, what, e.getMessage(), e.getSQLState());
        return new AuditUnavailableException(what + " at " + safeUrl + " as " + props.getProperty("user") + ": "
                + e.getMessage(), e.getSQLState(), e);
    }

    /** The driver properties every store connection uses; URL parameters override them. */
    static Properties connectionProperties(String user, String password) {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        // A write that hangs on a dead peer must fail (and stop the pipeline) rather than wait forever.
        props.setProperty("socketTimeout", "30");
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "vigil-audit");
        // The sink promises durability when a call returns, whatever the server's default is.
        props.setProperty("options", "-c synchronous_commit=on");
        return props;
    }

    static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** One decision's column values, computed before any database work. */
    private record DecisionRow(AuditedDecision audited, String transactionId, String features, String account,
            String hits) {

        static DecisionRow of(AuditedDecision a) {
            Objects.requireNonNull(a, "auditedDecision");
            Decision d = a.decision();
            return new DecisionRow(a, Text.clean(d.transactionId()), AuditJson.features(d.features()),
                    AuditJson.account(d.account()), AuditJson.hits(d.hits()));
        }

        int bind(PreparedStatement ps, int p) throws SQLException {
            Decision d = audited.decision();
            TransactionEvent e = d.event();
            ps.setObject(p++, d.decisionId());
            ps.setString(p++, transactionId);
            ps.setString(p++, Text.clean(e.accountId()));
            ps.setString(p++, Text.clean(e.customerId()));
            ps.setObject(p++, utc(e.occurredAt()));
            ps.setObject(p++, utc(d.decidedAt()));
            ps.setString(p++, Text.clean(audited.source().channel()));
            ps.setString(p++, Text.clean(audited.source().ref()));
            ps.setBytes(p++, audited.rawEvent());
            ps.setBigDecimal(p++, e.amount());
            ps.setString(p++, e.currency().getCurrencyCode());
            ps.setString(p++, e.type().name());
            ps.setString(p++, features);
            if (account == null) ps.setNull(p++, Types.VARCHAR);
            else ps.setString(p++, account);
            ps.setString(p++, Text.clean(d.ruleSetVersion().label()));
            ps.setString(p++, Text.clean(d.ruleSetVersion().contentHash()));
            ps.setString(p++, Text.clean(d.modelVersion()));
            ps.setDouble(p++, d.score().probability());
            ps.setInt(p++, d.score().riskScore());
            ps.setString(p++, d.verdict().name());
            ps.setString(p++, hits);
            ps.setLong(p++, d.latencyMicros());
            return p;
        }
    }
}
