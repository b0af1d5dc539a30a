package dev.vigil.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.From;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple3;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {

    /** The receiver's clock: every fixture's occurred_at is a little before it. */
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String TX_ID = "tx-20260301-000042";
    static final String EV_ID = "ev-open-3301";
    static final Currency EUR = Currency.getInstance("EUR");
    static final Currency USD = Currency.getInstance("USD");

    final EventCodec codec = new EventCodec(CLOCK);

    // ==== valid events =============================================================================

    @Test
    void shouldReadEveryMemberOfAFullTransaction() throws Exception {
        TransactionEvent e = codec.parseTransaction(Payload.fullTransaction().bytes());
        assertEquals(new TransactionEvent(TX_ID, Instant.parse("2026-03-01T11:58:30.125Z"), "acc-DE-7781", "cus-55102",
                TransactionType.PURCHASE, new BigDecimal("129.90"), EUR, "DE89370400440532013000", "m-77-berlin", "5411",
                "POS", "CARD", true, "fp-9b1c2d3e4f", "2001:db8::8a2e:370:7334", new GeoLocation(52.52, 13.405, "DE")), e);
        assertEquals(2, e.amount().scale(), "the scale as sent survives");
    }

    @Test
    void shouldReadAMinimalTransactionWithOptionalMembersNull() throws Exception {
        TransactionEvent e = codec.parseTransaction(Payload.minimalTransaction().bytes());
        assertEquals(new TransactionEvent("tx-min-1", Instant.parse("2026-03-01T11:00:00Z"), "acc-1", "cus-1",
                TransactionType.CASH_DEPOSIT, new BigDecimal("9500"), USD,
                null, null, null, null, null, null, null, null, null), e);
    }

    @Test
    void shouldReadOptionalMembersSentAsNullAsAbsent() throws Exception {
        Payload p = Payload.minimalTransaction();
        for (String name : List.of("counterparty_account", "merchant_id", "merchant_category", "channel",
                "payment_method", "card_present", "device_fingerprint", "ip", "geo")) {
            p = p.with(name, "null");
        }
        assertEquals(codec.parseTransaction(Payload.minimalTransaction().bytes()), codec.parseTransaction(p.bytes()));
    }

    @Test
    void shouldReadAFullAndAMinimalAccountEvent() throws Exception {
        assertEquals(new AccountEvent(EV_ID, AccountEventType.ACCOUNT_OPENED, Instant.parse("2026-02-27T09:15:00Z"),
                        "acc-DE-7781", "cus-55102", Instant.parse("2026-02-27T09:14:58.500Z"), new BigDecimal("85000.00"),
                        EUR, "DE", KycRiskLevel.MEDIUM, "Opened in branch 12.\nID checked by staff."),
                codec.parseAccountEvent(Payload.fullAccountEvent().bytes()));
        assertEquals(new AccountEvent("ev-kyc-9", AccountEventType.KYC_FAILED, Instant.parse("2026-03-01T11:00:00Z"),
                        "acc-9", "cus-9", null, null, null, null, null, null),
                codec.parseAccountEvent(Payload.minimalAccountEvent().bytes()));
    }

    @Test
    void shouldReadAmountsExactlyFromNumberOrStringText() throws Exception {
        // A double would make 0.1 + 0.2 style errors; the token text must reach BigDecimal untouched.
        for (String raw : List.of("129.90", "\"129.90\"", "0.10", "\"0.1\"", "0", "999999999999999.99")) {
            BigDecimal expected = new BigDecimal(raw.replace("\"", ""));
            BigDecimal got = codec.parseTransaction(Payload.fullTransaction().with("amount", raw).bytes()).amount();
            assertEquals(expected, got, raw);
            assertEquals(expected.scale(), got.scale(), raw);
        }
        // Each currency's own minor unit: JPY none, BHD three.
        assertEquals(new BigDecimal("1500"), codec.parseTransaction(Payload.minimalTransaction()
                .with("currency", "\"JPY\"").with("amount", "1500").bytes()).amount());
        assertEquals(new BigDecimal("1.234"), codec.parseTransaction(Payload.minimalTransaction()
                .with("currency", "\"BHD\"").with("amount", "\"1.234\"").bytes()).amount());
    }

    @Test
    void shouldAcceptAnEventExactlyAtTheSkewLimitAndRefuseOneNanosecondLater() throws Exception {
        Payload p = Payload.minimalTransaction();
        assertEquals(NOW.plus(Duration.ofMinutes(5)),
                codec.parseTransaction(p.with("occurred_at", "\"2026-03-01T12:05:00Z\"").bytes()).occurredAt());
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> codec.parseTransaction(p.with("occurred_at", "\"2026-03-01T12:05:00.000000001Z\"").bytes()));
        assertEquals(RejectReason.FUTURE_TIMESTAMP, e.reason());
        EventCodec lenient = new EventCodec(CLOCK, Duration.ofHours(1), 1024);
        assertNotNull(lenient.parseTransaction(p.with("occurred_at", "\"2026-03-01T12:59:00Z\"").bytes()));
    }

    @Test
    void shouldAcceptRfc3339VariantsAndNonAsciiIds() throws Exception {
        Payload p = Payload.minimalTransaction();
        assertEquals(Instant.parse("2026-03-01T10:00:00Z"),
                codec.parseTransaction(p.with("occurred_at", "\"2026-03-01t10:00:00z\"").bytes()).occurredAt());
        assertEquals(Instant.parse("2026-03-01T10:00:00Z"),
                codec.parseTransaction(p.with("occurred_at", "\"2026-03-01T05:30:00-04:30\"").bytes()).occurredAt());
        // 128 code points is the limit, whatever their UTF-16 length.
        String emoji = "\uD83D\uDCB8".repeat(128);
        assertEquals(emoji, codec.parseTransaction(p.with("account_id", "\"" + emoji + "\"").bytes()).accountId());
        assertEquals("Zürich-Überweisung-支付",
                codec.parseTransaction(p.with("account_id", "\"Z\\u00fcrich-Überweisung-支付\"").bytes()).accountId());
        assertEquals(TX_ID, codec.parseTransaction(("  \n" + Payload.fullTransaction() + "\r\n\t ")
                .getBytes(StandardCharsets.UTF_8)).transactionId(), "white space around the object is JSON");
    }

    @Test
    void shouldWriteAmountsAsStringsAndTimesInUtc() {
        TransactionEvent e = new TransactionEvent(TX_ID, Instant.parse("2026-03-01T11:58:30.125Z"), "acc-DE-7781",
                "cus-55102", TransactionType.PURCHASE, new BigDecimal("129.90"), EUR, null, null, "5411", null, null,
                false, null, "10.0.0.1", new GeoLocation(-33.8688, 151.2093, "AU"));
        assertEquals("{\"transaction_id\":\"tx-20260301-000042\",\"occurred_at\":\"2026-03-01T11:58:30.125Z\","
                        + "\"account_id\":\"acc-DE-7781\",\"customer_id\":\"cus-55102\",\"type\":\"PURCHASE\","
                        + "\"amount\":\"129.90\",\"currency\":\"EUR\",\"merchant_category\":\"5411\",\"card_present\":false,"
                        + "\"ip\":\"10.0.0.1\",\"geo\":{\"lat\":-33.8688,\"lon\":151.2093,\"country\":\"AU\"}}",
                new String(codec.write(e), StandardCharsets.UTF_8));
    }

    @Test
    void shouldWriteAnAccountEventThatReadsBackEqual() throws Exception {
        AccountEvent e = codec.parseAccountEvent(Payload.fullAccountEvent().bytes());
        byte[] written = codec.write(e);
        assertEquals("{\"event_id\":\"ev-open-3301\",\"type\":\"ACCOUNT_OPENED\",\"occurred_at\":\"2026-02-27T09:15:00Z\","
                        + "\"account_id\":\"acc-DE-7781\",\"customer_id\":\"cus-55102\",\"opened_at\":\"2026-02-27T09:14:58.500Z\","
                        + "\"declared_net_worth\":{\"amount\":\"85000.00\",\"currency\":\"EUR\"},\"country\":\"DE\","
                        + "\"kyc_risk_level\":\"MEDIUM\",\"detail\":\"Opened in branch 12.\\nID checked by staff.\"}",
                new String(written, StandardCharsets.UTF_8));
        assertEquals(e, codec.parseAccountEvent(written));
    }

    @Test
    void shouldServeManyThreadsWithOneInstance() throws Exception {
        List<byte[]> payloads = List.of(Payload.fullTransaction().bytes(), Payload.minimalTransaction().bytes(),
                Payload.fullTransaction().with("amount", "\"abc\"").bytes());
        List<Object> expected = new ArrayList<>();
        for (byte[] p : payloads) expected.add(outcome(p));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        int k = (i + offset) % payloads.size();
                        if (!expected.get(k).equals(outcome(payloads.get(k)))) return false;
                    }
                    return true;
                }));
            }
            for (Future<Boolean> run : runs) assertTrue(run.get());
        } finally {
            pool.shutdownNow();
        }
    }

    private Object outcome(byte[] payload) {
        try {
            return codec.parseTransaction(payload);
        } catch (InvalidEventException e) {
            return e.reason() + ":" + e.getMessage();
        }
    }

    // ==== one reason at a time =====================================================================

    enum Kind { TRANSACTION, ACCOUNT }

    /**
     * A realistic faulty payload, the reason it must get, fragments its message must hold (the
     * member and the bad value) and the id it must carry (null when none was readable).
     */
    record Case(String name, Kind kind, byte[] payload, RejectReason reason, String expectedId, List<String> fragments) {
        @Override
        public String toString() {
            return reason + ": " + name;
        }
    }

    static Case tx(String name, Payload p, RejectReason reason, String... fragments) {
        return new Case(name, Kind.TRANSACTION, p.bytes(), reason, TX_ID, List.of(fragments));
    }

    static Case raw(String name, Kind kind, byte[] payload, RejectReason reason, String expectedId, String... fragments) {
        return new Case(name, kind, payload, reason, expectedId, List.of(fragments));
    }

    static Case acct(String name, Payload p, RejectReason reason, String... fragments) {
        return new Case(name, Kind.ACCOUNT, p.bytes(), reason, EV_ID, List.of(fragments));
    }

    static List<Case> cases() {
        Payload full = Payload.fullTransaction();
        Payload account = Payload.fullAccountEvent();
        String fullJson = full.json();
        String batch = "[" + String.join(",", java.util.Collections.nCopies(200, fullJson)) + "]";
        byte[] latin1 = full.with("merchant_id", "\"Café Müller\"").json().getBytes(StandardCharsets.ISO_8859_1);
        byte[] euro = full.with("merchant_id", "\"€ shop\"").bytes();
        int at = full.with("merchant_id", "\"€ shop\"").json().indexOf('€'); // all ASCII before it
        byte[] cutEuro = new byte[euro.length - 1];
        System.arraycopy(euro, 0, cutEuro, 0, at + 2); // keep two of the three bytes of the euro sign
        System.arraycopy(euro, at + 3, cutEuro, at + 2, euro.length - at - 3);
        String deep = "[".repeat(30_000) + "]".repeat(30_000); // deep, yet under 64 KiB
        String tooLongId = "T".repeat(129);
        return List.of(
                // Size is checked on the bytes before any decoding.
                raw("a batch of 200 events sent as one message", Kind.TRANSACTION,
                        batch.getBytes(StandardCharsets.UTF_8), RejectReason.PAYLOAD_TOO_LARGE, null, "bytes", "65536"),
                raw("a merchant name in ISO-8859-1, not UTF-8", Kind.TRANSACTION, latin1, RejectReason.INVALID_UTF8, null,
                        "UTF-8", "offset"),
                raw("a euro sign cut to two of its three bytes", Kind.TRANSACTION, cutEuro, RejectReason.INVALID_UTF8, null,
                        "UTF-8"),
                raw("a payload cut off mid-object still names the id it had", Kind.TRANSACTION,
                        Arrays.copyOf(full.bytes(), 120), RejectReason.NOT_JSON, TX_ID, "not JSON"),
                raw("a stray closing brace after the object", Kind.TRANSACTION,
                        (fullJson + "}").getBytes(StandardCharsets.UTF_8), RejectReason.NOT_JSON, TX_ID, "close marker"),
                raw("two events concatenated", Kind.TRANSACTION,
                        (fullJson + fullJson).getBytes(StandardCharsets.UTF_8), RejectReason.NOT_JSON, TX_ID, "after the end"),
                raw("amount given twice: which one would a reader take?", Kind.TRANSACTION,
                        (fullJson.substring(0, fullJson.length() - 1) + ",\"amount\":\"9000.00\"}").getBytes(StandardCharsets.UTF_8),
                        RejectReason.NOT_JSON, TX_ID, "amount"),
                raw("single-quoted JavaScript object", Kind.TRANSACTION,
                        "{'transaction_id':'tx-1','amount':10}".getBytes(StandardCharsets.UTF_8), RejectReason.NOT_JSON, null,
                        "not JSON"),
                raw("bare NaN is not JSON", Kind.TRANSACTION, full.with("amount", "NaN").bytes(), RejectReason.NOT_JSON,
                        TX_ID, "NaN"),
                raw("30,000 nested arrays in an extra member", Kind.TRANSACTION, full.with("x", deep).bytes(),
                        RejectReason.NOT_JSON, TX_ID, "nesting depth"),
                raw("30,000 nested arrays as the whole payload", Kind.TRANSACTION,
                        deep.getBytes(StandardCharsets.UTF_8), RejectReason.NOT_JSON, null, "nesting depth"),
                raw("an empty message", Kind.TRANSACTION, new byte[0], RejectReason.NOT_JSON, null, "empty"),
                raw("one event wrapped in an array", Kind.TRANSACTION,
                        ("[" + fullJson + "]").getBytes(StandardCharsets.UTF_8), RejectReason.NOT_AN_OBJECT, null, "an array"),
                raw("a bare string", Kind.TRANSACTION, "\"tx-1\"".getBytes(StandardCharsets.UTF_8),
                        RejectReason.NOT_AN_OBJECT, null, "a string \"tx-1\""),
                raw("JSON null", Kind.ACCOUNT, "null".getBytes(StandardCharsets.UTF_8), RejectReason.NOT_AN_OBJECT, null, "null"),
                tx("no amount", full.without("amount"), RejectReason.MISSING_FIELD, "'amount'"),
                tx("currency null", full.with("currency", "null"), RejectReason.MISSING_FIELD, "'currency'", "null"),
                tx("geo without a country", full.with("geo", "{\"lat\":52.52,\"lon\":13.405}"), RejectReason.MISSING_FIELD,
                        "'geo.country'"),
                raw("no transaction id at all", Kind.TRANSACTION, full.without("transaction_id").bytes(),
                        RejectReason.MISSING_FIELD, null, "'transaction_id'"),
                acct("account opened without opened_at", account.without("opened_at"), RejectReason.MISSING_FIELD,
                        "'opened_at'", "ACCOUNT_OPENED"),
                acct("net worth without its currency", account.with("declared_net_worth", "{\"amount\":\"1000\"}"),
                        RejectReason.MISSING_FIELD, "'declared_net_worth.currency'"),
                tx("camelCase id from a Java client", full.with("transactionId", "\"tx-1\""), RejectReason.UNKNOWN_FIELD,
                        "\"transactionId\""),
                tx("amount in cents on the side", full.with("amount_cents", "12990"), RejectReason.UNKNOWN_FIELD,
                        "\"amount_cents\""),
                tx("altitude in geo", full.with("geo", "{\"lat\":52.52,\"lon\":13.405,\"country\":\"DE\",\"alt\":34}"),
                        RejectReason.UNKNOWN_FIELD, "\"alt\"", "'geo'"),
                acct("a risk score the contract does not carry", account.with("risk_score", "0.7"), RejectReason.UNKNOWN_FIELD,
                        "\"risk_score\""),
                tx("account id as a number", full.with("account_id", "7781"), RejectReason.WRONG_TYPE, "'account_id'",
                        "a string", "7781"),
                tx("card_present as a string", full.with("card_present", "\"true\""), RejectReason.WRONG_TYPE,
                        "'card_present'", "a boolean", "\"true\""),
                tx("amount as a boolean", full.with("amount", "true"), RejectReason.WRONG_TYPE, "'amount'", "true"),
                tx("occurred_at as epoch millis", full.with("occurred_at", "1772366310000"), RejectReason.WRONG_TYPE,
                        "'occurred_at'", "1772366310000"),
                tx("geo as a string", full.with("geo", "\"52.52,13.405\""), RejectReason.WRONG_TYPE, "'geo'", "an object"),
                tx("latitude as a string", full.with("geo", "{\"lat\":\"52.52\",\"lon\":13.405,\"country\":\"DE\"}"),
                        RejectReason.WRONG_TYPE, "'geo.lat'", "\"52.52\""),
                acct("KYC level as a number", account.with("kyc_risk_level", "2"), RejectReason.WRONG_TYPE,
                        "'kyc_risk_level'", "2"),
                tx("a type from another rail", full.with("type", "\"PAYMENT\""), RejectReason.UNKNOWN_EVENT_TYPE, "'type'",
                        "\"PAYMENT\"", "PURCHASE"),
                tx("type in lower case", full.with("type", "\"purchase\""), RejectReason.UNKNOWN_EVENT_TYPE, "\"purchase\""),
                acct("an account event type from a later version", account.with("type", "\"ACCOUNT_FROZEN\""),
                        RejectReason.UNKNOWN_EVENT_TYPE, "\"ACCOUNT_FROZEN\"", "WATCHLIST_HIT"),
                tx("amount \"abc\"", full.with("amount", "\"abc\""), RejectReason.NON_NUMERIC_AMOUNT, "'amount'", "\"abc\""),
                tx("amount 1e999", full.with("amount", "1e999"), RejectReason.NON_NUMERIC_AMOUNT, "'amount'", "1e999"),
                tx("amount \"NaN\"", full.with("amount", "\"NaN\""), RejectReason.NON_NUMERIC_AMOUNT, "\"NaN\""),
                tx("decimal comma", full.with("amount", "\"129,90\""), RejectReason.NON_NUMERIC_AMOUNT, "\"129,90\""),
                tx("padded amount", full.with("amount", "\" 129.90\""), RejectReason.NON_NUMERIC_AMOUNT, "\" 129.90\""),
                tx("exponent form", full.with("amount", "1.299E2"), RejectReason.NON_NUMERIC_AMOUNT, "1.299E2"),
                tx("empty amount", full.with("amount", "\"\""), RejectReason.NON_NUMERIC_AMOUNT, "'amount' = \"\""),
                acct("net worth \"lots\"", account.with("declared_net_worth", "{\"amount\":\"lots\",\"currency\":\"EUR\"}"),
                        RejectReason.NON_NUMERIC_AMOUNT, "'declared_net_worth.amount'", "\"lots\""),
                tx("a refund sent as a negative purchase", full.with("amount", "-25.00"), RejectReason.NEGATIVE_AMOUNT,
                        "'amount'", "-25.00"),
                tx("a negative cent as a string", full.with("amount", "\"-0.01\""), RejectReason.NEGATIVE_AMOUNT, "-0.01"),
                acct("negative net worth", account.with("declared_net_worth", "{\"amount\":-1,\"currency\":\"EUR\"}"),
                        RejectReason.NEGATIVE_AMOUNT, "'declared_net_worth.amount'"),
                tx("currency XYZ", full.with("currency", "\"XYZ\""), RejectReason.UNKNOWN_CURRENCY, "'currency'", "\"XYZ\""),
                tx("currency in lower case", full.with("currency", "\"eur\""), RejectReason.UNKNOWN_CURRENCY, "\"eur\""),
                tx("currency name, not code", full.with("currency", "\"EURO\""), RejectReason.UNKNOWN_CURRENCY, "\"EURO\""),
                tx("currency symbol", full.with("currency", "\"€\""), RejectReason.UNKNOWN_CURRENCY, "\"€\""),
                tx("gold has no minor unit", full.with("currency", "\"XAU\"").with("amount", "1"),
                        RejectReason.UNKNOWN_CURRENCY, "\"XAU\"", "minor unit"),
                acct("net worth in an unknown currency",
                        account.with("declared_net_worth", "{\"amount\":\"1000\",\"currency\":\"ABC\"}"),
                        RejectReason.UNKNOWN_CURRENCY, "'declared_net_worth.currency'", "\"ABC\""),
                tx("tenth of a cent in USD", full.with("amount", "1.001").with("currency", "\"USD\""),
                        RejectReason.INVALID_VALUE, "'amount'", "1.001", "USD allows 2"),
                tx("half a yen", full.with("amount", "\"10.5\"").with("currency", "\"JPY\""), RejectReason.INVALID_VALUE,
                        "10.5", "JPY allows 0"),
                tx("trailing zero beyond the minor unit", full.with("amount", "\"129.900\""), RejectReason.INVALID_VALUE,
                        "129.900", "EUR allows 2"),
                tx("a quadrillion", full.with("amount", "\"1000000000000000\""), RejectReason.INVALID_VALUE,
                        "1000000000000000", "too large"),
                tx("date and time with a space and no offset", full.with("occurred_at", "\"2026-01-01 10:00\""),
                        RejectReason.BAD_TIMESTAMP, "'occurred_at'", "\"2026-01-01 10:00\""),
                tx("local time without offset", full.with("occurred_at", "\"2026-03-01T11:58:30\""),
                        RejectReason.BAD_TIMESTAMP, "\"2026-03-01T11:58:30\""),
                tx("epoch millis as a string", full.with("occurred_at", "\"1772366310000\""), RejectReason.BAD_TIMESTAMP,
                        "\"1772366310000\""),
                tx("30 February", full.with("occurred_at", "\"2026-02-30T10:00:00Z\""), RejectReason.BAD_TIMESTAMP,
                        "\"2026-02-30T10:00:00Z\""),
                tx("no seconds", full.with("occurred_at", "\"2026-03-01T11:58Z\""), RejectReason.BAD_TIMESTAMP,
                        "\"2026-03-01T11:58Z\""),
                acct("opened \"yesterday\"", account.with("opened_at", "\"yesterday\""), RejectReason.BAD_TIMESTAMP,
                        "'opened_at'", "\"yesterday\""),
                tx("ten minutes ahead of the receiver", full.with("occurred_at", "\"2026-03-01T12:10:00Z\""),
                        RejectReason.FUTURE_TIMESTAMP, "'occurred_at'", "2026-03-01T12:10:00Z", "PT10M", "PT5M"),
                tx("six minutes ahead once the offset is applied", full.with("occurred_at", "\"2026-03-01T13:06:00+01:00\""),
                        RejectReason.FUTURE_TIMESTAMP, "2026-03-01T12:06:00Z"),
                acct("an account event dated tomorrow", account.with("occurred_at", "\"2026-03-02T12:00:00Z\""),
                        RejectReason.FUTURE_TIMESTAMP, "'occurred_at'"),
                raw("a 129-character transaction id", Kind.TRANSACTION,
                        full.with("transaction_id", "\"" + tooLongId + "\"").bytes(), RejectReason.INVALID_VALUE, null,
                        "'transaction_id'", "129 characters"),
                tx("a bell character in the account id", full.with("account_id", "\"acc-\\u0007-1\""),
                        RejectReason.INVALID_VALUE, "'account_id'", "\"acc-\\u0007-1\"", "U+0007"),
                tx("a forged log line in the customer id", full.with("customer_id", "\"cus-1\\nALLOW tx-2\""),
                        RejectReason.INVALID_VALUE, "'customer_id'", "\"cus-1\\nALLOW tx-2\""),
                tx("an unpaired surrogate in the customer id", full.with("customer_id", "\"cus-\\uD800\""),
                        RejectReason.INVALID_VALUE, "'customer_id'", "unpaired surrogate", "\\uD800"),
                tx("a three-digit MCC", full.with("merchant_category", "\"541\""), RejectReason.INVALID_VALUE,
                        "'merchant_category'", "\"541\""),
                tx("an MCC with a letter", full.with("merchant_category", "\"54a1\""), RejectReason.INVALID_VALUE, "\"54a1\""),
                tx("an IPv4 part over 255", full.with("ip", "\"300.1.1.1\""), RejectReason.INVALID_VALUE, "'ip'",
                        "\"300.1.1.1\""),
                tx("an IPv6 zone id", full.with("ip", "\"fe80::1%eth0\""), RejectReason.INVALID_VALUE, "\"fe80::1%eth0\""),
                tx("a host name for an IP", full.with("ip", "\"localhost\""), RejectReason.INVALID_VALUE, "\"localhost\""),
                tx("latitude 91.5", full.with("geo", "{\"lat\":91.5,\"lon\":13.405,\"country\":\"DE\"}"),
                        RejectReason.INVALID_VALUE, "'geo.lat'", "91.5"),
                tx("longitude -180.1", full.with("geo", "{\"lat\":52.52,\"lon\":-180.1,\"country\":\"DE\"}"),
                        RejectReason.INVALID_VALUE, "'geo.lon'", "-180.1"),
                tx("latitude overflowing a double", full.with("geo", "{\"lat\":1e400,\"lon\":0,\"country\":\"DE\"}"),
                        RejectReason.INVALID_VALUE, "'geo.lat'", "1e400"),
                tx("country XX", full.with("geo", "{\"lat\":52.52,\"lon\":13.405,\"country\":\"XX\"}"),
                        RejectReason.INVALID_VALUE, "'geo.country'", "\"XX\""),
                tx("country in lower case", full.with("geo", "{\"lat\":52.52,\"lon\":13.405,\"country\":\"de\"}"),
                        RejectReason.INVALID_VALUE, "\"de\""),
                tx("an empty channel", full.with("channel", "\"\""), RejectReason.INVALID_VALUE, "'channel'", "is empty"),
                tx("a 257-character device fingerprint", full.with("device_fingerprint", "\"" + "f".repeat(257) + "\""),
                        RejectReason.INVALID_VALUE, "'device_fingerprint'", "257 characters", "…(+157 chars)"),
                acct("a KYC level that does not exist", account.with("kyc_risk_level", "\"SEVERE\""),
                        RejectReason.INVALID_VALUE, "'kyc_risk_level'", "\"SEVERE\"", "LOW, MEDIUM"),
                acct("a country name for a code", account.with("country", "\"Germany\""), RejectReason.INVALID_VALUE,
                        "'country'", "\"Germany\""),
                acct("a NUL byte in the detail text", account.with("detail", "\"list: OFAC\\u0000\""),
                        RejectReason.INVALID_VALUE, "'detail'", "\\u0000"));
    }

    static Stream<Arguments> reasonCases() {
        return cases().stream().map(c -> Arguments.of(c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reasonCases")
    void shouldRejectWithTheReasonANamedFieldAndTheBadValue(Case c) {
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> parse(c.kind(), c.payload()));
        assertEquals(c.reason(), e.reason(), e.getMessage());
        for (String fragment : c.fragments()) {
            assertTrue(e.getMessage().contains(fragment), "message lacks <" + fragment + ">: " + e.getMessage());
        }
        assertEquals(c.expectedId(), e.transactionId(), e.getMessage());
        if (c.expectedId() != null) {
            String idName = c.kind() == Kind.TRANSACTION ? "transaction_id" : "event_id";
            assertTrue(e.getMessage().contains(idName + "=\"" + c.expectedId() + "\""), e.getMessage());
        }
        assertLogSafe(e);
    }

    @Test
    void shouldHaveACaseForEveryReasonCode() {
        Set<RejectReason> covered = cases().stream().map(Case::reason).collect(Collectors.toSet());
        assertEquals(EnumSet.allOf(RejectReason.class), covered);
    }

    @Test
    void shouldCheckSizeBeforeDecodingAndHonourAConfiguredLimit() {
        EventCodec small = new EventCodec(CLOCK, EventCodec.DEFAULT_MAX_FUTURE_SKEW, 64);
        byte[] garbage = new byte[65];
        Arrays.fill(garbage, (byte) 0xFF); // not UTF-8 either: size must win
        assertEquals(RejectReason.PAYLOAD_TOO_LARGE,
                assertThrows(InvalidEventException.class, () -> small.parseTransaction(garbage)).reason());
        assertEquals(RejectReason.INVALID_UTF8,
                assertThrows(InvalidEventException.class, () -> small.parseTransaction(Arrays.copyOf(garbage, 64))).reason());
    }

    @Test
    void shouldRefuseUtf8Tricks() {
        byte[][] tricks = {
            {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'},                  // overlong '/'
            {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'},     // a surrogate encoded directly
            {'{', '"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"', '}'}, // above U+10FFFF
            {'{', '"', (byte) 0x80, '"', '}'},                                // lone continuation byte
        };
        for (byte[] b : tricks) {
            assertEquals(RejectReason.INVALID_UTF8,
                    assertThrows(InvalidEventException.class, () -> codec.parseTransaction(b)).reason());
        }
    }

    /** RFC 8259 forbids senders a byte order mark and lets readers choose; this one refuses it. */
    @Test
    void shouldRefuseAByteOrderMarkAsNotJson() {
        byte[] p = Payload.minimalTransaction().bytes();
        byte[] withBom = new byte[p.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(p, 0, withBom, 3, p.length);
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> codec.parseTransaction(withBom));
        assertEquals(RejectReason.NOT_JSON, e.reason());
        assertTrue(e.getMessage().contains("\\uFEFF"), e.getMessage());
    }

    // ==== which reason wins when several apply ====================================================

    /** A fault planted in one member, and its rank in the documented check order. */
    record Fault(int rank, RejectReason reason, String member, String rawJson) {}

    static final List<List<Fault>> FAULTS_BY_MEMBER = List.of(
            List.of(new Fault(4, RejectReason.MISSING_FIELD, "customer_id", null)),
            List.of(new Fault(5, RejectReason.UNKNOWN_FIELD, "merchant_name", "\"Aldi\"")),
            List.of(new Fault(6, RejectReason.WRONG_TYPE, "card_present", "\"yes\"")),
            List.of(new Fault(7, RejectReason.UNKNOWN_EVENT_TYPE, "type", "\"PAYMENT\"")),
            List.of(new Fault(8, RejectReason.NON_NUMERIC_AMOUNT, "amount", "\"abc\""),
                    new Fault(9, RejectReason.NEGATIVE_AMOUNT, "amount", "-5"),
                    new Fault(11, RejectReason.INVALID_VALUE, "amount", "1.001")),
            List.of(new Fault(10, RejectReason.UNKNOWN_CURRENCY, "currency", "\"XYZ\"")),
            List.of(new Fault(12, RejectReason.BAD_TIMESTAMP, "occurred_at", "\"2026-03-01 10:00\""),
                    new Fault(13, RejectReason.FUTURE_TIMESTAMP, "occurred_at", "\"2026-03-02T00:00:00Z\"")),
            List.of(new Fault(14, RejectReason.INVALID_VALUE, "ip", "\"999.0.0.1\"")));

    /** Whole-payload faults, applied to the text after the member faults. */
    static final int TOO_LARGE = 0, BAD_UTF8 = 1, TRAILING = 2, WRAPPED = 3;

    @Provide
    Arbitrary<List<Fault>> memberFaults() {
        List<Arbitrary<Fault>> perMember = new ArrayList<>();
        for (List<Fault> options : FAULTS_BY_MEMBER) perMember.add(Arbitraries.of(options).injectNull(0.6));
        return Combinators.combine(perMember).as(list -> list.stream().filter(f -> f != null).toList());
    }

    /**
     * With any mix of faults in different members (and any whole-payload faults), the reason
     * is the one the class comment's order puts first: the reference is a minimum over ranks.
     */
    @Property(tries = 1500)
    void shouldReportTheFirstFaultInTheDocumentedOrder(
            @ForAll("memberFaults") List<Fault> faults, @ForAll @Size(max = 4) Set<@net.jqwik.api.constraints.IntRange(max = 3) Integer> whole) {
        Payload p = Payload.fullTransaction().with("currency", "\"USD\"");
        for (Fault f : faults) p = f.rawJson() == null ? p.without(f.member()) : p.with(f.member(), f.rawJson());
        String json = p.json();
        if (whole.contains(WRAPPED)) json = "[" + json + "]";
        if (whole.contains(TRAILING)) json = json + " x";
        if (whole.contains(TOO_LARGE)) json = json + " ".repeat(EventCodec.DEFAULT_MAX_PAYLOAD_BYTES);
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        if (whole.contains(BAD_UTF8)) {
            bytes = Arrays.copyOf(bytes, bytes.length);
            bytes[json.indexOf("m-77-berlin")] = (byte) 0xFF; // all ASCII before it, so char index = byte index
        }
        RejectReason expected = null;
        if (whole.contains(TOO_LARGE)) expected = RejectReason.PAYLOAD_TOO_LARGE;
        else if (whole.contains(BAD_UTF8)) expected = RejectReason.INVALID_UTF8;
        else if (whole.contains(TRAILING)) expected = RejectReason.NOT_JSON;
        else if (whole.contains(WRAPPED)) expected = RejectReason.NOT_AN_OBJECT;
        else expected = faults.stream().min((a, b) -> Integer.compare(a.rank(), b.rank())).map(Fault::reason).orElse(null);

        final byte[] payload = bytes;
        if (expected == null) {
            assertDoesNotThrow(() -> codec.parseTransaction(payload));
        } else {
            InvalidEventException e = assertThrows(InvalidEventException.class, () -> codec.parseTransaction(payload));
            assertEquals(expected, e.reason(), e.getMessage());
        }
    }

    private static void assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<?> s) {
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(s);
    }

    // ==== round trips =============================================================================

    static final List<String> COUNTRIES = List.of(Locale.getISOCountries());

    /** Texts of 1 to 40 characters, Latin, accented, CJK and an emoji, never a control character. */
    static Arbitrary<String> texts() {
        return Combinators.combine(
                Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00A0', '\u024F')
                        .withCharRange('\u4E00', '\u4E2F').ofMinLength(1).ofMaxLength(40),
                Arbitraries.of("", "\uD83D\uDCB3")).as(String::concat);
    }

    static Arbitrary<Instant> pastInstants() {
        return Combinators.combine(Arbitraries.longs().between(946_684_800L, NOW.getEpochSecond() + 299),
                Arbitraries.integers().between(0, 999_999_999)).as(Instant::ofEpochSecond);
    }

    /** Amounts up to 10^12 with as many decimals as the currency allows (0 to 2). */
    static Arbitrary<Tuple.Tuple2<BigDecimal, Currency>> money() {
        return Arbitraries.of("USD", "EUR", "GBP", "JPY").map(Currency::getInstance).flatMap(c ->
                Arbitraries.integers().between(0, c.getDefaultFractionDigits()).flatMap(scale ->
                        Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TEN.pow(12 + scale))
                                .map(unscaled -> Tuple.of(new BigDecimal(unscaled, scale), c))));
    }

    static Arbitrary<String> ips() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofSize(4).map(EventCodecTest::hostAddress),
                Arbitraries.bytes().array(byte[].class).ofSize(16).map(EventCodecTest::hostAddress),
                Arbitraries.of("::1", "2001:db8::1", "::ffff:192.0.2.1", "fe80::abcd:1"));
    }

    private static String hostAddress(byte[] b) {
        try {
            return java.net.InetAddress.getByAddress(b).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static Arbitrary<GeoLocation> geos() {
        return Combinators.combine(Arbitraries.doubles().between(-90, 90), Arbitraries.doubles().between(-180, 180),
                Arbitraries.of(COUNTRIES)).as(GeoLocation::new);
    }

    @Provide
    Arbitrary<TransactionEvent> transactions() {
        Arbitrary<Object[]> required = Combinators.combine(texts(), pastInstants(), texts(), texts(),
                Arbitraries.of(TransactionType.class), money()).as((id, at, acc, cus, type, m) ->
                new Object[] {id, at, acc, cus, type, m.get1(), m.get2()});
        Arbitrary<Object[]> optional1 = Combinators.combine(texts().injectNull(0.4), texts().injectNull(0.4),
                Arbitraries.strings().numeric().ofLength(4).injectNull(0.4),
                Arbitraries.of("ONLINE", "POS", "ATM", "BRANCH").injectNull(0.4),
                Arbitraries.of("CARD", "SEPA_CT", "WIRE").injectNull(0.4)).as((a, b, c, d, e) -> new Object[] {a, b, c, d, e});
        Arbitrary<Object[]> optional2 = Combinators.combine(Arbitraries.of(true, false).injectNull(0.4),
                texts().injectNull(0.4), ips().injectNull(0.4), geos().injectNull(0.4)).as((a, b, c, d) -> new Object[] {a, b, c, d});
        return Combinators.combine(required, optional1, optional2).as((r, o, q) -> new TransactionEvent(
                (String) r[0], (Instant) r[1], (String) r[2], (String) r[3], (TransactionType) r[4], (BigDecimal) r[5],
                (Currency) r[6], (String) o[0], (String) o[1], (String) o[2], (String) o[3], (String) o[4],
                (Boolean) q[0], (String) q[1], (String) q[2], (GeoLocation) q[3]));
    }

    @Provide
    Arbitrary<AccountEvent> accountEvents() {
        Arbitrary<String> details = Combinators.combine(texts(), Arbitraries.of("", "\n", "\r\n\t")).as(String::concat);
        return Combinators.combine(texts(), Arbitraries.of(AccountEventType.class), pastInstants(), texts(), texts(),
                        pastInstants().injectNull(0.4), money().injectNull(0.4),
                        Combinators.combine(Arbitraries.of(COUNTRIES).injectNull(0.4),
                                Arbitraries.of(KycRiskLevel.class).injectNull(0.4), details.injectNull(0.4))
                                .as((c, k, d) -> new Object[] {c, k, d}))
                .as((id, type, at, acc, cus, opened, worth, rest) -> new AccountEvent(id, type, at, acc, cus,
                        opened == null && type == AccountEventType.ACCOUNT_OPENED ? at : opened,
                        worth == null ? null : worth.get1(), worth == null ? null : worth.get2(),
                        (String) rest[0], (KycRiskLevel) rest[1], (String) rest[2]));
    }

    @Property(tries = 1000)
    void everyTransactionReadsBackEqualFromWhatWasWritten(@ForAll("transactions") TransactionEvent e) throws Exception {
        byte[] written = codec.write(e);
        TransactionEvent read = codec.parseTransaction(written);
        assertEquals(e, read);
        assertEquals(e.amount().scale(), read.amount().scale());
        assertArrayEquals(written, codec.write(read), "writing is deterministic");
    }

    @Property(tries = 1000)
    void everyAccountEventReadsBackEqualFromWhatWasWritten(@ForAll("accountEvents") AccountEvent e) throws Exception {
        byte[] written = codec.write(e);
        assertEquals(e, codec.parseAccountEvent(written));
        assertArrayEquals(written, codec.write(codec.parseAccountEvent(written)));
    }

    // ==== hostile input: every byte array parses or is an InvalidEventException ==================

    /** Parses as both kinds; anything but success or InvalidEventException fails the property. */
    void assertParsesOrRejects(byte[] payload) {
        try {
            TransactionEvent e = codec.parseTransaction(payload);
            assertEquals(e, codec.parseTransaction(codec.write(e)), "an accepted event writes back to itself");
        } catch (InvalidEventException ex) {
            assertLogSafe(ex);
        }
        try {
            AccountEvent e = codec.parseAccountEvent(payload);
            assertEquals(e, codec.parseAccountEvent(codec.write(e)), "an accepted event writes back to itself");
        } catch (InvalidEventException ex) {
            assertLogSafe(ex);
        }
    }

    static void assertLogSafe(InvalidEventException e) {
        String m = e.getMessage();
        assertNotNull(e.reason());
        assertTrue(m != null && !m.isBlank(), "a message for people");
        assertTrue(m.chars().noneMatch(Character::isISOControl), "no control character can reach a log: " + m);
        assertTrue(m.length() < 1200, "a bounded message: " + m.length());
        // The id is shown escaped (a quote in it as \"), so a hostile id cannot end the quoted value early.
        if (e.transactionId() != null) {
            assertTrue(m.contains("=\"" + WireValues.escape(e.transactionId(), 256, true) + "\"]"), m);
        }
    }

    @Property(tries = 2000)
    void arbitraryBytesParseOrReject(@ForAll @Size(max = 600) byte[] payload) {
        assertParsesOrRejects(payload);
    }

    /** Token soup: mostly well-formed-looking JSON made from the contract's own vocabulary. */
    @Property(tries = 2000)
    void jsonLikeTextParsesOrRejects(@ForAll("tokenSoup") String text) {
        assertParsesOrRejects(text.getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<String> tokenSoup() {
        List<String> names = new ArrayList<>();
        for (WireSpec s : List.of(WireSpec.TRANSACTION, WireSpec.ACCOUNT, WireSpec.GEO, WireSpec.NET_WORTH)) {
            for (WireSpec.Member m : s.members) names.add("\"" + m.name() + "\"");
        }
        Arbitrary<String> token = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(names)),
                Tuple.of(4, Arbitraries.of(":", ",", "{", "}", "[", "]", " ")),
                Tuple.of(4, jsonValues()));
        return token.list().ofMaxSize(40).map(l -> String.join("", l));
    }

    /** Byte-level mutations of valid payloads: flips, cuts, insertions and copies. */
    @Property(tries = 3000)
    void mutatedValidPayloadsParseOrReject(@ForAll("validPayloads") byte[] valid,
            @ForAll @Size(min = 1, max = 4) List<@From("mutations") Mutation> mutations) {
        byte[] b = valid;
        for (Mutation m : mutations) b = m.apply(b);
        assertParsesOrRejects(b);
    }

    @Provide
    Arbitrary<byte[]> validPayloads() {
        return Arbitraries.of(Payload.fullTransaction(), Payload.minimalTransaction(), Payload.fullAccountEvent(),
                Payload.minimalAccountEvent()).map(Payload::bytes);
    }

    /** One edit at a position given as a fraction of the length, so it fits any payload. */
    record Mutation(int op, double where, double span, byte[] data) {
        byte[] apply(byte[] b) {
            int at = (int) (where * b.length);
            int len = Math.min(b.length - at, (int) (span * 16));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            switch (op) {
                case 0 -> { // overwrite bytes
                    byte[] c = b.clone();
                    for (int i = 0; i < data.length && at + i < c.length; i++) c[at + i] = data[i];
                    return c;
                }
                case 1 -> { // delete a range
                    out.write(b, 0, at);
                    out.write(b, at + len, b.length - at - len);
                }
                case 2 -> { // insert bytes
                    out.write(b, 0, at);
                    out.write(data, 0, data.length);
                    out.write(b, at, b.length - at);
                }
                default -> { // duplicate a range in place
                    out.write(b, 0, at + len);
                    out.write(b, at, b.length - at);
                }
            }
            return out.toByteArray();
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<byte[]> data = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4),
                jsonValues().map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.of("\"", ",", ":", "{", "}", "[", "]", "\\", "\\u", "-", "e", ".", "0", "null", "\"x\":1,")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)));
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.doubles().between(0, 0.999).ofScale(3),
                Arbitraries.doubles().between(0, 1).ofScale(3), data).as(Mutation::new);
    }

    /**
     * Structural mutations: any member, known or not, at the top or inside geo and
     * declared_net_worth, set to any JSON value or removed. These reach the value rules.
     */
    @Property(tries = 3000)
    void payloadsWithArbitraryMemberValuesParseOrReject(@ForAll("validPayloadModels") Payload base,
            @ForAll @Size(min = 1, max = 3) List<@From("memberEdits") Tuple3<String, String, String>> edits) {
        Payload p = base;
        for (var edit : edits) {
            String nestedIn = edit.get1(), name = edit.get2(), value = edit.get3();
            if (nestedIn == null) {
                p = value == null ? p.without(name) : p.with(name, value);
            } else if (p.members().containsKey(nestedIn) && p.members().get(nestedIn).startsWith("{")) {
                p = p.with(nestedIn, editNested(p.members().get(nestedIn), name, value));
            }
        }
        assertParsesOrRejects(p.bytes());
    }

    /** Rebuilds a flat nested object with one member set or removed. */
    private static String editNested(String objectJson, String name, String value) {
        try {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) MAPPER.readTree(objectJson);
            Payload p = new Payload();
            for (var it = node.fields(); it.hasNext(); ) {
                var f = it.next();
                p = p.with(f.getKey(), MAPPER.writeValueAsString(f.getValue()));
            }
            return (value == null ? p.without(name) : p.with(name, value)).json();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Provide
    Arbitrary<Payload> validPayloadModels() {
        return Arbitraries.of(Payload.fullTransaction(), Payload.minimalTransaction(), Payload.fullAccountEvent(),
                Payload.minimalAccountEvent());
    }

    @Provide
    Arbitrary<Tuple.Tuple3<String, String, String>> memberEdits() {
        Arbitrary<String> where = Arbitraries.of("geo", "declared_net_worth").injectNull(0.7);
        List<String> known = new ArrayList<>();
        for (WireSpec s : List.of(WireSpec.TRANSACTION, WireSpec.ACCOUNT, WireSpec.GEO, WireSpec.NET_WORTH)) {
            for (WireSpec.Member m : s.members) known.add(m.name());
        }
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of(known), Arbitraries.strings().ofMaxLength(8));
        return Combinators.combine(where, name, jsonValues().injectNull(0.1)).as(Tuple::of);
    }

    /** JSON values biased toward the edges of the contract's rules. */
    static Arbitrary<String> jsonValues() {
        JsonStringEncoder enc = JsonStringEncoder.getInstance();
        Arbitrary<String> interesting = Arbitraries.of("PURCHASE", "REFUND", "ACCOUNT_OPENED", "KYC_FAILED", "HIGH", "USD",
                "JPY", "BHD", "XAU", "XXX", "usd", "DE", "XK", "5411", "12.50", "0", "-0", "1e3", "NaN", "1.001",
                "2026-03-01T11:00:00Z", "2026-03-01T11:00:00.123456789+14:00", "2026-03-01T11:00:00-18:00",
                "2099-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "::1", "1.2.3.4", "\\uD800", "\uD83D\uDCB3", "", " ");
        Arbitrary<String> strings = Arbitraries.oneOf(interesting, Arbitraries.strings().ofMaxLength(20),
                        Arbitraries.strings().withCharRange('0', '9').withChars(".-eE+").ofMaxLength(25))
                .map(s -> "\"" + new String(enc.quoteAsString(s)) + "\"");
        Arbitrary<String> numbers = Arbitraries.oneOf(
                Arbitraries.of("0", "-0", "1", "-1", "12.5", "129.90", "1.001", "1e999", "-1e999", "1E-400", "1e400", "0.0",
                        "90", "-90.0", "180.0000001", "9".repeat(400), "123456789012345", "1234567890123456",
                        "1." + "0".repeat(300)),
                Arbitraries.bigDecimals().between(new BigDecimal("-1e20"), new BigDecimal("1e20")).ofScale(3)
                        .map(BigDecimal::toPlainString),
                Arbitraries.doubles().map(d -> Double.isFinite(d) ? Double.toString(d) : "0"));
        Arbitrary<String> leaves = Arbitraries.oneOf(strings, numbers, Arbitraries.of("true", "false", "null"));
        return Arbitraries.recursive(() -> leaves, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]"),
                Combinators.combine(Arbitraries.of("lat", "lon", "country", "amount", "currency", "x"), inner)
                        .as((k, v) -> "{\"" + k + "\":" + v + "}")), 0, 3);
    }

    // ==== the schema files and the codec agree ====================================================

    static final ObjectMapper MAPPER = new ObjectMapper();

    static final JsonNode TX_SCHEMA = schemaUnchecked("transaction-event.v1.json");

    static JsonNode schemaUnchecked(String file) {
        try {
            return schema(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static JsonNode schema(String file) throws IOException {
        try (InputStream in = EventCodecTest.class.getResourceAsStream("/schemas/" + file)) {
            assertNotNull(in, file + " is on the class path");
            return MAPPER.readTree(in);
        }
    }

    static Set<String> names(JsonNode properties) {
        return new TreeSet<>(iterable(properties.fieldNames()));
    }

    static Set<String> strings(JsonNode array) {
        Set<String> s = new TreeSet<>();
        array.forEach(n -> { if (!n.isNull()) s.add(n.asText()); });
        return s;
    }

    static <T> List<T> iterable(java.util.Iterator<T> it) {
        return StreamSupport.stream(((Iterable<T>) () -> it).spliterator(), false).toList();
    }

    /** The schema's object and the codec's spec agree on members, required ones and JSON types. */
    static void assertSameShape(JsonNode object, WireSpec spec) {
        String where = spec.path == null ? "root" : spec.path;
        assertEquals("object", object.has("type") && object.get("type").isArray()
                ? object.get("type").get(0).asText() : object.path("type").asText(), where);
        assertEquals(false, object.get("additionalProperties").asBoolean(true), where + " refuses unknown members");
        Set<String> specNames = spec.members.stream().map(WireSpec.Member::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> specRequired = spec.members.stream().filter(WireSpec.Member::required).map(WireSpec.Member::name)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(specNames, names(object.get("properties")), where + " properties");
        assertEquals(specRequired, strings(object.get("required")), where + " required");
        for (WireSpec.Member m : spec.members) {
            JsonNode prop = object.get("properties").get(m.name());
            assertTrue(prop.path("description").asText().length() > 10, m.name() + " has a description");
            Set<String> types = prop.get("type").isArray() ? strings(prop.get("type")) : Set.of(prop.get("type").asText());
            Set<String> expected = new HashSet<>(switch (m.kind()) {
                case STRING -> Set.of("string");
                case AMOUNT -> Set.of("string", "number");
                case NUMBER -> Set.of("number");
                case BOOLEAN -> Set.of("boolean");
                case OBJECT -> Set.of("object");
            });
            if (!m.required()) expected.add("null"); // the codec reads null as absent
            assertEquals(expected, types, where + "." + m.name() + " JSON types");
            if (m.nested() != null) assertSameShape(prop, m.nested());
        }
    }

    @Test
    void transactionSchemaMatchesTheCodec() throws Exception {
        JsonNode s = schema("transaction-event.v1.json");
        assertEquals("https://json-schema.org/draft/2020-12/schema", s.get("$schema").asText());
        assertSameShape(s, WireSpec.TRANSACTION);
        assertEquals(Arrays.stream(TransactionType.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new)),
                strings(s.at("/properties/type/enum")));
        assertBehavesAsSchemaSays(s, Payload.fullTransaction(), Kind.TRANSACTION);
    }

    @Test
    void accountSchemaMatchesTheCodec() throws Exception {
        JsonNode s = schema("account-event.v1.json");
        assertEquals("https://json-schema.org/draft/2020-12/schema", s.get("$schema").asText());
        assertSameShape(s, WireSpec.ACCOUNT);
        assertEquals(Arrays.stream(AccountEventType.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new)),
                strings(s.at("/properties/type/enum")));
        assertEquals(Arrays.stream(KycRiskLevel.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new)),
                strings(s.at("/properties/kyc_risk_level/enum")));
        // The conditional requirement, and the codec's behaviour on both sides of it.
        assertEquals("ACCOUNT_OPENED", s.at("/if/properties/type/const").asText());
        assertEquals(Set.of("opened_at"), strings(s.at("/then/required")));
        assertEquals(RejectReason.MISSING_FIELD, reject(Kind.ACCOUNT, Payload.fullAccountEvent().without("opened_at")));
        assertNotNull(codec.parseAccountEvent(Payload.fullAccountEvent().with("type", "\"ACCOUNT_UPDATED\"")
                .without("opened_at").bytes()));
        assertBehavesAsSchemaSays(s, Payload.fullAccountEvent(), Kind.ACCOUNT);
    }

    /**
     * Not only the spec constants: the codec itself accepts every schema property (the full
     * fixture sets them all), reports exactly the schema's required ones missing, and refuses
     * a member the schema lacks, at every level.
     */
    void assertBehavesAsSchemaSays(JsonNode schema, Payload full, Kind kind) throws Exception {
        assertEquals(names(schema.get("properties")), full.members().keySet().stream()
                .collect(Collectors.toCollection(TreeSet::new)), "the full fixture sets every property");
        parse(kind, full.bytes());
        Set<String> required = strings(schema.get("required"));
        Set<String> conditionallyRequired = schema.has("then") ? strings(schema.at("/then/required")) : Set.of();
        for (String name : full.members().keySet()) {
            Payload without = full.without(name);
            if (required.contains(name) || conditionallyRequired.contains(name)) {
                assertEquals(RejectReason.MISSING_FIELD, reject(kind, without), name);
            } else {
                parse(kind, without.bytes());
            }
        }
        assertEquals(RejectReason.UNKNOWN_FIELD, reject(kind, full.with("not_in_schema", "1")));
        for (var it = schema.get("properties").fields(); it.hasNext(); ) {
            var prop = it.next();
            if (!prop.getValue().has("properties")) continue;
            String nested = full.members().get(prop.getKey());
            Set<String> nestedRequired = strings(prop.getValue().get("required"));
            for (String member : names(prop.getValue().get("properties"))) {
                String without = editNested(nested, member, null);
                RejectReason r = reject(kind, full.with(prop.getKey(), without));
                assertEquals(nestedRequired.contains(member) ? RejectReason.MISSING_FIELD : null, r, member);
            }
            assertEquals(RejectReason.UNKNOWN_FIELD, reject(kind, full.with(prop.getKey(), editNested(nested, "extra", "1"))));
        }
    }

    /** Strings with controls, C1 controls, emoji and CJK, of lengths around the 128 limit. */
    @Provide
    Arbitrary<String> idCandidates() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(1, Arbitraries.integers().between(0x00, 0x1F)),
                Tuple.of(1, Arbitraries.integers().between(0x7F, 0x9F)),
                Tuple.of(2, Arbitraries.integers().between(0x4E00, 0x4E2F)),
                Tuple.of(2, Arbitraries.integers().between(0x1F600, 0x1F64F)));
        return codePoint.list().ofMaxSize(135).map(cps -> {
            StringBuilder b = new StringBuilder();
            cps.forEach(b::appendCodePoint);
            return b.toString();
        });
    }

    /** The schema's pattern and length rules for ids say exactly what the codec does. */
    @Property(tries = 1500)
    void idRulesInTheSchemaMatchTheCodec(@ForAll("idCandidates") String id) throws Exception {
        JsonNode prop = TX_SCHEMA.at("/properties/account_id");
        int length = id.codePointCount(0, id.length()); // JSON Schema counts characters, not UTF-16 units
        boolean schemaAccepts = ecmaPattern(prop.get("pattern").asText()).matcher(id).find()
                && length >= prop.get("minLength").asInt() && length <= prop.get("maxLength").asInt();
        String raw = "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(id)) + "\"";
        RejectReason r = reject(Kind.TRANSACTION, Payload.fullTransaction().with("account_id", raw));
        assertEquals(schemaAccepts ? null : RejectReason.INVALID_VALUE, r, id);
    }

    /**
     * A schema (ECMA-262) pattern as a Java one. ECMA's {@code $} matches only at the end of the
     * input; Java's also before a final line terminator, which includes U+0085, a C1 control.
     */
    static Pattern ecmaPattern(String ecma) {
        return Pattern.compile(ecma.endsWith("$") ? ecma.substring(0, ecma.length() - 1) + "\\z" : ecma);
    }

    /** The schema's amount pattern says what the codec accepts as a string amount in USD. */
    @Property(tries = 1500)
    void amountRulesInTheSchemaMatchTheCodec(@ForAll("amountCandidates") String amount) throws Exception {
        JsonNode prop = TX_SCHEMA.at("/properties/amount");
        boolean matches = ecmaPattern(prop.get("pattern").asText()).matcher(amount).find();
        int dot = amount.indexOf('.');
        boolean fitsUsd = dot < 0 || amount.length() - dot - 1 <= 2; // the description's minor-unit rule
        String raw = "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(amount)) + "\"";
        RejectReason r = reject(Kind.TRANSACTION, Payload.fullTransaction().with("currency", "\"USD\"").with("amount", raw));
        assertEquals(matches && fitsUsd, r == null, amount + " -> " + r);
    }

    @Provide
    Arbitrary<String> amountCandidates() {
        return Arbitraries.oneOf(Arbitraries.strings().withChars("0123456789.-e ").ofMaxLength(20),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(17),
                Combinators.combine(Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(16),
                        Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(4)).as((a, b) -> a + "." + b));
    }

    // ==== cost ======================================================================================

    /** Prints the parse and write cost of a ~400-byte event after warm-up; a measure, not a target. */
    @Test
    void measureParseCost() throws Exception {
        byte[] payload = Payload.fullTransaction().bytes();
        long sink = 0;
        for (int i = 0; i < 50_000; i++) sink += codec.parseTransaction(payload).amount().scale();
        int n = 100_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) sink += codec.parseTransaction(payload).amount().scale();
        long parseNs = (System.nanoTime() - t0) / n;
        TransactionEvent e = codec.parseTransaction(payload);
        for (int i = 0; i < 50_000; i++) sink += codec.write(e).length;
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) sink += codec.write(e).length;
        long writeNs = (System.nanoTime() - t0) / n;
        System.out.printf("EventCodec: %d-byte transaction: parse %d ns, write %d ns per event (single thread)%n",
                payload.length, parseNs, writeNs);
        assertTrue(sink > 0);
    }

    // ==== helpers ===================================================================================

    Object parse(Kind kind, byte[] payload) throws InvalidEventException {
        return kind == Kind.TRANSACTION ? codec.parseTransaction(payload) : codec.parseAccountEvent(payload);
    }

    /** The reason the payload is refused, or null when it is accepted. */
    RejectReason reject(Kind kind, Payload p) {
        try {
            parse(kind, p.bytes());
            return null;
        } catch (InvalidEventException e) {
            return e.reason();
        }
    }

    @Test
    void shouldRefuseNullArgumentsLoudly() {
        assertThrows(NullPointerException.class, () -> codec.parseTransaction(null));
        assertThrows(NullPointerException.class, () -> codec.write((TransactionEvent) null));
        assertThrows(IllegalArgumentException.class, () -> new EventCodec(CLOCK, Duration.ofSeconds(-1), 10));
        assertThrows(IllegalArgumentException.class, () -> new EventCodec(CLOCK, Duration.ZERO, 0));
    }
}
