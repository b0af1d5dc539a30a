package dev.vigil.simulate;

/**
 * The bad behaviours the simulator injects. Each has a defining shape that detection rules and
 * tests can rely on; the numbers below are what the simulator guarantees, not tendencies.
 */
public enum Scenario {
    /** 8 to 20 ECOM card purchases of 0.50 to 5.00 at distinct merchants within 8 minutes, from a new device. */
    CARD_TESTING,
    /**
     * An ACCOUNT_UPDATED (contact details changed), then 3 to 6 transactions of at least 1,000 (TRANSFER_OUT or
     * ECOM purchases) within an hour, all from one new device and IP in a country at least 3,000 km from home.
     */
    ACCOUNT_TAKEOVER,
    /**
     * An account opened less than 180 days before takes 3 to 7 BALANCE_DEPOSITs within 6 days summing to
     * 1.3 to 2 times the larger of 15,000 and 1.25 times its declared net worth (in the account currency).
     */
    NEW_ACCOUNT_DEPOSITS,
    /** 3 to 5 CASH_DEPOSITs of 9,000.00 to 9,999.99, one per business day or two, within 6 days. */
    STRUCTURING,
    /**
     * 8 to 20 TRANSFER_INs of 150 to 2,500 from distinct counterparties within 20 hours, then within 3 hours one
     * TRANSFER_OUT of 80 to 95 percent of their sum.
     */
    MULE_FAN_IN
}
