package dev.vigil.feature;

import dev.vigil.event.KycRiskLevel;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Currency;

/**
 * The replay record of one transaction ({@code {a:<account>}:tx:<id>}): the features and the account
 * profile its first enrichment returned, so a redelivery returns exactly those and counts nothing.
 * Values are written in {@link Features#NAMES} order after their number, so a record written before the
 * catalogue grew (up to 8 days, {@code replayRetention}) still reads back: the features it lacks take their
 * {@link Features#DEFAULTS}. Format 3 writes each value without a type (a feature's type is fixed: a count, a
 * decimal or a flag), and a decimal's unscaled value as a varint: a third fewer bytes than format 2, whose
 * values each had a one-byte type and decimals their two's complement bytes. Format 1 was format 2 without the
 * number, with the 82 features of feature format 4. All three read back.
 */
final class ReplayRecord {

    private static final byte FORMAT = 3;
    /** How many values a format 1 record holds: the catalogue when format 2 came. */
    private static final int FORMAT_1_VALUES = 82;
    private static final int LONG = 0;
    private static final int FALSE = 1;
    private static final int TRUE = 2;
    private static final int DECIMAL = 3;
    /** A flag's type in {@link #TYPES} (formats 1 and 2 wrote {@link #FALSE} or {@link #TRUE}, its value, as its type). */
    private static final int FLAG = FALSE;
    /** The type of each feature, in {@link Features#NAMES} order: {@link #LONG}, {@link #FLAG} or {@link #DECIMAL}. */
    private static final byte[] TYPES = typesOfFeatures();

    private ReplayRecord() {}

    static byte[] encode(Features features, AccountProfile profile) {
        return encode(features, profile, new StateBytes.Writer());
    }

    /** The record, written through {@code w} (emptied first, its buffer reused). */
    static byte[] encode(Features features, AccountProfile profile, StateBytes.Writer w) {
        w.reset().unsigned(FORMAT);
        w.unsigned(Features.NAMES.size());
        // Field by field, in Features.NAMES order (no map of every feature per transaction).
        features.visitValues(new Features.ValueVisitor() {
            @Override
            public void count(long value) {
                w.signed(value);
            }

            @Override
            public void decimal(BigDecimal value) {
                // The scale, doubled, plus 1 when the unscaled value needs more than 64 bits: then its bytes follow.
                long scale = ((long) value.scale() << 1) ^ (value.scale() >> 31); // zig-zag
                long unscaled;
                try {
                    unscaled = value.scaleByPowerOfTen(value.scale()).longValueExact();
                } catch (ArithmeticException beyondLong) {
                    w.unsigned(scale << 1 | 1).bytes(value.unscaledValue().toByteArray());
                    return;
                }
                w.unsigned(scale << 1).signed(unscaled);
            }

            @Override
            public void flag(boolean value) {
                w.bool(value);
            }
        });
        w.bool(profile != null);
        if (profile != null) {
            optional(w, profile.customerId());
            w.bool(profile.openedAt() != null);
            if (profile.openedAt() != null) w.signed(profile.openedAt().getEpochSecond()).unsigned(profile.openedAt().getNano());
            optional(w, profile.declaredNetWorth() == null ? null : profile.declaredNetWorth().toString());
            optional(w, profile.netWorthCurrency() == null ? null : profile.netWorthCurrency().getCurrencyCode());
            optional(w, profile.country());
            optional(w, profile.kycRiskLevel() == null ? null : profile.kycRiskLevel().name());
            w.bool(profile.closed()).bool(profile.kycFailed()).bool(profile.watchlistHit());
        }
        return w.toBytes();
    }

    /** The stored enrichment, with replayed = true. */
    static Enrichment decode(String accountId, byte[] record) {
        StateBytes.Reader r = new StateBytes.Reader(record, 0);
        long format = r.unsigned();
        if (format < 1 || format > FORMAT) throw new IllegalStateException("replay record of unknown format " + format);
        int count = format == 1 ? FORMAT_1_VALUES : r.count();
        if (count > Features.NAMES.size()) throw new IllegalStateException("replay record of " + count + " features, this build knows "
                + Features.NAMES.size());
        Features.Values values = new Features.Values();
        for (int i = 0; i < count; i++) {
            values.set(i, format == FORMAT ? typed(TYPES[i], r) : withTypeByte(r, Features.NAMES.get(i)));
        }
        AccountProfile profile = null;
        if (r.bool()) {
            String customer = optional(r);
            Instant opened = r.bool() ? Instant.ofEpochSecond(r.signed(), r.unsigned()) : null;
            String netWorth = optional(r);
            String currency = optional(r);
            String country = optional(r);
            String kyc = optional(r);
            profile = new AccountProfile(accountId, customer, opened, netWorth == null ? null : new BigDecimal(netWorth),
                    currency == null ? null : Currency.getInstance(currency), country,
                    kyc == null ? null : KycRiskLevel.valueOf(kyc), r.bool(), r.bool(), r.bool());
        }
        for (String name : Features.NAMES.subList(count, Features.NAMES.size())) values.put(name, Features.DEFAULTS.get(name));
        return new Enrichment(Features.exact(values), profile, true);
    }

    /** A value of format 1 or 2: its type byte, then the value. */
    private static Object withTypeByte(StateBytes.Reader r, String name) {
        int type = (int) r.unsigned();
        return switch (type) {
            case LONG -> r.signed();
            case FALSE -> Boolean.FALSE;
            case TRUE -> Boolean.TRUE;
            case DECIMAL -> {
                int scale = Math.toIntExact(r.signed());
                yield new BigDecimal(new BigInteger(r.bytes()), scale);
            }
            default -> throw new IllegalStateException("replay record: unknown value type " + type + " for " + name);
        };
    }

    /** A value of format 3, of the given type. */
    private static Object typed(byte type, StateBytes.Reader r) {
        if (type == LONG) return r.signed();
        if (type == FLAG) return r.bool();
        long scaleAndSize = r.unsigned();
        long zigzag = scaleAndSize >>> 1;
        int scale = Math.toIntExact((zigzag >>> 1) ^ -(zigzag & 1));
        return (scaleAndSize & 1) == 0 ? BigDecimal.valueOf(r.signed(), scale) : new BigDecimal(new BigInteger(r.bytes()), scale);
    }

    /** The type of each feature, from the values of features whose every value is 0 (any type reads "0"). */
    private static byte[] typesOfFeatures() {
        java.util.Map<String, Object> zeros = new java.util.HashMap<>();
        for (String name : Features.NAMES) zeros.put(name, "0");
        byte[] types = new byte[Features.NAMES.size()];
        int[] next = {0};
        Features.fromMap(zeros).visitValues(new Features.ValueVisitor() {
            @Override
            public void count(long value) {
                types[next[0]++] = LONG;
            }

            @Override
            public void decimal(BigDecimal value) {
                types[next[0]++] = DECIMAL;
            }

            @Override
            public void flag(boolean value) {
                types[next[0]++] = FLAG;
            }
        });
        return types;
    }

    private static void optional(StateBytes.Writer w, String s) {
        w.bool(s != null);
        if (s != null) w.string(s);
    }

    private static String optional(StateBytes.Reader r) {
        return r.bool() ? r.string() : null;
    }
}
