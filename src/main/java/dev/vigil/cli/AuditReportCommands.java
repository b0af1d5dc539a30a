package dev.vigil.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.audit.AuditQuery;
import dev.vigil.audit.AuditReplay;
import dev.vigil.audit.StoredDecision;
import dev.vigil.audit.SarDraft;
import dev.vigil.config.Settings;
import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.rules.DroolsRuleEngine;
import dev.vigil.score.Contribution;
import dev.vigil.score.ModelDirectory;
import dev.vigil.score.XgboostRiskModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The auditors' commands: {@code audit query}, {@code audit explain [--replay]} and {@code audit sar}. */
final class AuditReportCommands {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AuditReportCommands() {}

    /** {@code vigil audit query}: decisions by account, customer, rule, verdict and time, as a table, CSV or JSON lines. */
    @Command(name = "query", description = "Find recorded decisions (newest first) by account, customer, rule, verdict and "
            + "event-time window; print them as a table, CSV or JSON lines.")
    static final class Query implements Callable<Integer> {
        @Option(names = "--account") String account;
        @Option(names = "--customer") String customer;
        @Option(names = "--rule", description = "A rule id that fired, e.g. AML-NEW-001.") String rule;
        @Option(names = "--verdict", description = "ALLOW, REVIEW or BLOCK.") Verdict verdict;
        @Option(names = "--from", description = "Event time from (ISO-8601 instant, inclusive).") Instant from;
        @Option(names = "--to", description = "Event time to (ISO-8601 instant, exclusive).") Instant to;
        @Option(names = "--limit", defaultValue = "100") int limit;
        @Option(names = "--format", defaultValue = "table", description = "table, csv or jsonl.") String format;

        @Override
        public Integer call() {
            if (!List.of("table", "csv", "jsonl").contains(format)) {
                System.err.println("audit query: --format must be table, csv or jsonl, not " + format);
                return 2;
            }
            try (AuditDatabase db = AuditDatabase.open(Settings.load())) {
                List<Map<String, Object>> rows = AuditQuery.run(db.connection(),
                        new AuditQuery.Filter(account, customer, rule, verdict, from, to, limit));
                print(rows, format, System.out);
                return 0;
            } catch (SQLException | IllegalArgumentException e) {
                System.err.println("audit query: " + e.getMessage());
                return 2;
            }
        }
    }

    static void print(List<Map<String, Object>> rows, String format, PrintStream out) {
        List<String> cols = AuditQuery.COLUMNS;
        switch (format) {
            case "jsonl" -> {
                for (Map<String, Object> r : rows) {
                    ObjectNode n = MAPPER.createObjectNode();
                    r.forEach((k, v) -> {
                        if (v == null) n.putNull(k);
                        else if (v instanceof java.math.BigDecimal d) n.put(k, d.toPlainString());
                        else if (v instanceof Integer i) n.put(k, i);
                        else n.put(k, v.toString());
                    });
                    out.println(n);
                }
            }
            case "csv" -> {
                out.println(String.join(",", cols));
                for (Map<String, Object> r : rows) {
                    List<String> cells = new ArrayList<>();
                    for (String c : cols) cells.add(csv(text(r.get(c))));
                    out.println(String.join(",", cells));
                }
            }
            default -> {
                int[] w = new int[cols.size()];
                for (int i = 0; i < cols.size(); i++) w[i] = cols.get(i).length();
                for (Map<String, Object> r : rows) for (int i = 0; i < cols.size(); i++) w[i] = Math.max(w[i], text(r.get(cols.get(i))).length());
                StringBuilder h = new StringBuilder();
                for (int i = 0; i < cols.size(); i++) h.append(i == 0 ? "" : " | ").append(String.format("%-" + w[i] + "s", cols.get(i)));
                out.println(h.toString().stripTrailing());
                StringBuilder rule = new StringBuilder();
                for (int i = 0; i < cols.size(); i++) rule.append(i == 0 ? "" : "-+-").append("-".repeat(w[i]));
                out.println(rule);
                for (Map<String, Object> r : rows) {
                    StringBuilder line = new StringBuilder();
                    for (int i = 0; i < cols.size(); i++) line.append(i == 0 ? "" : " | ").append(String.format("%-" + w[i] + "s", text(r.get(cols.get(i)))));
                    out.println(line.toString().stripTrailing());
                }
                out.printf("(%d row%s)%n", rows.size(), rows.size() == 1 ? "" : "s");
            }
        }
    }

    private static String text(Object v) {
        if (v == null) return "";
        return v instanceof java.math.BigDecimal d ? d.toPlainString() : v.toString().replace('\n', ' ');
    }

    /** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
    static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
                ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** {@code vigil audit explain <transaction_id> [--replay]}. */
    @Command(name = "explain", description = "The whole story of one decision: event, features, rules with reasons, score "
            + "and SHAP, versions. With --replay, re-run it with the recorded rule-set and model versions and compare.")
    static final class Explain implements Callable<Integer> {
        @Parameters(index = "0", description = "The transaction id.") String transactionId;
        @Option(names = "--replay", description = "Re-run the decision and confirm the verdict (exit 1 when it differs).") boolean replay;
        @Option(names = "--rules-dir", description = "Rules folder for --replay (default: vigil.rules.dir).") Path rulesDir;
        @Option(names = "--model-dir", description = "Model folder for --replay: a version, or a folder of versions (default: vigil.model.dir).") Path modelDir;

        @Override
        public Integer call() {
            Settings s = Settings.load();
            Optional<StoredDecision> found;
            try (AuditDatabase db = AuditDatabase.open(s)) {
                found = AuditQuery.find(db.connection(), transactionId);
            } catch (SQLException e) {
                System.err.println("audit explain: " + e.getMessage());
                return 2;
            }
            if (found.isEmpty()) {
                System.err.println("audit explain: no decision recorded for transaction " + transactionId);
                return 2;
            }
            StoredDecision d = found.get();
            System.out.print(explain(d));
            if (!replay) return 0;
            return replay(d, rulesDir != null ? rulesDir : s.rulesDir(), modelDir != null ? modelDir : s.modelDir(), System.out);
        }
    }

    static String explain(StoredDecision d) {
        StringBuilder b = new StringBuilder();
        String nl = System.lineSeparator();
        b.append("Decision ").append(d.decisionId()).append(" for transaction ").append(d.transactionId()).append(nl);
        b.append("  verdict      ").append(d.verdict()).append("   risk score ").append(d.riskScore())
                .append(d.riskTier() == null ? "" : " (" + d.riskTier() + ")").append("   probability ").append(d.score()).append(nl);
        b.append("  event        ").append(d.transactionType()).append(' ').append(d.amount().toPlainString()).append(' ')
                .append(d.currency()).append(", account ").append(d.accountId()).append(", customer ").append(d.customerId())
                .append(", at ").append(d.eventTime()).append(nl);
        b.append("  decided at   ").append(d.processedAt()).append(" in ").append(d.latencyMicros()).append(" us; recorded at ")
                .append(d.recordedAt()).append(" from ").append(d.source()).append(nl);
        b.append("  versions     rules ").append(d.ruleSetVersion().label()).append(" (content hash ")
                .append(d.ruleSetVersion().contentHash()).append("), model ").append(d.modelVersion()).append(nl);
        b.append("Rules that fired (").append(d.hits().size()).append("):").append(nl);
        if (d.hits().isEmpty()) b.append("  none: ALLOW").append(nl);
        for (Hit h : d.hits()) b.append("  ").append(h.ruleId()).append("  ").append(h.verdict()).append("  ").append(h.reason()).append(nl);
        b.append("Model explanation (SHAP, log-odds, largest first):").append(nl);
        if (d.contributions().isEmpty()) b.append("  not explained (contributions are computed for REVIEW and BLOCK)").append(nl);
        for (Contribution c : d.contributions()) {
            b.append(String.format("  %-28s value %-14s %+.4f%n", c.feature(), c.value(), c.contribution()));
        }
        if (d.challenger() != null) {
            b.append("Challenger   ").append(d.challenger().modelVersion()).append(": probability ")
                    .append(d.challenger().probability()).append(", would have been ").append(d.challenger().wouldBeVerdict()).append(nl);
        }
        b.append("Features the rules and the model saw:").append(nl);
        d.features().forEach((k, v) -> b.append(String.format("  %-28s %s%n", k, v)));
        b.append("Account facts: ").append(d.account() == null ? "none known" : d.account()).append(nl);
        b.append("Raw event (").append(d.rawEvent().length).append(" bytes): ")
                .append(new String(d.rawEvent(), StandardCharsets.UTF_8)).append(nl);
        b.append("Canonical form ").append(d.canonicalForm()).append(" (vigil audit verify checks its hash chain)").append(nl);
        return b.toString();
    }

    /** Replays with the given folders; 0 same verdict, 1 different, 3 when the versions are not the recorded ones. */
    static int replay(StoredDecision d, Path rulesDir, Path modelDir, PrintStream out) {
        Path modelVersionDir = modelFor(d, modelDir);
        try (XgboostRiskModel model = XgboostRiskModel.load(modelVersionDir)) {
            DroolsRuleEngine rules = DroolsRuleEngine.load(rulesDir);
            String problem = AuditReplay.versionProblem(d, rules, model);
            if (problem != null) {
                out.println("REPLAY NOT POSSIBLE: " + problem);
                return 3;
            }
            AuditReplay.Result r = AuditReplay.replay(d, rules, model);
            if (r.same()) {
                out.println("REPLAY SAME: " + r.replayedVerdict() + " with rules " + d.ruleSetVersion() + " and model "
                        + d.modelVersion() + " (score " + r.replayedScore() + ", " + r.replayedHits().size() + " rule(s) fired)");
                return 0;
            }
            out.println("REPLAY DIFFERS: recorded " + r.recordedVerdict() + ", replayed " + r.replayedVerdict());
            for (String diff : r.differences()) out.println("  " + diff);
            return 1;
        }
    }

    /** The recorded model version's folder under {@code dir} when there is one, else {@code dir} as Vigil would load it. */
    static Path modelFor(StoredDecision d, Path dir) {
        if (d.modelVersion() != null && Files.isRegularFile(dir.resolve(d.modelVersion()).resolve(ModelDirectory.CARD))) {
            return dir.resolve(d.modelVersion());
        }
        return ModelDirectory.resolve(dir);
    }

    /** {@code vigil audit sar <account> --from --to}: a SAR draft as JSON and HTML. */
    @Command(name = "sar", description = "Draft a Suspicious Activity Report for an account and period (JSON and HTML, "
            + "after the FinCEN SAR fields): subject, activity summary, transactions, rules involved, narrative skeleton.")
    static final class Sar implements Callable<Integer> {
        @Parameters(index = "0", description = "The account id.") String account;
        @Option(names = "--from", required = true, description = "Event time from (ISO-8601 instant, inclusive).") Instant from;
        @Option(names = "--to", required = true, description = "Event time to (ISO-8601 instant, exclusive).") Instant to;
        @Option(names = "--out-dir", defaultValue = ".", description = "Where sar-<account>-<from>.json and .html go.") Path outDir;

        @Override
        public Integer call() {
            try (AuditDatabase db = AuditDatabase.open(Settings.load())) {
                ObjectNode sar = SarDraft.build(db.connection(), account, from, to);
                String base = "sar-" + account.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + from.toString().substring(0, 10);
                Files.createDirectories(outDir);
                Path json = outDir.resolve(base + ".json");
                Path html = outDir.resolve(base + ".html");
                Files.writeString(json, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(sar));
                Files.writeString(html, SarDraft.html(sar));
                System.out.println("SAR draft for " + account + ": " + sar.get("transactions").size() + " transaction(s) -> "
                        + json + ", " + html);
                return 0;
            } catch (SQLException | IOException e) {
                System.err.println("audit sar: " + e.getMessage());
                return 2;
            }
        }
    }
}
