package dev.vigil.audit;

/** Text as PostgreSQL can store it. */
final class Text {
    private Text() {}

    /**
     * PostgreSQL text and jsonb cannot hold U+0000, and one such character would make the whole
     * batch fail forever (a poison pill that stops the pipeline). It becomes U+FFFD; the exact
     * input stays in raw_event.
     */
    static String clean(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }
}
