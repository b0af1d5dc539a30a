package dev.vigil.cli;

import dev.vigil.audit.StoredDecision;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;

/** Lets the audit ITs call the CLI's package-private explain and replay, and the {@code vigil audit} command. */
public final class AuditCliAccess {
    private AuditCliAccess() {}

    public static int replay(StoredDecision d, Path rulesDir, Path modelDir, PrintStream out) {
        return AuditReportCommands.replay(d, rulesDir, modelDir, out);
    }

    public static String explain(StoredDecision d) {
        return AuditReportCommands.explain(d);
    }

    /** Runs {@code vigil audit <args>} through picocli; puts what it printed to stdout in {@code out[0]}, returns the exit code. */
    public static int audit(String[] out, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            return new CommandLine(new AuditCommand()).execute(args);
        } finally {
            System.setOut(old);
            out[0] = bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
