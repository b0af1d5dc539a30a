package dev.vigil.route;

import dev.vigil.event.AccountEvent;
import dev.vigil.feature.FeatureStore;

/** Records account life-cycle and identity events in the feature store, where the rules see them. */
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
}
