package dev.vigil.feature;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.AccountEventType;
import dev.vigil.event.GeoLocation;
import dev.vigil.event.KycRiskLevel;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;

/** Terse builders for the events the feature store tests feed. */
final class Tx {

    private String id;
    private String account;
    private Instant at;
    private TransactionType type = TransactionType.PURCHASE;
    private BigDecimal amount = new BigDecimal("1.00");
    private Currency currency = Currency.getInstance("USD");
    private String merchant;
    private String device;
    private String ip = "10.0.0.1";
    private GeoLocation geo;
    private String counterparty;

    private Tx(String account, String id, Instant at) {
        this.account = account;
        this.id = id;
        this.at = at;
    }

    static Tx tx(String account, String id, Instant at) {
        return new Tx(account, id, at);
    }

    Tx type(TransactionType t) { this.type = t; return this; }
    Tx amount(String a, String cur) { this.amount = new BigDecimal(a); this.currency = Currency.getInstance(cur); return this; }
    Tx merchant(String m) { this.merchant = m; return this; }
    Tx device(String d) { this.device = d; return this; }
    Tx ip(String i) { this.ip = i; return this; }
    Tx at(double lat, double lon, String country) { this.geo = new GeoLocation(lat, lon, country); return this; }
    Tx counterparty(String c) { this.counterparty = c; return this; }

    TransactionEvent build() {
        return new TransactionEvent(id, at, account, "cust-" + account, type, amount, currency,
                counterparty, merchant, merchant == null ? null : "5411", "web", "card", Boolean.FALSE, device, ip, geo);
    }

    static AccountEvent opened(String account, String eventId, Instant openedAt, String netWorth, String cur) {
        return new AccountEvent(eventId, AccountEventType.ACCOUNT_OPENED, openedAt, account, "cust-" + account, openedAt,
                netWorth == null ? null : new BigDecimal(netWorth), cur == null ? null : Currency.getInstance(cur),
                "FR", KycRiskLevel.LOW, null);
    }

    static AccountEvent flag(String account, String eventId, AccountEventType type, Instant at) {
        return new AccountEvent(eventId, type, at, account, "cust-" + account, null, null, null, null, null, "test");
    }
}
