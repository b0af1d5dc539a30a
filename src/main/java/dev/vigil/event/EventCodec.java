package dev.vigil.event;

import static dev.vigil.event.WireValues.show;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Currency;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads and writes the JSON of event contract v1 ({@code schemas/transaction-event.v1.json},
 * {@code schemas/account-event.v1.json}) and enforces it strictly: anything the contract does not
 * allow is an {@link InvalidEventException} with a {@link RejectReason}, never another exception.
 *
 * <h2>Reading</h2>
 * Checks run in this order; the first that fails decides the reason:
 * <ol>
 *   <li>{@code PAYLOAD_TOO_LARGE}: more bytes than the limit, before anything is decoded;
 *   <li>{@code INVALID_UTF8}: a strict UTF-8 decode (no replacement characters; overlong forms,
 *       encoded surrogates and code points above U+10FFFF refused);
 *   <li>{@code NOT_JSON}: not one JSON value, trailing content after it, a duplicate member name,
 *       nesting deeper than {@value #MAX_NESTING_DEPTH}, or a leading byte order mark;
 *   <li>{@code NOT_AN_OBJECT}: valid JSON that is not an object;
 *   <li>{@code MISSING_FIELD}: a required member absent or null (then the same in {@code geo} or
 *       {@code declared_net_worth}; and {@code opened_at} for {@code ACCOUNT_OPENED});
 *   <li>{@code UNKNOWN_FIELD}: a member the contract does not have, at any level;
 *   <li>{@code WRONG_TYPE}: a member of the wrong JSON type;
 *   <li>{@code UNKNOWN_EVENT_TYPE}: {@code type} not in the enum;
 *   <li>{@code NON_NUMERIC_AMOUNT}: an amount that is not a plain decimal ({@code "abc"},
 *       {@code 1e999}, {@code "NaN"}, {@code " 1"}); then {@code NEGATIVE_AMOUNT} for a minus sign;
 *   <li>{@code UNKNOWN_CURRENCY}: not an upper-case ISO 4217 code known to {@link Currency}
 *       with a minor unit;
 *   <li>{@code INVALID_VALUE}: an amount of 10^15 or more, or with more fraction digits than the
 *       currency has (trailing zeros count: {@code "1.001"} and {@code "1.000"} USD are refused);
 *   <li>{@code BAD_TIMESTAMP}: not RFC 3339 with seconds and an offset; then
 *       {@code FUTURE_TIMESTAMP}: {@code occurred_at} later than the clock plus the allowed skew;
 *   <li>{@code INVALID_VALUE}: ids and texts (empty, too long, control characters, unpaired
 *       surrogates), MCC, IP, geo, country, KYC level.
 * </ol>
 * Optional members may be absent or JSON null, which read the same. Amounts are read from the
 * exact text of the number or string, never through a {@code double}, and keep their scale.
 * Every exception message names the member and shows the bad value (escaped, at most 100
 * characters) and, when the payload had a valid one, the transaction or event id, which
 * {@link InvalidEventException#transactionId()} also returns.
 *
 * <h2>Writing</h2>
 * Members in schema order, optional ones only when set; amounts as JSON <em>strings</em> in
 * plain notation with their scale kept ({@code "12.50"}), so no consumer reads them as a binary
 * float; timestamps in UTC as RFC 3339 with {@code Z} ({@link Instant#toString()}). Writing does
 * not re-validate: an event that {@code parse*} returned writes back to an equal event, but one
 * built by hand against the contract (say a 200-character id) writes JSON that reading refuses.
 *
 * <p>Thread-safe; one instance can serve every thread. The JSON factory is built once; a call
 * allocates only its parser or generator and the values it returns.
 */
public final class EventCodec {

    /** How far in the future an {@code occurred_at} may be, for clocks that disagree a little. */
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofMinutes(5);
    /** The largest payload read, in bytes. A 400-byte event is typical. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
    /** The contract nests two deep; this bound keeps hostile nesting cheap and off the stack. */
    public static final int MAX_NESTING_DEPTH = 16;

    static final int ID_MAX = 128;
    static final int LABEL_MAX = 64;
    static final int FINGERPRINT_MAX = 256;
    static final int DETAIL_MAX = 2000;

    private static final Map<String, TransactionType> TRANSACTION_TYPES = byName(TransactionType.values());
    private static final Map<String, AccountEventType> ACCOUNT_EVENT_TYPES = byName(AccountEventType.values());
    private static final Map<String, KycRiskLevel> KYC_LEVELS = byName(KycRiskLevel.values());

    private final Clock clock;
    private final Duration maxFutureSkew;
    private final int maxPayloadBytes;
    private final JsonFactory json;

    /** The system UTC clock, a 5-minute future skew and a 64 KiB payload limit. */
    public EventCodec() {
        this(Clock.systemUTC());
    }

    /** The given clock, a 5-minute future skew and a 64 KiB payload limit. */
    public EventCodec(Clock clock) {
        this(clock, DEFAULT_MAX_FUTURE_SKEW, DEFAULT_MAX_PAYLOAD_BYTES);
    }

    /**
     * @param clock the receiver's clock, for the future-timestamp check
     * @param maxFutureSkew how far after {@code clock.instant()} an {@code occurred_at} may be
     * @param maxPayloadBytes the largest payload read; larger ones are refused unread
     */
    public EventCodec(Clock clock, Duration maxFutureSkew, int maxPayloadBytes) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxFutureSkew = Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
        if (maxFutureSkew.isNegative()) throw new IllegalArgumentException("maxFutureSkew is negative: " + maxFutureSkew);
        if (maxPayloadBytes <= 0) throw new IllegalArgumentException("maxPayloadBytes must be positive: " + maxPayloadBytes);
        this.maxPayloadBytes = maxPayloadBytes;
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // Keep payload text out of Jackson's own messages; ours escape and cut it.
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                // Member names are attacker-chosen: no JVM-wide interning. A hash-flooding set of
                // names turns canonicalisation off for that parse instead of failing it, so the
                // payload gets its true reason (UNKNOWN_FIELD) rather than NOT_JSON.
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .disable(JsonFactory.Feature.FAIL_ON_SYMBOL_HASH_OVERFLOW)
                .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                .build();
    }

    // ==== reading =================================================================================

    /**
     * Reads one transaction event.
     *
     * @throws InvalidEventException when the payload breaks contract v1; see the class comment
     */
    public TransactionEvent parseTransaction(byte[] payload) throws InvalidEventException {
        Reading r = read(payload, WireSpec.TRANSACTION, "transaction_id");
        RawObject o = r.root;
        r.checkMissing(o);
        r.checkUnknown(o);
        r.checkTypes(o);

        TransactionType type = r.enumValue(o, "type", TRANSACTION_TYPES, RejectReason.UNKNOWN_EVENT_TYPE);
        r.amountSyntax(o, "amount");
        Currency currency = r.currency(o, "currency");
        BigDecimal amount = r.amount(o, "amount", currency);
        Instant occurredAt = r.timestamp(o, "occurred_at");
        r.notInFuture("occurred_at", occurredAt);

        String transactionId = r.text(o, "transaction_id", ID_MAX, false);
        String accountId = r.text(o, "account_id", ID_MAX, false);
        String customerId = r.text(o, "customer_id", ID_MAX, false);
        String counterparty = r.text(o, "counterparty_account", ID_MAX, false);
        String merchantId = r.text(o, "merchant_id", ID_MAX, false);
        String mcc = r.mcc(o, "merchant_category");
        String channel = r.text(o, "channel", LABEL_MAX, false);
        String paymentMethod = r.text(o, "payment_method", LABEL_MAX, false);
        Boolean cardPresent = o.isAbsent("card_present") ? null : o.token("card_present") == JsonToken.VALUE_TRUE;
        String fingerprint = r.text(o, "device_fingerprint", FINGERPRINT_MAX, false);
        String ip = r.ip(o, "ip");
        GeoLocation geo = o.isAbsent("geo") ? null : r.geo(o.object("geo"));

        return new TransactionEvent(transactionId, occurredAt, accountId, customerId, type, amount, currency,
                counterparty, merchantId, mcc, channel, paymentMethod, cardPresent, fingerprint, ip, geo);
    }

    /**
     * Reads one account event.
     *
     * @throws InvalidEventException when the payload breaks contract v1; see the class comment
     */
    public AccountEvent parseAccountEvent(byte[] payload) throws InvalidEventException {
        Reading r = read(payload, WireSpec.ACCOUNT, "event_id");
        RawObject o = r.root;
        r.checkMissing(o);
        if ("ACCOUNT_OPENED".equals(o.text("type")) && o.isAbsent("opened_at")) {
            throw r.fail(RejectReason.MISSING_FIELD, "missing field 'opened_at', required when type is ACCOUNT_OPENED");
        }
        r.checkUnknown(o);
        r.checkTypes(o);

        AccountEventType type = r.enumValue(o, "type", ACCOUNT_EVENT_TYPES, RejectReason.UNKNOWN_EVENT_TYPE);
        RawObject worth = o.isAbsent("declared_net_worth") ? null : o.object("declared_net_worth");
        BigDecimal netWorth = null;
        Currency netWorthCurrency = null;
        if (worth != null) {
            r.amountSyntax(worth, "amount");
            netWorthCurrency = r.currency(worth, "currency");
            netWorth = r.amount(worth, "amount", netWorthCurrency);
        }
        Instant occurredAt = r.timestamp(o, "occurred_at");
        Instant openedAt = o.isAbsent("opened_at") ? null : r.timestamp(o, "opened_at");
        r.notInFuture("occurred_at", occurredAt);

        String eventId = r.text(o, "event_id", ID_MAX, false);
        String accountId = r.text(o, "account_id", ID_MAX, false);
        String customerId = r.text(o, "customer_id", ID_MAX, false);
        String country = o.isAbsent("country") ? null : r.country(o, "country");
        KycRiskLevel kyc = o.isAbsent("kyc_risk_level") ? null
                : r.enumValue(o, "kyc_risk_level", KYC_LEVELS, RejectReason.INVALID_VALUE);
        String detail = r.text(o, "detail", DETAIL_MAX, true);

        return new AccountEvent(eventId, type, occurredAt, accountId, customerId, openedAt, netWorth,
                netWorthCurrency, country, kyc, detail);
    }

    /** Steps 1 to 4 of the class comment: the payload as one JSON object, members not yet checked. */
    private Reading read(byte[] payload, WireSpec spec, String idName) throws InvalidEventException {
        Objects.requireNonNull(payload, "payload");
        Reading r = new Reading(new RawObject(spec), idName);
        if (payload.length > maxPayloadBytes) {
            throw r.fail(RejectReason.PAYLOAD_TOO_LARGE,
                    "payload is " + payload.length + " bytes, more than the limit of " + maxPayloadBytes);
        }
        CharBuffer chars = decodeUtf8(payload, r);
        JsonToken first;
        String firstText = null;
        try (JsonParser p = json.createParser(chars.array(), 0, chars.position())) {
            first = p.nextToken();
            if (first == null) throw r.fail(RejectReason.NOT_JSON, "payload is empty or only white space");
            if (first.isScalarValue()) firstText = p.getText();
            if (first == JsonToken.START_OBJECT) {
                readMembers(p, r.root);
            } else {
                p.skipChildren(); // read the whole value: broken JSON must say NOT_JSON, not NOT_AN_OBJECT
            }
            if (p.nextToken() != null) {
                r.id = r.readableId();
                throw r.fail(RejectReason.NOT_JSON, "payload is not JSON: content after the end of the JSON value"
                        + at(p.currentTokenLocation()));
            }
        } catch (JsonProcessingException e) {
            r.id = r.readableId(); // members read before the error may have given it
            throw r.fail(RejectReason.NOT_JSON, "payload is not JSON: "
                    + WireValues.escape(String.valueOf(e.getOriginalMessage()), 200, false) + at(e.getLocation()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory cannot fail", e);
        }
        if (first != JsonToken.START_OBJECT) {
            throw r.fail(RejectReason.NOT_AN_OBJECT, "payload is JSON " + describe(first, firstText) + ", not an object");
        }
        r.id = r.readableId();
        return r;
    }

    private static CharBuffer decodeUtf8(byte[] payload, Reading r) throws InvalidEventException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(payload);
        // UTF-8 never decodes to more chars than it has bytes, so one pass cannot overflow.
        CharBuffer out = CharBuffer.allocate(payload.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) result = decoder.flush(out);
        if (result.isError()) {
            throw r.fail(RejectReason.INVALID_UTF8, "payload is not valid UTF-8: " + result.length()
                    + " malformed byte(s) at offset " + in.position());
        }
        return out;
    }

    /** Reads the members of the object just opened, in one pass, down to the contract's depth. */
    private static void readMembers(JsonParser p, RawObject o) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            int i = o.spec.indexOf(name);
            if (i < 0) {
                if (o.firstUnknown == null) o.firstUnknown = name;
                p.skipChildren();
                continue;
            }
            WireSpec nested = o.spec.members.get(i).nested();
            if (value == JsonToken.START_OBJECT && nested != null) {
                o.nested[i] = new RawObject(nested);
                readMembers(p, o.nested[i]);
            } else if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                p.skipChildren();
            } else if (value != JsonToken.VALUE_NULL) {
                // Jackson decodes a string lazily, so this can still fail as NOT_JSON; the token is
                // recorded only after, so a half-read member never looks read. For numbers this is
                // the literal text: amounts never pass through a double.
                o.texts[i] = p.getText();
            }
            o.tokens[i] = value;
        }
    }

    private static String at(JsonLocation l) {
        return l == null || l.getLineNr() < 0 ? "" : " at line " + l.getLineNr() + ", column " + l.getColumnNr();
    }

    private static String describe(JsonToken t, String text) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string " + show(text);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
                    "a number " + (text == null ? "" : WireValues.escape(text, WireValues.SHOWN_CHARS, false));
            case VALUE_TRUE -> "a boolean true";
            case VALUE_FALSE -> "a boolean false";
            case VALUE_NULL -> "null";
            default -> t.name();
        };
    }

    /** One read in progress: the members as read, and the id to name in messages. */
    private final class Reading {
        final RawObject root;
        final String idName;
        String id;

        Reading(RawObject root, String idName) {
            this.root = root;
            this.idName = idName;
        }

        InvalidEventException fail(RejectReason reason, String message) {
            // In full: a readable id is at most 128 characters and has no control characters.
            String full = id == null ? message
                    : message + " [" + idName + "=\"" + WireValues.escape(id, 2 * ID_MAX, true) + "\"]";
            return new InvalidEventException(reason, full, id);
        }

        /** The id when it is a string that keeps the id rules, so it is safe to log and store. */
        String readableId() {
            int i = root.spec.indexOf(idName);
            String text = root.texts[i];
            return root.tokens[i] == JsonToken.VALUE_STRING && WireValues.textProblem(text, ID_MAX, false) == null
                    ? text : null;
        }

        void checkMissing(RawObject o) throws InvalidEventException {
            for (int i = 0; i < o.tokens.length; i++) {
                WireSpec.Member m = o.spec.members.get(i);
                if (!m.required()) continue;
                if (o.tokens[i] == null) {
                    throw fail(RejectReason.MISSING_FIELD, "missing required field '" + o.spec.pathOf(m.name()) + "'");
                }
                if (o.tokens[i] == JsonToken.VALUE_NULL) {
                    throw fail(RejectReason.MISSING_FIELD, "required field '" + o.spec.pathOf(m.name()) + "' is null");
                }
            }
            for (RawObject n : o.nested) if (n != null) checkMissing(n);
        }

        void checkUnknown(RawObject o) throws InvalidEventException {
            if (o.firstUnknown != null) {
                String where = o.spec.path == null ? "" : " in '" + o.spec.path + "'";
                throw fail(RejectReason.UNKNOWN_FIELD, "unknown field " + show(o.firstUnknown) + where
                        + " (not in contract v1)");
            }
            for (RawObject n : o.nested) if (n != null) checkUnknown(n);
        }

        void checkTypes(RawObject o) throws InvalidEventException {
            for (int i = 0; i < o.tokens.length; i++) {
                JsonToken t = o.tokens[i];
                if (t == null || t == JsonToken.VALUE_NULL) continue;
                WireSpec.Member m = o.spec.members.get(i);
                boolean number = t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT;
                boolean ok = switch (m.kind()) {
                    case STRING -> t == JsonToken.VALUE_STRING;
                    case AMOUNT -> t == JsonToken.VALUE_STRING || number;
                    case NUMBER -> number;
                    case BOOLEAN -> t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE;
                    case OBJECT -> t == JsonToken.START_OBJECT;
                };
                if (!ok) {
                    throw fail(RejectReason.WRONG_TYPE, "field '" + o.spec.pathOf(m.name()) + "' must be "
                            + m.kind().expected + ", got " + describe(t, o.texts[i]));
                }
            }
            for (RawObject n : o.nested) if (n != null) checkTypes(n);
        }

        <E extends Enum<E>> E enumValue(RawObject o, String name, Map<String, E> values, RejectReason reason)
                throws InvalidEventException {
            String text = o.text(name);
            E value = text == null ? null : values.get(text);
            if (value == null) {
                throw fail(reason, "field '" + o.spec.pathOf(name) + "' = " + show(text) + " is not one of "
                        + values.values().stream().map(Enum::name).sorted().collect(Collectors.joining(", ")));
            }
            return value;
        }

        void amountSyntax(RawObject o, String name) throws InvalidEventException {
            String text = o.text(name);
            String shown = o.token(name) == JsonToken.VALUE_STRING ? show(text) : WireValues.escape(text, 100, false);
            if (!WireValues.isPlainDecimal(text)) {
                throw fail(RejectReason.NON_NUMERIC_AMOUNT, "field '" + o.spec.pathOf(name) + "' = " + shown
                        + " is not a plain decimal number (digits, optionally '.' and digits; no exponent)");
            }
            if (text.charAt(0) == '-') {
                throw fail(RejectReason.NEGATIVE_AMOUNT, "field '" + o.spec.pathOf(name) + "' = " + shown
                        + " is negative; amounts are never negative (a refund is a positive REFUND)");
            }
        }

        Currency currency(RawObject o, String name) throws InvalidEventException {
            String code = o.text(name);
            String field = "field '" + o.spec.pathOf(name) + "' = " + show(code);
            if (!WireValues.isCurrencyShape(code)) {
                throw fail(RejectReason.UNKNOWN_CURRENCY, field + " is not an ISO 4217 code of 3 upper-case letters");
            }
            Currency currency;
            try {
                currency = Currency.getInstance(code);
            } catch (IllegalArgumentException e) {
                throw fail(RejectReason.UNKNOWN_CURRENCY, field + " is not a known ISO 4217 currency");
            }
            if (currency.getDefaultFractionDigits() < 0) {
                throw fail(RejectReason.UNKNOWN_CURRENCY, field + " has no minor unit; not a currency of payment");
            }
            return currency;
        }

        /** The amount of a text {@link #amountSyntax} passed, checked against its currency. */
        BigDecimal amount(RawObject o, String name, Currency currency) throws InvalidEventException {
            String text = o.text(name);
            String field = "field '" + o.spec.pathOf(name) + "' = " + WireValues.escape(text, 100, false);
            if (WireValues.integerDigits(text) > WireValues.MAX_AMOUNT_INTEGER_DIGITS) {
                throw fail(RejectReason.INVALID_VALUE, field + " is too large (at most "
                        + WireValues.MAX_AMOUNT_INTEGER_DIGITS + " integer digits)");
            }
            BigDecimal amount = new BigDecimal(text);
            int allowed = currency.getDefaultFractionDigits();
            if (amount.scale() > allowed) {
                throw fail(RejectReason.INVALID_VALUE, field + " has " + amount.scale() + " decimal places; "
                        + currency.getCurrencyCode() + " allows " + allowed);
            }
            return amount;
        }

        Instant timestamp(RawObject o, String name) throws InvalidEventException {
            String text = o.text(name);
            Instant t = WireValues.parseTimestamp(text);
            if (t == null) {
                throw fail(RejectReason.BAD_TIMESTAMP, "field '" + o.spec.pathOf(name) + "' = " + show(text)
                        + " is not an RFC 3339 date-time with seconds and offset, like 2026-01-01T10:00:00Z");
            }
            return t;
        }

        void notInFuture(String name, Instant t) throws InvalidEventException {
            Instant now = clock.instant();
            if (t.isAfter(now.plus(maxFutureSkew))) {
                throw fail(RejectReason.FUTURE_TIMESTAMP, "field '" + name + "' = " + t + " is in the future: "
                        + Duration.between(now, t) + " after the receiver's clock " + now
                        + ", more than the allowed " + maxFutureSkew);
            }
        }

        /** A text member checked against the id and text rules, or null when absent. */
        String text(RawObject o, String name, int maxCodePoints, boolean freeText) throws InvalidEventException {
            if (o.isAbsent(name)) return null;
            String text = o.text(name);
            String problem = WireValues.textProblem(text, maxCodePoints, freeText);
            if (problem != null) {
                throw fail(RejectReason.INVALID_VALUE, "field '" + o.spec.pathOf(name) + "' = " + show(text) + " " + problem);
            }
            return text;
        }

        String mcc(RawObject o, String name) throws InvalidEventException {
            if (o.isAbsent(name)) return null;
            String text = o.text(name);
            if (!WireValues.isMcc(text)) {
                throw fail(RejectReason.INVALID_VALUE, "field '" + name + "' = " + show(text)
                        + " is not a merchant category code of 4 digits");
            }
            return text;
        }

        String ip(RawObject o, String name) throws InvalidEventException {
            if (o.isAbsent(name)) return null;
            String text = o.text(name);
            if (!WireValues.isIp(text)) {
                throw fail(RejectReason.INVALID_VALUE, "field '" + name + "' = " + show(text)
                        + " is not an IPv4 or IPv6 address");
            }
            return text;
        }

        String country(RawObject o, String name) throws InvalidEventException {
            String text = o.text(name);
            if (!WireValues.isCountry(text)) {
                throw fail(RejectReason.INVALID_VALUE, "field '" + o.spec.pathOf(name) + "' = " + show(text)
                        + " is not an ISO 3166-1 alpha-2 country code");
            }
            return text;
        }

        GeoLocation geo(RawObject g) throws InvalidEventException {
            double lat = coordinate(g, "lat", 90);
            double lon = coordinate(g, "lon", 180);
            return new GeoLocation(lat, lon, country(g, "country"));
        }

        private double coordinate(RawObject g, String name, double limit) throws InvalidEventException {
            String text = g.text(name);
            double v = Double.parseDouble(text); // JSON number syntax is a subset of Java's
            if (!(v >= -limit && v <= limit)) {
                throw fail(RejectReason.INVALID_VALUE, "field '" + g.spec.pathOf(name) + "' = "
                        + WireValues.escape(text, 100, false) + " is outside -" + (int) limit + " to " + (int) limit);
            }
            return v;
        }
    }

    // ==== writing =================================================================================

    /** The event as contract v1 JSON in UTF-8; see the class comment for the form. */
    public byte[] write(TransactionEvent e) {
        Objects.requireNonNull(e, "event");
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = json.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("transaction_id", e.transactionId());
            g.writeStringField("occurred_at", e.occurredAt().toString());
            g.writeStringField("account_id", e.accountId());
            g.writeStringField("customer_id", e.customerId());
            g.writeStringField("type", e.type().name());
            g.writeStringField("amount", e.amount().toPlainString());
            g.writeStringField("currency", e.currency().getCurrencyCode());
            optional(g, "counterparty_account", e.counterpartyAccount());
            optional(g, "merchant_id", e.merchantId());
            optional(g, "merchant_category", e.merchantCategory());
            optional(g, "channel", e.channel());
            optional(g, "payment_method", e.paymentMethod());
            if (e.cardPresent() != null) g.writeBooleanField("card_present", e.cardPresent());
            optional(g, "device_fingerprint", e.deviceFingerprint());
            optional(g, "ip", e.ip());
            if (e.geo() != null) {
                g.writeObjectFieldStart("geo");
                g.writeNumberField("lat", e.geo().lat());
                g.writeNumberField("lon", e.geo().lon());
                g.writeStringField("country", e.geo().country());
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException("writing to memory cannot fail", ex);
        }
        return out.toByteArray();
    }

    /**
     * The event as contract v1 JSON in UTF-8; see the class comment for the form. A net-worth
     * currency without a net-worth amount is not written (the contract carries them together).
     */
    public byte[] write(AccountEvent e) {
        Objects.requireNonNull(e, "event");
        ByteArrayOutputStream out = new ByteArrayOutputStream(384);
        try (JsonGenerator g = json.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("event_id", e.eventId());
            g.writeStringField("type", e.type().name());
            g.writeStringField("occurred_at", e.occurredAt().toString());
            g.writeStringField("account_id", e.accountId());
            g.writeStringField("customer_id", e.customerId());
            if (e.openedAt() != null) g.writeStringField("opened_at", e.openedAt().toString());
            if (e.declaredNetWorth() != null) {
                g.writeObjectFieldStart("declared_net_worth");
                g.writeStringField("amount", e.declaredNetWorth().toPlainString());
                g.writeStringField("currency", e.netWorthCurrency().getCurrencyCode());
                g.writeEndObject();
            }
            optional(g, "country", e.country());
            if (e.kycRiskLevel() != null) g.writeStringField("kyc_risk_level", e.kycRiskLevel().name());
            optional(g, "detail", e.detail());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException("writing to memory cannot fail", ex);
        }
        return out.toByteArray();
    }

    private static void optional(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) g.writeStringField(name, value);
    }

    private static <E extends Enum<E>> Map<String, E> byName(E[] values) {
        return Arrays.stream(values).collect(Collectors.toUnmodifiableMap(Enum::name, Function.identity()));
    }
}
