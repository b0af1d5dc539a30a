package dev.vigil.audit;

/** Text as PostgreSQL can store it. */
final class Text {
    private Text() {}

    /**
     * PostgreSQL text and jsonb cannot hold U+0000, and one such character would make the whole
     * batch fail forever (a poison pill that stops the pipeline): it becomes U+FFFD. A lone UTF-16
     * surrogate (JSON allows the escape {@code "\ud800"}) has no UTF-8 form; the driver would
     * write {@code ?}, so it becomes U+FFFD too, visibly. The exact input stays in raw_event.
     */
    static String clean(String s) {
        if (s == null || isClean(s)) return s;
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else if (c == '\0' || Character.isSurrogate(c)) {
                b.append('\uFFFD');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isClean(String s) {
        // Nearly all text has neither NUL nor a surrogate: one cheap test a char decides it.
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\0' || (c >= '\uD800' && c <= '\uDFFF')) break;
            i++;
        }
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\0') return false;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
