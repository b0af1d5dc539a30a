package dev.vigil.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The ports the embedded services and the HTTP server are given must stay free until they bind: outside the
 * kernel's ephemeral range (where outgoing connections take their local ports) and never handed out twice.
 */
class FreePortTest {

    @Test
    void shouldPickBindablePortsBelowTheEphemeralRangeAndNeverTheSameTwice() throws IOException {
        int ephemeral = FreePort.ephemeralRangeStart();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = FreePort.orFree(0);
            assertTrue(port < ephemeral, port + " is inside the ephemeral range starting at " + ephemeral);
            assertTrue(seen.add(port), port + " handed out twice");
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, s.getLocalPort());
            }
        }
    }

    @Test
    void shouldKeepAPortThatWasAskedFor() {
        assertEquals(18_080, FreePort.orFree(18_080));
    }
}
