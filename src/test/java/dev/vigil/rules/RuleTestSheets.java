package dev.vigil.rules;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.FillPatternType;
import org.apache.poi.ss.usermodel.Font;
import org.apache.poi.ss.usermodel.IndexedColors;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

/**
 * How the analysts' case workbooks in {@code rules/tests/} were
 * first made. As with {@link DecisionTableSheets}, the .xlsx files are the source from then on:
 * analysts add rows in Excel or LibreOffice, and running this again would overwrite their cases.
 * By hand only: {@code java -cp target/classes:target/test-classes:<test class path>
 * dev.vigil.rules.RuleTestSheets rules}.
 */
public final class RuleTestSheets {

    /** One sheet: notes for people above the header row, then one row per case. */
    record CaseSheet(String name, List<String> notes, List<String> columns, List<Object[]> rows) {}

    private static final List<String> NOTES = List.of(
            "One row per case. Blank cells take the quiet default (a 25.00 USD purchase, a clean old account, score 0).",
            "'expected rules' lists exactly the rule ids that must fire, separated by commas; blank means none.");

    /** {@code [rules folder] [workbook name]}: with a name, writes only that workbook (the others may hold analysts' rows). */
    public static void main(String[] args) throws IOException {
        Path rules = Path.of(args.length > 0 ? args[0] : "rules");
        String only = args.length > 1 ? args[1] : null;
        Files.createDirectories(rules.resolve("tests"));
        if (only == null || only.equals("shipped-rules.xlsx")) {
            write(rules.resolve("tests/shipped-rules.xlsx"), velocity(), lists(), amounts(), aml(), score(), geography());
        }
        if (only == null || only.equals("lists-travel-typologies.xlsx")) {
            write(rules.resolve("tests/lists-travel-typologies.xlsx"), pendingLists(), pendingPrecedence(),
                    pendingGeography(), pendingAml());
        }
        if (only == null || only.equals("card-testing.xlsx")) {
            write(rules.resolve("tests/card-testing.xlsx"), cardTesting());
        }
    }

    static CaseSheet velocity() {
        return new CaseSheet("Velocity", NOTES,
                List.of("case", "description", "f.txCount1m", "f.txCount1h", "expected verdict", "expected rules"),
                List.of(
                        row("VEL-001-a", "5 in the last minute is the limit itself", 5, 5, "ALLOW", ""),
                        row("VEL-001-b", "6 in the last minute: one over", 6, 6, "REVIEW", "VEL-001"),
                        row("VEL-002-a", "20 in the last hour is the limit itself", 1, 20, "ALLOW", ""),
                        row("VEL-002-b", "21 in the last hour", 1, 21, "REVIEW", "VEL-002"),
                        row("VEL-00X-c", "a burst inside a busy hour raises both", 6, 25, "REVIEW", "VEL-001, VEL-002")));
    }

    static CaseSheet lists() {
        return new CaseSheet("Lists", NOTES,
                List.of("case", "description", "account", "account.watchlistHit", "account.kycFailed",
                        "expected verdict", "expected rules"),
                List.of(
                        row("LST-001-a", "customer on a watchlist", "yes", "yes", "no", "BLOCK", "LST-001"),
                        row("LST-002-a", "customer failed KYC", "yes", "no", "yes", "REVIEW", "LST-002"),
                        row("LST-00X-b", "both: the block wins", "yes", "yes", "yes", "BLOCK", "LST-001, LST-002"),
                        row("LST-00X-c", "a clean account", "yes", "no", "no", "ALLOW", ""),
                        row("LST-00X-d", "no account event seen: list rules cannot fire", "no", null, null, "ALLOW", "")));
    }

    static CaseSheet amounts() {
        return new CaseSheet("Amounts", NOTES,
                List.of("case", "description", "tx.type", "tx.channel", "tx.currency", "tx.amount", "f.accountAgeDays",
                        "expected verdict", "expected rules"),
                List.of(
                        row("AMT-001-a", "a cent over 5000 USD on a 29-day-old account", "TRANSFER_OUT", "BRANCH", "USD",
                                "5000.01", 29, "REVIEW", "AMT-001"),
                        row("AMT-001-b", "30 days old is no longer young", "TRANSFER_OUT", "BRANCH", "USD", "7500", 30,
                                "ALLOW", ""),
                        row("AMT-010-a", "online, exactly the 10000 USD limit", "PURCHASE", "ECOM", "USD", "10000.00", 400,
                                "ALLOW", ""),
                        row("AMT-010-b", "online, a cent over 10000 USD", "PURCHASE", "ECOM", "USD", "10000.01", 400,
                                "REVIEW", "AMT-010"),
                        row("AMT-011-a", "online, over 9000 EUR", "PURCHASE", "ECOM", "EUR", "9000.01", 400, "REVIEW",
                                "AMT-011"),
                        row("AMT-012-a", "online, over 8000 GBP", "PURCHASE", "ECOM", "GBP", "8000.01", 400, "REVIEW",
                                "AMT-012"),
                        row("AMT-013-a", "mobile, over 5000 USD, account age unknown", "TRANSFER_OUT", "MOBILE", "USD",
                                "5000.01", null, "REVIEW", "AMT-013"),
                        row("AMT-013-b", "the online USD limit does not apply to mobile", "TRANSFER_OUT", "MOBILE", "EUR",
                                "4500.00", 400, "ALLOW", ""),
                        row("AMT-014-a", "mobile, over 4500 EUR", "TRANSFER_OUT", "MOBILE", "EUR", "4500.01", 400,
                                "REVIEW", "AMT-014"),
                        row("AMT-015-a", "ATM, over 2000 USD", "CASH_WITHDRAWAL", "ATM", "USD", "2000.01", 400, "REVIEW",
                                "AMT-015"),
                        row("AMT-016-a", "ATM, over 2000 EUR", "CASH_WITHDRAWAL", "ATM", "EUR", "2500", 400, "REVIEW",
                                "AMT-016"),
                        row("AMT-020-a", "branch, over 50000 USD: any channel", "TRANSFER_OUT", "BRANCH", "USD",
                                "50000.01", 400, "BLOCK", "AMT-020"),
                        row("AMT-020-b", "online 60000 USD: the channel limit and the any-channel limit", "PURCHASE",
                                "ECOM", "USD", "60000", 400, "BLOCK", "AMT-010, AMT-020"),
                        row("AMT-021-a", "card present, over 45000 EUR", "PURCHASE", "POS", "EUR", "45000.01", 400,
                                "BLOCK", "AMT-021"),
                        row("AMT-02X-b", "no threshold in JPY: nothing fires", "PURCHASE", "ECOM", "JPY", "2000000", 400,
                                "ALLOW", "")));
    }

    static CaseSheet aml() {
        return new CaseSheet("AML", NOTES,
                List.of("case", "description", "tx.type", "tx.currency", "tx.amount", "f.accountAgeDays",
                        "f.balanceDepositCount7d", "f.balanceDepositSum7d", "f.depositToNetWorthRatio",
                        "f.secondsSincePrevious", "expected verdict", "expected rules"),
                List.of(
                        row("AML-STR-001-a", "cash 8999.99 USD: under the watch band", "CASH_DEPOSIT", "USD", "8999.99",
                                400, null, null, null, null, "ALLOW", ""),
                        row("AML-STR-001-b", "cash 9000 USD: lower edge, included", "CASH_DEPOSIT", "USD", "9000", 400,
                                null, null, null, null, "REVIEW", "AML-STR-001"),
                        row("AML-STR-001-c", "cash 9999.99 USD: upper edge, included", "CASH_DEPOSIT", "USD", "9999.99",
                                400, null, null, null, null, "REVIEW", "AML-STR-001"),
                        row("AML-STR-001-d", "cash 10000 USD: reported anyway", "CASH_DEPOSIT", "USD", "10000", 400, null,
                                null, null, null, "ALLOW", ""),
                        row("AML-NEW-001-a", "180-day-old account, 15000 USD deposits in 7 days, 1.25 x net worth",
                                "BALANCE_DEPOSIT", "USD", "5000", 180, 3, "15000", "1.25", null, "REVIEW", "AML-NEW-001"),
                        row("AML-NEW-001-b", "181 days old: no longer new", "BALANCE_DEPOSIT", "USD", "5000", 181, 3,
                                "15000", "1.25", null, "ALLOW", ""),
                        row("AML-NEW-001-c", "ratio 1.24: within the declared net worth", "BALANCE_DEPOSIT", "USD",
                                "5000", 90, 3, "15000", "1.24", null, "ALLOW", ""),
                        row("AML-NEW-001-d", "14999.99 USD in 7 days: under the sum", "BALANCE_DEPOSIT", "USD", "5000",
                                90, 3, "14999.99", "2", null, "ALLOW", ""),
                        row("AML-NEW-002-a", "the same in EUR", "BALANCE_DEPOSIT", "EUR", "5000", 10, 3, "16000", "1.6",
                                null, "REVIEW", "AML-NEW-002"),
                        row("AML-DOR-001-a", "6000 USD after exactly 180 days without a transaction", "TRANSFER_OUT",
                                "USD", "6000", 900, null, null, null, 180L * 86_400, "REVIEW", "AML-DOR-001"),
                        row("AML-DOR-001-b", "a second short of 180 days", "TRANSFER_OUT", "USD", "6000", 900, null, null,
                                null, 180L * 86_400 - 1, "ALLOW", ""),
                        row("AML-DOR-001-c", "first transaction ever (-1) is not dormancy", "TRANSFER_OUT", "USD", "6000",
                                900, null, null, null, -1, "ALLOW", ""),
                        row("AML-DOR-001-d", "dormant, but only 5000 USD", "TRANSFER_OUT", "USD", "5000", 900, null, null,
                                null, 400L * 86_400, "ALLOW", "")));
    }

    static CaseSheet score() {
        return new CaseSheet("Score", NOTES,
                List.of("case", "description", "score", "expected verdict", "expected rules"),
                List.of(
                        row("SCORE-002-a", "0.79: under the review band", 0.79, "ALLOW", ""),
                        row("SCORE-002-b", "0.80: review band, lower edge", 0.80, "REVIEW", "SCORE-002"),
                        row("SCORE-002-c", "0.95: review band, upper edge", 0.95, "REVIEW", "SCORE-002"),
                        row("SCORE-001-a", "0.951: above 0.95", 0.951, "BLOCK", "SCORE-001")));
    }

    static CaseSheet geography() {
        return new CaseSheet("Geography", NOTES,
                List.of("case", "description", "tx.geo.country", "tx.geo.lat", "tx.geo.lon", "expected verdict",
                        "expected rules"),
                List.of(
                        row("GEO-003-a", "a payment located in Iran", "IR", 35.69, 51.39, "BLOCK", "GEO-003"),
                        row("GEO-003-b", "a payment located in North Korea", "KP", 39.03, 125.75, "BLOCK", "GEO-003"),
                        row("GEO-004-a", "a payment located in Syria", "SY", 33.51, 36.29, "REVIEW", "GEO-004"),
                        row("GEO-00X-b", "a payment located in Germany", "DE", 52.52, 13.40, "ALLOW", ""),
                        row("GEO-00X-c", "no location: no country rule can fire", null, null, null, "ALLOW", "")));
    }

    // ---- Card testing (CARD-001): purchases of 5.00 or less, 5 or more in 5 minutes, at 5 or more merchants ----

    static CaseSheet cardTesting() {
        return new CaseSheet("Card testing", NOTES,
                List.of("case", "description", "tx.type", "tx.amount", "f.txCount5m", "f.distinctMerchants5m",
                        "expected verdict", "expected rules"),
                List.of(
                        row("CARD-001-a", "8 payments of 1.50 at 6 merchants in 5 minutes", "PURCHASE", "1.50", 8, 6,
                                "BLOCK", "CARD-001"),
                        row("CARD-001-b", "8 small payments at 4 merchants: one merchant short of 5", "PURCHASE", "1.50",
                                8, 4, "ALLOW", ""),
                        row("CARD-001-c", "at 6 merchants, but 80.00 is not a probe", "PURCHASE", "80.00", 8, 6, "ALLOW",
                                ""),
                        row("CARD-001-d", "every limit exactly: 5 payments, 5 merchants, 5.00", "PURCHASE", "5.00", 5, 5,
                                "BLOCK", "CARD-001"),
                        row("CARD-001-e", "4 payments at 4 merchants: one payment short of 5", "PURCHASE", "1.00", 4, 4,
                                "ALLOW", ""),
                        row("CARD-001-f", "5 at 5 merchants, but 5.01 is a cent over a probe", "PURCHASE", "5.01", 5, 5,
                                "ALLOW", ""),
                        row("CARD-001-g", "5 at 5 merchants, but a transfer is not a card purchase", "TRANSFER_OUT",
                                "1.00", 5, 5, "ALLOW", "")));
    }

    // ---- Cases for the rules that waited in rules/pending/ for the features of issue 3 (now live) ----

    static CaseSheet pendingLists() {
        return new CaseSheet("Black and white lists", NOTES,
                List.of("case", "description", "tx.merchantId", "f.accountBlacklisted", "f.customerBlacklisted", "f.deviceBlacklisted",
                        "f.ipBlacklisted", "f.merchantWhitelisted", "f.txCount1m", "score", "account",
                        "account.watchlistHit", "expected verdict", "expected rules"),
                List.of(
                        row("LST-010-a", "account blacklisted", "m-grocer", "yes", null, null, null, null, null, null, null, null,
                                "BLOCK", "LST-010"),
                        row("LST-011-a", "customer blacklisted", "m-grocer", null, "yes", null, null, null, null, null, null, null,
                                "BLOCK", "LST-011"),
                        row("LST-012-a", "device blacklisted", "m-grocer", null, null, "yes", null, null, null, null, null, null,
                                "BLOCK", "LST-012"),
                        row("LST-013-a", "IP blacklisted", "m-grocer", null, null, null, "yes", null, null, null, null, null, "BLOCK",
                                "LST-013"),
                        row("LST-020-a", "whitelisted merchant: a velocity hit is bypassed", "m-grocer", null, null, null, null, "yes",
                                9, null, null, null, "ALLOW", "LST-020"),
                        row("LST-020-b", "whitelisted merchant: a score block is bypassed", "m-grocer", null, null, null, null, "yes",
                                null, 0.99, null, null, "ALLOW", "LST-020"),
                        row("LST-020-c", "whitelisted merchant never bypasses a blacklist", "m-grocer", "yes", null, null, null, "yes",
                                9, null, null, null, "BLOCK", "LST-010, LST-020"),
                        row("LST-020-d", "whitelisted merchant never bypasses a watchlist hit", "m-grocer", null, null, null, null,
                                "yes", null, null, "yes", "yes", "BLOCK", "LST-001"),
                        row("LST-020-e", "whitelisted merchant, nothing to bypass", "m-grocer", null, null, null, null, "yes", null,
                                null, null, null, "ALLOW", "")));
    }

    static CaseSheet pendingPrecedence() {
        return new CaseSheet("Whitelist precedence", NOTES,
                List.of("case", "description", "tx.merchantId", "tx.channel", "tx.amount", "f.merchantWhitelisted",
                        "f.txCount1m", "expected verdict", "expected rules"),
                List.of(
                        row("LST-020-f", "a whitelisted merchant never bypasses an amount threshold", "m-grocer", "ECOM",
                                "10000.01", "yes", 9, "REVIEW", "AMT-010, LST-020"),
                        row("LST-020-g", "the whitelist needs a merchant on the transaction", null, null, "25.00", "yes",
                                9, "REVIEW", "VEL-001")));
    }

    static CaseSheet pendingGeography() {
        return new CaseSheet("Travel", NOTES,
                List.of("case", "description", "f.impliedSpeedKmh", "f.countryChanged1h", "expected verdict",
                        "expected rules"),
                List.of(
                        row("GEO-001-a", "1200 km/h since the last located payment", "1200", null, "REVIEW", "GEO-001"),
                        row("GEO-001-b", "900 km/h: an airliner", "900", null, "ALLOW", ""),
                        row("GEO-002-a", "another country than an hour ago", null, "yes", "REVIEW", "GEO-002")));
    }

    static CaseSheet pendingAml() {
        return new CaseSheet("AML typologies", NOTES,
                List.of("case", "description", "tx.type", "tx.amount", "f.structuringCount24h", "f.structuringCount7d",
                        "f.rapidInOutRatio3d", "f.fanIn24h", "f.fanOut24h", "expected verdict", "expected rules"),
                List.of(
                        row("AML-STR-002-a", "3 cash deposits under the threshold in 24 h", "CASH_DEPOSIT", "5000", 3, 3,
                                null, null, null, "REVIEW", "AML-STR-002"),
                        row("AML-STR-002-b", "2 in 24 h", "CASH_DEPOSIT", "5000", 2, 2, null, null, null, "ALLOW", ""),
                        row("AML-STR-003-a", "5 in 7 days, spread out", "CASH_DEPOSIT", "5000", 1, 5, null, null, null,
                                "REVIEW", "AML-STR-003"),
                        row("AML-RIO-001-a", "90% of 3 days' inflow already out", "TRANSFER_OUT", "2000", null, null,
                                "0.90", null, null, "REVIEW", "AML-RIO-001"),
                        row("AML-RIO-001-b", "79% moved out", "TRANSFER_OUT", "2000", null, null, "0.79", null, null,
                                "ALLOW", ""),
                        row("AML-FIN-001-a", "10 distinct senders in 24 h", "TRANSFER_IN", "300", null, null, null, 10,
                                null, "REVIEW", "AML-FIN-001"),
                        row("AML-FIN-001-b", "9 distinct senders", "TRANSFER_IN", "300", null, null, null, 9, null,
                                "ALLOW", ""),
                        row("AML-FOUT-001-a", "10 distinct payees in 24 h", "TRANSFER_OUT", "300", null, null, null, null,
                                10, "REVIEW", "AML-FOUT-001")));
    }

    private static Object[] row(Object... values) {
        return values;
    }

    static void write(Path file, CaseSheet... sheets) throws IOException {
        try (Workbook wb = new XSSFWorkbook()) {
            Font bold = wb.createFont();
            bold.setBold(true);
            CellStyle header = wb.createCellStyle();
            header.setFont(bold);
            header.setFillForegroundColor(IndexedColors.LIGHT_CORNFLOWER_BLUE.getIndex());
            header.setFillPattern(FillPatternType.SOLID_FOREGROUND);
            for (CaseSheet s : sheets) {
                Sheet sh = wb.createSheet(s.name());
                int r = 0;
                for (String note : s.notes()) sh.createRow(r++).createCell(0).setCellValue(note);
                r++;
                Row h = sh.createRow(r++);
                for (int c = 0; c < s.columns().size(); c++) {
                    Cell cell = h.createCell(c);
                    cell.setCellValue(s.columns().get(c));
                    cell.setCellStyle(header);
                    sh.setColumnWidth(c, Math.max(12, Math.min(48, s.columns().get(c).length() + 4)) * 256);
                }
                sh.setColumnWidth(1, 56 * 256);
                for (Object[] values : s.rows()) {
                    Row row = sh.createRow(r++);
                    for (int c = 0; c < values.length; c++) {
                        Object v = values[c];
                        if (v == null || "".equals(v)) continue;
                        Cell cell = row.createCell(c);
                        // Amounts are typed as text so they stay exact to the cent, as an analyst can also do.
                        if (v instanceof Number n) cell.setCellValue(n.doubleValue());
                        else cell.setCellValue(v.toString());
                    }
                }
                sh.createFreezePane(1, s.notes().size() + 2);
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                wb.write(out);
            }
        }
    }
}
