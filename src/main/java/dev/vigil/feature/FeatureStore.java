package dev.vigil.feature;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.TransactionEvent;
import java.util.List;

/**
 * Keeps the per-account state the features are computed from, and computes them.
 *
 * <p>Contract, for every implementation: windows run in event time; a transaction id is counted at
 * most once, and enriching it again returns exactly the features of its first enrichment.
 */
public interface FeatureStore extends AutoCloseable {

    /** Counts the transaction and returns its features. One round trip to the store. */
    Enrichment enrich(TransactionEvent event);

    /** {@link #enrich} for a batch, in order, in one round trip. */
    List<Enrichment> enrichAll(List<TransactionEvent> events);

    /** Records an account life-cycle or identity event. Idempotent per event id. */
    void apply(AccountEvent event);

    /**
     * Puts an account, customer, device, IP or merchant on a blacklist or whitelist, or takes it off.
     * Seen by the transactions enriched after it; idempotent.
     */
    void applyList(ListEntry entry);

    /**
     * Records a label. A FRAUD label counts in the merchant fraud rates of the transactions enriched
     * after it whose time is at or after its knownAt; only the first FRAUD label of a transaction
     * counts; a LEGIT label, or a label for a transaction not enriched yet, changes nothing.
     *
     * @return true when the label was recorded
     */
    boolean applyLabel(Label label);

    /** True when the store answers. */
    boolean isHealthy();

    @Override
    void close();
}
