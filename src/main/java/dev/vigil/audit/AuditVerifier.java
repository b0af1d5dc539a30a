package dev.vigil.audit;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Recomputes the audit hash chains from the stored rows and checks the signed checkpoints: the
 * evidence that no audit row was changed, removed, added or moved since it was written.
 *
 * <p>The store has one chain per monthly partition (V006), each anchored to the previous
 * partition's head, and before them the frozen v1 chain of V005. Each chain ("segment") is walked in
 * chain_seq order through a cursor (never all in memory), all in one REPEATABLE READ snapshot, so
 * writers may go on meanwhile. Needs only SELECT (the {@code vigil_auditor} role is enough). A
 * segment's walk stops at its first broken link and names what is wrong; see {@link Problem}.
 */
public final class AuditVerifier {
    /** The name of the frozen segment of rows written before V006. */
    public static final String V1 = "v1";
    /** How far around a broken link to look for the row's content elsewhere in the chain. */
    static final int REORDER_WINDOW = 1000;
    private static final int FETCH = 1000;

    /** What a broken link means. */
    public enum Problem {
        /** The row's content is not what was hashed when it was written. */
        ROW_CHANGED,
        /** (v1) The link points to a row that no longer exists. */
        ROW_MISSING,
        /** chain_seq skips numbers: rows (or, in v1, links) were removed. */
        CHAIN_GAP,
        /** The row's content, or its place, belongs at another place in the chain. */
        ORDER_CHANGED,
        /** (v1) prev_hash is not the previous link's hash, and the link is not found elsewhere. */
        LINK_BROKEN,
        /** An audit row outside the chain: no link (v1) or a second row at a taken chain_seq. */
        UNCHAINED_ROW,
        /** The head the writers keep does not name the chain's last link. */
        HEAD_MISMATCH,
        /** A checkpoint's signature is not the key's HMAC of its chain_seq and head hash. */
        CHECKPOINT_SIGNATURE_INVALID,
        /** A correctly signed checkpoint names a head hash the chain does not have at its chain_seq. */
        CHECKPOINT_MISMATCH,
        /** A partition's chain does not start from the previous partition's hash it names. */
        ANCHOR_MISMATCH,
        /** A registered partition's tables are gone and no archive was recorded for it. */
        PARTITION_MISSING,
        /** A partition of decision or rejection that is not a registered month: rows outside every chain. */
        UNREGISTERED_PARTITION
    }

    /**
     * One problem found.
     *
     * @param segment {@value #V1} or the partition's month ({@code YYYY-MM}), or a table name for
     *     {@link Problem#UNREGISTERED_PARTITION}
     * @param chainSeq the position in that segment's chain (0 when the problem is the partition itself)
     */
    public record Finding(Problem problem, String segment, long chainSeq, String detail) {
        public Finding {
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(segment, "segment");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public String toString() {
            return segment + " chain_seq " + chainSeq + ": " + problem + ": " + detail;
        }
    }

    /**
     * The verdict on one chain.
     *
     * @param name {@value #V1} or the month {@code YYYY-MM}
     * @param linksChecked rows whose hash was recomputed before the walk ended
     * @param lastSeq the last chain_seq reached (0 when none)
     * @param archived true when the partition was archived by retention (nothing left to walk)
     */
    public record Segment(String name, long linksChecked, long lastSeq, long checkpointsChecked, long checkpointsSeen,
            boolean archived, List<Finding> findings, List<String> notes) {
        public Segment {
            findings = findings.stream().sorted(Comparator.comparingLong(Finding::chainSeq)).toList();
            notes = List.copyOf(notes);
        }

        public boolean intact() {
            return findings.isEmpty();
        }
    }

    /** The verdict on every segment checked, oldest first. */
    public record Report(List<Segment> segments, List<Finding> extraFindings) {
        public Report {
            segments = List.copyOf(segments);
            extraFindings = List.copyOf(extraFindings);
        }

        /** True when no problem was found. */
        public boolean intact() {
            return findings().isEmpty();
        }

        /** Every finding, oldest segment first, then by chain_seq. */
        public List<Finding> findings() {
            List<Finding> all = new ArrayList<>();
            for (Segment s : segments) all.addAll(s.findings());
            all.addAll(extraFindings);
            return all;
        }

        /** The first broken link: in the oldest broken segment, the lowest chain_seq. */
        public Optional<Finding> firstBreak() {
            return findings().stream().findFirst();
        }

        public long linksChecked() {
            return segments.stream().mapToLong(Segment::linksChecked).sum();
        }

        public long checkpointsChecked() {
            return segments.stream().mapToLong(Segment::checkpointsChecked).sum();
        }

        /** Every segment's notes, each prefixed with the segment's name. */
        public List<String> notes() {
            List<String> all = new ArrayList<>();
            for (Segment s : segments) for (String n : s.notes()) all.add(s.name() + ": " + n);
            return all;
        }
    }

    /** A registered partition, its head and its archive record if any. */
    record Partition(YearMonth month, YearMonth anchorMonth, long anchorSeq, byte[] anchorHash, Long headSeq,
            byte[] headHash, Long archivedLastSeq, byte[] archivedHeadHash, String archiveFile) {

        String decisionTable() {
            return tableName("decision", month);
        }

        String rejectionTable() {
            return tableName("rejection", month);
        }
    }

    private AuditVerifier() {}

    /** Verifies every chain: the v1 segment and every partition. */
    public static Report verify(Connection c, byte[] key) throws SQLException {
        return verify(c, key, null, null);
    }

    /**
     * Verifies the partitions of months {@code from..to} (inclusive; null for no bound), and the v1
     * segment too when {@code from} is null. Each partition's anchor is checked against its
     * predecessor even when the predecessor is outside the range.
     *
     * @param key the checkpoint HMAC key, or null to skip the signature checks (the report says so)
     */
    public static Report verify(Connection c, byte[] key, YearMonth from, YearMonth to) throws SQLException {
        Objects.requireNonNull(c, "connection");
        if (from != null && to != null && to.isBefore(from)) throw new IllegalArgumentException("bad range " + from + ".." + to);
        return inSnapshot(c, () -> {
            List<Segment> segments = new ArrayList<>();
            if (from == null) segments.add(LegacyChainVerifier.verify(c, key));
            Map<YearMonth, Partition> partitions = partitions(c);
            for (Partition p : partitions.values()) {
                if (from != null && p.month.isBefore(from)) continue;
                if (to != null && p.month.isAfter(to)) continue;
                segments.add(verifyPartition(c, key, p, partitions));
            }
            List<Finding> extra = from == null && to == null ? unregisteredPartitions(c, partitions) : List.of();
            return new Report(segments, extra);
        });
    }

    /** Verifies one partition's chain (for retention, before it archives the partition). */
    static Segment verifyPartition(Connection c, byte[] key, YearMonth month) throws SQLException {
        return inSnapshot(c, () -> {
            Map<YearMonth, Partition> partitions = partitions(c);
            Partition p = partitions.get(month);
            if (p == null) throw new IllegalArgumentException("no audit partition for " + month);
            return verifyPartition(c, key, p, partitions);
        });
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    private static <T> T inSnapshot(Connection c, Work<T> work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        int isolation = c.getTransactionIsolation();
        if (!autoCommit) c.rollback();
        c.setAutoCommit(false); // a cursor needs a transaction
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            return work.run();
        } finally {
            c.rollback();
            c.setTransactionIsolation(isolation);
            c.setAutoCommit(autoCommit);
        }
    }

    static String tableName(String parent, YearMonth month) {
        return String.format("%s_p%04d_%02d", parent, month.getYear(), month.getMonthValue());
    }

    static Map<YearMonth, Partition> partitions(Connection c) throws SQLException {
        Map<YearMonth, Partition> out = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                select p.month, p.anchor_month, p.anchor_seq, p.anchor_hash, h.chain_seq, h.head_hash,
                       a.last_seq, a.head_hash, a.file_name
                  from audit_partition p
                  left join audit_partition_head h on h.month = p.month
                  left join audit_archive a on a.month = p.month
                 order by p.month""")) {
            while (rs.next()) {
                YearMonth m = YearMonth.from(rs.getObject(1, LocalDate.class));
                LocalDate am = rs.getObject(2, LocalDate.class);
                out.put(m, new Partition(m, am == null ? null : YearMonth.from(am), rs.getLong(3), rs.getBytes(4),
                        (Long) rs.getObject(5), rs.getBytes(6), (Long) rs.getObject(7), rs.getBytes(8), rs.getString(9)));
            }
        }
        return out;
    }

    private static Segment verifyPartition(Connection c, byte[] key, Partition p, Map<YearMonth, Partition> all)
            throws SQLException {
        String name = p.month.toString();
        List<Finding> findings = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (p.archivedLastSeq != null) {
            notes.add("archived (" + p.archivedLastSeq + " link(s), file " + p.archiveFile + "); verified before it was archived");
            return new Segment(name, 0, p.archivedLastSeq, 0, 0, true, findings, notes);
        }
        if (!exists(c, p.decisionTable()) || !exists(c, p.rejectionTable())) {
            findings.add(new Finding(Problem.PARTITION_MISSING, name, 0, "the partition's tables " + p.decisionTable() + " / "
                    + p.rejectionTable() + " are gone and no archive was recorded (the month's rows were removed)"));
            return new Segment(name, 0, 0, 0, 0, false, findings, notes);
        }
        Finding anchor = checkAnchor(c, p, all, notes);
        if (anchor != null) findings.add(anchor);

        // Checkpoints are few (one per write transaction): read them first, match them during the walk.
        List<Object[]> checkpoints = new ArrayList<>();
        Map<Long, byte[]> hashAtCheckpoint = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select id, chain_seq, head_hash, signature from audit_partition_checkpoint where month = ? order by chain_seq, id")) {
            ps.setObject(1, p.month.atDay(1));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    checkpoints.add(new Object[] {rs.getLong(1), rs.getLong(2), rs.getBytes(3), rs.getBytes(4)});
                    hashAtCheckpoint.put(rs.getLong(2), null);
                }
            }
        }

        MessageDigest sha = AuditChain.sha256();
        long expectedSeq = 1;
        byte[] prev = p.anchorHash;
        long checked = 0;
        Finding chainBreak = null;
        try (PreparedStatement ps = c.prepareStatement("""
                select chain_seq, kind, id, row_hash, canonical from (
                    select d.chain_seq, 'decision' as kind, d.id, d.row_hash, audit_decision_canonical_v2(d) as canonical
                      from decision d where d.recorded_at >= ? and d.recorded_at < ?
                    union all
                    select r.chain_seq, 'rejection', r.id, r.row_hash, audit_rejection_canonical_v2(r)
                      from rejection r where r.recorded_at >= ? and r.recorded_at < ?) x
                 order by chain_seq, kind, id""")) {
            ps.setFetchSize(FETCH);
            bindMonth(ps, 1, p.month);
            bindMonth(ps, 3, p.month);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long seq = rs.getLong(1);
                    String row = rs.getString(2) + " id " + rs.getLong(3);
                    byte[] hash = rs.getBytes(4);
                    byte[] canonical = rs.getBytes(5);
                    if (seq < expectedSeq) {
                        chainBreak = new Finding(Problem.UNCHAINED_ROW, name, seq, row + " claims chain_seq " + seq
                                + ", which another row holds (a row was added outside Vigil)");
                        break;
                    }
                    if (seq > expectedSeq) {
                        chainBreak = new Finding(Problem.CHAIN_GAP, name, expectedSeq, "chain_seq " + expectedSeq
                                + (seq - 1 > expectedSeq ? ".." + (seq - 1) : "") + " missing: the next row is at " + seq
                                + " (rows were removed)");
                        break;
                    }
                    if (!Arrays.equals(AuditChain.link(sha, prev, canonical), hash)) {
                        chainBreak = changedRow(c, sha, p, seq, row, canonical, hash);
                        break;
                    }
                    if (hashAtCheckpoint.containsKey(seq)) hashAtCheckpoint.put(seq, hash);
                    prev = hash;
                    expectedSeq = seq + 1;
                    checked++;
                }
            }
        }
        long lastSeq = expectedSeq - 1;
        if (chainBreak != null) {
            findings.add(chainBreak);
        } else if (p.headSeq == null || p.headSeq != lastSeq || !Arrays.equals(p.headHash, prev)) {
            findings.add(new Finding(Problem.HEAD_MISMATCH, name, Math.min(p.headSeq == null ? 0 : p.headSeq, lastSeq) + 1,
                    "audit_partition_head says chain_seq " + p.headSeq + ", but the chain ends at " + lastSeq
                            + (p.headSeq != null && p.headSeq > lastSeq ? " (rows were removed from the end)" : "")));
        }

        long cpChecked = 0;
        Finding cpFinding = null;
        for (Object[] k : checkpoints) {
            if (key == null) break;
            long id = (Long) k[0];
            long seq = (Long) k[1];
            byte[] head = (byte[]) k[2];
            cpChecked++;
            if (!AuditChain.signatureValid(key, p.month.atDay(1), seq, head, (byte[]) k[3])) {
                cpFinding = new Finding(Problem.CHECKPOINT_SIGNATURE_INVALID, name, seq, "checkpoint id " + id + " at chain_seq "
                        + seq + " is not signed by this key (forged or altered)");
                break;
            }
            byte[] chainHash = hashAtCheckpoint.get(seq);
            if (chainHash == null && chainBreak == null) {
                cpFinding = new Finding(Problem.CHECKPOINT_MISMATCH, name, seq, "checkpoint id " + id + " signs chain_seq " + seq
                        + ", which the chain does not have (rows were removed)");
                break;
            }
            if (chainHash != null && !Arrays.equals(chainHash, head)) {
                cpFinding = new Finding(Problem.CHECKPOINT_MISMATCH, name, seq, "checkpoint id " + id + " signs head "
                        + AuditChain.hex(head) + " at chain_seq " + seq + ", but the chain has " + AuditChain.hex(chainHash)
                        + " there (the chain was rewritten)");
                break;
            }
        }
        if (cpFinding != null) findings.add(cpFinding);
        long lastCheckpoint = checkpoints.isEmpty() ? 0 : (Long) checkpoints.get(checkpoints.size() - 1)[1];
        if (key == null) {
            notes.add(checkpoints.size() + " checkpoint(s) not checked: no key (set " + AuditChain.KEY_ENV
                    + "); a chain rebuilt by someone without the key would not be detected");
        } else if (checkpoints.isEmpty() && lastSeq > 0) {
            notes.add("no checkpoints: a chain rebuilt by someone without the key would not be detected");
        } else if (lastSeq > lastCheckpoint) {
            notes.add((lastSeq - lastCheckpoint) + " row(s) after the last checkpoint (chain_seq " + lastCheckpoint
                    + ") are covered by no signature yet");
        }
        return new Segment(name, checked, lastSeq, cpChecked, checkpoints.size(), false, findings, notes);
    }

    private static Finding checkAnchor(Connection c, Partition p, Map<YearMonth, Partition> all, List<String> notes)
            throws SQLException {
        String name = p.month.toString();
        byte[] expected;
        String where;
        if (p.anchorMonth == null) {
            where = "the v1 chain";
            expected = LegacyChainVerifier.hashAt(c, p.anchorSeq);
        } else {
            where = "partition " + p.anchorMonth;
            Partition prev = all.get(p.anchorMonth);
            if (prev == null) {
                return new Finding(Problem.ANCHOR_MISMATCH, name, 1, "the chain is anchored to " + where
                        + ", which is not registered (a partition was removed)");
            }
            if (p.anchorSeq == 0) {
                expected = prev.anchorHash;
            } else if (prev.archivedLastSeq != null) {
                if (prev.archivedLastSeq != p.anchorSeq) {
                    notes.add("anchored at chain_seq " + p.anchorSeq + " of archived " + where + "; checked when it was archived");
                    return null;
                }
                expected = prev.archivedHeadHash;
            } else {
                expected = partitionHashAt(c, prev.month, p.anchorSeq);
            }
        }
        if (expected == null || !Arrays.equals(expected, p.anchorHash)) {
            return new Finding(Problem.ANCHOR_MISMATCH, name, 1, "the chain starts from " + AuditChain.hex(p.anchorHash)
                    + " as the hash at chain_seq " + p.anchorSeq + " of " + where + ", but "
                    + (expected == null ? "that position does not exist" : "the hash there is " + AuditChain.hex(expected))
                    + " (the partitions were cut apart or rewritten)");
        }
        return null;
    }

    /** The stored row_hash at {@code seq} of a partition, or null. */
    static byte[] partitionHashAt(Connection c, YearMonth month, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select row_hash from decision where recorded_at >= ? and recorded_at < ? and chain_seq = ?"
                        + " union all select row_hash from rejection where recorded_at >= ? and recorded_at < ? and chain_seq = ?")) {
            bindMonth(ps, 1, month);
            ps.setLong(3, seq);
            bindMonth(ps, 4, month);
            ps.setLong(6, seq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    private static Finding changedRow(Connection c, MessageDigest sha, Partition p, long seq, String row, byte[] canonical,
            byte[] ownHash) throws SQLException {
        // Stored hashes around the break: a row that fits elsewhere was moved, not edited.
        Map<Long, byte[]> hashes = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select chain_seq, row_hash from decision where recorded_at >= ? and recorded_at < ? and chain_seq between ? and ?"
                        + " union all select chain_seq, row_hash from rejection where recorded_at >= ? and recorded_at < ?"
                        + " and chain_seq between ? and ?")) {
            bindMonth(ps, 1, p.month);
            ps.setLong(3, seq - REORDER_WINDOW - 1);
            ps.setLong(4, seq + REORDER_WINDOW);
            bindMonth(ps, 5, p.month);
            ps.setLong(7, seq - REORDER_WINDOW - 1);
            ps.setLong(8, seq + REORDER_WINDOW);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) hashes.putIfAbsent(rs.getLong(1), rs.getBytes(2));
            }
        }
        hashes.put(0L, p.anchorHash);
        for (long k = Math.max(1, seq - REORDER_WINDOW); k <= seq + REORDER_WINDOW; k++) {
            if (k == seq) continue;
            byte[] before = hashes.get(k - 1);
            if (before == null) continue;
            byte[] fit = AuditChain.link(sha, before, canonical);
            if (Arrays.equals(fit, ownHash) || Arrays.equals(fit, hashes.get(k))) {
                return new Finding(Problem.ORDER_CHANGED, p.month.toString(), seq, "the content of " + row
                        + " belongs at chain_seq " + k + " (rows were swapped or reordered)");
            }
        }
        return new Finding(Problem.ROW_CHANGED, p.month.toString(), seq, row
                + " is not the row that was chained here: its content was changed, or a row before it was removed or inserted");
    }

    private static List<Finding> unregisteredPartitions(Connection c, Map<YearMonth, Partition> partitions)
            throws SQLException {
        List<Finding> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                select c.relname, p.relname from pg_inherits i
                  join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
                 where p.relname in ('decision', 'rejection') and p.relnamespace = 'public'::regnamespace
                 order by c.relname""")) {
            while (rs.next()) {
                String table = rs.getString(1);
                boolean known = partitions.values().stream().anyMatch(p -> p.archivedLastSeq == null
                        && (table.equals(p.decisionTable()) || table.equals(p.rejectionTable())));
                if (!known) {
                    out.add(new Finding(Problem.UNREGISTERED_PARTITION, table, 0, "partition " + table + " of "
                            + rs.getString(2) + " is no registered month's: its rows are outside every chain"));
                }
            }
        }
        return out;
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select to_regclass(?) is not null")) {
            ps.setString(1, "public." + table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    static void bindMonth(PreparedStatement ps, int index, YearMonth month) throws SQLException {
        ps.setObject(index, OffsetDateTime.of(month.atDay(1).atStartOfDay(), ZoneOffset.UTC));
        ps.setObject(index + 1, OffsetDateTime.of(month.plusMonths(1).atDay(1).atStartOfDay(), ZoneOffset.UTC));
    }
}
