package dev.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.audit.AuditVerifier.Finding;
import dev.vigil.audit.AuditVerifier.Problem;
import dev.vigil.audit.AuditVerifier.Report;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AuditVerifyCommandTest {

    @Test
    void shouldBeASubcommandOfAuditWithARange() {
        CommandLine audit = new CommandLine(new AuditCommand());
        CommandLine verify = audit.getSubcommands().get("verify");
        assertTrue(verify != null, "audit has no verify subcommand");
        audit.parseArgs("verify", "--from", "5", "--to", "9");
        AuditVerifyCommand cmd = verify.getCommand();
        assertTrue(cmd.from == 5 && cmd.to == 9);
    }

    @Test
    void shouldPrintTheVerdictTheFirstBreakAndTheNotes() {
        String intact = AuditVerifyCommand.describe(new Report(1, Long.MAX_VALUE, 30, 30, 6, 6, List.of(), List.of()));
        assertTrue(intact.startsWith("INTACT: 30 link(s) recomputed, chain_seq 1..30; 6 checkpoint(s) verified"), intact);

        String broken = AuditVerifyCommand.describe(new Report(1, Long.MAX_VALUE, 11, 11, 0, 2,
                List.of("2 checkpoint(s) not checked: no key"),
                List.of(new Finding(Problem.CHECKPOINT_MISMATCH, 20, "b"), new Finding(Problem.ROW_CHANGED, 12, "a"))));
        assertTrue(broken.startsWith("BROKEN at chain_seq 12: ROW_CHANGED: a"), broken);
        assertTrue(broken.contains("also at chain_seq 20: CHECKPOINT_MISMATCH: b"), broken);
        assertTrue(broken.contains("note: 2 checkpoint(s) not checked"), broken);
    }
}
