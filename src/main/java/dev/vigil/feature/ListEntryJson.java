package dev.vigil.feature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.event.InvalidEventException;
import dev.vigil.event.RejectReason;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * A list update on the {@code vigil.lists} topic: {@code {"list": "blacklist", "entity": "device",
 * "id": "fp-9f3a", "member": true}}. {@code list}, {@code entity} and {@code id} are required;
 * {@code member} (default true) false takes the entity off the list. Malformed records are refused
 * with the reject reasons of the event contract, so they go to the dead-letter topic like any bad input.
 */
public final class ListEntryJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> MEMBERS = Set.of("list", "entity", "id", "member");

    private ListEntryJson() {}

    public static ListEntry parse(byte[] raw) throws InvalidEventException {
        JsonNode o;
        try {
            o = MAPPER.readTree(raw);
        } catch (IOException e) {
            throw new InvalidEventException(RejectReason.NOT_JSON, "list update is not JSON: " + e.getMessage(), null);
        }
        if (o == null || !o.isObject()) {
            throw new InvalidEventException(RejectReason.NOT_AN_OBJECT, "list update is not a JSON object", null);
        }
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String n = names.next();
            if (!MEMBERS.contains(n)) throw new InvalidEventException(RejectReason.UNKNOWN_FIELD, "list update has unknown member '" + n + "'", null);
        }
        String list = text(o, "list");
        String entity = text(o, "entity");
        String id = text(o, "id");
        boolean member = true;
        if (o.has("member")) {
            if (!o.get("member").isBoolean()) throw new InvalidEventException(RejectReason.WRONG_TYPE, "list update member 'member' must be a boolean", null);
            member = o.get("member").booleanValue();
        }
        try {
            return new ListEntry(ListEntry.Kind.valueOf(list.toUpperCase(Locale.ROOT)), ListEntry.Entity.parse(entity), id, member);
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException(RejectReason.INVALID_VALUE, "list update: list must be blacklist or whitelist, entity one of "
                    + "account, customer, device, ip, merchant, id not blank; got list='" + list + "', entity='" + entity + "'", null);
        }
    }

    private static String text(JsonNode o, String name) throws InvalidEventException {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) throw new InvalidEventException(RejectReason.MISSING_FIELD, "list update lacks '" + name + "'", null);
        if (!v.isTextual()) throw new InvalidEventException(RejectReason.WRONG_TYPE, "list update member '" + name + "' must be a string", null);
        return v.textValue();
    }
}
