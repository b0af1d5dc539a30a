package dev.vigil.score;

import dev.vigil.feature.Features;
import java.util.ArrayList;
import java.util.List;

/** Scores transactions from their features. Implementations are safe for use by many threads. */
public interface RiskModel extends AutoCloseable {

    ModelScore score(Features features);

    /**
     * Scores a batch in one call. For {@link XgboostRiskModel} a large batch is one XGBoost4J call, far cheaper
     * per row than calls of one row would be; one row and small batches are walked in Java instead.
     */
    List<ModelScore> scoreAll(List<Features> features);

    /**
     * The {@code top} largest SHAP contributions of each row, largest by absolute size first. A model
     * that cannot explain itself returns an empty list per row.
     */
    default List<List<Contribution>> explainAll(List<Features> features, int top) {
        List<List<Contribution>> none = new ArrayList<>(features.size());
        for (int i = 0; i < features.size(); i++) none.add(List.of());
        return none;
    }

    /**
     * The model in force now. A model that can be replaced while running returns the loaded model it
     * delegates to, so a caller that scores and then explains one batch uses one model for both.
     */
    default RiskModel current() {
        return this;
    }

    String version();

    @Override
    void close();
}
