package dev.vigil.audit;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Recomputes the audit hash chain from the stored rows and checks the signed checkpoints: the
 * evidence that no audit row was changed, removed, added or moved since it was written.
 *
 * <p>Rows are read in {@code chain_seq} order through a cursor (never all in memory), in one
 * REPEATABLE READ snapshot, so writers may go on meanwhile. Needs only SELECT (the
 * {@code vigil_auditor} role is enough). The verifier stops the chain walk at the first broken link
 * and names what is wrong; see {@link Problem}.
 */
public final class AuditVerifier {
    /** How far around a broken link to look for the row's content elsewhere in the chain. */
    static final int REORDER_WINDOW = 1000;
    private static final int FETCH = 1000;

    /** What a broken link means. */
    public enum Problem {
        /** The row's content is not what was hashed when it was written. */
        ROW_CHANGED,
        /** The link points to a row that no longer exists. */
        ROW_MISSING,
        /** chain_seq skips numbers: links were removed. */
        CHAIN_GAP,
        /** The row's content, or the link, belongs at another place in the chain. */
        ORDER_CHANGED,
        /** prev_hash is not the previous link's hash, and the link is not found elsewhere. */
        LINK_BROKEN,
        /** An audit row has no link: it was added outside Vigil. */
        UNCHAINED_ROW,
        /** audit_chain_head does not name the chain's last link. */
        HEAD_MISMATCH,
        /** A checkpoint's signature is not the key's HMAC of its chain_seq and head hash. */
        CHECKPOINT_SIGNATURE_INVALID,
        /** A correctly signed checkpoint names a head hash the chain does not have at its chain_seq. */
        CHECKPOINT_MISMATCH
    }

    /** One problem found, at a chain position (for UNCHAINED_ROW: the position after the chain's end). */
    public record Finding(Problem problem, long chainSeq, String detail) {
        public Finding {
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * The verdict.
     *
     * @param linksChecked links recomputed before the walk ended
     * @param lastSeq the last chain_seq reached (0 when none)
     * @param checkpointsChecked checkpoints whose signature and hash were checked (0 without a key)
     * @param checkpointsSeen checkpoints in the range
     * @param notes what was not checked, and why (no key, no checkpoints, range not anchored)
     * @param findings at most one per kind of walk, ordered by chain_seq
     */
    public record Report(long fromSeq, long toSeq, long linksChecked, long lastSeq, long checkpointsChecked,
            long checkpointsSeen, List<String> notes, List<Finding> findings) {
        public Report {
            notes = List.copyOf(notes);
            findings = findings.stream().sorted(Comparator.comparingLong(Finding::chainSeq)).toList();
        }

        /** True when no problem was found. */
        public boolean intact() {
            return findings.isEmpty();
        }

        /** The first broken link, by chain_seq. */
        public Optional<Finding> firstBreak() {
            return findings.stream().findFirst();
        }
    }

    private AuditVerifier() {}

    /** Verifies the whole chain. */
    public static Report verify(Connection c, byte[] key) throws SQLException {
        return verify(c, key, 1, Long.MAX_VALUE);
    }

    /**
     * Verifies links {@code fromSeq..toSeq} (inclusive) and the checkpoints in that range. A range not
     * starting at 1 starts from the stored prev_hash of its first link (only a full walk is anchored
     * at the genesis hash); only a full walk looks for unchained rows and checks the head.
     *
     * @param key the checkpoint HMAC key, or null to skip the signature checks (the report says so)
     */
    public static Report verify(Connection c, byte[] key, long fromSeq, long toSeq) throws SQLException {
        Objects.requireNonNull(c, "connection");
        if (fromSeq < 1 || toSeq < fromSeq) throw new IllegalArgumentException("bad range " + fromSeq + ".." + toSeq);
        boolean autoCommit = c.getAutoCommit();
        int isolation = c.getTransactionIsolation();
        c.setAutoCommit(false); // a cursor needs a transaction
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            return walk(c, key, fromSeq, toSeq);
        } finally {
            c.rollback();
            c.setTransactionIsolation(isolation);
            c.setAutoCommit(autoCommit);
        }
    }

    /**
     * The chain_seq range covering every chained row whose {@code recorded_at} is in
     * [{@code from}, {@code to}), for {@link #verify(Connection, byte[], long, long)}; empty when no row
     * is. recorded_at follows chain order only roughly (it is each transaction's start), so the range
     * may also hold a few rows just outside the window.
     */
    public static Optional<long[]> seqRangeRecorded(Connection c, Instant from, Instant to) throws SQLException {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        try (PreparedStatement ps = c.prepareStatement("""
                select min(l.chain_seq), max(l.chain_seq)
                  from audit_chain l
                  left join decision d on l.row_kind = 'decision' and d.id = l.row_id
                  left join rejection r on l.row_kind = 'rejection' and r.id = l.row_id
                 where coalesce(d.recorded_at, r.recorded_at) >= ? and coalesce(d.recorded_at, r.recorded_at) < ?""")) {
            ps.setObject(1, PostgresAuditStore.utc(from));
            ps.setObject(2, PostgresAuditStore.utc(to));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long lo = rs.getLong(1);
                if (rs.wasNull()) return Optional.empty();
                return Optional.of(new long[] {lo, rs.getLong(2)});
            }
        }
    }

    private static Report walk(Connection c, byte[] key, long fromSeq, long toSeq) throws SQLException {
        List<String> notes = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        boolean full = fromSeq == 1 && toSeq == Long.MAX_VALUE;
        MessageDigest sha = AuditChain.sha256();
        long expectedSeq = fromSeq;
        byte[] expectedPrev = fromSeq == 1 ? AuditChain.GENESIS : null;
        if (expectedPrev == null) notes.add("range starts at chain_seq " + fromSeq + ": its prev_hash is taken as stored");
        long checked = 0;
        long lastSeq = 0;
        byte[] lastHash = AuditChain.GENESIS;
        Finding chainBreak = null;
        try (PreparedStatement ps = c.prepareStatement("""
                select l.chain_seq, l.row_kind, l.row_id, l.prev_hash, l.row_hash,
                       case l.row_kind
                           when 'decision' then (select audit_decision_canonical(d) from decision d where d.id = l.row_id)
                           else (select audit_rejection_canonical(r) from rejection r where r.id = l.row_id)
                       end
                  from audit_chain l
                 where l.chain_seq between ? and ?
                 order by l.chain_seq""")) {
            ps.setFetchSize(FETCH);
            ps.setLong(1, fromSeq);
            ps.setLong(2, toSeq);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long seq = rs.getLong(1);
                    String kind = rs.getString(2);
                    long id = rs.getLong(3);
                    byte[] prev = rs.getBytes(4);
                    byte[] hash = rs.getBytes(5);
                    byte[] canonical = rs.getBytes(6);
                    String row = kind + " id " + id;
                    if (seq != expectedSeq) {
                        chainBreak = new Finding(Problem.CHAIN_GAP, expectedSeq, "chain_seq " + expectedSeq
                                + (seq - 1 > expectedSeq ? ".." + (seq - 1) : "") + " missing: the next link is " + seq
                                + " (links were removed)");
                        break;
                    }
                    if (canonical == null) {
                        chainBreak = new Finding(Problem.ROW_MISSING, seq, "the link names " + row
                                + ", which is not in the table (the row was removed)");
                        break;
                    }
                    if (expectedPrev != null && !Arrays.equals(prev, expectedPrev)) {
                        chainBreak = brokenPrev(c, seq, prev, row);
                        break;
                    }
                    byte[] computed = AuditChain.link(sha, prev, canonical);
                    if (!Arrays.equals(computed, hash)) {
                        chainBreak = changedRow(c, sha, seq, row, canonical);
                        break;
                    }
                    expectedSeq = seq + 1;
                    expectedPrev = hash;
                    lastSeq = seq;
                    lastHash = hash;
                    checked++;
                }
            }
        }
        if (chainBreak != null) findings.add(chainBreak);
        if (full && chainBreak == null) {
            Finding f = unchainedRow(c, lastSeq);
            if (f != null) findings.add(f);
            f = headMismatch(c, lastSeq, lastHash);
            if (f != null) findings.add(f);
        }
        long[] counts = new long[2];
        Finding cp = checkpoints(c, key, fromSeq, toSeq, counts, notes, lastSeq);
        if (cp != null) findings.add(cp);
        return new Report(fromSeq, toSeq, checked, lastSeq, counts[0], counts[1], notes, findings);
    }

    private static Finding brokenPrev(Connection c, long seq, byte[] prev, String row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select chain_seq from audit_chain where row_hash = ? and chain_seq <> ? order by chain_seq limit 1")) {
            ps.setBytes(1, prev);
            ps.setLong(2, seq - 1);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new Finding(Problem.ORDER_CHANGED, seq, "the link for " + row + " was written after chain_seq "
                            + rs.getLong(1) + ", not after " + (seq - 1) + " (links were moved)");
                }
            }
        }
        return new Finding(Problem.LINK_BROKEN, seq, "prev_hash " + AuditChain.hex(prev) + " is not the hash of chain_seq "
                + (seq - 1) + " (a link before it was removed, inserted or rewritten)");
    }

    private static Finding changedRow(Connection c, MessageDigest sha, long seq, String row, byte[] canonical)
            throws SQLException {
        // Content that hashes correctly at another position was moved there, not edited.
        try (PreparedStatement ps = c.prepareStatement(
                "select chain_seq, prev_hash, row_hash from audit_chain where chain_seq between ? and ? and chain_seq <> ?"
                        + " order by chain_seq")) {
            ps.setLong(1, seq - REORDER_WINDOW);
            ps.setLong(2, seq + REORDER_WINDOW);
            ps.setLong(3, seq);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (Arrays.equals(AuditChain.link(sha, rs.getBytes(2), canonical), rs.getBytes(3))) {
                        return new Finding(Problem.ORDER_CHANGED, seq, "the content of " + row + " is the row chained at"
                                + " chain_seq " + rs.getLong(1) + " (rows were swapped or reordered)");
                    }
                }
            }
        }
        return new Finding(Problem.ROW_CHANGED, seq, row + " is not the row that was chained: its content was changed");
    }

    private static Finding unchainedRow(Connection c, long lastSeq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                (select 'decision', id from decision d
                  where not exists (select 1 from audit_chain l where l.row_kind = 'decision' and l.row_id = d.id)
                  order by id limit 1)
                union all
                (select 'rejection', id from rejection r
                  where not exists (select 1 from audit_chain l where l.row_kind = 'rejection' and l.row_id = r.id)
                  order by id limit 1)""");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                return new Finding(Problem.UNCHAINED_ROW, lastSeq + 1, rs.getString(1) + " id " + rs.getLong(2)
                        + " has no link in audit_chain (it was added outside Vigil)");
            }
        }
        return null;
    }

    private static Finding headMismatch(Connection c, long lastSeq, byte[] lastHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select chain_seq, head_hash from audit_chain_head");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return new Finding(Problem.HEAD_MISMATCH, lastSeq, "audit_chain_head is empty");
            long seq = rs.getLong(1);
            if (seq != lastSeq || !Arrays.equals(rs.getBytes(2), lastHash)) {
                return new Finding(Problem.HEAD_MISMATCH, Math.min(seq, lastSeq) + 1, "audit_chain_head says chain_seq "
                        + seq + ", but the chain ends at " + lastSeq + (seq > lastSeq ? " (links were removed from the end)" : ""));
            }
        }
        return null;
    }

    private static Finding checkpoints(Connection c, byte[] key, long fromSeq, long toSeq, long[] counts,
            List<String> notes, long lastSeq) throws SQLException {
        long lastCheckpoint = 0;
        Finding found = null;
        try (PreparedStatement ps = c.prepareStatement("""
                select k.id, k.chain_seq, k.head_hash, k.signature, l.row_hash
                  from audit_checkpoint k left join audit_chain l on l.chain_seq = k.chain_seq
                 where k.chain_seq between ? and ?
                 order by k.chain_seq, k.id""")) {
            ps.setFetchSize(FETCH);
            ps.setLong(1, fromSeq);
            ps.setLong(2, toSeq);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts[1]++;
                    long seq = rs.getLong(2);
                    lastCheckpoint = Math.max(lastCheckpoint, seq);
                    if (key == null || found != null) continue;
                    counts[0]++;
                    byte[] head = rs.getBytes(3);
                    byte[] linkHash = rs.getBytes(5);
                    if (!AuditChain.signatureValid(key, seq, head, rs.getBytes(4))) {
                        found = new Finding(Problem.CHECKPOINT_SIGNATURE_INVALID, seq, "checkpoint id " + rs.getLong(1)
                                + " at chain_seq " + seq + " is not signed by this key (forged or altered)");
                    } else if (linkHash == null) {
                        found = new Finding(Problem.CHECKPOINT_MISMATCH, seq, "checkpoint id " + rs.getLong(1)
                                + " signs chain_seq " + seq + ", which the chain does not have (links were removed)");
                    } else if (!Arrays.equals(head, linkHash)) {
                        found = new Finding(Problem.CHECKPOINT_MISMATCH, seq, "checkpoint id " + rs.getLong(1)
                                + " signs head " + AuditChain.hex(head) + " at chain_seq " + seq + ", but the chain has "
                                + AuditChain.hex(linkHash) + " there (the chain was rewritten)");
                    }
                }
            }
        }
        if (key == null) {
            notes.add(counts[1] + " checkpoint(s) not checked: no key (set " + AuditChain.KEY_ENV
                    + "); a chain rebuilt by someone without the key would not be detected");
        } else if (counts[1] == 0) {
            notes.add("no checkpoints in range: a chain rebuilt by someone without the key would not be detected");
        } else if (lastSeq > lastCheckpoint) {
            notes.add((lastSeq - lastCheckpoint) + " link(s) after the last checkpoint (chain_seq " + lastCheckpoint
                    + ") are covered by no signature yet");
        }
        return found;
    }
}
