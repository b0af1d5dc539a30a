package dev.vigil.cli;

import dev.vigil.audit.AuditChain;
import dev.vigil.audit.AuditVerifier;
import dev.vigil.config.Settings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil audit verify}: recomputes the audit hash chain and checks the signed checkpoints
 * (key from {@value AuditChain#KEY_ENV}). Exit code 0 when intact, 1 when broken, 2 when it could
 * not verify.
 */
@Command(name = "verify", description = "Recompute the audit hash chain and check the signed checkpoints "
        + "(key from VIGIL_AUDIT_HMAC_KEY); report the first broken link. Exit 0 intact, 1 broken.")
public final class AuditVerifyCommand implements Callable<Integer> {
    @Option(names = "--from", description = "First chain_seq to check (default 1: the whole chain, anchored at genesis).")
    long from = 1;

    @Option(names = "--to", description = "Last chain_seq to check (default: the end of the chain).")
    long to = Long.MAX_VALUE;

    @Option(names = "--from-time", description = "Check only links of rows recorded at or after this instant (ISO-8601, e.g. 2026-11-01T00:00:00Z).")
    Instant fromTime;

    @Option(names = "--to-time", description = "Check only links of rows recorded before this instant (ISO-8601).")
    Instant toTime;

    @Override
    public Integer call() {
        Settings s = Settings.load();
        try (AuditDatabase db = AuditDatabase.open(s)) {
            byte[] key = AuditChain.keyFromEnvironment().orElse(null);
            Connection c = db.connection();
            long lo = from;
            long hi = to;
            if (fromTime != null || toTime != null) {
                Optional<long[]> seqs = AuditVerifier.seqRangeRecorded(c,
                        fromTime == null ? Instant.EPOCH : fromTime, toTime == null ? Instant.parse("9999-01-01T00:00:00Z") : toTime);
                if (seqs.isEmpty()) {
                    System.out.println("no audit rows were recorded in that time range: nothing to verify");
                    return 0;
                }
                lo = Math.max(lo, seqs.get()[0]);
                hi = Math.min(hi, seqs.get()[1]);
                if (hi < lo) {
                    System.out.println("the time range and the chain_seq range do not overlap: nothing to verify");
                    return 0;
                }
            }
            AuditVerifier.Report r = AuditVerifier.verify(c, key, lo, hi);
            System.out.println(describe(r));
            return r.intact() ? 0 : 1;
        } catch (SQLException | IllegalArgumentException e) {
            System.err.println("audit verify: could not verify: " + e.getMessage());
            return 2;
        }
    }

    static String describe(AuditVerifier.Report r) {
        StringBuilder b = new StringBuilder();
        if (r.intact()) {
            b.append("INTACT: ").append(r.linksChecked()).append(" link(s) recomputed")
                    .append(r.linksChecked() > 0 ? ", chain_seq " + (r.lastSeq() - r.linksChecked() + 1) + ".." + r.lastSeq() : "")
                    .append("; ").append(r.checkpointsChecked()).append(" checkpoint(s) verified");
        } else {
            AuditVerifier.Finding f = r.firstBreak().orElseThrow();
            b.append("BROKEN at chain_seq ").append(f.chainSeq()).append(": ").append(f.problem()).append(": ")
                    .append(f.detail());
            for (AuditVerifier.Finding more : r.findings().subList(1, r.findings().size())) {
                b.append(System.lineSeparator()).append("  also at chain_seq ").append(more.chainSeq()).append(": ")
                        .append(more.problem()).append(": ").append(more.detail());
            }
            b.append(System.lineSeparator()).append("  ").append(r.linksChecked()).append(" link(s) verified before the break");
        }
        for (String note : r.notes()) b.append(System.lineSeparator()).append("  note: ").append(note);
        return b.toString();
    }
}
