package dev.vigil.event;

/** What kind of money movement a {@link TransactionEvent} is. */
public enum TransactionType {
    PURCHASE,
    CASH_DEPOSIT,
    /** A deposit to the account balance from outside (the AML rules' "IN-DEP"). */
    BALANCE_DEPOSIT,
    TRANSFER_IN,
    TRANSFER_OUT,
    CASH_WITHDRAWAL,
    REFUND;

    /** Money coming into the account. */
    public boolean isInflow() {
        return this == CASH_DEPOSIT || this == BALANCE_DEPOSIT || this == TRANSFER_IN || this == REFUND;
    }
}
