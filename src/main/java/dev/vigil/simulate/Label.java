package dev.vigil.simulate;

import java.util.Objects;

/**
 * The ground truth for one simulated transaction.
 *
 * @param transactionId the labelled transaction
 * @param suspicious true exactly when the transaction is part of an injected scenario
 * @param scenario the scenario, or null when not suspicious
 * @param incidentId groups the transactions of one scenario instance (e.g. {@code inc-42-7}), or null when not
 *     suspicious; lets an evaluation count detected incidents as well as transactions
 */
public record Label(String transactionId, boolean suspicious, Scenario scenario, String incidentId) {

    public Label {
        Objects.requireNonNull(transactionId, "transactionId");
        if (suspicious != (scenario != null)) {
            throw new IllegalArgumentException("suspicious must be true exactly when a scenario is given");
        }
        if ((scenario == null) != (incidentId == null)) {
            throw new IllegalArgumentException("incidentId must be given exactly when a scenario is given");
        }
    }

    /** The label of ordinary traffic. */
    public static Label benign(String transactionId) {
        return new Label(transactionId, false, null, null);
    }

    /** The label of a transaction that belongs to an injected scenario. */
    public static Label suspicious(String transactionId, Scenario scenario, String incidentId) {
        return new Label(transactionId, true, Objects.requireNonNull(scenario, "scenario"), incidentId);
    }
}
