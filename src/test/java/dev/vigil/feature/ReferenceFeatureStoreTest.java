package dev.vigil.feature;

import static dev.vigil.feature.Tx.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reference store gives the hand-computed values of {@link FeatureStoreContract}. */
class ReferenceFeatureStoreTest extends FeatureStoreContract {

    private ReferenceFeatureStore store;

    @BeforeEach
    void newStore() {
        store = new ReferenceFeatureStore();
    }

    @Override
    FeatureStore store() {
        return store;
    }

    @Test
    void shouldKeepEveryEventSoEvenAVeryLateOneSeesItsWholeWindow() {
        // The Redis store drops buckets beyond the lateness horizon; the definition does not.
        enrich(tx(acct, "a", T0));
        enrich(tx(acct, "b", T0.plusSeconds(20 * 60)));
        Features c = enrich(tx(acct, "c", T0.plusSeconds(30)));
        assertEquals(2, c.txCount1m());
        assertEquals(30, c.secondsSincePrevious());
    }
}
