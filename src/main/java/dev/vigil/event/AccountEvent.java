package dev.vigil.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.Objects;

/**
 * An account life-cycle or identity event (event contract v1, {@code schemas/account-event.v1.json}).
 *
 * <p>Required: eventId, type, occurredAt, accountId, customerId. {@code ACCOUNT_OPENED} also requires
 * openedAt; the net worth, country and KYC level are optional and null when absent. For
 * {@code ACCOUNT_UPDATED} a non-null field replaces the stored one.
 */
public record AccountEvent(
        String eventId,
        AccountEventType type,
        Instant occurredAt,
        String accountId,
        String customerId,
        Instant openedAt,
        BigDecimal declaredNetWorth,
        Currency netWorthCurrency,
        String country,
        KycRiskLevel kycRiskLevel,
        String detail) {

    public AccountEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(customerId, "customerId");
        if (type == AccountEventType.ACCOUNT_OPENED) Objects.requireNonNull(openedAt, "openedAt");
        if (declaredNetWorth != null) {
            Objects.requireNonNull(netWorthCurrency, "netWorthCurrency");
            if (declaredNetWorth.signum() < 0) throw new IllegalArgumentException("declaredNetWorth is negative");
        }
    }
}
