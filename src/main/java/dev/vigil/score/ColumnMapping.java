package dev.vigil.score;

import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * How the columns of a user's labelled CSV history become transaction events and labels: a YAML file
 * (format {@value #FORMAT}, see {@code models/mappings/fdh.yaml}). Each event field is a CSV column or
 * a constant; the label is a column and the values in it that mean fraud.
 *
 * @param timeFormat a {@link DateTimeFormatter} pattern for the time column, or {@code ISO_INSTANT}
 * @param timeZone the zone of local times in the CSV
 * @param fields event field name to its source
 * @param amountRounding how amounts with more digits than the currency's minor unit are rounded;
 *     null to refuse them
 * @param labelColumn the label's column
 * @param fraudValues the label values that mean fraud; any other value is legitimate
 */
public record ColumnMapping(
        String timeFormat,
        ZoneId timeZone,
        Map<String, Source> fields,
        RoundingMode amountRounding,
        String labelColumn,
        Set<String> fraudValues) {

    public static final String FORMAT = "vigil-column-mapping/1";

    /** The event fields a mapping may fill; the first six are required. */
    public static final List<String> EVENT_FIELDS = List.of(
            "transaction_id", "occurred_at", "account_id", "customer_id", "amount", "currency",
            "type", "merchant_id", "merchant_category", "channel", "device_fingerprint", "counterparty_account");
    private static final List<String> REQUIRED = EVENT_FIELDS.subList(0, 6);

    /** A CSV column or a constant. */
    public record Source(String column, String value) {
        public Source {
            if ((column == null) == (value == null)) throw new IllegalArgumentException("exactly one of column and value");
        }
    }

    public ColumnMapping {
        Objects.requireNonNull(timeFormat, "time_format");
        Objects.requireNonNull(timeZone, "time_zone");
        fields = Map.copyOf(fields);
        Objects.requireNonNull(labelColumn, "label.column");
        fraudValues = Set.copyOf(fraudValues);
        for (String f : fields.keySet()) {
            if (!EVENT_FIELDS.contains(f)) throw new IllegalArgumentException("unknown event field '" + f + "'; known: " + EVENT_FIELDS);
        }
        for (String f : REQUIRED) {
            if (!fields.containsKey(f)) throw new IllegalArgumentException("the mapping lacks the required field '" + f + "'");
        }
        if (fraudValues.isEmpty()) throw new IllegalArgumentException("label.fraud_values is empty");
    }

    /**
     * Reads a mapping file.
     *
     * @throws IllegalArgumentException naming the file and the bad key
     */
    @SuppressWarnings("unchecked")
    public static ColumnMapping load(Path yaml) {
        Map<String, Object> m;
        try (InputStream in = Files.newInputStream(yaml)) {
            Object doc = new Load(LoadSettings.builder().build()).loadFromInputStream(in);
            if (!(doc instanceof Map)) throw new IllegalArgumentException(yaml + " is not a YAML mapping");
            m = (Map<String, Object>) doc;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read column mapping " + yaml + ": " + e, e);
        }
        try {
            if (!FORMAT.equals(m.get("format"))) {
                throw new IllegalArgumentException("format is '" + m.get("format") + "'; this build reads '" + FORMAT + "'");
            }
            Map<String, Source> fields = new LinkedHashMap<>();
            Object f = m.get("fields");
            if (!(f instanceof Map)) throw new IllegalArgumentException("'fields' must be a mapping");
            for (Map.Entry<String, Object> e : ((Map<String, Object>) f).entrySet()) {
                if (!(e.getValue() instanceof Map)) throw new IllegalArgumentException("fields." + e.getKey() + " must be {column: ...} or {value: ...}");
                Map<String, Object> src = (Map<String, Object>) e.getValue();
                fields.put(e.getKey(), new Source(str(src.get("column")), str(src.get("value"))));
            }
            Object label = m.get("label");
            if (!(label instanceof Map)) throw new IllegalArgumentException("'label' must be a mapping with column and fraud_values");
            Map<String, Object> l = (Map<String, Object>) label;
            List<String> fraud = new ArrayList<>();
            for (Object v : (List<Object>) l.getOrDefault("fraud_values", List.of("1"))) fraud.add(String.valueOf(v));
            Object rounding = m.get("amount_rounding");
            return new ColumnMapping(
                    String.valueOf(m.getOrDefault("time_format", "ISO_INSTANT")),
                    ZoneId.of(String.valueOf(m.getOrDefault("time_zone", "UTC"))),
                    fields,
                    rounding == null ? null : RoundingMode.valueOf(String.valueOf(rounding)),
                    str(l.get("column")),
                    Set.copyOf(fraud));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("column mapping " + yaml + ": " + e.getMessage(), e);
        }
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    /** Binds the mapping to a CSV header. */
    public Reader reader(List<String> header) {
        return new Reader(this, header);
    }

    /** Turns rows of one CSV (of the header it was made for) into events and labels. Not thread-safe. */
    public static final class Reader {
        private final ColumnMapping mapping;
        private final Map<String, Integer> columnOf = new HashMap<>();
        private final Map<String, Integer> fieldColumn = new HashMap<>();
        private final int labelAt;
        private final DateTimeFormatter time;
        private final Map<String, Currency> currencies = new HashMap<>();

        private Reader(ColumnMapping mapping, List<String> header) {
            this.mapping = mapping;
            for (int i = 0; i < header.size(); i++) columnOf.put(header.get(i).trim(), i);
            for (Map.Entry<String, Source> e : mapping.fields().entrySet()) {
                if (e.getValue().column() != null) fieldColumn.put(e.getKey(), column(e.getValue().column()));
            }
            this.labelAt = column(mapping.labelColumn());
            this.time = "ISO_INSTANT".equals(mapping.timeFormat()) ? null : DateTimeFormatter.ofPattern(mapping.timeFormat());
        }

        private int column(String name) {
            Integer i = columnOf.get(name);
            if (i == null) throw new IllegalArgumentException("the CSV has no column '" + name + "'; its header: " + columnOf.keySet());
            return i;
        }

        private String get(String field, String[] row) {
            Integer at = fieldColumn.get(field);
            if (at != null) {
                String v = row[at].trim();
                return v.isEmpty() ? null : v;
            }
            Source s = mapping.fields().get(field);
            return s == null ? null : s.value();
        }

        /** True when the row is labelled fraud. */
        public boolean fraud(String[] row) {
            return mapping.fraudValues().contains(row[labelAt].trim());
        }

        /**
         * The row as an event.
         *
         * @throws IllegalArgumentException naming the field and the bad value
         */
        public TransactionEvent event(String[] row) {
            String id = get("transaction_id", row);
            try {
                String t = get("occurred_at", row);
                Instant at = time == null ? Instant.parse(t) : LocalDateTime.parse(t, time).atZone(mapping.timeZone()).toInstant();
                Currency cur = currencies.computeIfAbsent(get("currency", row), Currency::getInstance);
                BigDecimal amount = new BigDecimal(get("amount", row));
                int digits = cur.getDefaultFractionDigits();
                if (mapping.amountRounding() != null && amount.scale() > digits) amount = amount.setScale(digits, mapping.amountRounding());
                String type = get("type", row);
                return new TransactionEvent(id, at, get("account_id", row), get("customer_id", row),
                        type == null ? TransactionType.PURCHASE : TransactionType.valueOf(type), amount, cur,
                        get("counterparty_account", row), get("merchant_id", row), get("merchant_category", row),
                        get("channel", row), null, null, get("device_fingerprint", row), null, null);
            } catch (DateTimeParseException | IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("transaction " + id + ": " + e.getMessage(), e);
            }
        }
    }
}
