package dev.vigil.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A Suspicious Activity Report draft for one account and period, from the audit store alone,
 * laid out after the FinCEN SAR's parts as a guide: filing institution (left to complete), subject
 * (Part I), suspicious activity (Part II: period, amounts, categories as the rules that fired,
 * instruments), the transactions, and a narrative skeleton (Part V) with the facts filled in and
 * the analyst's judgement left as placeholders. A draft for a person to complete, never filed as is.
 */
public final class SarDraft {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SarDraft() {}

    /** The draft as JSON; {@code transactions} lists every decision of the account in [from, to) by event time. */
    public static ObjectNode build(Connection c, String account, Instant from, Instant to) throws SQLException {
        Objects.requireNonNull(account, "account");
        ObjectNode sar = MAPPER.createObjectNode();
        sar.put("format", "vigil-sar-draft/1");
        sar.put("status", "DRAFT: to be reviewed and completed by a compliance officer; not filed");
        sar.put("guide", "FinCEN SAR (BSA E-Filing): Part I subject, Part II suspicious activity, Part IV filing institution, Part V narrative");
        ObjectNode inst = sar.putObject("filing_institution");
        inst.put("name", "[to complete]");
        inst.put("tin", "[to complete]");
        inst.put("contact_office", "[to complete]");

        ArrayNode txs = MAPPER.createArrayNode();
        Map<String, BigDecimal> totals = new TreeMap<>();
        Map<String, ObjectNode> rules = new TreeMap<>();
        Map<String, Integer> types = new TreeMap<>();
        Map<String, Integer> verdicts = new TreeMap<>();
        java.util.Set<String> customers = new java.util.TreeSet<>();
        java.util.Set<String> versions = new java.util.TreeSet<>();
        JsonNode accountFacts = null;
        String first = null;
        String last = null;
        try (PreparedStatement ps = c.prepareStatement("""
                select (event_time at time zone 'UTC')::text || 'Z', transaction_id, customer_id, transaction_type, amount,
                       currency, verdict, risk_score, hits::text, account::text, rule_set_version, rule_set_hash, model_version,
                       raw_event_json ->> 'counterpartyAccount', raw_event_json ->> 'merchantId', raw_event_json ->> 'channel'
                  from audit_decisions where account_id = ? and event_time >= ? and event_time < ?
                 order by event_time, transaction_id""")) {
            ps.setString(1, account);
            ps.setObject(2, PostgresAuditStore.utc(from));
            ps.setObject(3, PostgresAuditStore.utc(to));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode t = txs.addObject();
                    t.put("event_time", rs.getString(1));
                    t.put("transaction_id", rs.getString(2));
                    t.put("type", rs.getString(4));
                    t.put("amount", rs.getBigDecimal(5).toPlainString());
                    t.put("currency", rs.getString(6));
                    t.put("verdict", rs.getString(7));
                    t.put("risk_score", rs.getInt(8));
                    t.put("counterparty_account", rs.getString(14));
                    t.put("merchant_id", rs.getString(15));
                    t.put("channel", rs.getString(16));
                    ArrayNode ids = t.putArray("rule_ids");
                    for (JsonNode h : MAPPER.readTree(rs.getString(9))) {
                        String id = h.get("rule_id").asText();
                        ids.add(id);
                        ObjectNode r = rules.computeIfAbsent(id, k -> {
                            ObjectNode n = MAPPER.createObjectNode();
                            n.put("rule_id", k);
                            n.put("hits", 0);
                            n.put("example_reason", h.get("reason").asText());
                            n.put("verdict", h.get("verdict").asText());
                            return n;
                        });
                        r.put("hits", r.get("hits").asInt() + 1);
                    }
                    totals.merge(rs.getString(6), rs.getBigDecimal(5), BigDecimal::add);
                    types.merge(rs.getString(4), 1, Integer::sum);
                    verdicts.merge(rs.getString(7), 1, Integer::sum);
                    customers.add(rs.getString(3));
                    versions.add("rules " + rs.getString(11) + "+" + rs.getString(12) + ", model " + rs.getString(13));
                    if (rs.getString(10) != null) accountFacts = MAPPER.readTree(rs.getString(10));
                    if (first == null) first = rs.getString(1);
                    last = rs.getString(1);
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse: " + e.getOriginalMessage(), e);
        }

        ObjectNode subject = sar.putObject("subject");
        subject.put("account_id", account);
        ArrayNode cust = subject.putArray("customer_ids");
        customers.forEach(cust::add);
        subject.set("account_facts", accountFacts);
        subject.put("name_address_identification", "[to complete from KYC records]");

        ObjectNode activity = sar.putObject("suspicious_activity");
        activity.put("period_from", from.toString());
        activity.put("period_to", to.toString());
        activity.put("first_transaction", first);
        activity.put("last_transaction", last);
        activity.put("transactions", txs.size());
        ObjectNode amounts = activity.putObject("total_amount_by_currency");
        totals.forEach((k, v) -> amounts.put(k, v.toPlainString()));
        ObjectNode byType = activity.putObject("transactions_by_type");
        types.forEach(byType::put);
        ObjectNode byVerdict = activity.putObject("decisions_by_verdict");
        verdicts.forEach(byVerdict::put);
        ArrayNode cats = activity.putArray("rules_involved");
        rules.values().forEach(cats::add);
        ArrayNode v = activity.putArray("rule_set_and_model_versions");
        versions.forEach(v::add);
        sar.set("transactions", txs);

        ObjectNode narrative = sar.putObject("narrative");
        narrative.put("who", "Account " + account + " (customer " + String.join(", ", customers) + "). [Add the subject's"
                + " identity, occupation and relationship to the institution.]");
        narrative.put("what", txs.size() + " transaction(s) totalling " + amounts + "; rules that raised alerts: "
                + String.join(", ", rules.keySet()) + ". [Describe the activity and why it is suspicious.]");
        narrative.put("when", "Between " + first + " and " + last + " (event time, UTC).");
        narrative.put("where", "Channels and counterparties as listed in the transactions. [Add branches, jurisdictions.]");
        narrative.put("why", "Vigil's alerts: " + rules.values().stream().map(r -> r.get("rule_id").asText() + " ("
                + r.get("hits").asInt() + "x, e.g. \"" + r.get("example_reason").asText() + "\")").toList()
                + ". [State the analyst's conclusion.]");
        narrative.put("how", "[Describe the method: structuring, rapid movement of funds, account takeover, ...]");
        narrative.put("action_taken", "[Account restrictions, case number, law-enforcement contact.]");
        return sar;
    }

    /** The draft as a readable, self-contained HTML page. */
    public static String html(ObjectNode sar) {
        StringBuilder b = new StringBuilder();
        JsonNode s = sar.get("subject");
        JsonNode a = sar.get("suspicious_activity");
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>SAR draft: ")
                .append(esc(s.get("account_id").asText())).append("</title>\n<style>body{font-family:sans-serif;max-width:60em;"
                        + "margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;"
                        + "text-align:left}.todo{color:#a00}</style></head><body>\n");
        b.append("<h1>Suspicious Activity Report: draft</h1>\n<p class=\"todo\">").append(esc(sar.get("status").asText()))
                .append("</p>\n<p>").append(esc(sar.get("guide").asText())).append("</p>\n");
        b.append("<h2>Part IV: Filing institution</h2>\n").append(table(sar.get("filing_institution")));
        b.append("<h2>Part I: Subject</h2>\n").append(table(s));
        b.append("<h2>Part II: Suspicious activity</h2>\n").append(table(a));
        b.append("<h2>Rules involved</h2>\n<table><tr><th>rule</th><th>hits</th><th>verdict</th><th>example reason</th></tr>\n");
        for (JsonNode r : a.get("rules_involved")) {
            b.append("<tr><td>").append(esc(r.get("rule_id").asText())).append("</td><td>").append(r.get("hits").asInt())
                    .append("</td><td>").append(esc(r.get("verdict").asText())).append("</td><td>")
                    .append(esc(r.get("example_reason").asText())).append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Transactions</h2>\n<table><tr><th>event time (UTC)</th><th>transaction</th><th>type</th>"
                + "<th>amount</th><th>verdict</th><th>risk</th><th>rules</th><th>counterparty</th></tr>\n");
        for (JsonNode t : sar.get("transactions")) {
            b.append("<tr><td>").append(esc(t.get("event_time").asText())).append("</td><td>")
                    .append(esc(t.get("transaction_id").asText())).append("</td><td>").append(esc(t.get("type").asText()))
                    .append("</td><td>").append(esc(t.get("amount").asText() + " " + t.get("currency").asText()))
                    .append("</td><td>").append(esc(t.get("verdict").asText())).append("</td><td>")
                    .append(t.get("risk_score").asInt()).append("</td><td>").append(esc(t.get("rule_ids").toString()))
                    .append("</td><td>").append(esc(t.path("counterparty_account").asText(""))).append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Part V: Narrative (skeleton)</h2>\n");
        sar.get("narrative").fields().forEachRemaining(e -> b.append("<h3>").append(esc(e.getKey().replace('_', ' ')))
                .append("</h3>\n<p>").append(esc(e.getValue().asText()).replaceAll("(\\[[^\\]]*\\])", "<span class=\"todo\">$1</span>"))
                .append("</p>\n"));
        return b.append("</body></html>\n").toString();
    }

    private static String table(JsonNode n) {
        StringBuilder b = new StringBuilder("<table>\n");
        n.fields().forEachRemaining(e -> {
            if (e.getKey().equals("rules_involved")) return;
            JsonNode v = e.getValue();
            b.append("<tr><th>").append(esc(e.getKey().replace('_', ' '))).append("</th><td>")
                    .append(esc(v == null || v.isNull() ? "" : v.isTextual() ? v.asText() : v.toString())).append("</td></tr>\n");
        });
        return b.append("</table>\n").toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
