package dev.vigil.route;

import dev.vigil.audit.AuditSink;
import dev.vigil.audit.AuditedDecision;
import dev.vigil.decision.Decision;
import dev.vigil.event.EventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Third stage: the audit rows, committed before anything is published or any offset committed.
 * If PostgreSQL stays down the stage throws, and the batch is delivered again later: the pipeline
 * never decides without a record.
 */
public final class AuditStage {
    private final AuditWriters writers;
    private final PipelineMetrics metrics;
    private final Retrying retrying;

    AuditStage(AuditWriters writers, PipelineMetrics metrics, Retrying retrying) {
        this.writers = writers;
        this.metrics = metrics;
        this.retrying = retrying;
    }

    public Batch record(Batch batch) {
        long start = System.nanoTime();
        try {
            return recordTimed(batch);
        } finally {
            metrics.recordStage("audit", System.nanoTime() - start);
        }
    }

    private Batch recordTimed(Batch batch) {
        if (!batch.rejections.isEmpty()) {
            retrying.run("audit", batch, () -> writers.forThisThread().recordRejections(batch.rejections));
        }
        if (batch.decisions.isEmpty()) return batch;
        List<AuditedDecision> rows = new ArrayList<>(batch.decisions.size());
        for (int i = 0; i < batch.decisions.size(); i++) {
            Incoming in = batch.transactions.get(i);
            rows.add(new AuditedDecision(batch.decisions.get(i), in.source(), in.raw()));
        }
        List<Boolean> written = retrying.call("audit", batch, () -> writers.forThisThread().recordDecisions(rows));
        List<Boolean> publish = new ArrayList<>(written.size());
        List<Boolean> duplicates = new ArrayList<>(written.size());
        for (int i = 0; i < written.size(); i++) {
            Decision d = batch.decisions.get(i);
            boolean isNew = written.get(i);
            boolean sameDelivery = !isNew && isSameDelivery(batch, d.transactionId(), batch.transactions.get(i).source());
            boolean duplicate = !isNew && !sameDelivery;
            publish.add(!duplicate);
            duplicates.add(duplicate);
            if (duplicate) metrics.recordDuplicate();
            else metrics.recordDecision(d);
        }
        batch.toPublish = publish;
        batch.duplicates = duplicates;
        return batch;
    }

    private boolean isSameDelivery(Batch batch, String transactionId, EventSource source) {
        Optional<EventSource> recorded = retrying.call("audit", batch, () -> writers.forThisThread().recordedSource(transactionId));
        return recorded.map(source::equals).orElse(false);
    }
}
