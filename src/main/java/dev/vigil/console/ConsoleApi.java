package dev.vigil.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.access.AccessStore;
import dev.vigil.access.Permission;
import dev.vigil.access.Principal;
import dev.vigil.access.Role;
import dev.vigil.cases.CaseActionType;
import dev.vigil.cases.CaseException;
import dev.vigil.cases.CaseOutcome;
import dev.vigil.cases.CaseQueries;
import dev.vigil.cases.CaseService;
import dev.vigil.cases.CaseState;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's JSON API under {@code /api}. Every endpoint but {@code POST /api/login} needs a
 * session (401 without one) and a permission of the user's roles (403 without it):
 *
 * <pre>
 * POST /api/login                  anyone          {username, password}: sets the session cookie
 * POST /api/logout                 session
 * GET  /api/me                     session         the user and what the roles allow
 * GET  /api/cases                  VIEW_CASES      the queue: state, band, rule, assignee, min_age_hours, sort, dir, page, size
 * GET  /api/cases/{id}             VIEW_CASES      one case with transactions, decisions, timeline, history
 * POST /api/cases/{id}/actions     ACT_ON_CASES    {action, outcome, assignee, transaction_id, comment}
 *                                  (APPROVE_RELEASE for action APPROVE_RELEASE)
 * GET  /api/analysts               VIEW_CASES      who a case can be assigned to
 * GET  /api/overview               VIEW_OVERVIEW   figures for the last `minutes` (default 15)
 * GET  /api/audit/log              READ_AUDIT      latest case actions and access events
 * GET  /api/users, /api/apikeys    MANAGE_ACCESS
 * </pre>
 *
 * POSTs must carry the header {@code X-Vigil-Console: 1} (and the cookie is SameSite=Strict), so
 * another site cannot make a logged-in browser act.
 */
public final class ConsoleApi {
    private static final Logger log = LoggerFactory.getLogger(ConsoleApi.class);
    private static final Pattern CASE = Pattern.compile("/api/cases/(\\d{1,18})");
    private static final Pattern CASE_ACTION = Pattern.compile("/api/cases/(\\d{1,18})/actions");

    private final AccessStore access;
    private final CaseQueries queries;
    private final CaseService cases;
    private final ConsoleSettings settings;

    public ConsoleApi(AccessStore access, CaseQueries queries, CaseService cases, ConsoleSettings settings) {
        this.access = Objects.requireNonNull(access, "access");
        this.queries = Objects.requireNonNull(queries, "queries");
        this.cases = Objects.requireNonNull(cases, "cases");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public void handle(Exchange exchange) {
        HttpCall call = new HttpCall(exchange);
        try {
            route(call);
        } catch (HttpCall.BadRequest | IllegalArgumentException e) {
            call.error(400, "BAD_REQUEST", e.getMessage());
        } catch (CaseException e) {
            int status = switch (e.code()) {
                case FORBIDDEN -> 403;
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case BAD_REQUEST -> 400;
            };
            call.error(status, e.code().name(), e.getMessage());
        } catch (SQLException | IllegalStateException e) {
            log.warn("console {} {} failed: {}", call.method, call.path, e.toString());
            call.error(503, "UNAVAILABLE", "the database did not answer; try again");
        }
    }

    private void route(HttpCall call) throws SQLException {
        String p = call.path;
        if (p.equals("/api/login") && call.method.equals("POST")) {
            login(call);
            return;
        }
        if (call.method.equals("POST") && call.header(HttpCall.CSRF_HEADER) == null) {
            call.error(403, "FORBIDDEN", "console requests must carry the " + HttpCall.CSRF_HEADER + " header");
            return;
        }
        String token = call.cookie(HttpCall.SESSION_COOKIE);
        Optional<Principal> who = token == null ? Optional.empty() : access.session(token);
        if (who.isEmpty()) {
            call.error(401, "UNAUTHENTICATED", token == null ? "log in first" : "the session has expired; log in again");
            return;
        }
        Principal user = who.get();
        Matcher m;
        if (p.equals("/api/logout") && call.method.equals("POST")) {
            access.logout(token);
            call.json(200, HttpCall.MAPPER.createObjectNode().put("logged_out", true));
            setCookie(call, "", 0);
        } else if (p.equals("/api/me") && call.method.equals("GET")) {
            call.json(200, me(user));
        } else if (p.equals("/api/cases") && call.method.equals("GET")) {
            if (require(call, user, Permission.VIEW_CASES)) call.json(200, queries.queue(queueQuery(call)));
        } else if ((m = CASE.matcher(p)).matches() && call.method.equals("GET")) {
            if (!require(call, user, Permission.VIEW_CASES)) return;
            Optional<ObjectNode> d = queries.detail(Long.parseLong(m.group(1)));
            if (d.isPresent()) call.json(200, d.get());
            else call.error(404, "NOT_FOUND", "no case " + m.group(1));
        } else if ((m = CASE_ACTION.matcher(p)).matches() && call.method.equals("POST")) {
            act(call, user, Long.parseLong(m.group(1)));
        } else if (p.equals("/api/analysts") && call.method.equals("GET")) {
            if (!require(call, user, Permission.VIEW_CASES)) return;
            ArrayNode out = HttpCall.MAPPER.createArrayNode();
            access.users().stream().filter(u -> !u.disabled() && (u.roles().contains(Role.ANALYST) || u.roles().contains(Role.SENIOR_ANALYST)))
                    .forEach(u -> out.addObject().put("username", u.username()).put("display_name", u.displayName()));
            call.json(200, out);
        } else if (p.equals("/api/overview") && call.method.equals("GET")) {
            if (!require(call, user, Permission.VIEW_OVERVIEW)) return;
            int minutes = intParam(call, "minutes", 15, 1, 24 * 60);
            call.json(200, queries.overview(Duration.ofMinutes(minutes)));
        } else if (p.equals("/api/audit/log") && call.method.equals("GET")) {
            if (require(call, user, Permission.READ_AUDIT)) call.json(200, queries.actionLog(intParam(call, "limit", 100, 1, 1000)));
        } else if (p.equals("/api/users") && call.method.equals("GET")) {
            if (!require(call, user, Permission.MANAGE_ACCESS)) return;
            ArrayNode out = HttpCall.MAPPER.createArrayNode();
            for (var u : access.users()) {
                ObjectNode n = out.addObject().put("username", u.username()).put("display_name", u.displayName())
                        .put("disabled", u.disabled()).put("created_at", u.createdAt().toString());
                ArrayNode roles = n.putArray("roles");
                u.roles().forEach(r -> roles.add(r.name()));
            }
            call.json(200, out);
        } else if (p.equals("/api/apikeys") && call.method.equals("GET")) {
            if (!require(call, user, Permission.MANAGE_ACCESS)) return;
            ArrayNode out = HttpCall.MAPPER.createArrayNode();
            for (var k : access.apiKeys()) {
                out.addObject().put("key_id", k.keyId()).put("client", k.client()).put("created_at", k.createdAt().toString())
                        .put("created_by", k.createdBy()).put("revoked_at", k.revokedAt() == null ? null : k.revokedAt().toString());
            }
            call.json(200, out);
        } else {
            call.error(404, "NOT_FOUND", "no " + call.method + " " + p);
        }
    }

    private void login(HttpCall call) {
        JsonNode body = call.jsonBody();
        String username = body.path("username").asText("");
        char[] password = body.path("password").asText("").toCharArray();
        AccessStore.Login result = access.login(username, password, call.remoteAddress());
        java.util.Arrays.fill(password, '\0');
        if (result instanceof AccessStore.Login.Ok ok) {
            call.json(200, me(ok.principal()));
            setCookie(call, ok.token(), settings.sessionTtl().toSeconds());
        } else if (result instanceof AccessStore.Login.Throttled t) {
            long secs = Math.max(1, t.retryAfter().toSeconds());
            call.error(429, "TOO_MANY_ATTEMPTS", "too many wrong passwords; try again in " + secs + " s");
            call.exchange.getMessage().setHeader("Retry-After", String.valueOf(secs));
        } else {
            call.error(401, "UNAUTHENTICATED", "wrong username or password");
        }
    }

    private void act(HttpCall call, Principal user, long caseId) throws SQLException {
        JsonNode b = call.jsonBody();
        CaseActionType action;
        try {
            action = CaseActionType.valueOf(b.path("action").asText("").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new HttpCall.BadRequest("action must be one of ASSIGN, COMMENT, CLOSE, ESCALATE, REQUEST_RELEASE, APPROVE_RELEASE");
        }
        CaseOutcome outcome = null;
        if (b.hasNonNull("outcome")) {
            try {
                outcome = CaseOutcome.valueOf(b.get("outcome").asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new HttpCall.BadRequest("outcome must be FRAUD or LEGIT");
            }
        }
        CaseService.Result r = cases.act(user, caseId, new CaseService.Request(action, outcome, text(b, "assignee"),
                text(b, "transaction_id"), text(b, "comment")));
        ObjectNode out = HttpCall.MAPPER.createObjectNode().put("case_id", r.caseId()).put("state", r.state().name());
        if (!r.labels().isEmpty()) {
            out.put("labels", r.labels().size());
            out.put("labels_published", r.labelsPublished());
        }
        call.json(200, out);
    }

    private static String text(JsonNode b, String field) {
        return b.hasNonNull(field) ? b.get(field).asText() : null;
    }

    private static ObjectNode me(Principal p) {
        ObjectNode n = HttpCall.MAPPER.createObjectNode().put("username", p.name());
        ArrayNode roles = n.putArray("roles");
        p.roles().forEach(r -> roles.add(r.name()));
        ArrayNode perms = n.putArray("permissions");
        for (Permission perm : Permission.values()) if (p.may(perm)) perms.add(perm.name());
        return n;
    }

    private static boolean require(HttpCall call, Principal user, Permission p) {
        if (user.may(p)) return true;
        call.error(403, "FORBIDDEN", user.name() + " " + user.roles() + " may not do this (needs " + p + ")");
        return false;
    }

    private void setCookie(HttpCall call, String value, long maxAgeSeconds) {
        call.exchange.getMessage().setHeader("Set-Cookie", HttpCall.SESSION_COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + maxAgeSeconds + (settings.secureCookie() ? "; Secure" : ""));
    }

    private static CaseQueries.QueueQuery queueQuery(HttpCall call) {
        Set<CaseState> states = EnumSet.noneOf(CaseState.class);
        String s = call.query.get("state");
        if (s != null && !s.isBlank()) {
            for (String one : s.split(",")) {
                if (one.equalsIgnoreCase("ALL")) states.addAll(EnumSet.allOf(CaseState.class));
                else states.add(CaseState.valueOf(one.trim().toUpperCase(Locale.ROOT)));
            }
        }
        String band = blankToNull(call.query.get("band"));
        String assignee = call.query.get("assignee");
        if (assignee != null && assignee.equals("-")) assignee = "";
        else assignee = blankToNull(assignee);
        String age = blankToNull(call.query.get("min_age_hours"));
        Duration minAge = age == null ? null : Duration.ofMinutes(Math.round(Double.parseDouble(age) * 60));
        return new CaseQueries.QueueQuery(states, band == null ? null : band.toUpperCase(Locale.ROOT),
                blankToNull(call.query.get("rule")), assignee, minAge, blankToNull(call.query.get("sort")),
                "asc".equalsIgnoreCase(call.query.get("dir")), intParam(call, "page", 0, 0, 1_000_000),
                intParam(call, "size", 50, 1, CaseQueries.MAX_PAGE_SIZE));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static int intParam(HttpCall call, String name, int dflt, int min, int max) {
        String v = call.query.get(name);
        if (v == null || v.isBlank()) return dflt;
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new HttpCall.BadRequest(name + " must be a whole number from " + min + " to " + max);
        }
    }
}
