package dev.vigil.route;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounded retries with exponential back-off for calls to Redis, PostgreSQL and Kafka. While it
 * retries, the consumer thread waits: that is how the pipeline pauses when a dependency is down.
 */
final class Retrying {
    private static final Logger log = LoggerFactory.getLogger(Retrying.class);

    private final Duration kafkaPatience;
    private final Duration httpPatience;
    private final PipelineMetrics metrics;

    /**
     * @param kafkaPatience how long to keep trying on the Kafka path before the batch is given up
     *     (it is then delivered again)
     * @param httpPatience the same on the HTTP path, where a caller is waiting (it then gets a 503)
     */
    Retrying(Duration kafkaPatience, Duration httpPatience, PipelineMetrics metrics) {
        this.kafkaPatience = kafkaPatience;
        this.httpPatience = httpPatience;
        this.metrics = metrics;
    }

    <T> T call(String stage, Batch batch, Supplier<T> call) {
        Duration patience = "http".equals(batch.channel) ? httpPatience : kafkaPatience;
        long deadline = System.nanoTime() + patience.toNanos();
        long backoffMillis = 50;
        int attempt = 0;
        while (true) {
            try {
                return call.get();
            } catch (RedeliverBatchException e) {
                throw e;
            } catch (RuntimeException e) {
                attempt++;
                metrics.recordFailure(stage);
                if (System.nanoTime() + backoffMillis * 1_000_000 > deadline) {
                    throw new StageUnavailableException(stage, e);
                }
                if (attempt == 1 || attempt % 10 == 0) {
                    log.warn("{} failed (attempt {}), retrying in {} ms: {}", stage, attempt, backoffMillis, e.toString());
                }
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new StageUnavailableException(stage, e);
                }
                backoffMillis = Math.min(backoffMillis * 2, 2_000);
            }
        }
    }

    void run(String stage, Batch batch, Runnable call) {
        call(stage, batch, () -> {
            call.run();
            return null;
        });
    }
}
