package dev.vigil.audit;

import java.util.List;

/**
 * The append-only record of every decision and rejection. Writes are durable when the call
 * returns; if they cannot be made the call throws, and the caller must not go on deciding.
 */
public interface AuditSink extends AutoCloseable {

    /**
     * Records the decisions in one transaction. A transaction id already recorded is left as it
     * was (no second row).
     *
     * @return for each decision, in order, true when its row was written now, false when one existed
     */
    List<Boolean> recordDecisions(List<AuditedDecision> decisions);

    /**
     * Records the rejections in one transaction. A delivery (source) already recorded is not
     * recorded again.
     */
    void recordRejections(List<Rejection> rejections);

    /** True when the store answers. */
    boolean isHealthy();

    @Override
    void close();
}
