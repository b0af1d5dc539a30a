package dev.vigil.audit;

/**
 * An audit write (or read) could not be made. Nothing of the failed call was written: the caller
 * must stop deciding until a later call succeeds, and may retry the same call, which reconnects.
 */
public final class AuditUnavailableException extends RuntimeException {
    private final String sqlState;

    public AuditUnavailableException(String message, String sqlState, Throwable cause) {
        super(message + (sqlState == null ? "" : " (SQLState " + sqlState + ")"), cause);
        this.sqlState = sqlState;
    }

    /**
     * The SQLState PostgreSQL or the driver gave, or null. Class {@code 08} (connection) and
     * {@code 57P} (server shutting down) are the transient ones; others are likely to repeat.
     */
    public String sqlState() {
        return sqlState;
    }

    /** True when the failure came from the connection or a server restart, so a retry can succeed. */
    public boolean isTransient() {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("57P") || sqlState.equals("53300"));
    }
}
