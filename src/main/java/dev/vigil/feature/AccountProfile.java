package dev.vigil.feature;

import dev.vigil.event.KycRiskLevel;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;

/**
 * What Vigil knows of an account from its {@link dev.vigil.event.AccountEvent}s. A fact in the rule
 * session. Fields are null where no event has said them.
 */
public record AccountProfile(
        String accountId,
        String customerId,
        Instant openedAt,
        BigDecimal declaredNetWorth,
        Currency netWorthCurrency,
        String country,
        KycRiskLevel kycRiskLevel,
        boolean closed,
        boolean kycFailed,
        boolean watchlistHit) {

    public String getAccountId() { return accountId; }
    public String getCustomerId() { return customerId; }
    public Instant getOpenedAt() { return openedAt; }
    public BigDecimal getDeclaredNetWorth() { return declaredNetWorth; }
    public Currency getNetWorthCurrency() { return netWorthCurrency; }
    public String getCountry() { return country; }
    public KycRiskLevel getKycRiskLevel() { return kycRiskLevel; }
    public boolean isClosed() { return closed; }
    public boolean isKycFailed() { return kycFailed; }
    public boolean isWatchlistHit() { return watchlistHit; }
}
