package dev.vigil.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class AuditChainTest {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldReadTheKeyFromTheEnvironmentAndRefuseAShortOne() {
        assertEquals(Optional.empty(), AuditChain.keyFrom(Map.of()));
        assertEquals(Optional.empty(), AuditChain.keyFrom(Map.of(AuditChain.KEY_ENV, "  ")));
        assertArrayEquals(KEY, AuditChain.keyFrom(Map.of(AuditChain.KEY_ENV, new String(KEY, StandardCharsets.UTF_8))).orElseThrow());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AuditChain.keyFrom(Map.of(AuditChain.KEY_ENV, "short")));
        assertTrue(e.getMessage().contains(AuditChain.KEY_ENV), e.getMessage());
    }

    @Test
    void shouldSignTheDocumentedMessage() {
        byte[] head = new byte[32];
        head[31] = 1;
        assertEquals("vigil-audit-checkpoint-v1:42:" + "00".repeat(31) + "01",
                new String(AuditChain.checkpointMessage(42, head), StandardCharsets.UTF_8));
        // RFC 4231 test case 2: HMAC-SHA256 with key "Jefe" over "what do ya want for nothing?"
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                HexFormat.of().formatHex(hmac("Jefe".getBytes(StandardCharsets.US_ASCII),
                        "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void shouldSignAPartitionsCheckpointOverItsMonthSequenceAndHead() {
        byte[] head = new byte[32];
        head[0] = (byte) 0xab;
        java.time.LocalDate march = java.time.LocalDate.of(2026, 3, 1);
        assertEquals("vigil-audit-checkpoint-v2:2026-03:7:ab" + "00".repeat(31),
                new String(AuditChain.checkpointMessage(march, 7, head), StandardCharsets.UTF_8));
        byte[] sig = AuditChain.sign(KEY, march, 7, head);
        assertArrayEquals(hmac(KEY, AuditChain.checkpointMessage(march, 7, head)), sig);
        assertTrue(AuditChain.signatureValid(KEY, march, 7, head, sig));
        // The same head and position in another month is another message
        assertFalse(AuditChain.signatureValid(KEY, march.plusMonths(1), 7, head, sig));
        assertFalse(AuditChain.signatureValid(KEY, march, 8, head, sig));
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Property(tries = 200)
    void aSignatureHoldsOnlyForItsSequenceHashAndKey(@ForAll long seq, @ForAll @Size(32) byte[] head) {
        long s = Math.abs(seq % 1_000_000_000L) + 1;
        byte[] sig = AuditChain.sign(KEY, s, head);
        assertArrayEquals(hmac(KEY, AuditChain.checkpointMessage(s, head)), sig);
        assertTrue(AuditChain.signatureValid(KEY, s, head, sig));
        assertFalse(AuditChain.signatureValid(KEY, s + 1, head, sig));
        byte[] other = head.clone();
        other[0] ^= 1;
        assertFalse(AuditChain.signatureValid(KEY, s, other, sig));
        byte[] otherKey = KEY.clone();
        otherKey[5] ^= 1;
        assertFalse(AuditChain.signatureValid(otherKey, s, head, sig));
    }

    @Property(tries = 200)
    void aLinkIsSha256OfPrevThenContent(@ForAll @Size(32) byte[] prev, @ForAll byte[] canonical) throws Exception {
        byte[] joined = new byte[prev.length + canonical.length];
        System.arraycopy(prev, 0, joined, 0, prev.length);
        System.arraycopy(canonical, 0, joined, prev.length, canonical.length);
        assertArrayEquals(java.security.MessageDigest.getInstance("SHA-256").digest(joined),
                AuditChain.link(AuditChain.sha256(), prev, canonical));
    }
}
