package dev.vigil.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention: archives whole monthly partitions older than a cut-off, oldest first, each only after
 * its chain verified, into a self-verifying file ({@code audit-YYYY-MM.jsonl.gz}: a manifest line,
 * then every row in chain order with its canonical bytes and hash), records the file's SHA-256 in
 * the append-only {@code audit_archive}, and then drops the partition's tables. The next partition's
 * anchor is then checked against the archive record, so what remains still verifies.
 *
 * <p>Needs the schema owner or a superuser (it drops tables). It stops at the first partition that
 * does not verify, and archives nothing from there on.
 */
public final class AuditRetention {
    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);
    /** The archive file's format, named in its manifest line. */
    public static final String FORMAT = "vigil-audit-archive/1";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AuditRetention() {}

    /** One partition archived. */
    public record Archived(YearMonth month, long decisions, long rejections, long lastSeq, Path file, String sha256,
            long bytes) {}

    /**
     * What a run did.
     *
     * @param refused the partition that was due but did not verify (nothing after it was archived), or null
     * @param refusal why, naming the first broken link
     */
    public record Result(List<Archived> archived, YearMonth refused, String refusal) {
        public Result {
            archived = List.copyOf(archived);
        }
    }

    /** The months whose partitions end on or before {@code cutoff} and are not archived yet, oldest first. */
    public static List<YearMonth> due(Connection c, Instant cutoff) throws SQLException {
        List<YearMonth> out = new ArrayList<>();
        for (AuditVerifier.Partition p : AuditVerifier.partitions(c).values()) {
            Instant end = p.month().plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            if (p.archivedLastSeq() == null && !end.isAfter(cutoff)) out.add(p.month());
        }
        return out;
    }

    /**
     * Archives every partition due at {@code cutoff} into {@code archiveDir}.
     *
     * @param key the checkpoint key, so the verification before archiving includes the signatures; null
     *     to verify the chain alone
     */
    public static Result archive(Connection c, Instant cutoff, Path archiveDir, byte[] key) throws SQLException {
        Objects.requireNonNull(cutoff, "cutoff");
        Objects.requireNonNull(archiveDir, "archiveDir");
        List<Archived> done = new ArrayList<>();
        for (YearMonth m : due(c, cutoff)) {
            AuditVerifier.Segment s = AuditVerifier.verifyPartition(c, key, m);
            if (!s.intact()) {
                String why = s.findings().get(0).toString();
                log.warn("audit retention: {} not archived, its chain does not verify: {}", m, why);
                return new Result(done, m, why);
            }
            done.add(archiveOne(c, m, archiveDir));
        }
        return new Result(done, null, null);
    }

    private static Archived archiveOne(Connection c, YearMonth m, Path dir) throws SQLException {
        AuditVerifier.Partition p = AuditVerifier.partitions(c).get(m);
        Path file = dir.resolve("audit-" + m + ".jsonl.gz");
        long[] counts = new long[3]; // decisions, rejections, last seq
        byte[][] head = {p.anchorHash()};
        String sha;
        long bytes;
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "audit-" + m, ".part");
            MessageDigest digest = AuditChain.sha256();
            try (OutputStream raw = Files.newOutputStream(tmp);
                    DigestOutputStream hashed = new DigestOutputStream(raw, digest);
                    GZIPOutputStream gz = new GZIPOutputStream(hashed);
                    JsonGenerator json = new JsonFactory().createGenerator(gz, JsonEncoding.UTF8)) {
                json.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
                writeManifest(json, c, p);
                writeRows(json, c, m, counts, head);
                json.writeRaw('\n');
            }
            sha = HexFormat.of().formatHex(digest.digest());
            bytes = Files.size(tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the audit archive " + file, e);
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (PreparedStatement ps = c.prepareStatement("insert into audit_archive (month, decisions, rejections, last_seq,"
                    + " head_hash, file_name, file_sha256, file_bytes) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setObject(1, m.atDay(1));
                ps.setLong(2, counts[0]);
                ps.setLong(3, counts[1]);
                ps.setLong(4, counts[2]);
                ps.setBytes(5, head[0]);
                ps.setString(6, file.getFileName().toString());
                ps.setString(7, sha);
                ps.setLong(8, bytes);
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement()) {
                for (String t : List.of(p.decisionTable(), p.rejectionTable())) {
                    String parent = t.startsWith("decision") ? "decision" : "rejection";
                    st.execute("alter table " + parent + " detach partition " + t);
                    st.execute("drop table " + t);
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
        log.info("audit retention: archived {} ({} decisions, {} rejections) to {} sha256 {}", m, counts[0], counts[1], file, sha);
        return new Archived(m, counts[0], counts[1], counts[2], file, sha, bytes);
    }

    private static void writeManifest(JsonGenerator json, Connection c, AuditVerifier.Partition p) throws IOException, SQLException {
        json.writeStartObject();
        json.writeStringField("format", FORMAT);
        json.writeStringField("month", p.month().toString());
        json.writeStringField("anchor_month", p.anchorMonth() == null ? null : p.anchorMonth().toString());
        json.writeNumberField("anchor_seq", p.anchorSeq());
        json.writeStringField("anchor_hash", AuditChain.hex(p.anchorHash()));
        json.writeStringField("canonical_form", "v2: audit_decision_canonical_v2 / audit_rejection_canonical_v2 (audit-schema/V006)");
        json.writeArrayFieldStart("checkpoints");
        try (PreparedStatement ps = c.prepareStatement("select chain_seq, head_hash, signature, created_at from"
                + " audit_partition_checkpoint where month = ? order by chain_seq, id")) {
            ps.setObject(1, p.month().atDay(1));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    json.writeStartObject();
                    json.writeNumberField("chain_seq", rs.getLong(1));
                    json.writeStringField("head_hash", AuditChain.hex(rs.getBytes(2)));
                    json.writeStringField("signature", AuditChain.hex(rs.getBytes(3)));
                    json.writeStringField("created_at", rs.getString(4));
                    json.writeEndObject();
                }
            }
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void writeRows(JsonGenerator json, Connection c, YearMonth m, long[] counts, byte[][] head)
            throws IOException, SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false); // a cursor
        try (PreparedStatement ps = c.prepareStatement("""
                select chain_seq, kind, row_hash, canonical, row from (
                    select d.chain_seq, 'decision' as kind, d.row_hash, audit_decision_canonical_v2(d) as canonical,
                           row_to_json(d)::text as row from decision d where d.recorded_at >= ? and d.recorded_at < ?
                    union all
                    select r.chain_seq, 'rejection', r.row_hash, audit_rejection_canonical_v2(r), row_to_json(r)::text
                      from rejection r where r.recorded_at >= ? and r.recorded_at < ?) x
                 order by chain_seq""")) {
            ps.setFetchSize(1000);
            AuditVerifier.bindMonth(ps, 1, m);
            AuditVerifier.bindMonth(ps, 3, m);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    json.writeStartObject();
                    json.writeNumberField("chain_seq", rs.getLong(1));
                    json.writeStringField("kind", rs.getString(2));
                    json.writeStringField("row_hash", AuditChain.hex(rs.getBytes(3)));
                    json.writeStringField("canonical", Base64.getEncoder().encodeToString(rs.getBytes(4)));
                    json.writeFieldName("row");
                    json.writeRawValue(rs.getString(5));
                    json.writeEndObject();
                    counts["decision".equals(rs.getString(2)) ? 0 : 1]++;
                    counts[2] = rs.getLong(1);
                    head[0] = rs.getBytes(3);
                }
            }
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
    }

    /**
     * Re-verifies an archive file with nothing but the file: every row's hash from the anchor in its
     * manifest, in chain order. Returns the head hash (hex) it reaches, which the {@code audit_archive}
     * row and the next partition's anchor name.
     *
     * @throws IllegalStateException naming the first row that does not verify
     */
    public static String verifyArchiveFile(Path file) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
                StandardCharsets.UTF_8))) {
            JsonNode manifest = MAPPER.readTree(r.readLine());
            if (!FORMAT.equals(manifest.path("format").asText())) throw new IllegalStateException(file + " is not a " + FORMAT);
            byte[] prev = HexFormat.of().parseHex(manifest.get("anchor_hash").asText());
            MessageDigest sha = AuditChain.sha256();
            long expected = 1;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank()) continue;
                JsonNode row = MAPPER.readTree(line);
                long seq = row.get("chain_seq").asLong();
                byte[] hash = HexFormat.of().parseHex(row.get("row_hash").asText());
                if (seq != expected) throw new IllegalStateException(file + ": chain_seq " + expected + " missing");
                if (!Arrays.equals(AuditChain.link(sha, prev, Base64.getDecoder().decode(row.get("canonical").asText())), hash)) {
                    throw new IllegalStateException(file + ": row at chain_seq " + seq + " does not verify");
                }
                prev = hash;
                expected++;
            }
            return AuditChain.hex(prev);
        }
    }

    /** Parses a retention age: {@code 7y}, {@code 18m} (months) or {@code 90d}. */
    public static java.time.Period parseAge(String s) {
        Map<Character, Integer> unit = Map.of('y', 0, 'm', 1, 'd', 2);
        String t = s.strip().toLowerCase(java.util.Locale.ROOT);
        if (t.length() < 2 || !unit.containsKey(t.charAt(t.length() - 1))) {
            throw new IllegalArgumentException("retention age must look like 7y, 18m or 90d, not " + s);
        }
        int n;
        try {
            n = Integer.parseInt(t.substring(0, t.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("retention age must look like 7y, 18m or 90d, not " + s);
        }
        if (n <= 0) throw new IllegalArgumentException("retention age must be positive: " + s);
        return switch (t.charAt(t.length() - 1)) {
            case 'y' -> java.time.Period.ofYears(n);
            case 'm' -> java.time.Period.ofMonths(n);
            default -> java.time.Period.ofDays(n);
        };
    }
}
