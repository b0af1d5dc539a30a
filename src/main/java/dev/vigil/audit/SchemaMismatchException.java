package dev.vigil.audit;

/**
 * The audit database and the {@code audit-schema/} folder disagree about which scripts were applied:
 * an applied script was edited or removed, or a new one is numbered below an applied one. Vigil
 * does not start until a person resolves it.
 */
public final class SchemaMismatchException extends IllegalStateException {
    public SchemaMismatchException(String message) {
        super(message);
    }
}
