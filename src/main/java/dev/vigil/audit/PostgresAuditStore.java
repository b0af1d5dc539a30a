package dev.vigil.audit;

import dev.vigil.decision.ShadowScore;
import dev.vigil.decision.Verdict;
import dev.vigil.event.EventSource;
import dev.vigil.rules.RuleSetVersion;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
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
 * the call. Values always travel as bound parameters or in a binary COPY stream.
 *
 * <p>A failure while committing leaves the outcome unknown: the rows may or may not be there. A
 * retry is safe (recording is idempotent by transaction id and by source) but may then report
 * {@code false} for rows the failed call did write.
 *
 * <p>Calls are serialised on this object; use one store per writer thread for parallel writes.
 *
 * <p>Rows go to the month's partition of {@code decision} or {@code rejection} (V006), in the
 * compact v2 form, by binary COPY. Tamper evidence: each write transaction starts with
 * {@code audit_begin_write()}, which takes the writers' lock (so stores in several processes append
 * one transaction after another), opens the month's partition if needed and returns its chain head;
 * Java then builds each row's canonical bytes exactly as {@code audit_decision_canonical_v2} defines
 * them ({@link CanonicalRows}), chains the hashes into the rows themselves, and moves the head, all in
 * the same transaction. Transaction ids already recorded (in either segment) are checked under the
 * lock, so a redelivery writes no second row. When a checkpoint key is set, each write transaction
 * also records a checkpoint of the new head signed with it; {@link AuditVerifier} checks both.
 */
public final class PostgresAuditStore implements AuditSink {
    private static final Logger log = LoggerFactory.getLogger(PostgresAuditStore.class);

    /** The transaction-scoped advisory lock every writer takes first (the same constant as audit_begin_write in V006). */
    static final long WRITERS_LOCK = 6226088212036335716L;

    private static final String DECISION_COLUMNS = "id, decision_id, transaction_id, account_id, customer_id, event_time,"
            + " processed_at, recorded_at, source_channel, source_ref, amount, currency, transaction_type, verdict, hits,"
            + " features, account, rule_set_version, rule_set_hash, model_version, score, risk_score, latency_micros,"
            + " raw_event";
    private static final String SELECT_DECISION = "select " + DECISION_COLUMNS + ", features_format, risk_tier, contributions,"
            + " challenger_model_version, challenger_score, challenger_verdict, 'v2' as canonical_form"
            + " from decision where transaction_id = ?"
            + " union all select " + DECISION_COLUMNS.replace("hits,", "hits::text,").replace("features,", "features::text,")
                    .replace("account,", "account::text,")
            + ", null::smallint, null, null, null, null::float8, null, 'v1' from decision_v1 where transaction_id = ?";

    private final String url;
    private final String safeUrl;
    private final Properties props;
    private final byte[] checkpointKey; // null: no checkpoints
    private final MessageDigest sha256 = AuditChain.sha256(); // guarded by this
    private final CanonicalRows.Buffer canonicalBuffer = new CanonicalRows.Buffer(2048); // guarded by this
    private CanonicalRows.Buffer copy = new CanonicalRows.Buffer(1 << 16); // guarded by this
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
        // The transaction ids (cleaned as stored) are taken before the transaction starts; the rest of
        // each row is built inside the COPY loop, so Java builds the next rows while PostgreSQL stores the
        // last chunk. PostgreSQL is the slower side (audit-schema/README.md, "Speed"), so this does not
        // hold the writers' lock longer. A row that cannot be built (it cannot, short of a bug: the
        // records are validated) fails the call and costs the connection, as any failure does.
        List<AuditedDecision> rows = new ArrayList<>(decisions.size());
        List<String> rowIds = new ArrayList<>(decisions.size());
        String[] ids = new String[decisions.size()];
        boolean[] isFirst = new boolean[decisions.size()];
        Set<String> seen = new HashSet<>(2 * decisions.size()); // sized for the batch: no rehashing
        for (int i = 0; i < decisions.size(); i++) {
            AuditedDecision a = Objects.requireNonNull(decisions.get(i), "auditedDecision");
            ids[i] = Text.clean(a.decision().transactionId());
            isFirst[i] = seen.add(ids[i]);
            if (isFirst[i]) {
                rows.add(a);
                rowIds.add(ids[i]);
            }
        }
        Set<String> written = inTransaction("record " + decisions.size() + " decisions", c -> {
            // One round trip: the writers' lock and the head, then (under the lock) the ids already recorded.
            Set<String> existing = new HashSet<>();
            Head head;
            try (PreparedStatement ps = c.prepareStatement(BEGIN_WRITE_THEN_LOOKUPS
                    + " select transaction_id from decision where transaction_id = any(?)"
                    + " union all select transaction_id from decision_v1 where transaction_id = any(?)")) {
                String[] wanted = rowIds.toArray(String[]::new);
                ps.setObject(1, wanted);
                ps.setObject(2, wanted);
                head = executeBeginWrite(ps);
                if (!ps.getMoreResults()) throw new SQLException("the recorded ids' query returned no result", "P0002");
                try (ResultSet rs = ps.getResultSet()) {
                    while (rs.next()) existing.add(rs.getString(1));
                }
            }
            Set<String> inserted = new HashSet<>(2 * rows.size());
            CopyStream out = new CopyStream(c, CanonicalRows.DECISION_COPY);
            long seq = head.seq;
            byte[] prev = head.hash;
            for (int i = 0; i < rows.size(); i++) {
                if (existing.contains(rowIds.get(i))) continue; // recorded before: no second row, no link
                CanonicalRows.DecisionValues row = CanonicalRows.DecisionValues.of(rows.get(i));
                byte[] canonical = CanonicalRows.decision(row, head.recordedAt, canonicalBuffer, copy);
                prev = AuditChain.link(sha256, prev, canonical);
                CanonicalRows.link(copy, ++seq, prev);
                inserted.add(row.transactionId());
                out.rowDone();
            }
            if (!inserted.isEmpty()) {
                out.finish();
                moveHead(c, head, seq, prev);
            }
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
        List<CanonicalRows.RejectionValues> rows = new ArrayList<>(rejections.size());
        Set<List<String>> seen = new HashSet<>();
        for (Rejection r : rejections) {
            CanonicalRows.RejectionValues v = CanonicalRows.RejectionValues.of(Objects.requireNonNull(r, "rejection"));
            if (seen.add(List.of(v.sourceChannel(), v.sourceRef()))) rows.add(v);
        }
        int written = inTransaction("record " + rejections.size() + " rejections", c -> {
            // One round trip: the writers' lock and the head, then (under the lock) the sources already recorded.
            Set<List<String>> existing = new HashSet<>();
            Head head;
            try (PreparedStatement ps = c.prepareStatement(BEGIN_WRITE_THEN_LOOKUPS + """
                     select r.source_channel, r.source_ref from rejection r
                      join unnest(?::text[], ?::text[]) u(ch, ref) on r.source_channel = u.ch and r.source_ref = u.ref
                    union all
                    select r.source_channel, r.source_ref from rejection_v1 r
                      join unnest(?::text[], ?::text[]) u(ch, ref) on r.source_channel = u.ch and r.source_ref = u.ref""")) {
                String[] channels = rows.stream().map(CanonicalRows.RejectionValues::sourceChannel).toArray(String[]::new);
                String[] refs = rows.stream().map(CanonicalRows.RejectionValues::sourceRef).toArray(String[]::new);
                ps.setObject(1, channels);
                ps.setObject(2, refs);
                ps.setObject(3, channels);
                ps.setObject(4, refs);
                head = executeBeginWrite(ps);
                if (!ps.getMoreResults()) throw new SQLException("the recorded sources' query returned no result", "P0002");
                try (ResultSet rs = ps.getResultSet()) {
                    while (rs.next()) existing.add(List.of(rs.getString(1), rs.getString(2)));
                }
            }
            CopyStream out = new CopyStream(c, CanonicalRows.REJECTION_COPY);
            long seq = head.seq;
            byte[] prev = head.hash;
            int n = 0;
            for (CanonicalRows.RejectionValues row : rows) {
                if (existing.contains(List.of(row.sourceChannel(), row.sourceRef()))) continue;
                byte[] canonical = CanonicalRows.rejection(row, head.recordedAt, canonicalBuffer, copy);
                prev = AuditChain.link(sha256, prev, canonical);
                CanonicalRows.link(copy, ++seq, prev);
                n++;
                out.rowDone();
            }
            if (n > 0) {
                out.finish();
                moveHead(c, head, seq, prev);
            }
            return n;
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
     * Signs, with {@code key}, every chain head not yet covered by a checkpoint: each monthly
     * partition's and the frozen v1 chain's. For a scheduler when the store itself has no key, or to
     * close the chains before a shutdown.
     *
     * @return how many heads were signed now (0 when every head was already checkpointed)
     */
    public synchronized int checkpoint(byte[] key) {
        byte[] k = AuditChain.checkKey(key);
        return inTransaction("checkpoint the audit chains", c -> {
            try (Statement st = c.createStatement()) {
                st.execute("select pg_advisory_xact_lock(" + WRITERS_LOCK + ")");
            }
            int signed = 0;
            List<Object[]> heads = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select month, chain_seq, head_hash from audit_partition_head where chain_seq > last_checkpoint_seq for update")) {
                while (rs.next()) heads.add(new Object[] {rs.getObject(1, LocalDate.class), rs.getLong(2), rs.getBytes(3)});
            }
            for (Object[] h : heads) {
                Head head = new Head((LocalDate) h[0], null, (Long) h[1], (byte[]) h[2], 0);
                writeCheckpoint(c, k, head.month, head.seq, head.hash);
                try (PreparedStatement ps = c.prepareStatement("update audit_partition_head set last_checkpoint_seq = chain_seq where month = ?")) {
                    ps.setObject(1, head.month);
                    ps.executeUpdate();
                }
                signed++;
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select chain_seq, head_hash from audit_chain_head where chain_seq > last_checkpoint_seq for update")) {
                if (rs.next()) {
                    long seq = rs.getLong(1);
                    byte[] hash = rs.getBytes(2);
                    try (PreparedStatement ps = c.prepareStatement(
                            "insert into audit_checkpoint (chain_seq, head_hash, signature) values (?, ?, ?)")) {
                        ps.setLong(1, seq);
                        ps.setBytes(2, hash);
                        ps.setBytes(3, AuditChain.sign(k, seq, hash));
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps = c.prepareStatement("update audit_chain_head set last_checkpoint_seq = chain_seq")) {
                        ps.executeUpdate();
                    }
                    signed++;
                }
            }
            return signed;
        });
    }

    /** Rows in the decision table. */
    public synchronized long countDecisions() {
        return inTransaction("count decisions", c -> count(c, "select (select count(*) from decision) + (select count(*) from decision_v1)"));
    }

    /** Rows in the rejection table. */
    public synchronized long countRejections() {
        return inTransaction("count rejections", c -> count(c, "select (select count(*) from rejection) + (select count(*) from rejection_v1)"));
    }

    /** The stored decision for {@code transactionId}, if one was recorded. */
    public synchronized Optional<StoredDecision> findDecision(String transactionId) {
        Objects.requireNonNull(transactionId, "transactionId");
        return inTransaction("find decision " + transactionId, c -> findDecision(c, transactionId));
    }

    /** The stored decision for {@code transactionId} on any connection that may read the audit tables. */
    static Optional<StoredDecision> findDecision(Connection c, String transactionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_DECISION)) {
            ps.setString(1, Text.clean(transactionId));
            ps.setString(2, Text.clean(transactionId));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(storedDecision(rs)) : Optional.<StoredDecision>empty();
            }
        }
    }

    @Override
    public synchronized Optional<EventSource> recordedSource(String transactionId) {
        Objects.requireNonNull(transactionId, "transactionId");
        return inTransaction("find the source of " + transactionId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "select source_channel, source_ref from decision where transaction_id = ?"
                            + " union all select source_channel, source_ref from decision_v1 where transaction_id = ?")) {
                ps.setString(1, Text.clean(transactionId));
                ps.setString(2, Text.clean(transactionId));
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

    /**
     * Opens this month's partition now, if no row has opened it yet. Creating a partition locks
     * {@code decision} and {@code rejection} for a moment; done at start, before traffic, it cannot
     * queue behind another session's lock and hold up readers behind it (the first write of each
     * later month still opens that month). Writes no row: the month's chain stays as it was.
     */
    public synchronized void openCurrentMonth() {
        inTransaction("open this month's partition", c -> beginWrite(c));
    }

    /** A partition's chain head, locked until the transaction ends, and the recorded_at of the transaction's rows. */
    private record Head(LocalDate month, Instant recordedAt, long seq, byte[] hash, long lastCheckpoint) {}

    /** Takes the writers' lock, opens the month's partition if needed, and returns its head (locked) and the rows' recorded_at. */
    private static final String BEGIN_WRITE = "select * from audit_begin_write()";

    /**
     * Run first in a write transaction, so that the lookups of the ids already recorded read the id indexes. Without
     * it, the plan PostgreSQL cached for a lookup while the month's partition was still small (a few rows: a
     * sequential scan is cheapest) stayed in use until autovacuum first analyzed the partition, a minute or two later,
     * and every batch meanwhile read the whole partition. Measured from a new database (AuditWriteBench, batches of
     * 2): 11,181 such scans read 125 million rows in 45 s, and PostgreSQL's CPU a row rose from 1.0 to 3.5 ms; with
     * this it stays at 0.3 ms. In {@code vigil bench} at 1,000 requests/s, answers fell 22 s behind until the analyze.
     * A new month's partition starts small in the same way. The transaction's other statements are the chain head's
     * (one row a month, by its key) and the COPY, which this does not change.
     */
    private static final String LOOKUPS_BY_INDEX = "set local enable_seqscan = off";

    /** The start of a write whose next statement looks up recorded rows: {@link #LOOKUPS_BY_INDEX}, then {@link #BEGIN_WRITE}. */
    private static final String BEGIN_WRITE_THEN_LOOKUPS = LOOKUPS_BY_INDEX + "; " + BEGIN_WRITE + ";";

    /** Executes a statement that starts with {@link #BEGIN_WRITE_THEN_LOOKUPS}; returns the head, leaving the lookup's result next. */
    private static Head executeBeginWrite(PreparedStatement ps) throws SQLException {
        ps.execute(); // the SET's result
        if (!ps.getMoreResults()) throw new SQLException("audit_begin_write() returned no result", "P0002");
        return head(ps);
    }

    /** Runs {@link #BEGIN_WRITE} on its own. */
    private static Head beginWrite(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BEGIN_WRITE)) {
            ps.execute();
            return head(ps);
        }
    }

    /** The head from the current result of a statement that began with {@link #BEGIN_WRITE}. */
    private static Head head(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.getResultSet()) {
            if (rs == null || !rs.next()) throw new SQLException("audit_begin_write() returned no head", "P0002");
            return new Head(rs.getObject(1, LocalDate.class), rs.getObject(2, OffsetDateTime.class).toInstant(),
                    rs.getLong(3), rs.getBytes(4), rs.getLong(5));
        }
    }

    /**
     * A binary COPY fed while the rows are encoded: each 64 KB goes to the server as soon as it is
     * ready, so PostgreSQL stores one chunk while Java hashes the next (on two cores the write costs
     * about the larger of the two, not their sum). Nothing is sent for a batch with no new row.
     */
    private final class CopyStream {
        private final Connection c;
        private final String sql;
        private CopyIn in;

        CopyStream(Connection c, String sql) {
            this.c = c;
            this.sql = sql;
            CanonicalRows.startCopy(copy);
        }

        void rowDone() throws SQLException {
            if (copy.n >= 1 << 16) flush();
        }

        void finish() throws SQLException {
            CanonicalRows.endCopy(copy);
            flush();
            in.endCopy();
            if (copy.a.length > 4 << 20) copy = new CanonicalRows.Buffer(1 << 17); // do not keep a huge row's buffer
        }

        private void flush() throws SQLException {
            if (in == null) in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
            in.writeToCopy(copy.a, 0, copy.n);
            copy.reset();
        }
    }

    /**
     * Moves the partition's head after the rows just copied and, when a key is set, records the
     * signed checkpoint of the new head in the same statement (one round trip).
     */
    private void moveHead(Connection c, Head head, long seq, byte[] hash) throws SQLException {
        boolean checkpoint = checkpointKey != null;
        String update = "update audit_partition_head set chain_seq = ?, head_hash = ?, last_checkpoint_seq = ? where month = ?";
        try (PreparedStatement ps = c.prepareStatement(!checkpoint ? update
                : "with checkpoint as (insert into audit_partition_checkpoint (month, chain_seq, head_hash, signature)"
                        + " values (?, ?, ?, ?)) " + update)) {
            int p = 1;
            if (checkpoint) {
                ps.setObject(p++, head.month);
                ps.setLong(p++, seq);
                ps.setBytes(p++, hash);
                ps.setBytes(p++, AuditChain.sign(checkpointKey, head.month, seq, hash));
            }
            ps.setLong(p++, seq);
            ps.setBytes(p++, hash);
            ps.setLong(p++, checkpoint ? seq : head.lastCheckpoint);
            ps.setObject(p, head.month);
            if (ps.executeUpdate() != 1) throw new SQLException("audit_partition_head has no row for " + head.month, "P0002");
        }
    }

    /** A signed checkpoint of a month's chain at {@code seq}; package-private for the upgrade test, which writes old rows. */
    static void writeCheckpoint(Connection c, byte[] key, LocalDate month, long seq, byte[] hash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "insert into audit_partition_checkpoint (month, chain_seq, head_hash, signature) values (?, ?, ?, ?)")) {
            ps.setObject(1, month);
            ps.setLong(2, seq);
            ps.setBytes(3, hash);
            ps.setBytes(4, AuditChain.sign(key, month, seq, hash));
            ps.executeUpdate();
        }
    }

    private static StoredDecision storedDecision(ResultSet rs) throws SQLException {
        String form = rs.getString("canonical_form");
        int format = rs.getInt("features_format"); // 0 for v1 rows (jsonb columns)
        Map<String, Object> features = "v2".equals(form)
                ? CanonicalRows.readFeatures(format, rs.getString("features"))
                : AuditJson.readMap(rs.getString("features"));
        String challengerModel = rs.getString("challenger_model_version");
        double challengerScore = rs.getDouble("challenger_score");
        ShadowScore challenger = challengerModel == null ? null
                : new ShadowScore(challengerModel, challengerScore, Verdict.valueOf(rs.getString("challenger_verdict")));
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
                features,
                AuditJson.readAccount(format, rs.getString("account")),
                new RuleSetVersion(rs.getString("rule_set_version"), rs.getString("rule_set_hash")),
                rs.getString("model_version"),
                rs.getDouble("score"),
                rs.getInt("risk_score"),
                rs.getLong("latency_micros"),
                rs.getBytes("raw_event"),
                rs.getString("risk_tier"),
                AuditJson.readContributions(format, rs.getString("contributions")),
                challenger,
                form);
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
}
