package dev.vigil.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** One HTTP exchange as the console handlers see it: the request's parts, and ways to answer. */
final class HttpCall {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String SESSION_COOKIE = "vigil_session";
    /** Sent by the console's script on every POST: a cross-site form cannot set it. */
    static final String CSRF_HEADER = "X-Vigil-Console";

    final Exchange exchange;
    final String method;
    final String path;
    final Map<String, String> query;

    HttpCall(Exchange exchange) {
        this.exchange = exchange;
        Message m = exchange.getMessage();
        method = String.valueOf(m.getHeader(Exchange.HTTP_METHOD, "GET", String.class)).toUpperCase(Locale.ROOT);
        String uri = m.getHeader(Exchange.HTTP_URI, String.class);
        if (uri == null) uri = m.getHeader(Exchange.HTTP_PATH, "/", String.class);
        int q = uri.indexOf('?');
        path = q < 0 ? uri : uri.substring(0, q);
        query = parseQuery(m.getHeader(Exchange.HTTP_QUERY, String.class));
    }

    String header(String name) {
        return exchange.getMessage().getHeader(name, String.class);
    }

    String cookie(String name) {
        String all = header("Cookie");
        if (all == null) return null;
        for (String part : all.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).trim().equals(name)) return part.substring(eq + 1).trim();
        }
        return null;
    }

    /** The API key from {@code Authorization: Bearer ...} or {@code X-Api-Key}. */
    String apiKey() {
        String auth = header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) return auth.substring(7).trim();
        return header("X-Api-Key");
    }

    String remoteAddress() {
        Object a = exchange.getMessage().getHeader("CamelVertxPlatformHttpRemoteAddress");
        if (a instanceof io.vertx.core.net.SocketAddress s) return s.hostAddress();
        return a == null ? null : a.toString();
    }

    JsonNode jsonBody() {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null || body.length == 0) return MAPPER.createObjectNode();
        try {
            return MAPPER.readTree(body);
        } catch (Exception e) {
            throw new BadRequest("the body is not JSON");
        }
    }

    /** Drops the request's headers (credentials among them) so none is echoed into the response. */
    Message clear() {
        Message m = exchange.getMessage();
        m.removeHeaders("*", Exchange.HTTP_RESPONSE_CODE);
        return m;
    }

    void json(int status, JsonNode body) {
        Message m = clear();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader("Cache-Control", "no-store");
        m.setHeader("X-Content-Type-Options", "nosniff");
        m.setBody(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    void error(int status, String code, String message) {
        ObjectNode body = MAPPER.createObjectNode();
        body.putObject("error").put("code", code).put("message", message);
        json(status, body);
    }

    /** Answers and ends the route here: the steps after this one do not run. */
    void refuse(int status, String code, String message) {
        error(status, code, message);
        if (status == 401) exchange.getMessage().setHeader("WWW-Authenticate", "Bearer realm=\"vigil\"");
        exchange.setRouteStop(true);
    }

    private static Map<String, String> parseQuery(String q) {
        Map<String, String> out = new HashMap<>();
        if (q == null || q.isEmpty()) return out;
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** A request the handler cannot read: answered 400. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }
}
