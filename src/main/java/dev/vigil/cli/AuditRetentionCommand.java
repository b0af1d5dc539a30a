package dev.vigil.cli;

import dev.vigil.audit.AuditChain;
import dev.vigil.audit.AuditRetention;
import dev.vigil.config.Settings;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil audit retention --older-than 7y}: archives monthly partitions entirely older than the
 * age, each after its chain verifies, then drops them. Exit 0 when every due partition was archived
 * (or none was due), 1 when one did not verify, 2 on an error.
 */
@Command(name = "retention", description = "Archive monthly audit partitions older than an age (each only after its "
        + "chain verifies), record each archive's SHA-256 in audit_archive, and drop the partition. Needs the database "
        + "owner (the embedded server's superuser, or vigil.postgres.admin-user).")
public final class AuditRetentionCommand implements Callable<Integer> {
    @Option(names = "--older-than", required = true, description = "Age of the partitions to archive: 7y, 18m or 90d.")
    String olderThan;

    @Option(names = "--archive-dir", description = "Where archive files go (default: <data dir>/audit-archive).")
    Path archiveDir;

    @Option(names = "--dry-run", description = "Only list the partitions that are due.")
    boolean dryRun;

    @Override
    public Integer call() {
        Settings s = Settings.load();
        Instant cutoff;
        try {
            cutoff = java.time.ZonedDateTime.now(ZoneOffset.UTC).minus(AuditRetention.parseAge(olderThan)).toInstant();
        } catch (IllegalArgumentException e) {
            System.err.println("audit retention: " + e.getMessage());
            return 2;
        }
        Path dir = archiveDir != null ? archiveDir : s.dataDir().resolve("audit-archive");
        try (AuditDatabase db = AuditDatabase.openAdmin(s)) {
            List<YearMonth> due = AuditRetention.due(db.connection(), cutoff);
            System.out.println("partitions ending before " + cutoff + ": " + (due.isEmpty() ? "none" : due));
            if (dryRun || due.isEmpty()) return 0;
            AuditRetention.Result r = AuditRetention.archive(db.connection(), cutoff, dir,
                    AuditChain.keyFromEnvironment().orElse(null));
            for (AuditRetention.Archived a : r.archived()) {
                System.out.printf("archived %s: %d decisions, %d rejections, chain_seq 1..%d -> %s (%d bytes, sha256 %s)%n",
                        a.month(), a.decisions(), a.rejections(), a.lastSeq(), a.file(), a.bytes(), a.sha256());
            }
            if (r.refused() != null) {
                System.out.println("NOT archived " + r.refused() + " (nor anything after it): its chain does not verify: "
                        + r.refusal());
                return 1;
            }
            return 0;
        } catch (SQLException | RuntimeException e) {
            System.err.println("audit retention: " + e.getMessage());
            return 2;
        }
    }
}
