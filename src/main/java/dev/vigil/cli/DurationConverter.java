package dev.vigil.cli;

import java.time.Duration;
import java.util.Locale;

/** Reads durations as people write them on a command line: {@code 60s}, {@code 5m}, {@code 2h}, {@code 7d}, or ISO {@code PT5M}. */
final class DurationConverter {
    private DurationConverter() {}

    static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("p")) return Duration.parse(t.toUpperCase(Locale.ROOT));
        if (t.length() < 2) throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 60s, 5m, 2h, 7d)");
        long n;
        try {
            n = Long.parseLong(t.substring(0, t.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 60s, 5m, 2h, 7d)");
        }
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 60s, 5m, 2h, 7d)");
        };
    }
}
