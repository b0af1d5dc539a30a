package dev.vigil.route;

import dev.vigil.decision.DegradedDecider;
import dev.vigil.feature.FeatureStoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for {@code POST /v1/decisions}: requests that arrive together are decided, audited
 * (one PostgreSQL transaction, one fsync) and published as one batch, and each caller gets its own
 * answer. Alone, a request pays the whole durable commit; under load, many share it.
 *
 * <p>The queue is bounded: when it is full the request is refused at once with
 * {@link OverloadedException} (503 and {@code Retry-After}) rather than queued without limit, so
 * memory and waiting time stay bounded when PostgreSQL or Redis is slow.
 */
public final class HttpBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpBatcher.class);

    private record Pending(Batch batch, CompletableFuture<Batch> done) {}

    private final DecideStage decide;
    private final DegradedDecider degraded;
    private final AuditStage audit;
    private final PublishStage publish;
    private final PipelineMetrics metrics;
    private final BlockingQueue<Pending> queue;
    private final int maxBatch;
    private final Duration patience;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * @param degraded decides from the event alone when the feature store stays unreachable; null to
     *     refuse (503) instead
     * @param maxQueued requests waiting for a worker before new ones are refused
     * @param workers threads deciding batches; two let one batch's commit overlap the next one's decision
     * @param patience how long a request waits for its batch before it is answered 503 (the batch's
     *     own retries are bounded by the HTTP patience, so this is a safety net)
     */
    HttpBatcher(DecideStage decide, DegradedDecider degraded, AuditStage audit, PublishStage publish, PipelineMetrics metrics,
                int maxQueued, int maxBatch, int workers, Duration patience) {
        this.decide = decide;
        this.degraded = degraded;
        this.audit = audit;
        this.publish = publish;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(maxQueued);
        this.maxBatch = maxBatch;
        this.patience = patience;
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, "vigil-http-batcher-" + i);
            t.setDaemon(true);
            t.start();
            this.workers.add(t);
        }
    }

    /** The route's step after intake: returns the request's batch once it is decided, audited and published. */
    public Batch process(Batch batch) throws Exception {
        Pending p = new Pending(batch, new CompletableFuture<>());
        if (!running || !queue.offer(p)) throw new OverloadedException(queue.size());
        try {
            return p.done().get(patience.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        } catch (TimeoutException e) {
            throw new StageUnavailableException("http", e);
        }
    }

    private void work() {
        List<Pending> group = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                group.clear();
                group.add(first);
                queue.drainTo(group, maxBatch - 1);
                runGroup(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                log.error("HTTP batch failed unexpectedly", e);
                for (Pending p : group) p.done().completeExceptionally(e);
            }
        }
    }

    private void runGroup(List<Pending> group) {
        long picked = System.nanoTime();
        // Per request: how long it waited, from its arrival to a worker taking its group.
        for (Pending p : group) metrics.recordStage("http queue", picked - p.batch().arrivedNanos);
        Batch merged = new Batch("http");
        for (Pending p : group) {
            merged.transactions.addAll(p.batch().transactions);
            merged.rejections.addAll(p.batch().rejections);
        }
        try {
            try {
                decide.decide(merged);
            } catch (StageUnavailableException e) {
                if (degraded == null || !featureStoreDown(e)) throw e;
                // Configured to answer anyway: from the event alone, flagged, never ALLOW by default.
                log.warn("feature store unavailable: deciding {} HTTP request(s) in degraded mode: {}",
                        merged.transactions.size(), e.getMessage());
                merged.decisions = degraded.decideAll(merged.transactions.stream().map(Incoming::event).toList());
            }
            audit.record(merged);
            publish.publish(merged);
        } catch (RuntimeException e) {
            for (Pending p : group) p.done().completeExceptionally(e);
            return;
        }
        int at = 0;
        for (Pending p : group) {
            int n = p.batch().transactions.size();
            if (n > 0) {
                p.batch().decisions = List.copyOf(merged.decisions.subList(at, at + n));
                p.batch().toPublish = List.copyOf(merged.toPublish.subList(at, at + n));
                p.batch().duplicates = List.copyOf(merged.duplicates.subList(at, at + n));
            }
            at += n;
            p.done().complete(p.batch());
        }
    }

    /** Whether the stage gave up because the feature store (Redis) was unreachable, not for another reason. */
    private static boolean featureStoreDown(StageUnavailableException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof FeatureStoreUnavailableException) return true;
        }
        return false;
    }

    /** Stops taking requests, answers the queued ones, and stops the workers. */
    @Override
    public void close() {
        running = false;
        for (Thread t : workers) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Pending p;
        while ((p = queue.poll()) != null) p.done().completeExceptionally(new OverloadedException(0));
    }
}
