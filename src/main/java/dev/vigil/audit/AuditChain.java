package dev.vigil.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The audit hash chains' arithmetic (schema in {@code audit-schema/V005__hash_chain.sql} for the v1
 * chain and {@code V006__monthly_partitions.sql} for the monthly ones): the link hash, the checkpoint
 * signatures (v1: chain_seq and head; v2: also the partition's month), and the checkpoint key from
 * the environment.
 *
 * <p>{@code row_hash = SHA-256(prev_hash || canonical bytes)}, where the canonical bytes are what
 * {@code audit_decision_canonical} or {@code audit_rejection_canonical} return for the stored row.
 * A checkpoint's signature is {@code HMAC-SHA256(key, UTF-8("vigil-audit-checkpoint-v1:" + chain_seq
 * + ":" + lowercase hex of head_hash))}.
 */
public final class AuditChain {
    /** The environment variable holding the checkpoint key (its UTF-8 bytes are the HMAC key). */
    public static final String KEY_ENV = "VIGIL_AUDIT_HMAC_KEY";
    /** Shortest key accepted, in bytes: HMAC-SHA256 wants at least its output length. */
    public static final int MIN_KEY_BYTES = 32;

    static final byte[] GENESIS = new byte[32];

    private AuditChain() {}

    /** The key in {@value #KEY_ENV}, or empty when it is unset or blank; too short a key is refused. */
    public static Optional<byte[]> keyFromEnvironment() {
        return keyFrom(System.getenv());
    }

    static Optional<byte[]> keyFrom(Map<String, String> env) {
        String v = env.get(KEY_ENV);
        if (v == null || v.isBlank()) return Optional.empty();
        byte[] key = v.getBytes(StandardCharsets.UTF_8);
        checkKey(key);
        return Optional.of(key);
    }

    static byte[] checkKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(KEY_ENV + " must be at least " + MIN_KEY_BYTES + " bytes, it has " + key.length);
        }
        return key.clone();
    }

    /** SHA-256(prev || canonical). */
    static byte[] link(MessageDigest sha256, byte[] prev, byte[] canonical) {
        sha256.reset();
        sha256.update(prev);
        sha256.update(canonical);
        return sha256.digest();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The exact bytes a checkpoint signs. */
    static byte[] checkpointMessage(long chainSeq, byte[] headHash) {
        return ("vigil-audit-checkpoint-v1:" + chainSeq + ":" + HexFormat.of().formatHex(headHash))
                .getBytes(StandardCharsets.UTF_8);
    }

    static byte[] sign(byte[] key, long chainSeq, byte[] headHash) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(checkpointMessage(chainSeq, headHash));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** The exact bytes a partition's checkpoint signs (V006): the month names the partition. */
    static byte[] checkpointMessage(LocalDate month, long chainSeq, byte[] headHash) {
        return ("vigil-audit-checkpoint-v2:" + YearMonth.from(month) + ":" + chainSeq + ":" + HexFormat.of().formatHex(headHash))
                .getBytes(StandardCharsets.UTF_8);
    }

    static byte[] sign(byte[] key, LocalDate month, long chainSeq, byte[] headHash) {
        return hmac(key, checkpointMessage(month, chainSeq, headHash));
    }

    static boolean signatureValid(byte[] key, LocalDate month, long chainSeq, byte[] headHash, byte[] signature) {
        return MessageDigest.isEqual(sign(key, month, chainSeq, headHash), signature);
    }

    static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    static boolean signatureValid(byte[] key, long chainSeq, byte[] headHash, byte[] signature) {
        // Constant time, so a verifier exposed to others does not leak the signature byte by byte.
        return MessageDigest.isEqual(sign(key, chainSeq, headHash), signature);
    }

    static String hex(byte[] b) {
        return b == null ? "null" : HexFormat.of().formatHex(b);
    }
}
