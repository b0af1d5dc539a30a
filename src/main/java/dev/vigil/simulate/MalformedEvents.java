package dev.vigil.simulate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.event.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Breaks valid transaction JSON in the ways real rails do, each with the reason Vigil must give.
 * The demo mixes these into its stream; the integration tests check each lands in the DLQ.
 */
public final class MalformedEvents {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A broken payload and the reason code it must be rejected with. */
    public record Malformed(byte[] payload, RejectReason expected) {}

    private MalformedEvents() {}

    /** The {@code n}-th kind of breakage (cycling through all kinds) applied to a valid event. */
    public static Malformed corrupt(byte[] validJson, int n) {
        return switch (Math.floorMod(n, 8)) {
            case 0 -> new Malformed(Arrays.copyOf(validJson, validJson.length / 2), RejectReason.NOT_JSON);
            case 1 -> new Malformed(edit(validJson, o -> o.put("amount", "-12.00")), RejectReason.NEGATIVE_AMOUNT);
            case 2 -> new Malformed(edit(validJson, o -> o.put("currency", "XQZ")), RejectReason.UNKNOWN_CURRENCY);
            case 3 -> new Malformed(edit(validJson, o -> o.remove("account_id")), RejectReason.MISSING_FIELD);
            case 4 -> new Malformed(edit(validJson, o -> o.put("occurred_at", "yesterday at noon")), RejectReason.BAD_TIMESTAMP);
            case 5 -> new Malformed(edit(validJson, o -> o.put("amount", "twelve")), RejectReason.NON_NUMERIC_AMOUNT);
            case 6 -> new Malformed(edit(validJson, o -> o.put("type", "TELEPORT")), RejectReason.UNKNOWN_EVENT_TYPE);
            default -> new Malformed(invalidUtf8(validJson), RejectReason.INVALID_UTF8);
        };
    }

    private static byte[] edit(byte[] json, java.util.function.Consumer<ObjectNode> change) {
        try {
            ObjectNode o = (ObjectNode) MAPPER.readTree(json);
            change.accept(o);
            return MAPPER.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] invalidUtf8(byte[] json) {
        String s = new String(json, StandardCharsets.UTF_8);
        int at = s.indexOf("\"customer_id\":\"") + "\"customer_id\":\"".length();
        byte[] head = s.substring(0, at).getBytes(StandardCharsets.UTF_8);
        byte[] tail = s.substring(at).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + 2 + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        out[head.length] = (byte) 0xC3; // a lead byte followed by a byte that cannot continue it
        out[head.length + 1] = (byte) 0x28;
        System.arraycopy(tail, 0, out, head.length + 2, tail.length);
        return out;
    }
}
