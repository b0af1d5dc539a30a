package dev.vigil.cases;

import dev.vigil.decision.Verdict;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashSet;

/**
 * A case's priority, 0 to 100, and the service-level deadline it implies. The priority orders the
 * queue; it decides nothing about the payment, so a simple, explainable sum is enough:
 * <ul>
 *   <li>model: half the risk score (0 to 50);</li>
 *   <li>amount: 5 points for each power of ten above 100 in the amount's own currency (0 to 30);</li>
 *   <li>rules: 20 for a BLOCK, else 5 per distinct rule that fired (at most 20).</li>
 * </ul>
 * A case's priority is the highest of its alerts'.
 *
 * @param high SLA for a priority of 70 and above
 * @param medium SLA for 40 to 69
 * @param low SLA below 40
 */
public record CasePriority(Duration high, Duration medium, Duration low) {
    public CasePriority {
        for (Duration d : new Duration[] {high, medium, low}) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("an SLA must be positive: " + d);
        }
    }

    public static CasePriority defaults() {
        return new CasePriority(Duration.ofHours(4), Duration.ofHours(24), Duration.ofHours(72));
    }

    public static int of(Alert a) {
        int model = a.riskScore() / 2;
        int amount = Math.max(0, Math.min(30, 5 * (integerDigits(a.amount()) - 3)));
        int rules = a.verdict() == Verdict.BLOCK ? 20 : Math.min(20, 5 * new HashSet<>(a.ruleIds()).size());
        return Math.min(100, model + amount + rules);
    }

    /** The band's name, as the console filters by it. */
    public static String band(int priority) {
        return priority >= 70 ? "HIGH" : priority >= 40 ? "MEDIUM" : "LOW";
    }

    public Duration sla(int priority) {
        return priority >= 70 ? high : priority >= 40 ? medium : low;
    }

    /** Digits before the decimal point: 1 for 0.50 and 9.99, 3 for 100, 4 for 1000. */
    static int integerDigits(BigDecimal amount) {
        BigDecimal whole = amount.abs().setScale(0, java.math.RoundingMode.DOWN);
        return whole.signum() == 0 ? 1 : whole.precision();
    }
}
