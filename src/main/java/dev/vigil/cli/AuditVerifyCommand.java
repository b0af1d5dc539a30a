package dev.vigil.cli;

import dev.vigil.audit.AuditChain;
import dev.vigil.audit.AuditVerifier;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * {@code vigil audit verify}: recomputes the audit hash chains, partition by partition, and checks
 * the signed checkpoints (key from {@value AuditChain#KEY_ENV}). Exit code 0 when intact, 1 when
 * broken, 2 when it could not verify.
 */
@Command(name = "verify", description = "Recompute the audit hash chains (one per monthly partition, and the v1 chain of "
        + "rows before V006) and check the signed checkpoints (key from VIGIL_AUDIT_HMAC_KEY); report the first broken "
        + "link. Exit 0 intact, 1 broken.")
public final class AuditVerifyCommand implements Callable<Integer> {
    @Option(names = "--from", converter = MonthConverter.class,
            description = "First month to check: YYYY-MM, a date or an instant (default: everything, the v1 chain included).")
    YearMonth from;

    @Option(names = "--to", converter = MonthConverter.class, description = "Last month to check (default: the newest).")
    YearMonth to;

    @Override
    public Integer call() {
        try (AuditDatabase db = AuditDatabase.open(dev.vigil.config.Settings.load())) {
            byte[] key = AuditChain.keyFromEnvironment().orElse(null);
            AuditVerifier.Report r = AuditVerifier.verify(db.connection(), key, from, to);
            System.out.println(describe(r));
            return r.intact() ? 0 : 1;
        } catch (SQLException | IllegalArgumentException e) {
            System.err.println("audit verify: could not verify: " + e.getMessage());
            return 2;
        }
    }

    static String describe(AuditVerifier.Report r) {
        StringBuilder b = new StringBuilder();
        String nl = System.lineSeparator();
        if (r.intact()) {
            b.append("INTACT: ").append(r.linksChecked()).append(" row(s) recomputed in ").append(r.segments().size())
                    .append(" chain(s); ").append(r.checkpointsChecked()).append(" checkpoint(s) verified");
        } else {
            AuditVerifier.Finding f = r.firstBreak().orElseThrow();
            b.append("BROKEN in ").append(f.segment()).append(" at chain_seq ").append(f.chainSeq()).append(": ")
                    .append(f.problem()).append(": ").append(f.detail());
            List<AuditVerifier.Finding> all = r.findings();
            for (AuditVerifier.Finding more : all.subList(1, all.size())) {
                b.append(nl).append("  also in ").append(more.segment()).append(" at chain_seq ").append(more.chainSeq())
                        .append(": ").append(more.problem()).append(": ").append(more.detail());
            }
        }
        for (AuditVerifier.Segment s : r.segments()) {
            if (s.linksChecked() == 0 && s.findings().isEmpty() && s.notes().isEmpty() && !s.archived()) continue;
            b.append(nl).append("  ").append(s.name()).append(": ");
            if (s.archived()) b.append("archived");
            else b.append(s.intact() ? "intact, " : "BROKEN, ").append(s.linksChecked()).append(" row(s) verified")
                    .append(s.intact() ? "" : " before the break").append(", ").append(s.checkpointsChecked())
                    .append(" checkpoint(s)");
        }
        for (String note : r.notes()) b.append(nl).append("  note: ").append(note);
        return b.toString();
    }

    /** YYYY-MM, YYYY-MM-DD or an ISO instant, as the month it falls in (UTC). */
    static final class MonthConverter implements ITypeConverter<YearMonth> {
        @Override
        public YearMonth convert(String s) {
            try {
                if (s.length() == 7) return YearMonth.parse(s);
                if (s.length() == 10) return YearMonth.from(LocalDate.parse(s));
                return YearMonth.from(Instant.parse(s).atOffset(ZoneOffset.UTC));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a month, date or instant: " + s + " (e.g. 2026-03)");
            }
        }
    }
}
