package dev.vigil.simulate;

/** Id formatting without String.format, which is slow and would print a locale's own digits. */
final class Ids {
    private Ids() {}

    static String account(int index) {
        return padded("acc-", index, 6);
    }

    /** {@code prefix} then n in ASCII digits, zero-padded to at least {@code width}. */
    static String padded(String prefix, long n, int width) {
        String digits = Long.toString(n);
        StringBuilder b = new StringBuilder(prefix.length() + Math.max(width, digits.length())).append(prefix);
        for (int i = digits.length(); i < width; i++) b.append('0');
        return b.append(digits).toString();
    }
}
