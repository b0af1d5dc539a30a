package dev.vigil.audit;

import dev.vigil.event.EventSource;
import java.util.List;
import java.util.Optional;

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

    /**
     * The delivery whose decision was recorded for this transaction id, if any. Tells a Kafka
     * redelivery of the same record (publish again: the first attempt may not have) from a
     * resubmission of the same transaction (a duplicate: publish nothing).
     */
    Optional<EventSource> recordedSource(String transactionId);

    /** True when the store answers. */
    boolean isHealthy();

    @Override
    void close();
}
