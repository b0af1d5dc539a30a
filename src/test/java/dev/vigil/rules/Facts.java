package dev.vigil.rules;

import dev.vigil.event.KycRiskLevel;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.score.ModelScore;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;

/**
 * Test facts. The defaults describe an ordinary purchase on an old, quiet account with a low model
 * score, on which no shipped rule fires; each test changes only what its rule looks at.
 */
final class Facts {
    static final Instant AT = Instant.parse("2026-11-20T10:15:30Z");

    private Facts() {}

    static Tx tx() {
        return new Tx();
    }

    static Feat features() {
        return new Feat();
    }

    /** An account compliance knows nothing against. */
    static AccountProfile cleanAccount() {
        return account(false, false);
    }

    static AccountProfile account(boolean watchlistHit, boolean kycFailed) {
        return new AccountProfile("acc-1", "cust-1", AT.minusSeconds(400L * 86_400), new BigDecimal("20000.00"),
                Currency.getInstance("USD"), "US", KycRiskLevel.LOW, false, kycFailed, watchlistHit);
    }

    static ModelScore score(double probability) {
        return ModelScore.of(probability, "model-test-1");
    }

    static ModelScore lowScore() {
        return score(0.02);
    }

    static final class Tx {
        private String id = "tx-1";
        private TransactionType type = TransactionType.PURCHASE;
        private BigDecimal amount = new BigDecimal("25.00");
        private String currency = "USD";
        private String channel = "web";
        private dev.vigil.event.GeoLocation geo;

        Tx channel(String channel) {
            this.channel = channel;
            return this;
        }

        /** Located in this country (ISO 3166-1 alpha-2); null for no location. */
        Tx country(String country) {
            this.geo = country == null ? null : new dev.vigil.event.GeoLocation(0, 0, country);
            return this;
        }

        Tx id(String id) {
            this.id = id;
            return this;
        }

        Tx type(TransactionType type) {
            this.type = type;
            return this;
        }

        Tx amount(String amount) {
            this.amount = new BigDecimal(amount);
            return this;
        }

        Tx amount(BigDecimal amount) {
            this.amount = amount;
            return this;
        }

        Tx currency(String currency) {
            this.currency = currency;
            return this;
        }

        TransactionEvent build() {
            return new TransactionEvent(id, AT, "acc-1", "cust-1", type, amount, Currency.getInstance(currency),
                    null, "m-1", "5411", channel, "card", false, "dev-1", "10.0.0.1", geo);
        }
    }

    static final class Feat {
        private long txCount1m = 1;
        private long txCount1h = 2;
        private long accountAgeDays = 400;
        private BigDecimal balanceDepositSum7d = BigDecimal.ZERO;
        private long balanceDepositCount7d = 0;
        private BigDecimal ratio = new BigDecimal("-1");
        private long secondsSincePrevious = 30;
        private long txCount5m = 0;
        private long distinctMerchants5m = 0;

        Feat txCount1h(long n) {
            this.txCount1h = Math.max(n, txCount1m);
            return this;
        }

        Feat secondsSincePrevious(long seconds) {
            this.secondsSincePrevious = seconds;
            return this;
        }

        Feat txCount1m(long n) {
            this.txCount1m = n;
            this.txCount1h = Math.max(txCount1h, n);
            return this;
        }

        /** Transactions and distinct merchants of the account in the last 5 minutes (card testing). */
        Feat lastFiveMinutes(long transactions, long merchants) {
            this.txCount5m = transactions;
            this.distinctMerchants5m = merchants;
            return this;
        }

        Feat accountAgeDays(long days) {
            this.accountAgeDays = days;
            return this;
        }

        Feat balanceDeposits7d(String sum, String ratioToNetWorth) {
            this.balanceDepositSum7d = new BigDecimal(sum);
            this.balanceDepositCount7d = balanceDepositSum7d.signum() > 0 ? 3 : 0;
            this.ratio = new BigDecimal(ratioToNetWorth);
            return this;
        }

        Feat balanceDeposits7d(BigDecimal sum, BigDecimal ratioToNetWorth) {
            return balanceDeposits7d(sum.toPlainString(), ratioToNetWorth.toPlainString());
        }

        private final java.util.Map<String, Object> others = new java.util.LinkedHashMap<>();

        /** Any other feature, by its snapshot name (e.g. {@code device_tx_count_5m}). */
        Feat with(String name, Object value) {
            if (!Features.NAMES.contains(name)) throw new IllegalArgumentException("no feature " + name);
            others.put(name, value);
            return this;
        }

        Features build() {
            BigDecimal some = new BigDecimal("25.00");
            Features first15 = new Features(txCount1m, txCount1h, txCount1h + 3, txCount1h + 10,
                    some.multiply(BigDecimal.valueOf(txCount1m)), some.multiply(BigDecimal.valueOf(txCount1h)),
                    some, some, accountAgeDays, balanceDepositCount7d, balanceDepositSum7d, ratio,
                    false, false, secondsSincePrevious);
            if (txCount5m == 0 && distinctMerchants5m == 0 && others.isEmpty()) return first15;
            java.util.Map<String, Object> m = first15.toMap();
            m.put("tx_count_5m", txCount5m);
            m.put("distinct_merchants_5m", distinctMerchants5m);
            m.putAll(others);
            return Features.fromMap(m);
        }
    }
}
