package dev.vigil.event;

/** Life-cycle and identity events about an account or its customer. */
public enum AccountEventType {
    ACCOUNT_OPENED,
    ACCOUNT_UPDATED,
    ACCOUNT_CLOSED,
    /** Identity verification failed; marks the customer for the rules. */
    KYC_FAILED,
    /** The customer matched a sanctions or watch list; marks the customer for the rules. */
    WATCHLIST_HIT
}
