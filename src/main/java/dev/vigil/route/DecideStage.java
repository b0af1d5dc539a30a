package dev.vigil.route;

import dev.vigil.decision.DecisionEngine;
import dev.vigil.event.TransactionEvent;
import java.util.ArrayList;
import java.util.List;

/** Second stage: the decision core on every valid transaction of the batch, in arrival order. */
public final class DecideStage {
    private final DecisionEngine engine;
    private final Retrying retrying;
    private final PipelineMetrics metrics;

    DecideStage(DecisionEngine engine, Retrying retrying, PipelineMetrics metrics) {
        this.engine = engine;
        this.retrying = retrying;
        this.metrics = metrics;
    }

    public Batch decide(Batch batch) {
        if (batch.transactions.isEmpty()) return batch;
        List<TransactionEvent> events = new ArrayList<>(batch.transactions.size());
        for (Incoming in : batch.transactions) events.add(in.event());
        long start = System.nanoTime();
        batch.decisions = retrying.call("features", batch, () -> engine.decideAll(events));
        metrics.recordStage("decide", System.nanoTime() - start);
        return batch;
    }
}
