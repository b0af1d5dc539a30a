package dev.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.audit.AuditQuery;
import dev.vigil.decision.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AuditReportCommandsTest {

    @Test
    void shouldOfferTheAuditorCommandsUnderAudit() {
        CommandLine audit = new CommandLine(new AuditCommand());
        for (String name : List.of("query", "explain", "sar", "retention", "verify", "sql")) {
            assertNotNull(audit.getSubcommands().get(name), name);
        }
        audit.parseArgs("query", "--account", "acc-1", "--rule", "VEL-001", "--verdict", "BLOCK", "--from",
                "2026-03-01T00:00:00Z", "--format", "csv");
        AuditReportCommands.Query q = audit.getSubcommands().get("query").getCommand();
        assertEquals(Verdict.BLOCK, q.verdict);
        assertEquals(Instant.parse("2026-03-01T00:00:00Z"), q.from);
        audit.parseArgs("explain", "tx-1", "--replay");
        AuditReportCommands.Explain e = audit.getSubcommands().get("explain").getCommand();
        assertTrue(e.replay && e.transactionId.equals("tx-1"));
    }

    @Test
    void shouldQuoteCsvFieldsOnlyWhenTheyNeedIt() {
        assertEquals("plain", AuditReportCommands.csv("plain"));
        assertEquals("\"a,b\"", AuditReportCommands.csv("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", AuditReportCommands.csv("say \"hi\""));
        assertEquals("\"two\nlines\"", AuditReportCommands.csv("two\nlines"));
    }

    @Test
    void shouldPrintRowsAsCsvAndJsonLinesWithExactAmounts() {
        Map<String, Object> row = new LinkedHashMap<>();
        for (String c : AuditQuery.COLUMNS) row.put(c, null);
        row.put("transaction_id", "tx,1");
        row.put("amount", new BigDecimal("9000.50"));
        row.put("risk_score", 87);
        String csv = print(List.of(row), "csv");
        assertTrue(csv.startsWith(String.join(",", AuditQuery.COLUMNS) + "\n"), csv);
        assertTrue(csv.contains(",\"tx,1\","), csv);
        assertTrue(csv.contains(",9000.50,"), csv);
        String jsonl = print(List.of(row, row), "jsonl");
        assertEquals(2, jsonl.lines().count());
        assertTrue(jsonl.contains("\"amount\":\"9000.50\"") && jsonl.contains("\"risk_score\":87"), jsonl);
        assertTrue(print(List.of(row), "table").contains("(1 row)"));
    }

    private static String print(List<Map<String, Object>> rows, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AuditReportCommands.print(rows, format, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
    }
}
