package dev.vigil.feature;

import dev.vigil.event.KycRiskLevel;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Currency;

/**
 * The replay record of one transaction ({@code {a:<account>}:tx:<id>}): the features and the account
 * profile its first enrichment returned, so a redelivery returns exactly those and counts nothing.
 * Values are written in {@link Features#NAMES} order, each with a one-byte type, after their number
 * (format 2), so a record written before the catalogue grew (up to 8 days, {@code replayRetention}) still
 * reads back: the features it lacks take their {@link Features#DEFAULTS}. Format 1 had no number and
 * the 82 features of feature format 4.
 */
final class ReplayRecord {

    private static final byte FORMAT = 2;
    /** How many values a format 1 record holds: the catalogue when format 2 came. */
    private static final int FORMAT_1_VALUES = 82;
    private static final int LONG = 0;
    private static final int FALSE = 1;
    private static final int TRUE = 2;
    private static final int DECIMAL = 3;

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
                w.unsigned(LONG).signed(value);
            }

            @Override
            public void decimal(BigDecimal value) {
                w.unsigned(DECIMAL).signed(value.scale()).unscaled(value);
            }

            @Override
            public void flag(boolean value) {
                w.unsigned(value ? TRUE : FALSE);
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
        if (format != 1 && format != FORMAT) throw new IllegalStateException("replay record of unknown format " + format);
        int count = format == 1 ? FORMAT_1_VALUES : r.count();
        if (count > Features.NAMES.size()) throw new IllegalStateException("replay record of " + count + " features, this build knows "
                + Features.NAMES.size());
        Features.Values values = new Features.Values();
        for (String name : Features.NAMES.subList(0, count)) {
            int type = (int) r.unsigned();
            values.put(name, switch (type) {
                case LONG -> r.signed();
                case FALSE -> Boolean.FALSE;
                case TRUE -> Boolean.TRUE;
                case DECIMAL -> {
                    int scale = Math.toIntExact(r.signed());
                    yield new BigDecimal(new BigInteger(r.bytes()), scale);
                }
                default -> throw new IllegalStateException("replay record: unknown value type " + type + " for " + name);
            });
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

    private static void optional(StateBytes.Writer w, String s) {
        w.bool(s != null);
        if (s != null) w.string(s);
    }

    private static String optional(StateBytes.Reader r) {
        return r.bool() ? r.string() : null;
    }
}
