package dev.vigil.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.feature.Label;
import dev.vigil.feature.LabelJson;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the console publishes on vigil.labels is what the feature engine reads from it. */
class AnalystLabelContractTest {

    @Test
    void everyOutcomeAnAnalystPublishesIsALabelTheFeatureEngineAccepts() throws Exception {
        Instant closed = Instant.parse("2026-11-23T08:00:00.123456Z");
        for (CaseOutcome outcome : CaseOutcome.values()) {
            Label read = LabelJson.parse(new AnalystLabel("tx-1", "acc-1", outcome, closed).toJson());
            assertEquals("tx-1", read.transactionId());
            assertEquals(outcome.name(), read.label().name());
            assertEquals("analyst", read.source());
            assertEquals(closed, read.knownAt());
        }
    }
}
