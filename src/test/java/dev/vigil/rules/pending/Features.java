package dev.vigil.rules.pending;

import java.math.BigDecimal;

/**
 * A stand-in for {@code dev.vigil.feature.Features} with the features the rules in
 * {@code rules/pending/} read and the feature engine does not have yet (issue 3), under the names
 * those rules use. {@code PendingRulesTest} builds the pending rules against it, so they are checked
 * now; the real class replaces it when the features land. Same simple name, so the rules' text only
 * changes in its import.
 */
public record Features(
        long txCount1m,
        long txCount1h,
        long txCount24h,
        long txCount7d,
        BigDecimal txSum1m,
        BigDecimal txSum1h,
        BigDecimal txSum24h,
        BigDecimal txSum7d,
        long accountAgeDays,
        long balanceDepositCount7d,
        BigDecimal balanceDepositSum7d,
        BigDecimal depositToNetWorthRatio,
        boolean newMerchant,
        boolean newDevice,
        long secondsSincePrevious,
        long txCount5m,
        long distinctMerchants5m,
        boolean accountBlacklisted,
        boolean customerBlacklisted,
        boolean deviceBlacklisted,
        boolean ipBlacklisted,
        boolean merchantWhitelisted,
        BigDecimal travelSpeedKmh,
        boolean countryChanged1h,
        long structuringCount24h,
        long structuringCount7d,
        BigDecimal rapidInOutShare3d,
        long fanIn24h,
        long fanOut24h) {

    public long getTxCount1m() { return txCount1m; }
    public long getTxCount1h() { return txCount1h; }
    public long getTxCount24h() { return txCount24h; }
    public long getTxCount7d() { return txCount7d; }
    public BigDecimal getTxSum1m() { return txSum1m; }
    public BigDecimal getTxSum1h() { return txSum1h; }
    public BigDecimal getTxSum24h() { return txSum24h; }
    public BigDecimal getTxSum7d() { return txSum7d; }
    public long getAccountAgeDays() { return accountAgeDays; }
    public long getBalanceDepositCount7d() { return balanceDepositCount7d; }
    public BigDecimal getBalanceDepositSum7d() { return balanceDepositSum7d; }
    public BigDecimal getDepositToNetWorthRatio() { return depositToNetWorthRatio; }
    public boolean isNewMerchant() { return newMerchant; }
    public boolean isNewDevice() { return newDevice; }
    public long getSecondsSincePrevious() { return secondsSincePrevious; }
    public long getTxCount5m() { return txCount5m; }
    public long getDistinctMerchants5m() { return distinctMerchants5m; }
    public boolean isAccountBlacklisted() { return accountBlacklisted; }
    public boolean isCustomerBlacklisted() { return customerBlacklisted; }
    public boolean isDeviceBlacklisted() { return deviceBlacklisted; }
    public boolean isIpBlacklisted() { return ipBlacklisted; }
    public boolean isMerchantWhitelisted() { return merchantWhitelisted; }
    public BigDecimal getTravelSpeedKmh() { return travelSpeedKmh; }
    public boolean isCountryChanged1h() { return countryChanged1h; }
    public long getStructuringCount24h() { return structuringCount24h; }
    public long getStructuringCount7d() { return structuringCount7d; }
    public BigDecimal getRapidInOutShare3d() { return rapidInOutShare3d; }
    public long getFanIn24h() { return fanIn24h; }
    public long getFanOut24h() { return fanOut24h; }
}
