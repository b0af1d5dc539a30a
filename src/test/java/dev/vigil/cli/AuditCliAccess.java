package dev.vigil.cli;

import dev.vigil.audit.StoredDecision;
import java.io.PrintStream;
import java.nio.file.Path;

/** Lets the audit ITs call the CLI's package-private explain and replay. */
public final class AuditCliAccess {
    private AuditCliAccess() {}

    public static int replay(StoredDecision d, Path rulesDir, Path modelDir, PrintStream out) {
        return AuditReportCommands.replay(d, rulesDir, modelDir, out);
    }

    public static String explain(StoredDecision d) {
        return AuditReportCommands.explain(d);
    }
}
