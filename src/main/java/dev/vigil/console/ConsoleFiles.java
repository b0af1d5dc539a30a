package dev.vigil.console;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The console's own files ({@code src/main/resources/console/}: plain HTML, CSS and JavaScript,
 * no build step, nothing from elsewhere) under {@code /console/}. They hold no data: everything
 * shown comes from {@code /api}, which checks the session. A strict Content-Security-Policy keeps
 * the pages to their own scripts.
 */
public final class ConsoleFiles {
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,40}\\.(html|js|css|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml");
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    public void serve(Exchange exchange) throws IOException {
        HttpCall call = new HttpCall(exchange);
        String p = call.path;
        if (p.equals("/console") || p.equals("/")) {
            Message m = call.clear();
            m.setHeader(Exchange.HTTP_RESPONSE_CODE, 302);
            m.setHeader("Location", "/console/");
            m.setBody("");
            return;
        }
        String name = p.equals("/console/") ? "index.html" : p.startsWith("/console/") ? p.substring("/console/".length()) : "";
        byte[] body = NAME.matcher(name).matches() ? load(name) : null;
        if (body == null) {
            call.error(404, "NOT_FOUND", "no " + p);
            return;
        }
        Message m = call.clear();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        m.setHeader(Exchange.CONTENT_TYPE, TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
        m.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
        m.setHeader("X-Content-Type-Options", "nosniff");
        m.setHeader("X-Frame-Options", "DENY");
        m.setHeader("Referrer-Policy", "no-referrer");
        m.setHeader("Cache-Control", "no-cache");
        m.setBody(body);
    }

    private byte[] load(String name) throws IOException {
        byte[] b = cache.get(name);
        if (b != null) return b;
        try (InputStream in = ConsoleFiles.class.getResourceAsStream("/console/" + name)) {
            if (in == null) return null;
            b = in.readAllBytes();
        }
        cache.put(name, b);
        return b;
    }
}
