package dev.vigil.cases;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vigil.infra.ConnectionPool;
import dev.vigil.score.Contribution;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Opens cases from alerts, in the audit database (tables {@code cases}, {@code case_alert},
 * {@code case_action}). Idempotent by transaction id: an alert delivered twice joins its case once.
 */
public final class CaseStore {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The actor of the pipeline's own case actions. */
    public static final String SYSTEM_ACTOR = "vigil";

    /** What {@link #openOrJoin} did with an alert. */
    public record Opened(long caseId, CaseActionType action, boolean duplicate, int priority) {}

    private final ConnectionPool db;
    private final Clock clock;
    private final Duration window;
    private final CasePriority sla;

    /**
     * @param window an alert joins the account's open case when its event time is at most this
     *     long after the case's latest alert; else it opens a new case
     */
    public CaseStore(ConnectionPool db, Clock clock, Duration window, CasePriority sla) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = Objects.requireNonNull(window, "window");
        this.sla = Objects.requireNonNull(sla, "sla");
    }

    ConnectionPool db() {
        return db;
    }

    Clock clock() {
        return clock;
    }

    /** Opens a case for the alert, or joins the account's open case; once per transaction id. */
    public Opened openOrJoin(Alert a) throws SQLException {
        int priority = CasePriority.of(a);
        return db.inTransaction(c -> {
            // One account's alerts are filed one at a time, whichever Vigil process files them.
            try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(hashtext('vigil-case:' || ?))")) {
                ps.setString(1, a.accountId());
                ps.executeQuery().close();
            }
            try (PreparedStatement ps = c.prepareStatement("select case_id from case_alert where transaction_id = ?")) {
                ps.setString(1, a.transactionId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) return new Opened(rs.getLong(1), CaseActionType.JOIN, true, priority);
                }
            }
            Instant now = clock.instant();
            Long caseId = null;
            try (PreparedStatement ps = c.prepareStatement("select case_id from cases where account_id = ?"
                    + " and state in ('OPEN', 'IN_REVIEW', 'ESCALATED_SAR') and last_event_at >= ?"
                    + " order by opened_at desc limit 1 for update")) {
                ps.setString(1, a.accountId());
                ps.setObject(2, utc(a.occurredAt().minus(window)));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) caseId = rs.getLong(1);
                }
            }
            CaseActionType action;
            String stateAfter;
            if (caseId == null) {
                action = CaseActionType.OPEN;
                stateAfter = CaseState.OPEN.name();
                try (PreparedStatement ps = c.prepareStatement("insert into cases (account_id, customer_id, state, priority,"
                        + " opened_at, sla_deadline, first_event_at, last_event_at, alert_count, max_verdict, max_amount, currency,"
                        + " max_risk_score, rule_ids, updated_at) values (?, ?, 'OPEN', ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) returning case_id")) {
                    int p = 1;
                    ps.setString(p++, a.accountId());
                    ps.setString(p++, a.customerId());
                    ps.setInt(p++, priority);
                    ps.setObject(p++, utc(now));
                    ps.setObject(p++, utc(now.plus(sla.sla(priority))));
                    ps.setObject(p++, utc(a.occurredAt()));
                    ps.setObject(p++, utc(a.occurredAt()));
                    ps.setString(p++, a.verdict().name());
                    ps.setBigDecimal(p++, a.amount());
                    ps.setString(p++, a.currency());
                    ps.setInt(p++, a.riskScore());
                    ps.setArray(p++, c.createArrayOf("text", new LinkedHashSet<>(a.ruleIds()).toArray()));
                    ps.setObject(p, utc(now));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        caseId = rs.getLong(1);
                    }
                }
            } else {
                action = CaseActionType.JOIN;
                try (PreparedStatement ps = c.prepareStatement("update cases set"
                        + " alert_count = alert_count + 1,"
                        + " priority = greatest(priority, ?),"
                        + " sla_deadline = least(sla_deadline, opened_at + ?::interval),"
                        + " last_event_at = greatest(last_event_at, ?),"
                        + " max_verdict = case when ? = 'BLOCK' then 'BLOCK' else max_verdict end,"
                        + " currency = case when ? > max_amount then ? else currency end,"
                        + " max_amount = greatest(max_amount, ?),"
                        + " max_risk_score = greatest(max_risk_score, ?),"
                        + " rule_ids = array(select distinct unnest(rule_ids || ?::text[]) order by 1),"
                        + " updated_at = ?"
                        + " where case_id = ? returning state")) {
                    int p = 1;
                    ps.setInt(p++, priority);
                    ps.setString(p++, sla.sla(priority).toSeconds() + " seconds");
                    ps.setObject(p++, utc(a.occurredAt()));
                    ps.setString(p++, a.verdict().name());
                    ps.setBigDecimal(p++, a.amount());
                    ps.setString(p++, a.currency());
                    ps.setBigDecimal(p++, a.amount());
                    ps.setInt(p++, a.riskScore());
                    ps.setArray(p++, c.createArrayOf("text", a.ruleIds().toArray()));
                    ps.setObject(p++, utc(now));
                    ps.setLong(p, caseId);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        stateAfter = rs.getString(1);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("insert into case_alert (transaction_id, case_id, verdict, risk_score,"
                    + " amount, currency, event_time, priority, contributions, added_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)")) {
                int p = 1;
                ps.setString(p++, a.transactionId());
                ps.setLong(p++, caseId);
                ps.setString(p++, a.verdict().name());
                ps.setInt(p++, a.riskScore());
                ps.setBigDecimal(p++, a.amount());
                ps.setString(p++, a.currency());
                ps.setObject(p++, utc(a.occurredAt()));
                ps.setInt(p++, priority);
                ps.setString(p++, contributionsJson(a.contributions()));
                ps.setObject(p, utc(now));
                ps.executeUpdate();
            }
            insertAction(c, caseId, now, SYSTEM_ACTOR, action, a.transactionId(), null, null,
                    a.verdict() + " risk " + a.riskScore() + (a.ruleIds().isEmpty() ? "" : ", rules " + String.join(" ", a.ruleIds())),
                    stateAfter);
            return new Opened(caseId, action, false, priority);
        });
    }

    static void insertAction(Connection c, long caseId, Instant at, String actor, CaseActionType action, String transactionId,
            CaseOutcome outcome, String assignee, String comment, String stateAfter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into case_action (case_id, at, actor, action, transaction_id,"
                + " outcome, assignee, comment, state_after) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int p = 1;
            ps.setLong(p++, caseId);
            ps.setObject(p++, utc(at));
            ps.setString(p++, actor);
            ps.setString(p++, action.name());
            ps.setString(p++, transactionId);
            ps.setString(p++, outcome == null ? null : outcome.name());
            ps.setString(p++, assignee);
            ps.setString(p++, comment);
            ps.setString(p, stateAfter);
            ps.executeUpdate();
        }
    }

    static String contributionsJson(List<Contribution> contributions) {
        ArrayNode arr = MAPPER.createArrayNode();
        for (Contribution k : contributions) {
            var o = arr.addObject();
            o.put("feature", k.feature());
            if (Double.isFinite(k.value())) o.put("value", k.value());
            else o.putNull("value");
            o.put("contribution", Double.isFinite(k.contribution()) ? k.contribution() : 0.0);
        }
        return arr.toString();
    }

    static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** The transaction ids filed in a case, with their verdicts. */
    static List<String[]> alertsOf(Connection c, long caseId) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select transaction_id, verdict from case_alert where case_id = ? order by event_time")) {
            ps.setLong(1, caseId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        return out;
    }
}
