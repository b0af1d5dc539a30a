package dev.vigil.simulate;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What to simulate. Validated on construction; errors name the field and the bad value.
 *
 * @param accounts number of accounts, 1 to 10,000,000
 * @param seed the same seed (and config) gives the same stream, event for event
 * @param start event time of the first event; every account is opened (its ACCOUNT_OPENED emitted) at it
 * @param fraudShare share of accounts, 0 to 0.5, given a bad-behaviour scenario in each {@code fraudPeriod}
 * @param newAccountShare share of accounts, 0 to 1, opened 1 to 30 days before {@code start} (the rest months to
 *     years before); only these can carry {@link Scenario#NEW_ACCOUNT_DEPOSITS}
 * @param meanTransactionsPerAccountPerDay mean rate of ordinary transactions per account, above 0 and at most 1,000
 * @param fraudPeriod the stream is endless, so scenarios are planned period by period: in each period of this
 *     length, {@code fraudShare * accounts} distinct accounts (the fraction rounded up or down at random, keeping the
 *     mean) each start one scenario at a uniformly random
 *     time in the period; at least one day
 */
public record SimulationConfig(
        int accounts,
        long seed,
        Instant start,
        double fraudShare,
        double newAccountShare,
        double meanTransactionsPerAccountPerDay,
        Duration fraudPeriod) {

    public static final double DEFAULT_FRAUD_SHARE = 0.02;
    public static final double DEFAULT_NEW_ACCOUNT_SHARE = 0.10;
    public static final double DEFAULT_TRANSACTIONS_PER_DAY = 3.0;
    public static final Duration DEFAULT_FRAUD_PERIOD = Duration.ofDays(7);

    public SimulationConfig {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(fraudPeriod, "fraudPeriod");
        if (accounts < 1 || accounts > 10_000_000) bad("accounts", accounts, "1 to 10,000,000");
        if (!(fraudShare >= 0 && fraudShare <= 0.5)) bad("fraudShare", fraudShare, "0 to 0.5");
        if (!(newAccountShare >= 0 && newAccountShare <= 1)) bad("newAccountShare", newAccountShare, "0 to 1");
        if (!(meanTransactionsPerAccountPerDay > 0 && meanTransactionsPerAccountPerDay <= 1000)) {
            bad("meanTransactionsPerAccountPerDay", meanTransactionsPerAccountPerDay, "above 0 and at most 1,000");
        }
        if (fraudPeriod.compareTo(Duration.ofDays(1)) < 0) bad("fraudPeriod", fraudPeriod, "at least 1 day");
    }

    /** The defaults: 2% fraud accounts a week, 10% new accounts, 3 transactions per account per day. */
    public static SimulationConfig defaults(int accounts, long seed, Instant start) {
        return new SimulationConfig(accounts, seed, start, DEFAULT_FRAUD_SHARE, DEFAULT_NEW_ACCOUNT_SHARE,
                DEFAULT_TRANSACTIONS_PER_DAY, DEFAULT_FRAUD_PERIOD);
    }

    public SimulationConfig withFraudShare(double share) {
        return new SimulationConfig(accounts, seed, start, share, newAccountShare,
                meanTransactionsPerAccountPerDay, fraudPeriod);
    }

    public SimulationConfig withNewAccountShare(double share) {
        return new SimulationConfig(accounts, seed, start, fraudShare, share,
                meanTransactionsPerAccountPerDay, fraudPeriod);
    }

    public SimulationConfig withMeanTransactionsPerAccountPerDay(double rate) {
        return new SimulationConfig(accounts, seed, start, fraudShare, newAccountShare, rate, fraudPeriod);
    }

    public SimulationConfig withFraudPeriod(Duration period) {
        return new SimulationConfig(accounts, seed, start, fraudShare, newAccountShare,
                meanTransactionsPerAccountPerDay, period);
    }

    public SimulationConfig withSeed(long newSeed) {
        return new SimulationConfig(accounts, newSeed, start, fraudShare, newAccountShare,
                meanTransactionsPerAccountPerDay, fraudPeriod);
    }

    private static void bad(String key, Object value, String allowed) {
        throw new IllegalArgumentException("simulation config " + key + " = " + value + ": must be " + allowed);
    }
}
