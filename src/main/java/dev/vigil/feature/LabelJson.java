package dev.vigil.feature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.event.InvalidEventException;
import dev.vigil.event.RejectReason;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * A label on the {@code vigil.labels} topic: {@code {"transaction_id": "tx-1", "label": "FRAUD",
 * "source": "chargeback", "known_at": "2025-03-01T10:00:00Z"}}, every member required,
 * {@code known_at} an RFC 3339 date-time with an offset. Malformed records are refused with the
 * reject reasons of the event contract, so they go to the dead-letter topic like any bad input.
 */
public final class LabelJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> MEMBERS = Set.of("transaction_id", "label", "source", "known_at");

    private LabelJson() {}

    public static Label parse(byte[] raw) throws InvalidEventException {
        JsonNode o;
        try {
            o = MAPPER.readTree(raw);
        } catch (IOException e) {
            throw new InvalidEventException(RejectReason.NOT_JSON, "label is not JSON: " + e.getMessage(), null);
        }
        if (o == null || !o.isObject()) throw new InvalidEventException(RejectReason.NOT_AN_OBJECT, "label is not a JSON object", null);
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String n = names.next();
            if (!MEMBERS.contains(n)) throw new InvalidEventException(RejectReason.UNKNOWN_FIELD, "label has unknown member '" + n + "'", null);
        }
        String id = text(o, "transaction_id", null);
        String label = text(o, "label", id);
        String source = text(o, "source", id);
        String knownAt = text(o, "known_at", id);
        Label.Kind kind;
        try {
            kind = Label.Kind.valueOf(label.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException(RejectReason.INVALID_VALUE, "label must be FRAUD or LEGIT, not '" + label + "'", id);
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(knownAt).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidEventException(RejectReason.BAD_TIMESTAMP, "label known_at is not an RFC 3339 date-time: '" + knownAt + "'", id);
        }
        if (id.isBlank()) throw new InvalidEventException(RejectReason.INVALID_VALUE, "label transaction_id is blank", null);
        return new Label(id, kind, source, at);
    }

    private static String text(JsonNode o, String name, String id) throws InvalidEventException {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) throw new InvalidEventException(RejectReason.MISSING_FIELD, "label lacks '" + name + "'", id);
        if (!v.isTextual()) throw new InvalidEventException(RejectReason.WRONG_TYPE, "label member '" + name + "' must be a string", id);
        return v.textValue();
    }
}
