package dev.vigil.console;

import dev.vigil.access.AccessStore;
import dev.vigil.access.Permission;
import dev.vigil.access.Principal;
import dev.vigil.route.Intake;
import java.util.Objects;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * The first step of the machine endpoints' routes: {@code POST /v1/decisions} needs a payment
 * rail's API key, whose client is then recorded with the decision (its audit row's source_ref is
 * {@code <client>/<request id>}); {@code GET /metrics} needs an API key or an admin's session.
 * A refused call is answered 401 (no or unknown credentials) or 403 here and goes no further.
 */
public final class AccessGate {
    private final AccessStore access;
    private final boolean enabled;

    /** @param enabled false lets callers without credentials through (demos and tests only) */
    public AccessGate(AccessStore access, boolean enabled) {
        this.access = Objects.requireNonNull(access, "access");
        this.enabled = enabled;
    }

    public void decisionsCaller(Exchange exchange) {
        HttpCall call = new HttpCall(exchange);
        String key = call.apiKey();
        dropCredentials(exchange);
        if (key == null || key.isEmpty()) {
            if (!enabled) return;
            call.refuse(401, "UNAUTHENTICATED", "POST /v1/decisions needs an API key: Authorization: Bearer <key>");
            return;
        }
        Optional<String> client = access.clientForApiKey(key);
        if (client.isEmpty()) {
            call.refuse(401, "UNAUTHENTICATED", "the API key is unknown or revoked");
            return;
        }
        exchange.setProperty(Intake.CLIENT_PROPERTY, client.get());
    }

    public void metricsCaller(Exchange exchange) {
        HttpCall call = new HttpCall(exchange);
        String key = call.apiKey();
        String session = call.cookie(HttpCall.SESSION_COOKIE);
        dropCredentials(exchange);
        if (key != null && !key.isEmpty()) {
            if (access.clientForApiKey(key).isEmpty()) call.refuse(401, "UNAUTHENTICATED", "the API key is unknown or revoked");
            return;
        }
        if (session != null) {
            Optional<Principal> p = access.session(session);
            if (p.isEmpty()) {
                call.refuse(401, "UNAUTHENTICATED", "the session has expired; log in again");
            } else if (!p.get().may(Permission.SCRAPE_METRICS)) {
                call.refuse(403, "FORBIDDEN", p.get().name() + " may not read /metrics (admins and API keys may)");
            }
            return;
        }
        if (enabled) call.refuse(401, "UNAUTHENTICATED", "/metrics needs an API key or an admin's session");
    }

    private static void dropCredentials(Exchange exchange) {
        exchange.getMessage().removeHeader("Authorization");
        exchange.getMessage().removeHeader("X-Api-Key");
        exchange.getMessage().removeHeader("Cookie");
    }
}
