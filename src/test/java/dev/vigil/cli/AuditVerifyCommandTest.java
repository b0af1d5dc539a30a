package dev.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.audit.AuditVerifier.Finding;
import dev.vigil.audit.AuditVerifier.Problem;
import dev.vigil.audit.AuditVerifier.Report;
import dev.vigil.audit.AuditVerifier.Segment;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AuditVerifyCommandTest {

    @Test
    void shouldBeASubcommandOfAuditWithAMonthRange() {
        CommandLine audit = new CommandLine(new AuditCommand());
        CommandLine verify = audit.getSubcommands().get("verify");
        assertTrue(verify != null, "audit has no verify subcommand");
        audit.parseArgs("verify", "--from", "2026-03", "--to", "2026-04-17T10:00:00Z");
        AuditVerifyCommand cmd = verify.getCommand();
        assertEquals(YearMonth.of(2026, 3), cmd.from);
        assertEquals(YearMonth.of(2026, 4), cmd.to);
        audit.parseArgs("verify", "--from", "2026-05-31");
        assertEquals(YearMonth.of(2026, 5), cmd.from);
        assertThrows(CommandLine.ParameterException.class, () -> audit.parseArgs("verify", "--from", "March"));
    }

    @Test
    void shouldPrintTheVerdictTheFirstBreakPerPartitionAndTheNotes() {
        Segment v1 = new Segment("v1", 0, 0, 0, 0, false, List.of(), List.of());
        Segment march = new Segment("2026-03", 30, 30, 6, 6, false, List.of(), List.of());
        String intact = AuditVerifyCommand.describe(new Report(List.of(v1, march), List.of()));
        assertTrue(intact.startsWith("INTACT: 30 row(s) recomputed in 2 chain(s); 6 checkpoint(s) verified"), intact);
        assertTrue(intact.contains("2026-03: intact, 30 row(s) verified, 6 checkpoint(s)"), intact);

        Segment april = new Segment("2026-04", 11, 11, 0, 2, false,
                List.of(new Finding(Problem.CHECKPOINT_MISMATCH, "2026-04", 20, "b"), new Finding(Problem.ROW_CHANGED, "2026-04", 12, "a")),
                List.of("2 checkpoint(s) not checked: no key"));
        String broken = AuditVerifyCommand.describe(new Report(List.of(v1, march, april), List.of()));
        assertTrue(broken.startsWith("BROKEN in 2026-04 at chain_seq 12: ROW_CHANGED: a"), broken);
        assertTrue(broken.contains("also in 2026-04 at chain_seq 20: CHECKPOINT_MISMATCH: b"), broken);
        assertTrue(broken.contains("2026-04: BROKEN, 11 row(s) verified before the break"), broken);
        assertTrue(broken.contains("note: 2026-04: 2 checkpoint(s) not checked"), broken);
    }
}
