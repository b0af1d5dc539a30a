package dev.vigil.cli;

import dev.vigil.config.Settings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Queries the audit store. */
@Command(name = "audit", description = "Query the audit store.", subcommands = {AuditCommand.Sql.class, AuditVerifyCommand.class, AuditRetentionCommand.class,
        AuditReportCommands.Query.class, AuditReportCommands.Explain.class, AuditReportCommands.Sar.class})
final class AuditCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Any read-only SQL against the audit store, printed as a table. */
    @Command(name = "sql", description = "Run one read-only SQL query on the audit store (the embedded one is started on the data directory if it is not running).")
    static final class Sql implements Runnable {
        @Parameters(index = "0", description = "The query, e.g. \"select verdict, count(*) from audit_decisions group by verdict\".")
        String query;

        @Override
        public void run() {
            try (AuditDatabase db = AuditDatabase.open(Settings.load())) {
                Connection c = db.connection();
                c.setAutoCommit(false);
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
                    print(rs);
                } finally {
                    c.rollback();
                }
            } catch (SQLException e) {
                System.err.println("audit sql: " + e.getMessage());
                throw new IllegalStateException(e.getMessage(), e);
            }
        }

        private static void print(ResultSet rs) throws SQLException {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            List<String[]> rows = new ArrayList<>();
            String[] header = new String[n];
            for (int i = 0; i < n; i++) header[i] = md.getColumnLabel(i + 1);
            rows.add(header);
            while (rs.next()) {
                String[] row = new String[n];
                for (int i = 0; i < n; i++) {
                    String v = rs.getString(i + 1);
                    row[i] = v == null ? "" : v.replace('\n', ' ');
                }
                rows.add(row);
            }
            int[] width = new int[n];
            for (String[] r : rows) for (int i = 0; i < n; i++) width[i] = Math.min(80, Math.max(width[i], r[i].length()));
            for (int k = 0; k < rows.size(); k++) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    String v = rows.get(k)[i];
                    if (v.length() > 80) v = v.substring(0, 77) + "...";
                    line.append(i == 0 ? "" : " | ").append(String.format("%-" + width[i] + "s", v));
                }
                System.out.println(line.toString().stripTrailing());
                if (k == 0) {
                    StringBuilder rule = new StringBuilder();
                    for (int i = 0; i < n; i++) rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
                    System.out.println(rule);
                }
            }
            System.out.printf("(%d row%s)%n", rows.size() - 1, rows.size() == 2 ? "" : "s");
        }
    }
}
