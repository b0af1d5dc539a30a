package dev.vigil.event;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A test payload as an ordered map of member name to raw JSON text, so a test can put any
 * literal (a bare {@code 1e999}, a string with a control character) where the codec will read it.
 */
final class Payload {
    private final LinkedHashMap<String, String> members = new LinkedHashMap<>();

    static Payload of(String... nameThenRawJson) {
        Payload p = new Payload();
        for (int i = 0; i < nameThenRawJson.length; i += 2) p.members.put(nameThenRawJson[i], nameThenRawJson[i + 1]);
        return p;
    }

    /** The realistic card purchase used across the tests, every member of the contract set. */
    static Payload fullTransaction() {
        return of(
                "transaction_id", "\"tx-20260301-000042\"",
                "occurred_at", "\"2026-03-01T12:58:30.125+01:00\"",
                "account_id", "\"acc-DE-7781\"",
                "customer_id", "\"cus-55102\"",
                "type", "\"PURCHASE\"",
                "amount", "\"129.90\"",
                "currency", "\"EUR\"",
                "counterparty_account", "\"DE89370400440532013000\"",
                "merchant_id", "\"m-77-berlin\"",
                "merchant_category", "\"5411\"",
                "channel", "\"POS\"",
                "payment_method", "\"CARD\"",
                "card_present", "true",
                "device_fingerprint", "\"fp-9b1c2d3e4f\"",
                "ip", "\"2001:db8::8a2e:370:7334\"",
                "geo", "{\"lat\":52.52,\"lon\":13.405,\"country\":\"DE\"}");
    }

    static Payload minimalTransaction() {
        return of(
                "transaction_id", "\"tx-min-1\"",
                "occurred_at", "\"2026-03-01T11:00:00Z\"",
                "account_id", "\"acc-1\"",
                "customer_id", "\"cus-1\"",
                "type", "\"CASH_DEPOSIT\"",
                "amount", "9500",
                "currency", "\"USD\"");
    }

    static Payload fullAccountEvent() {
        return of(
                "event_id", "\"ev-open-3301\"",
                "type", "\"ACCOUNT_OPENED\"",
                "occurred_at", "\"2026-02-27T09:15:00Z\"",
                "account_id", "\"acc-DE-7781\"",
                "customer_id", "\"cus-55102\"",
                "opened_at", "\"2026-02-27T09:14:58.5Z\"",
                "declared_net_worth", "{\"amount\":\"85000.00\",\"currency\":\"EUR\"}",
                "country", "\"DE\"",
                "kyc_risk_level", "\"MEDIUM\"",
                "detail", "\"Opened in branch 12.\\nID checked by staff.\"");
    }

    static Payload minimalAccountEvent() {
        return of(
                "event_id", "\"ev-kyc-9\"",
                "type", "\"KYC_FAILED\"",
                "occurred_at", "\"2026-03-01T06:00:00-05:00\"",
                "account_id", "\"acc-9\"",
                "customer_id", "\"cus-9\"");
    }

    Payload with(String name, String rawJson) {
        Payload p = copy();
        p.members.put(name, rawJson);
        return p;
    }

    Payload without(String name) {
        Payload p = copy();
        p.members.remove(name);
        return p;
    }

    Map<String, String> members() {
        return members;
    }

    private Payload copy() {
        Payload p = new Payload();
        p.members.putAll(members);
        return p;
    }

    String json() {
        StringBuilder b = new StringBuilder("{");
        members.forEach((k, v) -> {
            if (b.length() > 1) b.append(',');
            b.append('"').append(JsonStringEncoder.getInstance().quoteAsString(k)).append("\":").append(v);
        });
        return b.append('}').toString();
    }

    byte[] bytes() {
        return json().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return json();
    }
}
