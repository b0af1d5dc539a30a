package dev.vigil.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.Objects;

/**
 * One payment as a rail reports it (event contract v1, {@code schemas/transaction-event.v1.json}).
 *
 * <p>Required: transactionId, occurredAt, accountId, customerId, type, amount, currency. Every other
 * field is optional and null when absent. The amount is exact and never negative; a refund is a
 * positive amount of type {@link TransactionType#REFUND}. Bean-style getters are there for Drools.
 */
public record TransactionEvent(
        String transactionId,
        Instant occurredAt,
        String accountId,
        String customerId,
        TransactionType type,
        BigDecimal amount,
        Currency currency,
        String counterpartyAccount,
        String merchantId,
        String merchantCategory,
        String channel,
        String paymentMethod,
        Boolean cardPresent,
        String deviceFingerprint,
        String ip,
        GeoLocation geo) {

    public TransactionEvent {
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
        if (amount.signum() < 0) throw new IllegalArgumentException("amount is negative: " + amount);
    }

    public String getTransactionId() { return transactionId; }
    public Instant getOccurredAt() { return occurredAt; }
    public String getAccountId() { return accountId; }
    public String getCustomerId() { return customerId; }
    public TransactionType getType() { return type; }
    public BigDecimal getAmount() { return amount; }
    public Currency getCurrency() { return currency; }
    /** ISO 4217 code, handy in rules: {@code currencyCode == "USD"}. */
    public String getCurrencyCode() { return currency.getCurrencyCode(); }
    public String getCounterpartyAccount() { return counterpartyAccount; }
    public String getMerchantId() { return merchantId; }
    public String getMerchantCategory() { return merchantCategory; }
    public String getChannel() { return channel; }
    public String getPaymentMethod() { return paymentMethod; }
    public Boolean getCardPresent() { return cardPresent; }
    public String getDeviceFingerprint() { return deviceFingerprint; }
    public String getIp() { return ip; }
    public GeoLocation getGeo() { return geo; }
}
