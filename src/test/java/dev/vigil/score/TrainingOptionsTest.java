package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingOptionsTest {

    @Test
    void shouldPassTheTreeKnobsToXgboostAndLeaveTheClassWeightOutWhenNone() {
        TrainingOptions o = TrainingOptions.defaults().withTrees(5, 0.05, 300, 25, 3, 0.8, 0.7, 1);
        Map<String, Object> p = ModelTrainer.parameters(o);
        assertEquals(5, p.get("max_depth"));
        assertEquals(0.05, p.get("eta"));
        assertEquals(3.0, p.get("min_child_weight"));
        assertEquals(0.8, p.get("subsample"));
        assertEquals(0.7, p.get("colsample_bytree"));
        assertFalse(p.containsKey("scale_pos_weight"), "1 is XGBoost's default: the card stays as before");
        assertEquals(300, o.maxRounds());
        assertEquals(25, o.earlyStoppingRounds());
        assertEquals(10.0, ModelTrainer.parameters(o.withTrees(5, 0.05, 300, 25, 3, 0.8, 0.7, 10)).get("scale_pos_weight"));
    }

    @Test
    void shouldRefuseKnobsOutOfRange() {
        TrainingOptions d = TrainingOptions.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withTrees(4, 0.1, 200, 20, -1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> d.withTrees(4, 0.1, 200, 20, 1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> d.withTrees(4, 0.1, 200, 20, 1, 1, 1.5, 1));
        assertThrows(IllegalArgumentException.class, () -> d.withTrees(4, 0.1, 200, 20, 1, 1, 1, 0));
    }
}
