package dev.vigil.feature;

/**
 * The result of enriching one transaction: its features, and the account profile when an
 * ACCOUNT_OPENED (or later account event) was seen for it (else null).
 *
 * @param replayed true when this transaction id had been processed before: the stored features of
 *     the first processing are returned and nothing was counted again
 */
public record Enrichment(Features features, AccountProfile account, boolean replayed) {}
