package dev.vigil.console;

import dev.vigil.cases.CasePriority;
import dev.vigil.config.ConfigException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The keys of the console, access control, the case queue and notifications, bound from
 * {@code Settings.raw()} (so they are set like every other key: {@code application.properties},
 * then environment, then system properties). Each is documented in {@code docs/console.md}.
 *
 * @param authEnabled false opens {@code POST /v1/decisions} and {@code /metrics} to callers
 *     without a key (demos and tests only); the console always needs a login
 * @param passwordIterations PBKDF2 iterations for new password hashes (each hash keeps its own count)
 * @param webhookUrl null when no webhook is configured
 */
public record ConsoleSettings(
        boolean authEnabled,
        int passwordIterations,
        Duration sessionTtl,
        Duration apiKeyCacheTtl,
        boolean secureCookie,
        Duration caseWindow,
        CasePriority sla,
        URI webhookUrl,
        BigDecimal notifyBlockAmount,
        int notifyAttempts,
        Duration notifyBackoff) {

    public static ConsoleSettings from(Map<String, String> raw) {
        String url = raw.getOrDefault("vigil.notify.webhook-url", "").trim();
        URI webhook = null;
        if (!url.isEmpty()) {
            try {
                webhook = URI.create(url);
                if (webhook.getScheme() == null || !(webhook.getScheme().equals("http") || webhook.getScheme().equals("https"))) {
                    throw new IllegalArgumentException("not http(s)");
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException("vigil.notify.webhook-url", url, "expected an http:// or https:// URL");
            }
        }
        String amount = get(raw, "vigil.notify.block-amount");
        BigDecimal blockAmount;
        try {
            blockAmount = new BigDecimal(amount);
            if (blockAmount.signum() < 0) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new ConfigException("vigil.notify.block-amount", amount, "expected a decimal amount of 0 or more");
        }
        int attempts;
        try {
            attempts = Integer.parseInt(get(raw, "vigil.notify.attempts"));
            if (attempts < 1 || attempts > 20) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new ConfigException("vigil.notify.attempts", raw.get("vigil.notify.attempts"), "expected a whole number from 1 to 20");
        }
        return new ConsoleSettings(
                bool(raw, "vigil.auth.enabled"),
                iterations(raw),
                positive(raw, "vigil.console.session-ttl"),
                duration(raw, "vigil.auth.api-key-cache"),
                bool(raw, "vigil.console.secure-cookie"),
                positive(raw, "vigil.cases.window"),
                new CasePriority(positive(raw, "vigil.cases.sla-high"), positive(raw, "vigil.cases.sla-medium"),
                        positive(raw, "vigil.cases.sla-low")),
                webhook, blockAmount, attempts, positive(raw, "vigil.notify.backoff"));
    }

    private static int iterations(Map<String, String> raw) {
        String v = get(raw, "vigil.auth.password-iterations");
        try {
            int n = Integer.parseInt(v);
            if (n < 10_000) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException("vigil.auth.password-iterations", v, "expected a whole number of at least 10000");
        }
    }

    private static String get(Map<String, String> raw, String key) {
        String v = raw.get(key);
        if (v == null || v.isBlank()) throw new ConfigException(key, v, "a value is required");
        return v.trim();
    }

    private static boolean bool(Map<String, String> raw, String key) {
        String v = get(raw, key);
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new ConfigException(key, v, "expected true or false");
    }

    private static Duration duration(Map<String, String> raw, String key) {
        String v = get(raw, key);
        try {
            Duration d = Duration.parse(v);
            if (d.isNegative()) throw new ConfigException(key, v, "must not be negative");
            return d;
        } catch (DateTimeParseException e) {
            throw new ConfigException(key, v, "expected an ISO-8601 duration such as PT8H");
        }
    }

    private static Duration positive(Map<String, String> raw, String key) {
        Duration d = duration(raw, key);
        if (d.isZero()) throw new ConfigException(key, raw.get(key), "must be above zero");
        return d;
    }
}
