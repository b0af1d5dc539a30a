package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vigil.event.InvalidEventException;
import dev.vigil.event.RejectReason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ListEntryJsonTest {

    private static ListEntry parse(String json) throws InvalidEventException {
        return ListEntryJson.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static RejectReason refused(String json) {
        return assertThrows(InvalidEventException.class, () -> parse(json)).reason();
    }

    @Test
    void shouldReadAnUpdateWithMemberDefaultingToTrue() throws Exception {
        assertEquals(new ListEntry(ListEntry.Kind.BLACKLIST, ListEntry.Entity.DEVICE, "fp-1", true),
                parse("{\"list\":\"blacklist\",\"entity\":\"device\",\"id\":\"fp-1\"}"));
        assertEquals(new ListEntry(ListEntry.Kind.WHITELIST, ListEntry.Entity.IP, "192.0.2.1", false),
                parse("{\"list\":\"WHITELIST\",\"entity\":\"ip\",\"id\":\"192.0.2.1\",\"member\":false}"));
    }

    @Test
    void shouldRefuseWithTheContractsRejectReasons() {
        assertEquals(RejectReason.NOT_JSON, refused("{list"));
        assertEquals(RejectReason.NOT_AN_OBJECT, refused("[1]"));
        assertEquals(RejectReason.MISSING_FIELD, refused("{\"list\":\"blacklist\",\"entity\":\"device\"}"));
        assertEquals(RejectReason.UNKNOWN_FIELD, refused("{\"list\":\"blacklist\",\"entity\":\"device\",\"id\":\"x\",\"why\":1}"));
        assertEquals(RejectReason.WRONG_TYPE, refused("{\"list\":\"blacklist\",\"entity\":\"device\",\"id\":7}"));
        assertEquals(RejectReason.WRONG_TYPE, refused("{\"list\":\"blacklist\",\"entity\":\"device\",\"id\":\"x\",\"member\":\"yes\"}"));
        assertEquals(RejectReason.INVALID_VALUE, refused("{\"list\":\"greylist\",\"entity\":\"device\",\"id\":\"x\"}"));
        assertEquals(RejectReason.INVALID_VALUE, refused("{\"list\":\"blacklist\",\"entity\":\"card\",\"id\":\"x\"}"));
        assertEquals(RejectReason.INVALID_VALUE, refused("{\"list\":\"blacklist\",\"entity\":\"device\",\"id\":\" \"}"));
    }
}
