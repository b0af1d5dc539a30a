/**
 * Model scoring: the {@link dev.vigil.score.RiskModel} the decision core calls, its XGBoost
 * implementation {@link dev.vigil.score.XgboostRiskModel}, and {@link dev.vigil.score.ModelTrainer}
 * that makes the models it loads.
 *
 * <p>A model directory holds two files:
 * <ul>
 *   <li>{@code model.ubj}: the XGBoost booster (UBJSON), readable by any XGBoost binding;</li>
 *   <li>{@code model.json}: the {@link dev.vigil.score.ModelCard}: version, ordered feature list,
 *       training window, row and fraud counts, a SHA-256 of the training data and of the booster,
 *       parameters, stopping round, validation metrics and the REVIEW threshold.</li>
 * </ul>
 * The card may list any selection of {@link dev.vigil.feature.Features#NAMES} in the model's own
 * order; rows are built by those names. The loader refuses a card naming a feature this build does not
 * compute, a card whose list differs from the columns the booster was trained on, and a booster whose
 * hash is not the card's. {@link dev.vigil.score.ReloadingRiskModel} follows a model folder and swaps
 * versions without a restart; {@link dev.vigil.score.XgboostRiskModel#explainAll} gives the SHAP
 * contributions the decision core attaches to REVIEW and BLOCK decisions.
 *
 * <p>Cost: each XGBoost call pays a fixed overhead of about 100 µs (JNI, and the native library
 * re-reads the cgroup CPU quota files on every call), so one row and small batches are scored by a
 * Java walk of the same trees ({@code TreeWalk}, bit-identical to XGBoost4J, a few µs a row) and
 * larger batches by XGBoost4J; see {@link dev.vigil.score.XgboostRiskModel}.
 */
package dev.vigil.score;
