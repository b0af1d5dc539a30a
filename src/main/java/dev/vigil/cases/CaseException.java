package dev.vigil.cases;

/** A case action that cannot be done, with a stable code the console maps to an HTTP status. */
public final class CaseException extends RuntimeException {
    /** Why the action was refused. */
    public enum Code { FORBIDDEN, NOT_FOUND, CONFLICT, BAD_REQUEST }

    private final Code code;

    public CaseException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
