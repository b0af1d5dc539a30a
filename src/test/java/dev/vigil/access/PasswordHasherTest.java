package dev.vigil.access;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher(1000);

    @Test
    void shouldVerifyTheRightPasswordOnlyAndSaltEachHash() {
        String h1 = hasher.hash("a long passphrase".toCharArray());
        String h2 = hasher.hash("a long passphrase".toCharArray());
        assertNotEquals(h1, h2, "a fresh salt each time");
        assertTrue(PasswordHasher.verify("a long passphrase".toCharArray(), h1));
        assertFalse(PasswordHasher.verify("a long passphrasf".toCharArray(), h1));
        assertFalse(PasswordHasher.verify("a long passphrase".toCharArray(), "md5$abc"));
        assertFalse(PasswordHasher.verify("a long passphrase".toCharArray(), null));
    }

    @Test
    void shouldMatchPbkdf2HmacSha256ComputedByHand() throws Exception {
        // One PBKDF2 block (RFC 8018) with c iterations, computed with a plain HMAC: U1 = HMAC(P, S || 1), Ui = HMAC(P, Ui-1).
        String stored = hasher.hash("reference check".toCharArray());
        String[] parts = stored.split("\\$");
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("reference check".getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update(salt);
        byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
        byte[] t = u.clone();
        for (int i = 1; i < Integer.parseInt(parts[1]); i++) {
            u = mac.doFinal(u);
            for (int k = 0; k < t.length; k++) t[k] ^= u[k];
        }
        String expected = HexFormat.of().formatHex(t);
        assertTrue(expected.equals(HexFormat.of().formatHex(Base64.getDecoder().decode(parts[3]))));
    }

    @Test
    void shouldRefuseShortPasswords() {
        assertThrows(IllegalArgumentException.class, () -> hasher.hash("short".toCharArray()));
    }
}
