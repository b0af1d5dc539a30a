package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vigil.event.InvalidEventException;
import dev.vigil.event.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LabelJsonTest {

    private static Label parse(String json) throws InvalidEventException {
        return LabelJson.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static RejectReason refused(String json) {
        return assertThrows(InvalidEventException.class, () -> parse(json)).reason();
    }

    @Test
    void shouldReadALabelWithItsKnownAtInUtc() throws Exception {
        assertEquals(new Label("tx-1", Label.Kind.FRAUD, "chargeback", Instant.parse("2025-03-01T09:00:00.5Z")),
                parse("{\"transaction_id\":\"tx-1\",\"label\":\"fraud\",\"source\":\"chargeback\",\"known_at\":\"2025-03-01T10:00:00.5+01:00\"}"));
    }

    @Test
    void shouldRefuseWithTheContractsRejectReasons() {
        String ok = "\"transaction_id\":\"tx-1\",\"source\":\"s\",\"known_at\":\"2025-03-01T10:00:00Z\"";
        assertEquals(RejectReason.NOT_JSON, refused("{"));
        assertEquals(RejectReason.NOT_AN_OBJECT, refused("\"FRAUD\""));
        assertEquals(RejectReason.MISSING_FIELD, refused("{" + ok + "}"));
        assertEquals(RejectReason.UNKNOWN_FIELD, refused("{" + ok + ",\"label\":\"FRAUD\",\"score\":1}"));
        assertEquals(RejectReason.WRONG_TYPE, refused("{" + ok + ",\"label\":1}"));
        assertEquals(RejectReason.INVALID_VALUE, refused("{" + ok + ",\"label\":\"MAYBE\"}"));
        assertEquals(RejectReason.BAD_TIMESTAMP, refused(
                "{\"transaction_id\":\"tx-1\",\"source\":\"s\",\"label\":\"FRAUD\",\"known_at\":\"yesterday\"}"));
    }
}
