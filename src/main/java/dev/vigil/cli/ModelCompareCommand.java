package dev.vigil.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.config.Settings;
import dev.vigil.feature.Features;
import dev.vigil.score.ModelComparison;
import dev.vigil.score.ModelDirectory;
import dev.vigil.score.XgboostRiskModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil model compare}: champion against challenger on audited, labelled transactions. Both
 * score the feature snapshots the audit store kept, so the figures are what each would have scored
 * live. Labels come from a CSV ({@code transaction_id,label[,source,known_at]}).
 */
@Command(name = "compare", description = "Compare the champion and challenger models on audited transactions with labels.")
final class ModelCompareCommand implements java.util.concurrent.Callable<Integer> {
    private static final Set<String> FRAUD = Set.of("1", "true", "fraud", "yes");
    private static final Set<String> LEGITIMATE = Set.of("0", "false", "legitimate", "legit", "no");

    @Option(names = "--labels", required = true, description = "CSV with a header: transaction_id,label[,source,known_at]; label 1/0, true/false or fraud/legitimate.")
    Path labels;

    @Option(names = "--champion", description = "Champion model folder. Default: vigil.model.dir.")
    Path champion;

    @Option(names = "--challenger", description = "Challenger model folder. Default: vigil.model.challenger-dir.")
    Path challenger;

    @Override
    public Integer call() throws Exception {
        Settings s = Settings.load();
        Path championDir = champion != null ? champion : s.modelDir();
        String configured = s.raw().getOrDefault("vigil.model.challenger-dir", "");
        if (challenger == null && configured.isBlank()) {
            System.err.println("No challenger: pass --challenger or set vigil.model.challenger-dir");
            return 2;
        }
        Path challengerDir = challenger != null ? challenger : Path.of(configured);
        Map<String, Boolean> known = readLabels(labels);
        Audited audited;
        try {
            audited = readAudited(s, known);
        } catch (SQLException e) {
            System.err.println("Cannot read the audit store: " + e.getMessage());
            return 1;
        }
        List<Features> rows = audited.rows();
        List<Boolean> y = audited.labels();
        try (XgboostRiskModel a = XgboostRiskModel.load(ModelDirectory.resolve(championDir));
             XgboostRiskModel b = XgboostRiskModel.load(ModelDirectory.resolve(challengerDir))) {
            ModelComparison.describe(ModelComparison.compare(a, b, rows, y)).forEach(System.out::println);
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + " (" + known.size() + " labels read, " + rows.size() + " matched audited decisions)");
            return 1;
        }
    }

    /** Audited decisions that have a label: their feature snapshots, labels and event times, in audit order. */
    record Audited(List<Features> rows, List<Boolean> labels, List<java.time.Instant> times) {}

    static Audited readAudited(Settings s, Map<String, Boolean> known) throws SQLException, IOException {
        List<Features> rows = new ArrayList<>();
        List<Boolean> y = new ArrayList<>();
        List<java.time.Instant> times = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (AuditDatabase db = AuditDatabase.open(s)) {
            Connection c = db.connection();
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT transaction_id, features::text, event_time FROM audit_decisions ORDER BY event_time, transaction_id")) {
                st.setFetchSize(5000);
                c.setAutoCommit(false); // a fetch size streams only inside a transaction
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        Boolean label = known.get(rs.getString(1));
                        if (label == null) continue;
                        @SuppressWarnings("unchecked")
                        Map<String, Object> snapshot = json.readValue(rs.getString(2), Map.class);
                        rows.add(Features.fromMap(snapshot));
                        y.add(label);
                        times.add(rs.getTimestamp(3).toInstant());
                    }
                }
            }
        }
        return new Audited(rows, y, times);
    }

    static Map<String, Boolean> readLabels(Path csv) throws IOException {
        Map<String, Boolean> out = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(csv)) {
            String header = in.readLine();
            if (header == null || !header.toLowerCase(Locale.ROOT).startsWith("transaction_id,label")) {
                throw new IllegalArgumentException(csv + ": the header must start with transaction_id,label");
            }
            String line;
            int n = 1;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                String[] f = line.split(",", -1);
                String v = f.length > 1 ? f[1].trim().toLowerCase(Locale.ROOT) : "";
                if (FRAUD.contains(v)) out.put(f[0].trim(), true);
                else if (LEGITIMATE.contains(v)) out.put(f[0].trim(), false);
                else throw new IllegalArgumentException(csv + " line " + n + ": label '" + v + "' is neither fraud nor legitimate");
            }
        }
        return out;
    }
}
