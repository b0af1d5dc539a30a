package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.feature.Features;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed demo model loads with this build (its booster predates column names) and explains itself. */
class ShippedModelTest {

    @Test
    void shouldLoadScoreAndExplainTheCommittedDemoModel() {
        try (ReloadingRiskModel m = ReloadingRiskModel.load(Path.of("models/vigil-demo"))) {
            Features f = SyntheticFraud.generate(1, 1, java.time.Instant.EPOCH).rows().get(0);
            ModelScore s = m.score(f);
            assertEquals(m.version(), s.modelVersion());
            assertTrue(s.probability() >= 0 && s.probability() <= 1);
            List<Contribution> top = m.explainAll(List.of(f), 5).get(0);
            assertEquals(5, top.size());
        }
    }
}
