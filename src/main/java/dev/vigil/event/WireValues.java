package dev.vigil.event;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Set;

/** The value rules of contract v1 that JSON Schema can only describe, written once. */
final class WireValues {

    /** Messages show at most this many characters of a bad value. */
    static final int SHOWN_CHARS = 100;
    /** Amounts below 10^15: far above any real payment, and minor units still fit a long. */
    static final int MAX_AMOUNT_INTEGER_DIGITS = 15;

    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    private WireValues() {}

    // ---- strings ----------------------------------------------------------------------------

    /**
     * Why the text breaks the rules for a text member, or null when it keeps them.
     * Lengths count code points, as JSON Schema's maxLength does.
     *
     * @param allowLineBreaks whether tab, line feed and carriage return are allowed (free text)
     */
    static String textProblem(String s, int maxCodePoints, boolean allowLineBreaks) {
        if (s.isEmpty()) return "is empty";
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "has an unpaired surrogate at index " + i;
            }
            if (Character.isLowSurrogate(c)) return "has an unpaired surrogate at index " + i;
            if (Character.isISOControl(c) && !(allowLineBreaks && (c == '\t' || c == '\n' || c == '\r'))) {
                return String.format("has a control character U+%04X at index %d", (int) c, i);
            }
        }
        int length = s.codePointCount(0, s.length());
        if (length > maxCodePoints) return "is " + length + " characters long, more than " + maxCodePoints;
        return null;
    }

    /**
     * A value made safe to print: quoted, control and invisible characters escaped, and cut to
     * {@link #SHOWN_CHARS} characters with the number left out, so a hostile payload can neither
     * forge log lines nor flood them.
     */
    static String show(String s) {
        return s == null ? "null" : '"' + cut(s, SHOWN_CHARS, true) + '"' + rest(s, SHOWN_CHARS);
    }

    /** Text made safe to print, cut to {@code max} characters; see {@link #show}. */
    static String escape(String s, int max, boolean escapeQuotes) {
        return cut(s, max, escapeQuotes) + rest(s, max);
    }

    private static String rest(String s, int max) {
        return s.length() > max ? "…(+" + (s.length() - max) + " chars)" : "";
    }

    private static String cut(String s, int max, boolean escapeQuotes) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 16);
        int end = Math.min(s.length(), max);
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '"', '\\' -> {
                    if (escapeQuotes) b.append('\\');
                    b.append(c);
                }
                default -> {
                    boolean pairedSurrogate = Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1));
                    if (pairedSurrogate) {
                        b.append(c).append(s.charAt(++i));
                    } else if (Character.isISOControl(c) || Character.isSurrogate(c)
                            || Character.getType(c) == Character.FORMAT
                            || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    // ---- amounts ----------------------------------------------------------------------------

    /**
     * True when the text is a plain decimal: an optional minus, digits without leading zeros, and
     * optionally a point and at least one digit. No exponent, plus sign or spaces: an exponent
     * would let a 6-byte number ({@code 1e999}) stand for a thousand digits.
     */
    static boolean isPlainDecimal(String s) {
        int i = 0, n = s.length();
        if (i < n && s.charAt(i) == '-') i++;
        int intStart = i;
        while (i < n && isDigit(s.charAt(i))) i++;
        int intDigits = i - intStart;
        if (intDigits == 0 || (intDigits > 1 && s.charAt(intStart) == '0')) return false;
        if (i == n) return true;
        if (s.charAt(i) != '.') return false;
        int fracStart = ++i;
        while (i < n && isDigit(s.charAt(i))) i++;
        return i == n && i > fracStart;
    }

    /** Integer digits of a text that {@link #isPlainDecimal} accepted and that has no sign. */
    static int integerDigits(String plainDecimal) {
        int dot = plainDecimal.indexOf('.');
        return dot < 0 ? plainDecimal.length() : dot;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    // ---- timestamps -------------------------------------------------------------------------

    /**
     * An RFC 3339 date-time with seconds and an explicit offset, or null when the text is not
     * one. Hand-parsed at fixed positions: stricter than ISO_OFFSET_DATE_TIME (which takes a time
     * without seconds and offsets with seconds) and a good deal cheaper.
     */
    static Instant parseTimestamp(String s) {
        int n = s.length();
        if (n < 20) return null;
        if (s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != 't')
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
        int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) return null;
        int i = 19, nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && isDigit(s.charAt(i))) i++;
            int count = i - start;
            if (count < 1 || count > 9) return null;
            nanos = digits(s, start, count);
            for (int k = count; k < 9; k++) nanos *= 10;
        }
        if (i >= n) return null;
        ZoneOffset offset;
        char z = s.charAt(i);
        try {
            if ((z == 'Z' || z == 'z') && i + 1 == n) {
                offset = ZoneOffset.UTC;
            } else if ((z == '+' || z == '-') && i + 6 == n && s.charAt(i + 3) == ':') {
                int oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
                if ((oh | om) < 0) return null;
                offset = z == '+' ? ZoneOffset.ofHoursMinutes(oh, om) : ZoneOffset.ofHoursMinutes(-oh, -om);
            } else {
                return null;
            }
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(offset);
        } catch (DateTimeException e) {
            return null; // 2026-02-30, hour 24, offset beyond ±18:00: not a date-time
        }
    }

    /** The decimal value of {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    // ---- codes ------------------------------------------------------------------------------

    /** ISO 3166-1 alpha-2, upper case, assigned as far as the JDK knows. */
    static boolean isCountry(String s) {
        return s.length() == 2 && isUpper(s.charAt(0)) && isUpper(s.charAt(1)) && COUNTRIES.contains(s);
    }

    static boolean isCurrencyShape(String s) {
        return s.length() == 3 && isUpper(s.charAt(0)) && isUpper(s.charAt(1)) && isUpper(s.charAt(2));
    }

    private static boolean isHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /** ISO 18245 merchant category code: exactly four ASCII digits. */
    static boolean isMcc(String s) {
        return s.length() == 4 && digits(s, 0, 4) >= 0;
    }

    // ---- IP addresses -----------------------------------------------------------------------

    /** IPv4 or IPv6 text. Checked by hand: InetAddress.getByName would go to DNS for a name. */
    static boolean isIp(String s) {
        return s.length() <= 45 && (isIpv4(s) || isIpv6(s));
    }

    /** Dotted quad, each part 0 to 255 without leading zeros (which some read as octal). */
    static boolean isIpv4(String s) {
        int parts = 0, i = 0, n = s.length();
        while (true) {
            int start = i, v = 0;
            while (i < n && isDigit(s.charAt(i)) && i - start < 3) v = v * 10 + (s.charAt(i++) - '0');
            int len = i - start;
            if (len == 0 || v > 255 || (len > 1 && s.charAt(start) == '0')) return false;
            parts++;
            if (i == n) return parts == 4;
            if (s.charAt(i) != '.' || parts == 4) return false;
            i++;
        }
    }

    /** RFC 4291 section 2.2 text forms, without a zone id. */
    static boolean isIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap < 0) return groups(s, true) == 8;
        if (s.indexOf("::", gap + 1) >= 0) return false;
        String right = s.substring(gap + 2);
        int l = groups(s.substring(0, gap), false);
        int r = groups(right, true);
        // "::" stands for at least one group of zeros.
        return l >= 0 && r >= 0 && l + r <= 7;
    }

    /** How many 16-bit groups the colon-separated text holds (an IPv4 tail counts 2), or -1. */
    private static int groups(String s, boolean ipv4TailAllowed) {
        if (s.isEmpty()) return 0;
        int count = 0, start = 0;
        while (true) {
            int end = s.indexOf(':', start);
            boolean last = end < 0;
            if (last) end = s.length();
            if (last && ipv4TailAllowed && s.indexOf('.', start) >= 0) {
                return isIpv4(s.substring(start)) ? count + 2 : -1;
            }
            if (end == start || end - start > 4) return -1;
            for (int k = start; k < end; k++) {
                if (!isHex(s.charAt(k))) return -1;
            }
            count++;
            if (last) return count;
            start = end + 1;
        }
    }
}
