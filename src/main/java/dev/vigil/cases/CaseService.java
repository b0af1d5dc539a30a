package dev.vigil.cases;

import dev.vigil.access.Permission;
import dev.vigil.access.Principal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What people do to cases. Each action checks the actor's permission, changes the case in the
 * same transaction as its append-only {@code case_action} row, and, for a close, publishes one
 * label per transaction of the case after the commit.
 *
 * <p>Releasing a blocked transaction takes two people: anyone who may act on cases asks for it
 * ({@link CaseActionType#REQUEST_RELEASE}), and a senior analyst other than the one who asked
 * approves it ({@link CaseActionType#APPROVE_RELEASE}).
 */
public final class CaseService {
    private static final Logger log = LoggerFactory.getLogger(CaseService.class);
    private static final int MAX_COMMENT = 4000;

    /**
     * One action as asked for.
     *
     * @param outcome for CLOSE
     * @param assignee for ASSIGN (a username; null assigns the actor)
     * @param transactionId for REQUEST_RELEASE and APPROVE_RELEASE: the blocked transaction
     */
    public record Request(CaseActionType action, CaseOutcome outcome, String assignee, String transactionId, String comment) {
        public Request {
            Objects.requireNonNull(action, "action");
        }
    }

    /**
     * What an action did.
     *
     * @param labelsPublished for a close: true when the labels were acknowledged by Kafka
     */
    public record Result(long caseId, CaseState state, List<AnalystLabel> labels, boolean labelsPublished) {}

    private final CaseStore store;
    private final LabelSink labels;

    public CaseService(CaseStore store, LabelSink labels) {
        this.store = Objects.requireNonNull(store, "store");
        this.labels = Objects.requireNonNull(labels, "labels");
    }

    /**
     * @throws CaseException FORBIDDEN when the actor may not, NOT_FOUND, CONFLICT when the case's
     *     state does not allow it, BAD_REQUEST when a needed field is missing
     * @throws SQLException when the database fails (nothing was recorded)
     */
    public Result act(Principal actor, long caseId, Request r) throws SQLException {
        Objects.requireNonNull(actor, "actor");
        Permission needed = r.action() == CaseActionType.APPROVE_RELEASE ? Permission.APPROVE_RELEASE : Permission.ACT_ON_CASES;
        if (r.action() == CaseActionType.OPEN || r.action() == CaseActionType.JOIN) {
            throw new CaseException(CaseException.Code.BAD_REQUEST, r.action() + " is done by the pipeline, not by people");
        }
        if (!actor.may(needed)) {
            throw new CaseException(CaseException.Code.FORBIDDEN, actor.name() + " " + actor.roles() + " may not " + r.action()
                    + " (needs " + needed + ")");
        }
        String comment = r.comment() == null || r.comment().isBlank() ? null : r.comment().strip();
        if (comment != null && comment.length() > MAX_COMMENT) {
            throw new CaseException(CaseException.Code.BAD_REQUEST, "a comment has at most " + MAX_COMMENT + " characters");
        }
        Instant now = store.clock().instant();
        Result result = store.db().inTransaction(c -> {
            String accountId;
            CaseState state;
            try (PreparedStatement ps = c.prepareStatement("select account_id, state from cases where case_id = ? for update")) {
                ps.setLong(1, caseId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new CaseException(CaseException.Code.NOT_FOUND, "no case " + caseId);
                    accountId = rs.getString(1);
                    state = CaseState.valueOf(rs.getString(2));
                }
            }
            List<AnalystLabel> out = List.of();
            CaseState after = state;
            switch (r.action()) {
                case ASSIGN -> {
                    requireOpen(state, r.action());
                    String assignee = r.assignee() == null || r.assignee().isBlank() ? actor.name() : r.assignee().strip();
                    requireCaseWorker(c, assignee);
                    after = state == CaseState.OPEN ? CaseState.IN_REVIEW : state;
                    update(c, caseId, "assignee = ?, state = ?", assignee, after.name(), now);
                    CaseStore.insertAction(c, caseId, now, actor.name(), r.action(), null, null, assignee, comment, after.name());
                }
                case COMMENT -> {
                    if (comment == null) throw new CaseException(CaseException.Code.BAD_REQUEST, "a comment needs text");
                    CaseStore.insertAction(c, caseId, now, actor.name(), r.action(), null, null, null, comment, state.name());
                }
                case ESCALATE -> {
                    requireOpen(state, r.action());
                    if (state == CaseState.ESCALATED_SAR) throw new CaseException(CaseException.Code.CONFLICT, "case " + caseId + " is already escalated");
                    after = CaseState.ESCALATED_SAR;
                    update(c, caseId, "state = ?", after.name(), null, now);
                    CaseStore.insertAction(c, caseId, now, actor.name(), r.action(), null, null, null, comment, after.name());
                }
                case CLOSE -> {
                    requireOpen(state, r.action());
                    if (r.outcome() == null) throw new CaseException(CaseException.Code.BAD_REQUEST, "closing needs an outcome, FRAUD or LEGIT");
                    after = r.outcome().closedState();
                    try (PreparedStatement ps = c.prepareStatement("update cases set state = ?, closed_at = ?, updated_at = ? where case_id = ?")) {
                        ps.setString(1, after.name());
                        ps.setObject(2, CaseStore.utc(now));
                        ps.setObject(3, CaseStore.utc(now));
                        ps.setLong(4, caseId);
                        ps.executeUpdate();
                    }
                    CaseStore.insertAction(c, caseId, now, actor.name(), r.action(), null, r.outcome(), null, comment, after.name());
                    List<AnalystLabel> ls = new ArrayList<>();
                    for (String[] tx : CaseStore.alertsOf(c, caseId)) ls.add(new AnalystLabel(tx[0], accountId, r.outcome(), now));
                    out = ls;
                }
                case REQUEST_RELEASE -> {
                    String tx = requireBlocked(c, caseId, r.transactionId());
                    if (pendingRequester(c, caseId, tx) != null) {
                        throw new CaseException(CaseException.Code.CONFLICT, "a release of " + tx + " is already waiting for approval");
                    }
                    if (released(c, caseId, tx)) throw new CaseException(CaseException.Code.CONFLICT, tx + " is already released");
                    update(c, caseId, "release_state = ?", "REQUESTED", null, now);
                    CaseStore.insertAction(c, caseId, now, actor.name(), r.action(), tx, null, null, comment, state.name());
                }
                case APPROVE_RELEASE -> {
                    String tx = requireBlocked(c, caseId, r.transactionId());
                    String requester = pendingRequester(c, caseId, tx);
                    if (requester == null) throw new CaseException(CaseException.Code.CONFLICT, "no release of " + tx + " was asked for");
                    if (requester.equals(actor.name())) {
                        throw new CaseException(CaseException.Code.FORBIDDEN,
                                "four-eyes: " + actor.name() + " asked for this release, so another senior analyst must approve it");
                    }
                    update(c, caseId, "release_state = ?", "RELEASED", null, now);
                    CaseStore.insertAction(c, caseId, now, actor.name(), r.action(), tx, null, null, comment, state.name());
                }
                default -> throw new CaseException(CaseException.Code.BAD_REQUEST, "unknown action " + r.action());
            }
            return new Result(caseId, after, out, false);
        });
        if (result.labels().isEmpty()) return result;
        boolean published;
        try {
            labels.publish(result.labels());
            published = true;
        } catch (RuntimeException e) {
            // The close is recorded; the labels can be read back from case_action and republished.
            log.error("case {} closed but its {} label(s) were not published: {}", caseId, result.labels().size(), e.toString());
            published = false;
        }
        return new Result(result.caseId(), result.state(), result.labels(), published);
    }

    private static void requireOpen(CaseState state, CaseActionType action) {
        if (!state.isOpen()) throw new CaseException(CaseException.Code.CONFLICT, "the case is " + state + ": no " + action);
    }

    private static void update(Connection c, long caseId, String set, String v1, String v2, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update cases set " + set + ", updated_at = ? where case_id = ?")) {
            int p = 1;
            ps.setString(p++, v1);
            if (v2 != null) ps.setString(p++, v2);
            ps.setObject(p++, CaseStore.utc(now));
            ps.setLong(p, caseId);
            ps.executeUpdate();
        }
    }

    private static void requireCaseWorker(Connection c, String username) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select 1 from users where username = ? and not disabled"
                + " and roles && array['ANALYST', 'SENIOR_ANALYST']")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new CaseException(CaseException.Code.BAD_REQUEST, username + " is not an active analyst");
            }
        }
    }

    /** The transaction to release: given, or the case's only BLOCK; it must be a BLOCK of this case. */
    private static String requireBlocked(Connection c, long caseId, String tx) throws SQLException {
        List<String> blocked = new ArrayList<>();
        for (String[] a : CaseStore.alertsOf(c, caseId)) if (a[1].equals("BLOCK")) blocked.add(a[0]);
        if (tx == null || tx.isBlank()) {
            if (blocked.size() == 1) return blocked.get(0);
            throw new CaseException(CaseException.Code.BAD_REQUEST, blocked.isEmpty()
                    ? "case " + caseId + " has no blocked transaction" : "name the blocked transaction to release: " + blocked);
        }
        if (!blocked.contains(tx)) throw new CaseException(CaseException.Code.BAD_REQUEST, tx + " is not a blocked transaction of case " + caseId);
        return tx;
    }

    /** Who asked for the release of {@code tx}, when that request is not yet approved. */
    private static String pendingRequester(Connection c, long caseId, String tx) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select action, actor from case_action where case_id = ? and transaction_id = ?"
                + " and action in ('REQUEST_RELEASE', 'APPROVE_RELEASE') order by id desc limit 1")) {
            ps.setLong(1, caseId);
            ps.setString(2, tx);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1).equals("REQUEST_RELEASE") ? rs.getString(2) : null;
            }
        }
    }

    private static boolean released(Connection c, long caseId, String tx) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select 1 from case_action where case_id = ? and transaction_id = ? and action = 'APPROVE_RELEASE'")) {
            ps.setLong(1, caseId);
            ps.setString(2, tx);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
