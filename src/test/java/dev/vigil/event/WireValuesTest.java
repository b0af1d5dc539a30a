package dev.vigil.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written value rules, each against a JDK reference where one exists. */
class WireValuesTest {

    // ---- timestamps: the hand parser agrees with java.time on every string of the schema's shape

    /**
     * Strings shaped like the schema pattern, with field values that are often out of range
     * (month 13, day 31 in April, hour 24, offset 19:00), so both outcomes are exercised.
     */
    @Provide
    Arbitrary<String> timestampShaped() {
        Arbitrary<String> two = Arbitraries.integers().between(0, 61).map(i -> String.format("%02d", i));
        Arbitrary<String> year = Arbitraries.integers().between(0, 9999).map(i -> String.format("%04d", i));
        Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(10)
                .map(f -> f.isEmpty() ? "" : "." + f);
        Arbitrary<String> offset = Arbitraries.oneOf(
                Arbitraries.of("Z", "z"),
                Combinators.combine(Arbitraries.of("+", "-"), Arbitraries.integers().between(0, 19),
                        Arbitraries.integers().between(0, 60)).as((s, h, m) -> String.format("%s%02d:%02d", s, h, m)));
        return Combinators.combine(year, two.map(m -> m), two, Arbitraries.of("T", "t"), two, two, two,
                        Combinators.combine(fraction, offset).as(String::concat))
                .as((y, mo, d, t, h, mi, s, rest) -> y + "-" + mo + "-" + d + t + h + ":" + mi + ":" + s + rest);
    }

    @Property(tries = 3000)
    void timestampParserAgreesWithJavaTime(@ForAll("timestampShaped") String s) {
        Instant reference;
        try {
            // RFC 3339 lets T and Z be lower case; java.time's ISO parser wants them upper case.
            reference = OffsetDateTime.parse(s.toUpperCase(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            reference = null;
        }
        assertEquals(reference, WireValues.parseTimestamp(s), s);
    }

    @Property
    void everyInstantFormattedWithAnOffsetParsesBack(
            @ForAll("instants") Instant instant, @ForAll @IntRange(min = -18 * 60, max = 18 * 60) int offsetMinutes) {
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(offsetMinutes * 60);
        String text = instant.atOffset(offset).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        assertEquals(instant, WireValues.parseTimestamp(text), text);
        assertEquals(instant, WireValues.parseTimestamp(instant.toString()), "Instant.toString() is what write emits");
    }

    @Provide
    Arbitrary<Instant> instants() {
        return Combinators.combine(Arbitraries.longs().between(-62_135_596_800L + 86_400, 253_402_300_799L - 86_400),
                Arbitraries.integers().between(0, 999_999_999)).as(Instant::ofEpochSecond);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "2026-01-01 10:00", "2026-01-01T10:00Z", "2026-01-01T10:00:00", "2026-01-01T10:00:00+0100",
        "2026-01-01T10:00:00+01", "2026-01-01T10:00:00.Z", "2026-01-01T10:00:00.1234567890Z",
        "2026-01-01T10:00:00+01:00:30", "2026-01-01T10:00:00 Z", " 2026-01-01T10:00:00Z", "2026-1-01T10:00:00Z",
        "+2026-01-01T10:00:00Z", "2026-01-01T10:00:00ZZ", "2026-01-01T10:00:00GMT", "1767261600",
        "2026-01-01T10:00:60Z", "2026-02-29T10:00:00Z", "2026-01-01T10:00:00+19:00", "２０２６-01-01T10:00:00Z"})
    void timestampsOutsideRfc3339AreRefused(String s) {
        assertNull(WireValues.parseTimestamp(s), s);
    }

    // ---- IP addresses --------------------------------------------------------------------------

    /** The JDK's own text for any 4 or 16 address bytes is accepted. */
    @Property
    void jdkTextOfAnyAddressIsAccepted(@ForAll @Size(min = 16, max = 16) byte[] v6, @ForAll @Size(min = 4, max = 4) byte[] v4)
            throws UnknownHostException {
        String a = InetAddress.getByAddress(v6).getHostAddress();
        String b = InetAddress.getByAddress(v4).getHostAddress();
        assertTrue(WireValues.isIp(a), a);
        assertTrue(WireValues.isIp(b), b);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "0.0.0.0", "255.255.255.255", "192.168.1.10", "::", "::1", "1::", "2001:db8::8a2e:370:7334",
        "2001:DB8:0:0:8:800:200C:417A", "ff01::101", "::ffff:192.0.2.128", "::13.1.68.3", "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4", "fe80::1:2:3:4:5:6"})
    void validAddressesAreAccepted(String s) {
        assertTrue(WireValues.isIp(s), s);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4 ", "1..3.4", "1.2.3.-4", "localhost",
        "example.com", ":::", "1:::2", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "12345::1", "g::1", "::1%eth0", "fe80::1%1", "1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:7::8", "::1.2.3.4:5",
        "1.2.3.4::", "[::1]", "::ffff:1.2.3.256", "١.٢.٣.٤", "::１"})
    void invalidAddressesAreRefused(String s) {
        assertFalse(WireValues.isIp(s), s);
    }

    // ---- amounts: the plain-decimal grammar against BigDecimal ----------------------------------

    /** Whatever the grammar accepts, BigDecimal reads exactly to the same text (so no rounding). */
    @Property(tries = 2000)
    void plainDecimalsAreExactBigDecimals(@ForAll("numberish") String s) {
        if (!WireValues.isPlainDecimal(s)) return;
        BigDecimal v = new BigDecimal(s);
        // BigDecimal has no negative zero: "-0.00" reads as 0.00 (the codec refuses any minus sign anyway).
        String expected = v.signum() == 0 && s.startsWith("-") ? s.substring(1) : s;
        assertEquals(expected, v.toPlainString(), "the scale and every digit survive");
    }

    @Provide
    Arbitrary<String> numberish() {
        return Arbitraries.strings().withChars("0123456789.-+eE ").ofMinLength(0).ofMaxLength(12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1e3", "1E+3", "1.5e-2", "NaN", "Infinity", "+1", "01", "00.5", ".5", "5.",
        "1,000.00", "12,50", " 1", "1 ", "0x10", "--1", "1.2.3", "١٢", "１２"})
    void nonPlainDecimalsAreRefused(String s) {
        assertFalse(WireValues.isPlainDecimal(s), s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.0", "0.00", "12", "12.5", "12.50", "-3", "-0.01", "999999999999999.99"})
    void plainDecimalsAreAccepted(String s) {
        assertTrue(WireValues.isPlainDecimal(s), s);
    }

    // ---- showing values in messages -------------------------------------------------------------

    @Property
    void shownValuesHaveNoControlCharactersAndStayShort(@ForAll String s) {
        String shown = WireValues.show(s);
        assertTrue(shown.chars().noneMatch(Character::isISOControl), shown);
        assertTrue(shown.length() <= WireValues.SHOWN_CHARS * 6 + 30, "at most 100 chars, each escaped to 6");
    }

    @org.junit.jupiter.api.Test
    void showEscapesAndTruncates() {
        assertEquals("\"a\\nb\\u0007\\\"\"", WireValues.show("a\nb\u0007\""));
        assertEquals("\"\\u202E\"", WireValues.show("\u202E"), "bidi override would reorder a log line");
        String shown = WireValues.show("x".repeat(150));
        assertEquals("\"" + "x".repeat(100) + "\"…(+50 chars)", shown);
    }
}
