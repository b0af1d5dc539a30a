package dev.vigil.audit;

import dev.vigil.audit.AuditVerifier.Finding;
import dev.vigil.audit.AuditVerifier.Problem;
import dev.vigil.audit.AuditVerifier.Segment;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The frozen v1 segment: the global chain of V005 ({@code audit_chain}) over the rows written
 * before V006 ({@code decision_v1}, {@code rejection_v1}), with the v1 canonical form and the v1
 * checkpoints ({@code audit_checkpoint}). The walk is V005's, unchanged but for the table names.
 */
final class LegacyChainVerifier {
    static final int REORDER_WINDOW = 1000;
    private static final int FETCH = 1000;

    private LegacyChainVerifier() {}

    /** The hash of the v1 chain at chain_seq {@code seq}; the genesis hash for 0; null when there is no such link. */
    static byte[] hashAt(Connection c, long seq) throws SQLException {
        if (seq == 0) return AuditChain.GENESIS;
        try (PreparedStatement ps = c.prepareStatement("select row_hash from audit_chain where chain_seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    static Segment verify(Connection c, byte[] key) throws SQLException {
        long fromSeq = 1;
        long toSeq = Long.MAX_VALUE;
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
                           when 'decision' then (select audit_decision_canonical(d) from decision_v1 d where d.id = l.row_id)
                           else (select audit_rejection_canonical(r) from rejection_v1 r where r.id = l.row_id)
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
                        chainBreak = new Finding(Problem.CHAIN_GAP, AuditVerifier.V1, expectedSeq, "chain_seq " + expectedSeq
                                + (seq - 1 > expectedSeq ? ".." + (seq - 1) : "") + " missing: the next link is " + seq
                                + " (links were removed)");
                        break;
                    }
                    if (canonical == null) {
                        chainBreak = new Finding(Problem.ROW_MISSING, AuditVerifier.V1, seq, "the link names " + row
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
        // An empty v1 chain (a store created at V006 or later) has nothing to say.
        if (checked == 0 && findings.isEmpty() && counts[1] == 0) notes.clear();
        return new Segment(AuditVerifier.V1, checked, lastSeq, counts[0], counts[1], false, findings, notes);
    }

    private static Finding brokenPrev(Connection c, long seq, byte[] prev, String row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select chain_seq from audit_chain where row_hash = ? and chain_seq <> ? order by chain_seq limit 1")) {
            ps.setBytes(1, prev);
            ps.setLong(2, seq - 1);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new Finding(Problem.ORDER_CHANGED, AuditVerifier.V1, seq, "the link for " + row + " was written after chain_seq "
                            + rs.getLong(1) + ", not after " + (seq - 1) + " (links were moved)");
                }
            }
        }
        return new Finding(Problem.LINK_BROKEN, AuditVerifier.V1, seq, "prev_hash " + AuditChain.hex(prev) + " is not the hash of chain_seq "
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
                        return new Finding(Problem.ORDER_CHANGED, AuditVerifier.V1, seq, "the content of " + row + " is the row chained at"
                                + " chain_seq " + rs.getLong(1) + " (rows were swapped or reordered)");
                    }
                }
            }
        }
        return new Finding(Problem.ROW_CHANGED, AuditVerifier.V1, seq, row + " is not the row that was chained: its content was changed");
    }

    private static Finding unchainedRow(Connection c, long lastSeq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                (select 'decision', id from decision_v1 d
                  where not exists (select 1 from audit_chain l where l.row_kind = 'decision' and l.row_id = d.id)
                  order by id limit 1)
                union all
                (select 'rejection', id from rejection_v1 r
                  where not exists (select 1 from audit_chain l where l.row_kind = 'rejection' and l.row_id = r.id)
                  order by id limit 1)""");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                return new Finding(Problem.UNCHAINED_ROW, AuditVerifier.V1, lastSeq + 1, rs.getString(1) + " id " + rs.getLong(2)
                        + " has no link in audit_chain (it was added outside Vigil)");
            }
        }
        return null;
    }

    private static Finding headMismatch(Connection c, long lastSeq, byte[] lastHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select chain_seq, head_hash from audit_chain_head");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return new Finding(Problem.HEAD_MISMATCH, AuditVerifier.V1, lastSeq, "audit_chain_head is empty");
            long seq = rs.getLong(1);
            if (seq != lastSeq || !Arrays.equals(rs.getBytes(2), lastHash)) {
                return new Finding(Problem.HEAD_MISMATCH, AuditVerifier.V1, Math.min(seq, lastSeq) + 1, "audit_chain_head says chain_seq "
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
                        found = new Finding(Problem.CHECKPOINT_SIGNATURE_INVALID, AuditVerifier.V1, seq, "checkpoint id " + rs.getLong(1)
                                + " at chain_seq " + seq + " is not signed by this key (forged or altered)");
                    } else if (linkHash == null) {
                        found = new Finding(Problem.CHECKPOINT_MISMATCH, AuditVerifier.V1, seq, "checkpoint id " + rs.getLong(1)
                                + " signs chain_seq " + seq + ", which the chain does not have (links were removed)");
                    } else if (!Arrays.equals(head, linkHash)) {
                        found = new Finding(Problem.CHECKPOINT_MISMATCH, AuditVerifier.V1, seq, "checkpoint id " + rs.getLong(1)
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
