package dev.vigil.event;

import com.fasterxml.jackson.core.JsonToken;

/**
 * One JSON object as read from the wire, before any value rule: per contract member the token
 * that started its value and, for scalars, the exact token text. Filled in one streaming pass
 * so that every later check sees the whole object, whatever order its members came in.
 */
final class RawObject {
    final WireSpec spec;
    final JsonToken[] tokens;
    final String[] texts;
    final RawObject[] nested;
    /** The first member name the contract does not know, else null. */
    String firstUnknown;

    RawObject(WireSpec spec) {
        this.spec = spec;
        int n = spec.members.size();
        this.tokens = new JsonToken[n];
        this.texts = new String[n];
        this.nested = new RawObject[n];
    }

    /** True when the member is absent or JSON null. */
    boolean isAbsent(String name) {
        JsonToken t = tokens[spec.indexOf(name)];
        return t == null || t == JsonToken.VALUE_NULL;
    }

    /** The scalar text of a member, or null when absent, null, or not a scalar. */
    String text(String name) {
        return texts[spec.indexOf(name)];
    }

    JsonToken token(String name) {
        return tokens[spec.indexOf(name)];
    }

    RawObject object(String name) {
        return nested[spec.indexOf(name)];
    }
}
