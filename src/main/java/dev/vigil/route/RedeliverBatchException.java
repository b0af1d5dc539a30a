package dev.vigil.route;

/**
 * A batch that must not be retried in place but given back to Kafka to be delivered again: the
 * consumer group moved on (a rebalance), so this consumer may no longer own the partitions, and
 * committing its offsets now would fail however often it were tried.
 */
public final class RedeliverBatchException extends RuntimeException {
    public RedeliverBatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
