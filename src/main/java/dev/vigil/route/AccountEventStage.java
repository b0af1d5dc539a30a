package dev.vigil.route;

import dev.vigil.event.AccountEvent;
import dev.vigil.feature.FeatureStore;

/** Records account life-cycle and identity events, and list updates, in the feature store, where the rules see them. */
public final class AccountEventStage {
    private final FeatureStore features;
    private final Retrying retrying;

    AccountEventStage(FeatureStore features, Retrying retrying) {
        this.features = features;
        this.retrying = retrying;
    }

    public Batch apply(Batch batch) {
        for (AccountEvent e : batch.accountEvents) retrying.run("features", batch, () -> features.apply(e));
        return batch;
    }

    /** The labels of a {@code vigil.labels} poll, in order (a label for an unseen transaction changes nothing). */
    public Batch applyLabels(Batch batch) {
        for (dev.vigil.feature.Label l : batch.labels) retrying.run("features", batch, () -> features.applyLabel(l));
        return batch;
    }

    /** The blacklist and whitelist updates of a {@code vigil.lists} poll, in order. */
    public Batch applyLists(Batch batch) {
        for (dev.vigil.feature.ListEntry e : batch.listEntries) retrying.run("features", batch, () -> features.applyList(e));
        return batch;
    }
}
