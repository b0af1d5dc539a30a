package dev.vigil.audit;

import dev.vigil.decision.Verdict;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The auditors' search over every recorded decision (view {@code audit_decisions}, both segments):
 * filters on account, customer, rule, verdict and an event-time window, newest first. Values are
 * bound parameters, never spliced into the SQL.
 */
public final class AuditQuery {
    /** The columns each result row has, in order. */
    public static final List<String> COLUMNS = List.of("event_time", "transaction_id", "account_id", "customer_id",
            "transaction_type", "amount", "currency", "verdict", "risk_score", "risk_tier", "rule_ids", "rule_set_version",
            "model_version", "challenger_verdict");

    /**
     * What to look for; null fields do not filter.
     *
     * @param from event time, inclusive
     * @param to event time, exclusive
     * @param limit at most this many rows (newest first)
     */
    public record Filter(String account, String customer, String rule, Verdict verdict, Instant from, Instant to, int limit) {
        public Filter {
            if (limit <= 0) throw new IllegalArgumentException("limit must be positive: " + limit);
        }
    }

    private AuditQuery() {}

    /** The matching decisions, newest event first, each as column name to value (text for arrays). */
    public static List<Map<String, Object>> run(Connection c, Filter f) throws SQLException {
        StringBuilder sql = new StringBuilder("select (event_time at time zone 'UTC')::text || 'Z' as event_time, transaction_id,"
                + " account_id, customer_id, transaction_type, amount, currency, verdict, risk_score, risk_tier,"
                + " array_to_string(rule_ids, ',') as rule_ids, rule_set_version, model_version, challenger_verdict"
                + " from audit_decisions where true");
        List<Object> params = new ArrayList<>();
        if (f.account() != null) { sql.append(" and account_id = ?"); params.add(f.account()); }
        if (f.customer() != null) { sql.append(" and customer_id = ?"); params.add(f.customer()); }
        if (f.rule() != null) { sql.append(" and ? = any(rule_ids)"); params.add(f.rule()); }
        if (f.verdict() != null) { sql.append(" and verdict = ?"); params.add(f.verdict().name()); }
        if (f.from() != null) { sql.append(" and event_time >= ?"); params.add(PostgresAuditStore.utc(f.from())); }
        if (f.to() != null) { sql.append(" and event_time < ?"); params.add(PostgresAuditStore.utc(f.to())); }
        sql.append(" order by event_time desc, transaction_id limit ").append(f.limit());
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) ps.setObject(i + 1, params.get(i));
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<Map<String, Object>> out = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) row.put(md.getColumnLabel(i), rs.getObject(i));
                    out.add(row);
                }
                return out;
            }
        }
    }

    /** One decision as stored, by transaction id, from either segment. */
    public static java.util.Optional<StoredDecision> find(Connection c, String transactionId) throws SQLException {
        return PostgresAuditStore.findDecision(c, transactionId);
    }
}
