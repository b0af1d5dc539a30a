package dev.vigil.event;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of one JSON object of contract v1: which members it may have, which it must have,
 * and the JSON type each takes. The value rules (lengths, formats) live in {@link EventCodec}.
 * Kept apart so the schema cross-check test can compare it with the schema files.
 */
final class WireSpec {

    /** The JSON type a member takes on the wire. */
    enum Kind {
        STRING("a string"),
        /** A JSON number or a decimal string; both read from their exact text. */
        AMOUNT("a number or a decimal string"),
        NUMBER("a number"),
        BOOLEAN("a boolean"),
        OBJECT("an object");

        final String expected;

        Kind(String expected) {
            this.expected = expected;
        }
    }

    record Member(String name, Kind kind, boolean required, WireSpec nested) {}

    static final WireSpec GEO = new WireSpec("geo",
            member("lat", Kind.NUMBER, true),
            member("lon", Kind.NUMBER, true),
            member("country", Kind.STRING, true));

    static final WireSpec TRANSACTION = new WireSpec(null,
            member("transaction_id", Kind.STRING, true),
            member("occurred_at", Kind.STRING, true),
            member("account_id", Kind.STRING, true),
            member("customer_id", Kind.STRING, true),
            member("type", Kind.STRING, true),
            member("amount", Kind.AMOUNT, true),
            member("currency", Kind.STRING, true),
            member("counterparty_account", Kind.STRING, false),
            member("merchant_id", Kind.STRING, false),
            member("merchant_category", Kind.STRING, false),
            member("channel", Kind.STRING, false),
            member("payment_method", Kind.STRING, false),
            member("card_present", Kind.BOOLEAN, false),
            member("device_fingerprint", Kind.STRING, false),
            member("ip", Kind.STRING, false),
            new Member("geo", Kind.OBJECT, false, GEO));

    static final WireSpec NET_WORTH = new WireSpec("declared_net_worth",
            member("amount", Kind.AMOUNT, true),
            member("currency", Kind.STRING, true));

    static final WireSpec ACCOUNT = new WireSpec(null,
            member("event_id", Kind.STRING, true),
            member("type", Kind.STRING, true),
            member("occurred_at", Kind.STRING, true),
            member("account_id", Kind.STRING, true),
            member("customer_id", Kind.STRING, true),
            // Required only for ACCOUNT_OPENED; the codec checks that rule itself.
            member("opened_at", Kind.STRING, false),
            new Member("declared_net_worth", Kind.OBJECT, false, NET_WORTH),
            member("country", Kind.STRING, false),
            member("kyc_risk_level", Kind.STRING, false),
            member("detail", Kind.STRING, false));

    /** Dotted path of this object inside the event, null for the event itself. */
    final String path;
    final List<Member> members;
    private final Map<String, Integer> index = new HashMap<>();

    private WireSpec(String path, Member... members) {
        this.path = path;
        this.members = List.copyOf(Arrays.asList(members));
        for (int i = 0; i < members.length; i++) index.put(members[i].name(), i);
    }

    private static Member member(String name, Kind kind, boolean required) {
        return new Member(name, kind, required, null);
    }

    /** The member's position, or -1 when the contract has no such member. */
    int indexOf(String name) {
        Integer i = index.get(name);
        return i == null ? -1 : i;
    }

    /** The member's dotted path for messages, e.g. {@code geo.lat}. */
    String pathOf(String name) {
        return path == null ? name : path + "." + name;
    }
}
