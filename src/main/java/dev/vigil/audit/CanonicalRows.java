package dev.vigil.audit;

import dev.vigil.decision.Decision;
import dev.vigil.decision.ShadowScore;
import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.Features;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;

/**
 * The v2 rows in two forms at once: the COPY text line PostgreSQL stores, and the canonical bytes
 * {@code audit_decision_canonical_v2} / {@code audit_rejection_canonical_v2} (V006) return for the
 * stored row. Java hashes exactly the text it sends, so the two agree by construction for text and
 * bytea; for the typed columns the encodings are chosen so PostgreSQL's output form is the input
 * form (see the README, "Canonical form v2"). {@code CanonicalRowsIT} checks the agreement on random rows.
 */
final class CanonicalRows {
    /** The COPY column order: canonical order first (recorded_at is the default, so absent), then the link. */
    static final String DECISION_COPY = "copy decision (decision_id, transaction_id, account_id, customer_id, event_time,"
            + " processed_at, source_channel, source_ref, raw_event, amount, currency, transaction_type, features_format,"
            + " features, account, rule_set_version, rule_set_hash, model_version, score, risk_score, risk_tier, verdict,"
            + " hits, contributions, challenger_model_version, challenger_score, challenger_verdict, latency_micros,"
            + " chain_seq, row_hash) from stdin (format binary)";
    static final String REJECTION_COPY = "copy rejection (source_channel, source_ref, received_at, reason_code, message,"
            + " transaction_id, raw_event, chain_seq, row_hash) from stdin (format binary)";

    /**
     * The compact feature encodings, as table audit_feature_format defines them (V006, V008, V009, V011, V012, V013, V015, V016): the
     * names in order and their kinds (n integer, d exact decimal, b flag). A stored row names its
     * format, so rows written before the catalogue grew still read back as written.
     */
    record FeatureFormat(int id, List<String> names, String kinds) {}

    static final FeatureFormat FORMAT_1 = new FeatureFormat(1, List.of(
            "tx_count_1m", "tx_count_1h", "tx_count_24h", "tx_count_7d", "tx_sum_1m", "tx_sum_1h", "tx_sum_24h",
            "tx_sum_7d", "account_age_days", "balance_deposit_count_7d", "balance_deposit_sum_7d",
            "deposit_to_net_worth_ratio", "new_merchant", "new_device", "seconds_since_previous"),
            "nnnnddddnnddbbn");

    /** Format 2: every feature of {@link Features#NAMES} as of the 78-feature catalogue. */
    static final FeatureFormat FORMAT_2 = new FeatureFormat(2, List.of(
            "tx_count_1m", "tx_count_1h", "tx_count_24h", "tx_count_7d", "tx_sum_1m", "tx_sum_1h", "tx_sum_24h",
            "tx_sum_7d", "account_age_days", "balance_deposit_count_7d", "balance_deposit_sum_7d",
            "deposit_to_net_worth_ratio", "new_merchant", "new_device", "seconds_since_previous", "tx_count_5m",
            "tx_count_15m", "tx_count_30d", "tx_sum_5m", "tx_sum_15m", "tx_sum_30d", "first_transaction",
            "days_dormant", "amount_zscore_30d", "amount_to_median_ratio_30d", "round_amount", "new_ip",
            "new_country", "distance_from_previous_km", "implied_speed_kmh", "country_changed_1h",
            "distance_from_usual_km", "hour_of_day_utc", "hour_of_day_share_30d", "night_utc", "weekend_utc",
            "new_account_deposit_count_7d", "structuring_count_24h", "structuring_count_7d", "structuring_sum_24h",
            "structuring_sum_7d", "fan_in_24h", "fan_out_24h", "rapid_in_out_ratio_3d", "customer_tx_count_1h",
            "customer_tx_count_24h", "customer_tx_count_7d", "customer_tx_sum_1h", "customer_tx_sum_24h",
            "customer_tx_sum_7d", "device_tx_count_1h", "device_tx_count_24h", "device_tx_sum_1h",
            "device_tx_sum_24h", "ip_tx_count_1h", "ip_tx_count_24h", "ip_tx_sum_1h", "ip_tx_sum_24h",
            "merchant_tx_count_1m", "merchant_tx_count_1h", "merchant_tx_count_24h", "merchant_tx_sum_1m",
            "merchant_tx_sum_1h", "merchant_tx_sum_24h", "account_blacklisted", "account_whitelisted",
            "customer_blacklisted", "customer_whitelisted", "device_blacklisted", "device_whitelisted",
            "ip_blacklisted", "ip_whitelisted", "merchant_blacklisted", "merchant_whitelisted", "merchant_risk_class",
            "merchant_fraud_rate_1d", "merchant_fraud_rate_7d", "merchant_fraud_rate_30d"),
            "nnnnddddnnddbbnnnndddbnddbbbddbdndbbnnnddnndnnndddnnddnnddnnndddbbbbbbbbbbnddd");

    /** Format 3: format 2 and then {@code distinct_merchants_5m} (card testing, CARD-001). */
    static final FeatureFormat FORMAT_3 = new FeatureFormat(3, concat(FORMAT_2.names(), "distinct_merchants_5m"),
            FORMAT_2.kinds() + "n");

    /** Format 4: format 3 and then the merchant fraud rates of the windows that end at the 7-day label delay. */
    static final FeatureFormat FORMAT_4 = new FeatureFormat(4, concat(FORMAT_3.names(), "merchant_fraud_rate_1d_delayed",
            "merchant_fraud_rate_7d_delayed", "merchant_fraud_rate_30d_delayed"), FORMAT_3.kinds() + "ddd");

    /**
     * Format 5 (V012): format 4's features, and the row's account facts and SHAP contributions as JSON
     * arrays of values instead of objects ({@link AuditJson#account}, {@link AuditJson#contributions}).
     */
    static final FeatureFormat FORMAT_5 = new FeatureFormat(5, FORMAT_4.names(), FORMAT_4.kinds());

    /** Format 6 (V013): format 5 and then {@code merchant_fraud_streak_delayed}; account facts and contributions as format 5. */
    static final FeatureFormat FORMAT_6 = new FeatureFormat(6, concat(FORMAT_5.names(), "merchant_fraud_streak_delayed"),
            FORMAT_5.kinds() + "n");

    /**
     * Format 7 (V015): format 6 and then the other entities' velocity windows it lacked and their seconds since the
     * previous transaction; account facts and contributions as format 5.
     */
    static final FeatureFormat FORMAT_7 = new FeatureFormat(7, concat(FORMAT_6.names(),
            "customer_tx_count_1m", "customer_tx_count_5m", "customer_tx_count_15m", "customer_tx_count_30d",
            "customer_tx_sum_1m", "customer_tx_sum_5m", "customer_tx_sum_15m", "customer_tx_sum_30d",
            "customer_seconds_since_previous", "device_tx_count_1m", "device_tx_count_5m", "device_tx_count_15m",
            "device_tx_count_7d", "device_tx_count_30d", "device_tx_sum_1m", "device_tx_sum_5m",
            "device_tx_sum_15m", "device_tx_sum_7d", "device_tx_sum_30d", "device_seconds_since_previous",
            "ip_tx_count_1m", "ip_tx_count_5m", "ip_tx_count_15m", "ip_tx_count_7d",
            "ip_tx_count_30d", "ip_tx_sum_1m", "ip_tx_sum_5m", "ip_tx_sum_15m",
            "ip_tx_sum_7d", "ip_tx_sum_30d", "ip_seconds_since_previous", "merchant_tx_count_5m",
            "merchant_tx_count_15m", "merchant_tx_count_7d", "merchant_tx_count_30d", "merchant_tx_sum_5m",
            "merchant_tx_sum_15m", "merchant_tx_sum_7d", "merchant_tx_sum_30d", "merchant_seconds_since_previous"),
            FORMAT_6.kinds() + "nnnnddddnnnnnndddddnnnnnndddddnnnnnddddn");

    /**
     * Format 8 (V016): format 7 and then {@code merchant_fraud_streak_age_delayed}, {@code merchant_fraud_count_24h_delayed},
     * {@code amount_outliers_7d} and {@code max_amount_to_median_ratio_7d}; account facts and contributions as format 5.
     */
    static final FeatureFormat FORMAT_8 = new FeatureFormat(8, concat(FORMAT_7.names(), "merchant_fraud_streak_age_delayed",
            "merchant_fraud_count_24h_delayed", "amount_outliers_7d", "max_amount_to_median_ratio_7d"), FORMAT_7.kinds() + "nnnd");

    static final List<FeatureFormat> FORMATS = List.of(FORMAT_1, FORMAT_2, FORMAT_3, FORMAT_4, FORMAT_5, FORMAT_6, FORMAT_7,
            FORMAT_8);

    /** The first format whose account facts and contributions are JSON arrays (V012). */
    static final int COMPACT_FACTS_FORMAT = 5;

    private static List<String> concat(List<String> names, String... more) {
        List<String> all = new java.util.ArrayList<>(names);
        all.addAll(List.of(more));
        return List.copyOf(all);
    }

    /**
     * The format new rows are written in: the newest whose names are exactly {@link Features#NAMES}.
     * Growing the catalogue needs a new format (a migration and an entry here); until then Vigil
     * refuses to write rows it could not read back.
     */
    static final FeatureFormat CURRENT = FORMATS.stream().filter(f -> f.names().equals(Features.NAMES)).reduce((a, b) -> b)
            .orElseThrow(() -> new IllegalStateException("no audit feature format lists Features.NAMES in order;"
                    + " add one (audit-schema migration and CanonicalRows.FORMATS)"));

    /** Micros from 1970-01-01 to 2000-01-01, PostgreSQL's timestamp epoch. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    private CanonicalRows() {}

    /** The values of one decision as stored (cleaned text, microsecond times), ready to encode. */
    record DecisionValues(java.util.UUID decisionId, String transactionId, String accountId, String customerId,
            Instant eventTime, Instant processedAt, String sourceChannel, String sourceRef, byte[] rawEvent,
            BigDecimal amount, String currency, String transactionType, int featuresFormat, String features,
            String account, String ruleSetVersion, String ruleSetHash, String modelVersion, double score,
            int riskScore, String riskTier, String verdict, String hits, String contributions,
            String challengerModelVersion, Double challengerScore, String challengerVerdict, long latencyMicros) {

        static DecisionValues of(AuditedDecision a) {
            Decision d = a.decision();
            TransactionEvent e = d.event();
            ShadowScore ch = d.challenger();
            return new DecisionValues(d.decisionId(), Text.clean(d.transactionId()),
                    Text.clean(e.accountId()), Text.clean(e.customerId()), micros(e.occurredAt()), micros(d.decidedAt()),
                    Text.clean(a.source().channel()), Text.clean(a.source().ref()), a.rawEvent(),
                    e.amount().scale() < 0 ? e.amount().setScale(0) : e.amount(), e.currency().getCurrencyCode(), e.type().name(), CURRENT.id(),
                    CanonicalRows.features(d.features()), AuditJson.account(CURRENT.id(), d.account()), Text.clean(d.ruleSetVersion().label()),
                    Text.clean(d.ruleSetVersion().contentHash()), Text.clean(d.modelVersion()), d.score().probability(),
                    d.score().riskScore(), d.score().tier().name(), d.verdict().name(), AuditJson.hits(d.hits()),
                    AuditJson.contributions(CURRENT.id(), d.score().contributions()),
                    ch == null ? null : Text.clean(ch.modelVersion()), ch == null ? null : ch.probability(),
                    ch == null ? null : ch.wouldBeVerdict().name(), d.latencyMicros());
        }
    }

    /** The values of one rejection as stored. */
    record RejectionValues(String sourceChannel, String sourceRef, Instant receivedAt, String reasonCode,
            String message, String transactionId, byte[] rawEvent) {

        static RejectionValues of(Rejection r) {
            return new RejectionValues(Text.clean(r.source().channel()), Text.clean(r.source().ref()),
                    micros(r.receivedAt()), r.reason().name(), Text.clean(r.message()), Text.clean(r.transactionId()),
                    r.rawEvent());
        }
    }

    /** Canonical bytes of the decision as stored with this recorded_at; appends its COPY fields (no link yet) when copy is given. */
    static byte[] decision(DecisionValues v, Instant recordedAt, Buffer canonical, Buffer copy) {
        Encoder w = new Encoder(canonical, copy, 30);
        w.tag("vigil-audit-v2:decision");
        w.uuid(v.decisionId);
        w.text(v.transactionId);
        w.text(v.accountId);
        w.text(v.customerId);
        w.time(v.eventTime);
        w.time(v.processedAt);
        w.canonicalTime(recordedAt);
        w.text(v.sourceChannel);
        w.text(v.sourceRef);
        w.bytes(v.rawEvent);
        w.numeric(v.amount);
        w.text(v.currency);
        w.text(v.transactionType);
        w.int2((short) v.featuresFormat);
        w.text(v.features);
        w.text(v.account);
        w.text(v.ruleSetVersion);
        w.text(v.ruleSetHash);
        w.text(v.modelVersion);
        w.float8(v.score);
        w.int4(v.riskScore);
        w.text(v.riskTier);
        w.text(v.verdict);
        w.text(v.hits);
        w.text(v.contributions);
        w.text(v.challengerModelVersion);
        w.float8(v.challengerScore);
        w.text(v.challengerVerdict);
        w.int8(v.latencyMicros);
        return canonical.toArray();
    }

    static byte[] rejection(RejectionValues v, Instant recordedAt, Buffer canonical, Buffer copy) {
        Encoder w = new Encoder(canonical, copy, 9);
        w.tag("vigil-audit-v2:rejection");
        w.text(v.sourceChannel);
        w.text(v.sourceRef);
        w.time(v.receivedAt);
        w.canonicalTime(recordedAt);
        w.text(v.reasonCode);
        w.text(v.message);
        w.text(v.transactionId);
        w.bytes(v.rawEvent);
        return canonical.toArray();
    }

    private static final byte[] COPY_SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};

    /** Starts a binary COPY stream: signature, no flags, no header extension. */
    static void startCopy(Buffer copy) {
        copy.reset();
        copy.put(COPY_SIGNATURE);
        copy.int4(0);
        copy.int4(0);
    }

    /** Ends a binary COPY stream. */
    static void endCopy(Buffer copy) {
        copy.ensure(2);
        copy.put((byte) 0xff);
        copy.put((byte) 0xff);
    }

    /** Ends a row with the link columns (chain_seq bigint, row_hash bytea). */
    static void link(Buffer copy, long chainSeq, byte[] rowHash) {
        copy.int4(8);
        copy.int8(chainSeq);
        copy.int4(rowHash.length);
        copy.put(rowHash);
    }

    /** The current feature format: values in name order joined by ','; decimals exactly as AuditJson writes them, flags t or f. */
    static String features(Features f) {
        FeatureText text = new FeatureText();
        f.visitValues(text);
        return text.b.toString();
    }

    /** Appends each value as the feature format writes it; no map and no boxing (this runs for every row). */
    private static final class FeatureText implements Features.ValueVisitor {
        final StringBuilder b = new StringBuilder(400);

        private StringBuilder next() {
            return b.isEmpty() ? b : b.append(',');
        }

        @Override
        public void count(long value) {
            next().append(value);
        }

        @Override
        public void decimal(BigDecimal value) {
            next().append(AuditJson.decimal(value));
        }

        @Override
        public void flag(boolean value) {
            next().append(value ? 't' : 'f');
        }
    }

    /** A stored encoding back to the map V001's jsonb gave: counts as Long, flags as Boolean, decimals as exact strings. */
    static java.util.Map<String, Object> readFeatures(int format, String encoded) {
        FeatureFormat f = FORMATS.stream().filter(x -> x.id() == format).findFirst()
                .orElseThrow(() -> new IllegalStateException("unknown feature format " + format));
        String[] values = encoded.split(",", -1);
        if (values.length != f.names().size()) {
            throw new IllegalStateException("feature format " + format + " has " + f.names().size() + " values, the row " + values.length);
        }
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            Object v = switch (f.kinds().charAt(i)) {
                case 'n' -> Long.parseLong(values[i]);
                case 'b' -> "t".equals(values[i]);
                default -> values[i];
            };
            m.put(f.names().get(i), v);
        }
        return m;
    }

    /** PostgreSQL keeps microseconds: times are truncated to them before they are sent or hashed. */
    static Instant micros(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }

    /** A growable byte buffer, reused across rows. */
    static final class Buffer {
        byte[] a;
        int n;

        Buffer(int capacity) {
            a = new byte[capacity];
        }

        void reset() {
            n = 0;
        }

        void ensure(int more) {
            if (n + more > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + more));
        }

        void put(byte b) {
            if (n == a.length) ensure(1);
            a[n++] = b;
        }

        void put(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, a, n, b.length);
            n += b.length;
        }

        void int4(int v) {
            ensure(4);
            a[n++] = (byte) (v >>> 24);
            a[n++] = (byte) (v >>> 16);
            a[n++] = (byte) (v >>> 8);
            a[n++] = (byte) v;
        }

        void int8(long v) {
            int4((int) (v >>> 32));
            int4((int) v);
        }

        void ascii(String s) {
            ensure(s.length());
            for (int i = 0; i < s.length(); i++) a[n++] = (byte) s.charAt(i);
        }

        byte[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /**
     * Writes each field to both forms. Binary COPY frames a field as PostgreSQL's binary form with a
     * 4-byte length, exactly as the canonical form frames text, bytea, timestamptz (send form) and
     * float8 (send form): for those the same bytes go to both. Integers and numeric are text in the
     * canonical form (as {@code ::text} prints them) and binary in COPY.
     */
    private static final class Encoder {
        private final Buffer canonical;
        private final Buffer copy;

        Encoder(Buffer canonical, Buffer copy, int columns) {
            canonical.reset();
            this.canonical = canonical;
            this.copy = copy;
            if (copy != null) {
                copy.ensure(2);
                copy.put((byte) (columns >>> 8));
                copy.put((byte) columns);
            }
        }

        void tag(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            canonical.int4(b.length);
            canonical.put(b);
        }

        /** The field just written to the canonical form, from {@code start}, goes to COPY as is. */
        private void same(int start) {
            if (copy == null) return;
            int len = canonical.n - start;
            copy.ensure(len);
            System.arraycopy(canonical.a, start, copy.a, copy.n, len);
            copy.n += len;
        }

        void text(String s) {
            int start = canonical.n;
            if (s == null) {
                canonical.int4(-1);
            } else {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                canonical.int4(b.length);
                canonical.put(b);
            }
            same(start);
        }

        void bytes(byte[] b) {
            int start = canonical.n;
            canonical.int4(b.length);
            canonical.put(b);
            same(start);
        }

        void time(Instant t) {
            int start = canonical.n;
            canonicalTime(t);
            same(start);
        }

        void canonicalTime(Instant t) {
            long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
            canonical.int4(8);
            canonical.int8(micros - PG_EPOCH_MICROS);
        }

        void float8(Double d) {
            int start = canonical.n;
            if (d == null) {
                canonical.int4(-1);
            } else {
                canonical.int4(8);
                canonical.int8(Double.doubleToRawLongBits(d));
            }
            same(start);
        }

        void uuid(java.util.UUID u) {
            canonicalText(u.toString());
            if (copy == null) return;
            copy.int4(16);
            copy.int8(u.getMostSignificantBits());
            copy.int8(u.getLeastSignificantBits());
        }

        void int2(short v) {
            canonicalText(Short.toString(v));
            if (copy == null) return;
            copy.int4(2);
            copy.ensure(2);
            copy.put((byte) (v >>> 8));
            copy.put((byte) v);
        }

        void int4(int v) {
            canonicalText(Integer.toString(v));
            if (copy == null) return;
            copy.int4(4);
            copy.int4(v);
        }

        void int8(long v) {
            canonicalText(Long.toString(v));
            if (copy == null) return;
            copy.int4(8);
            copy.int8(v);
        }

        /** A non-negative decimal with scale >= 0: canonical as its plain text (numeric::text), COPY as numeric_send. */
        void numeric(BigDecimal v) {
            canonicalText(v.toPlainString());
            if (copy == null) return;
            byte[] bin = numericSend(v);
            copy.int4(bin.length);
            copy.put(bin);
        }

        private void canonicalText(String s) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            canonical.int4(b.length);
            canonical.put(b);
        }
    }

    /**
     * PostgreSQL's binary numeric: int16 ndigits, int16 weight (of the first base-10000 digit), int16
     * sign, int16 dscale (digits after the point), then the base-10000 digits. numeric_recv strips
     * leading and trailing zero digits itself, and keeps dscale, so ::text prints toPlainString.
     */
    static byte[] numericSend(BigDecimal v) {
        if (v.signum() < 0 || v.scale() < 0) throw new IllegalArgumentException("numeric " + v);
        int dscale = v.scale();
        String plain = v.unscaledValue().toString();
        // digits before and after the point, the point then aligned to 4-digit groups
        String intPart = plain.length() > dscale ? plain.substring(0, plain.length() - dscale) : "0";
        String frac = plain.length() > dscale ? plain.substring(plain.length() - dscale)
                : "0".repeat(dscale - plain.length()) + plain;
        int intGroups = (intPart.length() + 3) / 4;
        String intPadded = "0".repeat(intGroups * 4 - intPart.length()) + intPart;
        int fracGroups = (frac.length() + 3) / 4;
        String fracPadded = frac + "0".repeat(fracGroups * 4 - frac.length());
        String all = intPadded + fracPadded;
        int n = intGroups + fracGroups;
        Buffer b = new Buffer(8 + 2 * n);
        b.put((byte) (n >>> 8));
        b.put((byte) n);
        int weight = intGroups - 1;
        b.put((byte) (weight >>> 8));
        b.put((byte) weight);
        b.put((byte) 0); // sign: positive
        b.put((byte) 0);
        b.put((byte) (dscale >>> 8));
        b.put((byte) dscale);
        for (int g = 0; g < n; g++) {
            int d = Integer.parseInt(all, g * 4, g * 4 + 4, 10);
            b.put((byte) (d >>> 8));
            b.put((byte) d);
        }
        return b.toArray();
    }
}
