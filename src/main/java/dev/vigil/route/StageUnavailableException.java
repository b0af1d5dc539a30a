package dev.vigil.route;

/**
 * A dependency (Redis, PostgreSQL, Kafka) stayed unavailable through the stage's retries. On the
 * Kafka path the batch is not committed and is delivered again; on HTTP the caller gets a 503.
 */
public final class StageUnavailableException extends RuntimeException {
    private final String stage;

    public StageUnavailableException(String stage, Throwable cause) {
        super(stage + " unavailable: " + cause.getMessage(), cause);
        this.stage = stage;
    }

    public String stage() {
        return stage;
    }
}
