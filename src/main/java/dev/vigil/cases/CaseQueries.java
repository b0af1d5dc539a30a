package dev.vigil.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.infra.ConnectionPool;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The console's read side: the queue page, a case with its transactions, decisions and history,
 * the overview figures and the action log, as JSON ready to send. Paging is done by the database,
 * on indexes made for it, so a queue of 10,000 open cases answers as fast as one of ten.
 */
public final class CaseQueries {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, String> SORTS = Map.of(
            "priority", "priority", "age", "opened_at", "sla", "sla_deadline", "amount", "max_amount",
            "alerts", "alert_count", "risk", "max_risk_score", "updated", "updated_at");
    /** Most rows on one page of the queue. */
    public static final int MAX_PAGE_SIZE = 200;

    /**
     * A queue filter. Null fields do not filter.
     *
     * @param states empty for the open states (OPEN, IN_REVIEW, ESCALATED_SAR)
     * @param band HIGH, MEDIUM or LOW (see {@link CasePriority#band})
     * @param assignee a username, or the empty string for unassigned cases
     * @param minAge cases opened at least this long ago
     * @param sort priority, age, sla, amount, alerts, risk or updated
     * @param page from 0
     */
    public record QueueQuery(Set<CaseState> states, String band, String ruleId, String assignee, Duration minAge,
            String sort, boolean ascending, int page, int size) {
        public QueueQuery {
            states = states == null || states.isEmpty() ? EnumSet.of(CaseState.OPEN, CaseState.IN_REVIEW, CaseState.ESCALATED_SAR)
                    : EnumSet.copyOf(states);
            if (band != null && !Set.of("HIGH", "MEDIUM", "LOW").contains(band)) throw new IllegalArgumentException("band " + band);
            if (sort == null) sort = "priority";
            if (!SORTS.containsKey(sort)) throw new IllegalArgumentException("sort by one of " + SORTS.keySet());
            if (page < 0) throw new IllegalArgumentException("page " + page);
            if (size < 1 || size > MAX_PAGE_SIZE) throw new IllegalArgumentException("size from 1 to " + MAX_PAGE_SIZE);
        }

        public static QueueQuery firstPage() {
            return new QueueQuery(null, null, null, null, null, "priority", false, 0, 50);
        }
    }

    private final ConnectionPool db;
    private final Clock clock;

    public CaseQueries(ConnectionPool db, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** {@code total}, {@code counts} per state (with the other filters), {@code items} of the page. */
    public ObjectNode queue(QueueQuery q) throws SQLException {
        Instant now = clock.instant();
        return db.inTransaction(c -> {
            List<Object> params = new ArrayList<>();
            StringBuilder where = new StringBuilder(" where true");
            if (q.band() != null) {
                where.append(switch (q.band()) {
                    case "HIGH" -> " and priority >= 70";
                    case "MEDIUM" -> " and priority >= 40 and priority < 70";
                    default -> " and priority < 40";
                });
            }
            if (q.ruleId() != null && !q.ruleId().isBlank()) {
                where.append(" and rule_ids @> ?");
                params.add(c.createArrayOf("text", new Object[] {q.ruleId().strip()}));
            }
            if (q.assignee() != null) {
                if (q.assignee().isEmpty()) where.append(" and assignee is null");
                else {
                    where.append(" and assignee = ?");
                    params.add(q.assignee());
                }
            }
            if (q.minAge() != null) {
                where.append(" and opened_at <= ?");
                params.add(CaseStore.utc(now.minus(q.minAge())));
            }
            ObjectNode out = MAPPER.createObjectNode();
            ObjectNode counts = out.putObject("counts");
            for (CaseState s : CaseState.values()) counts.put(s.name(), 0);
            long total = 0;
            try (PreparedStatement ps = c.prepareStatement("select state, count(*) from cases" + where + " group by state")) {
                bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.put(rs.getString(1), rs.getLong(2));
                        if (q.states().contains(CaseState.valueOf(rs.getString(1)))) total += rs.getLong(2);
                    }
                }
            }
            String stateList = String.join(", ", q.states().stream().map(s -> "'" + s.name() + "'").toList());
            String order = SORTS.get(q.sort()) + (q.ascending() ? " asc" : " desc") + ", case_id" + (q.ascending() ? " asc" : " desc");
            List<Object> pageParams = new ArrayList<>(params);
            pageParams.add(q.size());
            pageParams.add((long) q.page() * q.size());
            ArrayNode items = MAPPER.createArrayNode();
            try (PreparedStatement ps = c.prepareStatement("select * from cases" + where + " and state in (" + stateList + ")"
                    + " order by " + order + " limit ? offset ?")) {
                bind(ps, pageParams);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) items.add(caseJson(rs, now));
                }
            }
            out.put("total", total);
            out.put("page", q.page());
            out.put("size", q.size());
            out.set("items", items);
            return out;
        });
    }

    /** The case page; empty when there is no such case. */
    public java.util.Optional<ObjectNode> detail(long caseId) throws SQLException {
        Instant now = clock.instant();
        return db.inTransaction(c -> {
            ObjectNode out = MAPPER.createObjectNode();
            String accountId;
            try (PreparedStatement ps = c.prepareStatement("select * from cases where case_id = ?")) {
                ps.setLong(1, caseId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return java.util.Optional.<ObjectNode>empty();
                    out.set("case", caseJson(rs, now));
                    accountId = rs.getString("account_id");
                }
            }
            ArrayNode alerts = out.putArray("alerts");
            Set<String> inCase = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("select a.transaction_id, a.verdict, a.risk_score, a.amount, a.currency,"
                    + " a.event_time, a.priority, a.contributions::text as contributions, d.transaction_type, d.score, d.features::text as features,"
                    + " d.hits::text as hits, d.account::text as account, d.model_version, d.rule_set_version, d.rule_set_hash,"
                    + " d.source_channel, d.source_ref, d.processed_at, audit_bytes_as_json(d.raw_event)::text as raw_event"
                    + " from case_alert a left join audit_decisions d using (transaction_id) where a.case_id = ? order by a.event_time")) {
                ps.setLong(1, caseId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ObjectNode a = alerts.addObject();
                        inCase.add(rs.getString("transaction_id"));
                        a.put("transaction_id", rs.getString("transaction_id"));
                        a.put("verdict", rs.getString("verdict"));
                        a.put("risk_score", rs.getInt("risk_score"));
                        a.put("probability", rs.getDouble("score"));
                        a.put("amount", rs.getBigDecimal("amount").toPlainString());
                        a.put("currency", rs.getString("currency"));
                        a.put("event_time", String.valueOf(CaseStore.instant(rs, "event_time")));
                        a.put("priority", rs.getInt("priority"));
                        a.put("transaction_type", rs.getString("transaction_type"));
                        a.put("model_version", rs.getString("model_version"));
                        a.put("rule_set_version", rs.getString("rule_set_version"));
                        a.put("rule_set_hash", rs.getString("rule_set_hash"));
                        a.put("source", rs.getString("source_channel") + ":" + rs.getString("source_ref"));
                        a.put("processed_at", String.valueOf(CaseStore.instant(rs, "processed_at")));
                        a.set("contributions", json(rs.getString("contributions")));
                        a.set("features", json(rs.getString("features")));
                        a.set("hits", json(rs.getString("hits")));
                        a.set("account", json(rs.getString("account")));
                        a.set("event", json(rs.getString("raw_event")));
                    }
                }
            }
            ArrayNode actions = out.putArray("actions");
            try (PreparedStatement ps = c.prepareStatement("select * from case_action where case_id = ? order by id")) {
                ps.setLong(1, caseId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) actions.add(actionJson(rs));
                }
            }
            ArrayNode timeline = out.putArray("timeline");
            try (PreparedStatement ps = c.prepareStatement("select transaction_id, event_time, amount, currency, transaction_type,"
                    + " verdict, risk_score, hits::text as hits from audit_decisions where account_id = ? order by event_time desc limit 100")) {
                ps.setString(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ObjectNode t = timeline.addObject();
                        t.put("transaction_id", rs.getString(1));
                        t.put("event_time", String.valueOf(CaseStore.instant(rs, "event_time")));
                        t.put("amount", rs.getBigDecimal(3).toPlainString());
                        t.put("currency", rs.getString(4));
                        t.put("type", rs.getString(5));
                        t.put("verdict", rs.getString(6));
                        t.put("risk_score", rs.getInt(7));
                        ArrayNode rules = t.putArray("rule_ids");
                        for (JsonNode h : json(rs.getString(8))) rules.add(h.path("rule_id").asText());
                        t.put("in_case", inCase.contains(rs.getString(1)));
                    }
                }
            }
            ArrayNode past = out.putArray("past_cases");
            try (PreparedStatement ps = c.prepareStatement(
                    "select * from cases where account_id = ? and case_id <> ? order by opened_at desc limit 50")) {
                ps.setString(1, accountId);
                ps.setLong(2, caseId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) past.add(caseJson(rs, now));
                }
            }
            return java.util.Optional.of(out);
        });
    }

    /**
     * Figures for the last {@code window}: decisions per 10-second bucket by verdict, the verdict
     * mix, the alert rate, the top rules, the risk-score distribution (20 bins of 5 points) and
     * the open cases by state.
     */
    public ObjectNode overview(Duration window) throws SQLException {
        Instant now = clock.instant();
        Instant from = now.minus(window);
        return db.inTransaction(c -> {
            ObjectNode out = MAPPER.createObjectNode();
            out.put("from", from.toString());
            out.put("to", now.toString());
            out.put("window_seconds", window.toSeconds());
            ArrayNode series = out.putArray("series");
            try (PreparedStatement ps = c.prepareStatement("select floor(extract(epoch from processed_at) / 10)::bigint * 10 as t,"
                    + " count(*) filter (where verdict = 'ALLOW'), count(*) filter (where verdict = 'REVIEW'),"
                    + " count(*) filter (where verdict = 'BLOCK') from audit_decisions where processed_at >= ? group by 1 order by 1")) {
                ps.setObject(1, CaseStore.utc(from));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ObjectNode p = series.addObject();
                        p.put("t", rs.getLong(1));
                        p.put("ALLOW", rs.getLong(2));
                        p.put("REVIEW", rs.getLong(3));
                        p.put("BLOCK", rs.getLong(4));
                    }
                }
            }
            ObjectNode mix = out.putObject("verdicts");
            long total = 0;
            long alerts = 0;
            for (String v : List.of("ALLOW", "REVIEW", "BLOCK")) mix.put(v, 0);
            try (PreparedStatement ps = c.prepareStatement(
                    "select verdict, count(*) from audit_decisions where processed_at >= ? group by verdict")) {
                ps.setObject(1, CaseStore.utc(from));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        mix.put(rs.getString(1), rs.getLong(2));
                        total += rs.getLong(2);
                        if (!rs.getString(1).equals("ALLOW")) alerts += rs.getLong(2);
                    }
                }
            }
            out.put("decisions", total);
            out.put("events_per_second", window.isZero() ? 0 : total / (double) window.toSeconds());
            out.put("alert_rate", total == 0 ? 0 : alerts / (double) total);
            ArrayNode rules = out.putArray("top_rules");
            try (PreparedStatement ps = c.prepareStatement("select h ->> 'rule_id', count(*) from audit_decisions d,"
                    + " jsonb_array_elements(d.hits) h where d.processed_at >= ? group by 1 order by 2 desc, 1 limit 10")) {
                ps.setObject(1, CaseStore.utc(from));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) rules.addObject().put("rule_id", rs.getString(1)).put("count", rs.getLong(2));
                }
            }
            long[] bins = new long[20];
            try (PreparedStatement ps = c.prepareStatement("select least(risk_score / 5, 19), count(*) from audit_decisions"
                    + " where processed_at >= ? group by 1")) {
                ps.setObject(1, CaseStore.utc(from));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) bins[rs.getInt(1)] = rs.getLong(2);
                }
            }
            ArrayNode dist = out.putArray("score_distribution");
            for (int i = 0; i < bins.length; i++) dist.addObject().put("from", i * 5).put("count", bins[i]);
            ObjectNode cases = out.putObject("cases");
            try (PreparedStatement ps = c.prepareStatement("select state, count(*) from cases group by state");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) cases.put(rs.getString(1), rs.getLong(2));
            }
            return out;
        });
    }

    /** The latest case actions and access events, newest first: what auditors read. */
    public ObjectNode actionLog(int limit) throws SQLException {
        int n = Math.max(1, Math.min(1000, limit));
        return db.inTransaction(c -> {
            ObjectNode out = MAPPER.createObjectNode();
            ArrayNode actions = out.putArray("case_actions");
            try (PreparedStatement ps = c.prepareStatement("select * from case_action order by id desc limit ?")) {
                ps.setInt(1, n);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) actions.add(actionJson(rs));
                }
            }
            ArrayNode access = out.putArray("access_events");
            try (PreparedStatement ps = c.prepareStatement("select id, at, actor, event, subject, detail from access_event order by id desc limit ?")) {
                ps.setInt(1, n);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        access.addObject().put("id", rs.getLong(1)).put("at", String.valueOf(CaseStore.instant(rs, "at")))
                                .put("actor", rs.getString(3)).put("event", rs.getString(4)).put("subject", rs.getString(5))
                                .put("detail", rs.getString(6));
                    }
                }
            }
            return out;
        });
    }

    private static ObjectNode actionJson(ResultSet rs) throws SQLException {
        ObjectNode a = MAPPER.createObjectNode();
        a.put("id", rs.getLong("id"));
        a.put("case_id", rs.getLong("case_id"));
        a.put("at", String.valueOf(CaseStore.instant(rs, "at")));
        a.put("actor", rs.getString("actor"));
        a.put("action", rs.getString("action"));
        a.put("transaction_id", rs.getString("transaction_id"));
        a.put("outcome", rs.getString("outcome"));
        a.put("assignee", rs.getString("assignee"));
        a.put("comment", rs.getString("comment"));
        a.put("state_after", rs.getString("state_after"));
        return a;
    }

    private static ObjectNode caseJson(ResultSet rs, Instant now) throws SQLException {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("case_id", rs.getLong("case_id"));
        n.put("account_id", rs.getString("account_id"));
        n.put("customer_id", rs.getString("customer_id"));
        n.put("state", rs.getString("state"));
        int priority = rs.getInt("priority");
        n.put("priority", priority);
        n.put("band", CasePriority.band(priority));
        Instant opened = CaseStore.instant(rs, "opened_at");
        Instant deadline = CaseStore.instant(rs, "sla_deadline");
        n.put("opened_at", opened.toString());
        n.put("age_seconds", Math.max(0, Duration.between(opened, now).toSeconds()));
        n.put("sla_deadline", deadline.toString());
        n.put("overdue", CaseState.valueOf(rs.getString("state")).isOpen() && now.isAfter(deadline));
        n.put("first_event_at", String.valueOf(CaseStore.instant(rs, "first_event_at")));
        n.put("last_event_at", String.valueOf(CaseStore.instant(rs, "last_event_at")));
        n.put("assignee", rs.getString("assignee"));
        Instant closed = CaseStore.instant(rs, "closed_at");
        n.put("closed_at", closed == null ? null : closed.toString());
        n.put("alert_count", rs.getInt("alert_count"));
        n.put("max_verdict", rs.getString("max_verdict"));
        BigDecimal amount = rs.getBigDecimal("max_amount");
        n.put("max_amount", amount.toPlainString());
        n.put("currency", rs.getString("currency"));
        n.put("max_risk_score", rs.getInt("max_risk_score"));
        ArrayNode rules = n.putArray("rule_ids");
        Array a = rs.getArray("rule_ids");
        for (Object o : (Object[]) a.getArray()) rules.add((String) o);
        n.put("release_state", rs.getString("release_state"));
        return n;
    }

    private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) ps.setObject(i + 1, params.get(i));
    }

    private static JsonNode json(String s) {
        if (s == null) return MAPPER.nullNode();
        try {
            return MAPPER.readTree(s.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return MAPPER.getNodeFactory().textNode(s);
        }
    }

}
