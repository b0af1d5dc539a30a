package dev.vigil.rules;

import dev.vigil.decision.Verdict;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.score.ModelScore;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.DateUtil;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.apache.poi.ss.util.CellReference;

/**
 * Reads analysts' test-case workbooks ({@code rules/tests/*.xlsx}): on each sheet, a header row
 * whose cells name the columns ({@code case}, {@code description}, {@code tx.amount},
 * {@code f.txCount1m}, {@code account.watchlistHit}, {@code score}, {@code expected verdict},
 * {@code expected rules}), then one row per case. Rows above the header and sheets without one are
 * notes for people.
 *
 * <p>Columns map onto the fields of the facts by name ({@code tx.} {@link TransactionEvent},
 * {@code f.} {@link Features}, {@code account.} {@link AccountProfile}), read by reflection so a
 * feature added to {@code Features} is a column at once. A blank cell is the field's quiet default
 * (see {@link #FEATURE_UNKNOWN}); a bad cell is a problem naming its file, sheet and cell.
 */
final class CaseSheets {
    static final Instant DEFAULT_TIME = Instant.parse("2026-11-20T10:15:30Z");
    /** Features whose "nothing known" value is -1, not 0: an unknown age must not read as a brand-new account. */
    static final Set<String> FEATURE_UNKNOWN = Set.of("accountAgeDays", "secondsSincePrevious", "depositToNetWorthRatio");

    private static final Pattern RULE_ID = Pattern.compile("[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-[0-9]{3}");

    /** One case read from a row, with its facts built. */
    record Case(String id, String place, String description, TransactionEvent tx, Object features,
            AccountProfile account, ModelScore score, Verdict expectedVerdict, Set<String> expectedRules) {}

    /** A cell's value as read: text, or an exact number when the cell holds a number. */
    private record Value(String text, BigDecimal number, String ref) {}

    private CaseSheets() {}

    static List<Case> read(String display, byte[] bytes, List<String> problems) {
        return read(display, bytes, problems, Features.class);
    }

    /**
     * As {@link #read(String, byte[], List)}, with {@code f.} columns naming the components of
     * {@code featuresType}: a test checks rules written for features still to come against a
     * stand-in record that has them.
     */
    static List<Case> read(String display, byte[] bytes, List<String> problems, Class<? extends Record> featuresType) {
        List<Case> cases = new ArrayList<>();
        int sheetsWithCases = 0;
        try (Workbook wb = WorkbookFactory.create(new ByteArrayInputStream(bytes))) {
            for (Sheet sheet : wb) {
                Row header = headerRow(sheet);
                if (header == null) continue;
                sheetsWithCases++;
                readSheet(display, sheet, header, cases, problems, featuresType);
            }
        } catch (Exception e) {
            problems.add(display + ": cannot be read as an Excel workbook (.xlsx): " + e.getMessage());
            return cases;
        }
        if (sheetsWithCases == 0) {
            problems.add(display + ": no sheet has a header row starting with a 'case' column");
        }
        return cases;
    }

    private static Row headerRow(Sheet sheet) {
        for (Row row : sheet) {
            for (Cell cell : row) {
                if (cell.getCellType() == CellType.STRING && cell.getStringCellValue().strip().equalsIgnoreCase("case")) {
                    return row;
                }
            }
        }
        return null;
    }

    private static void readSheet(String display, Sheet sheet, Row header, List<Case> cases, List<String> problems,
            Class<? extends Record> featuresType) {
        String where = display + ", sheet '" + sheet.getSheetName() + "'";
        Map<Integer, String> columns = new TreeMap<>();
        for (Cell cell : header) {
            String name = text(cell).strip();
            if (!name.isEmpty()) columns.put(cell.getColumnIndex(), name);
        }
        List<String> headerProblems = new ArrayList<>();
        for (Map.Entry<Integer, String> c : columns.entrySet()) {
            String err = checkColumn(c.getValue(), featuresType);
            if (err != null) {
                headerProblems.add(where + ", cell " + ref(header.getRowNum(), c.getKey()) + ": column '"
                        + c.getValue() + "': " + err);
            }
        }
        for (String required : List.of("case", "expected verdict")) {
            if (!columns.containsValue(required) && columns.values().stream().noneMatch(required::equalsIgnoreCase)) {
                headerProblems.add(where + ", row " + (header.getRowNum() + 1) + ": no '" + required + "' column");
            }
        }
        if (!headerProblems.isEmpty()) {
            problems.addAll(headerProblems);
            return;
        }
        for (int r = header.getRowNum() + 1; r <= sheet.getLastRowNum(); r++) {
            Row row = sheet.getRow(r);
            if (row == null) continue;
            Map<String, Value> values = new LinkedHashMap<>();
            for (Map.Entry<Integer, String> c : columns.entrySet()) {
                Cell cell = row.getCell(c.getKey());
                Value v = value(cell, ref(r, c.getKey()));
                if (v != null) values.put(c.getValue().toLowerCase(Locale.ROOT), v);
            }
            if (values.isEmpty()) continue;
            String place = where + ", row " + (r + 1);
            List<String> rowProblems = new ArrayList<>();
            Case c = toCase(place, where, values, rowProblems, featuresType);
            if (rowProblems.isEmpty()) cases.add(c);
            else problems.addAll(rowProblems);
        }
    }

    /** Null when the column name is one this reader knows. */
    private static String checkColumn(String name, Class<?> featuresType) {
        String n = name.toLowerCase(Locale.ROOT);
        if (Set.of("case", "description", "score", "expected verdict", "expected rules", "account").contains(n)) return null;
        if (n.startsWith("tx.")) return checkPath(TransactionEvent.class, name.substring(3));
        if (n.startsWith("f.")) return checkPath(featuresType, name.substring(2));
        if (n.startsWith("account.")) return checkPath(AccountProfile.class, name.substring(8));
        return "unknown column; known: case, description, tx.<field>, f.<feature>, account.<field>, account, score, "
                + "expected verdict, expected rules";
    }

    private static String checkPath(Class<?> type, String path) {
        String[] parts = path.split("\\.", 2);
        RecordComponent c = component(type, parts[0]);
        if (c == null) {
            return type.getSimpleName() + " has no field '" + parts[0] + "' (fields: "
                    + String.join(", ", Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList())
                    + ")";
        }
        if (parts.length == 2) {
            if (!c.getType().isRecord()) return "'" + parts[0] + "' has no parts";
            return checkPath(c.getType(), parts[1]);
        }
        if (c.getType().isRecord()) return "give its parts, e.g. '" + parts[0] + "." + c.getType().getRecordComponents()[0].getName() + "'";
        return null;
    }

    private static RecordComponent component(Class<?> type, String name) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getName().equalsIgnoreCase(name)) return c;
        }
        return null;
    }

    private static Case toCase(String place, String where, Map<String, Value> values, List<String> problems,
            Class<? extends Record> featuresType) {
        Value idCell = values.get("case");
        if (idCell == null) {
            Value any = values.values().iterator().next();
            problems.add(where + ", cell " + any.ref() + ": this row has values but no case id in the 'case' column");
            return null;
        }
        String id = idCell.text();
        String description = values.containsKey("description") ? values.get("description").text() : "";

        Map<String, Value> tx = sub(values, "tx.");
        Map<String, Value> f = sub(values, "f.");
        Map<String, Value> acc = sub(values, "account.");

        Map<String, Object> txDefaults = new LinkedHashMap<>();
        txDefaults.put("transactionId", id);
        txDefaults.put("occurredAt", DEFAULT_TIME);
        txDefaults.put("accountId", "acc-1");
        txDefaults.put("customerId", "cust-1");
        txDefaults.put("type", TransactionType.PURCHASE);
        txDefaults.put("amount", new BigDecimal("25.00"));
        txDefaults.put("currency", Currency.getInstance("USD"));
        TransactionEvent event = build(TransactionEvent.class, tx, txDefaults, problems, where);

        Map<String, Object> fDefaults = new LinkedHashMap<>();
        for (RecordComponent c : featuresType.getRecordComponents()) {
            fDefaults.put(c.getName(), zero(c.getType(), FEATURE_UNKNOWN.contains(c.getName())));
        }
        Object features = build(featuresType, f, fDefaults, problems, where);

        boolean hasAccount = !acc.isEmpty();
        Value accountFlag = values.get("account");
        if (accountFlag != null) {
            Boolean flag = (Boolean) convert(Boolean.class, accountFlag, problems, where, "account");
            if (flag != null) hasAccount = flag;
        }
        AccountProfile account = null;
        if (hasAccount) {
            Map<String, Object> aDefaults = new LinkedHashMap<>();
            for (RecordComponent c : AccountProfile.class.getRecordComponents()) {
                aDefaults.put(c.getName(), c.getType().isPrimitive() ? zero(c.getType(), false) : null);
            }
            aDefaults.put("accountId", event == null ? "acc-1" : event.accountId());
            aDefaults.put("customerId", event == null ? "cust-1" : event.customerId());
            account = build(AccountProfile.class, acc, aDefaults, problems, where);
        }

        ModelScore score = ModelScore.of(0.0, "analyst-case");
        Value s = values.get("score");
        if (s != null) {
            Object p = convert(double.class, s, problems, where, "score");
            if (p != null) {
                double d = (Double) p;
                if (d < 0 || d > 1) problems.add(where + ", cell " + s.ref() + ": score " + s.text() + " is not a probability from 0 to 1");
                else score = ModelScore.of(d, "analyst-case");
            }
        }

        Verdict verdict = null;
        Value v = values.get("expected verdict");
        if (v == null) {
            problems.add(place + ": case " + id + " has no expected verdict (ALLOW, REVIEW or BLOCK)");
        } else {
            verdict = (Verdict) convert(Verdict.class, v, problems, where, "expected verdict");
        }
        Set<String> rules = new LinkedHashSet<>();
        Value r = values.get("expected rules");
        if (r != null) {
            for (String part : r.text().split("[,;\\s]+")) {
                if (part.isBlank() || part.equals("-")) continue;
                if (!RULE_ID.matcher(part).matches()) {
                    problems.add(where + ", cell " + r.ref() + ": '" + part + "' is not a rule id (e.g. VEL-001); "
                            + "separate ids with commas");
                } else {
                    rules.add(part);
                }
            }
        }
        return new Case(id, place, description, event, features, account, score, verdict, rules);
    }

    private static Map<String, Value> sub(Map<String, Value> values, String prefix) {
        Map<String, Value> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
        });
        return out;
    }

    /** Builds a record from the cells given (keys lower-case, dotted for parts) over the defaults. */
    private static <R> R build(Class<R> type, Map<String, Value> cells, Map<String, Object> defaults,
            List<String> problems, String where) {
        RecordComponent[] comps = type.getRecordComponents();
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        int before = problems.size();
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            types[i] = c.getType();
            String key = c.getName().toLowerCase(Locale.ROOT);
            Object arg = defaults.get(c.getName());
            if (c.getType().isRecord()) {
                Map<String, Value> parts = sub(cells, key + ".");
                if (!parts.isEmpty()) {
                    Map<String, Object> partDefaults = new LinkedHashMap<>();
                    for (RecordComponent p : c.getType().getRecordComponents()) {
                        partDefaults.put(p.getName(), p.getType().isPrimitive() ? zero(p.getType(), false) : null);
                    }
                    arg = build(c.getType(), parts, partDefaults, problems, where);
                }
            } else if (cells.containsKey(key)) {
                Value v = cells.get(key);
                Object converted = convert(c.getType(), v, problems, where, c.getName());
                if (converted != null) arg = converted;
            }
            if (arg == null && c.getType().isPrimitive()) arg = zero(c.getType(), false);
            args[i] = arg;
        }
        if (problems.size() > before) return null;
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(types);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            Value first = cells.values().stream().findFirst().orElse(null);
            problems.add(where + (first == null ? "" : ", row " + first.ref().replaceAll("[A-Z]", ""))
                    + ": these values do not make a valid " + type.getSimpleName() + ": " + e.getCause().getMessage());
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getName(), e);
        }
    }

    private static Object zero(Class<?> type, boolean unknown) {
        if (type == long.class || type == Long.class) return unknown ? -1L : 0L;
        if (type == int.class || type == Integer.class) return unknown ? -1 : 0;
        if (type == double.class || type == Double.class) return unknown ? -1.0 : 0.0;
        if (type == float.class || type == Float.class) return unknown ? -1f : 0f;
        if (type == boolean.class || type == Boolean.class) return false;
        if (type == BigDecimal.class) return unknown ? BigDecimal.ONE.negate() : BigDecimal.ZERO;
        return null;
    }

    /** The cell's value as the field's type, or null with a problem naming the cell. */
    private static Object convert(Class<?> type, Value v, List<String> problems, String where, String field) {
        String t = v.text();
        try {
            if (type == String.class) return t;
            if (type == long.class || type == Long.class || type == int.class || type == Integer.class) {
                BigDecimal n = v.number() != null ? v.number() : new BigDecimal(t);
                long l = n.longValueExact();
                return (type == int.class || type == Integer.class) ? (Object) Math.toIntExact(l) : (Object) l;
            }
            if (type == double.class || type == Double.class) {
                return v.number() != null ? v.number().doubleValue() : Double.parseDouble(t);
            }
            if (type == BigDecimal.class) {
                if (v.number() != null) return v.number();
                if (t.contains(",")) throw new IllegalArgumentException("write numbers without thousands separators (15000.00, not 15,000.00)");
                return new BigDecimal(t);
            }
            if (type == boolean.class || type == Boolean.class) {
                switch (t.toLowerCase(Locale.ROOT)) {
                    case "true", "yes", "y", "1", "x" -> { return true; }
                    case "false", "no", "n", "0" -> { return false; }
                    default -> throw new IllegalArgumentException("write yes or no");
                }
            }
            if (type == Currency.class) return Currency.getInstance(t.toUpperCase(Locale.ROOT));
            if (type == Instant.class) return Instant.parse(t);
            if (type.isEnum()) {
                for (Object constant : type.getEnumConstants()) {
                    if (((Enum<?>) constant).name().equalsIgnoreCase(t)) return constant;
                }
                throw new IllegalArgumentException("write one of " + Arrays.toString(type.getEnumConstants()));
            }
            throw new IllegalArgumentException("a field of type " + type.getSimpleName() + " cannot be set from a cell");
        } catch (NumberFormatException | ArithmeticException e) {
            problems.add(where + ", cell " + v.ref() + ": " + field + " '" + t + "' is not " + (
                    type == BigDecimal.class || type == double.class ? "a number" : "a whole number"));
        } catch (DateTimeParseException e) {
            problems.add(where + ", cell " + v.ref() + ": " + field + " '" + t
                    + "' is not a time; write it as 2026-11-20T10:15:30Z");
        } catch (IllegalArgumentException e) {
            problems.add(where + ", cell " + v.ref() + ": " + field + " '" + t + "': " + e.getMessage());
        }
        return null;
    }

    private static Value value(Cell cell, String ref) {
        if (cell == null) return null;
        CellType type = cell.getCellType() == CellType.FORMULA ? cell.getCachedFormulaResultType() : cell.getCellType();
        switch (type) {
            case NUMERIC -> {
                if (DateUtil.isCellDateFormatted(cell)) {
                    Instant at = cell.getLocalDateTimeCellValue().toInstant(ZoneOffset.UTC);
                    return new Value(at.toString(), null, ref);
                }
                // The shortest decimal that reads back as the double: 9999.99, not 9999.98999...
                BigDecimal n = BigDecimal.valueOf(cell.getNumericCellValue());
                if (n.scale() > 0 && n.stripTrailingZeros().scale() <= 0) n = n.setScale(0, java.math.RoundingMode.UNNECESSARY);
                return new Value(n.toPlainString(), n, ref);
            }
            case BOOLEAN -> {
                return new Value(String.valueOf(cell.getBooleanCellValue()), null, ref);
            }
            case STRING -> {
                String s = cell.getStringCellValue().strip();
                return s.isEmpty() ? null : new Value(s, null, ref);
            }
            default -> {
                return null;
            }
        }
    }

    private static String text(Cell cell) {
        return cell.getCellType() == CellType.STRING ? cell.getStringCellValue() : "";
    }

    private static String ref(int row, int column) {
        return new CellReference(row, column).formatAsString(false);
    }
}
