package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vigil.feature.Features;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules in {@code rules/pending/} need features the feature engine does not have yet (issue 3).
 * Once {@link Features} has them, this builds the shipped rules together with the pending ones and
 * runs the shipped and the pending cases: every case passes and every rule is exercised. Until then
 * it is skipped, naming the features it waits for.
 */
class PendingRulesTest {
    /** The features the pending rules read, by the names they use. */
    static final List<String> NEEDED = List.of("txCount5m", "distinctMerchants5m", "accountBlacklisted",
            "customerBlacklisted", "deviceBlacklisted", "ipBlacklisted", "merchantWhitelisted", "travelSpeedKmh",
            "countryChanged1h", "structuringCount24h", "structuringCount7d", "rapidInOutShare3d", "fanIn24h",
            "fanOut24h");

    @TempDir
    Path tmp;

    @Test
    void shouldPassEveryCaseWithThePendingRulesLoaded() {
        Set<String> have = Arrays.stream(Features.class.getRecordComponents()).map(RecordComponent::getName)
                .collect(Collectors.toSet());
        List<String> missing = NEEDED.stream().filter(n -> !have.contains(n)).toList();
        assumeTrue(missing.isEmpty(), () -> "rules/pending/ waits for these Features: " + missing);

        // Given the shipped rules with rules/pending/ moved in, as the lead will do
        RulesDir dir = RulesDir.copyOfShipped(tmp);
        movePendingIn(dir.dir);
        // When
        RuleTestReport report = RuleTests.run(dir.dir);
        // Then
        assertEquals(List.of(), report.problems());
        assertEquals("", report.failed().stream().map(r -> r.caseId() + " " + r.failures())
                .collect(Collectors.joining("\n")));
        assertEquals(List.of(), report.unexercised());
    }

    @Test
    void shouldPassEveryCaseWithThePendingRulesAgainstAStandInForTheComingFeatures() throws Exception {
        // Given the shipped rules with rules/pending/ moved in, every rule reading the stand-in
        // features record (the real one's fields plus the coming ones, under the names the rules use)
        RulesDir dir = RulesDir.copyOfShipped(tmp);
        movePendingIn(dir.dir);
        String real = "dev.vigil.feature.Features";
        String standIn = dev.vigil.rules.pending.Features.class.getName();
        try (Stream<Path> all = Files.walk(dir.dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".drl") || name.endsWith(".dsl") || name.endsWith(".dslr")) {
                    Files.writeString(p, Files.readString(p).replace(real, standIn));
                } else if (p.getParent().getFileName().toString().equals("decision-tables")) {
                    replaceInWorkbook(p, real, standIn);
                }
            }
        }
        // When
        DroolsRuleEngine rules = DroolsRuleEngine.load(dir.dir);
        RuleTestReport report = RuleTests.run(rules, dir.path(RuleTests.FOLDER), dev.vigil.rules.pending.Features.class);
        // Then every case passes, shipped and pending alike, and every rule is exercised
        assertEquals(List.of(), report.problems());
        assertEquals("", report.failed().stream().map(r -> r.caseId() + " " + r.place() + " " + r.failures())
                .collect(Collectors.joining("\n")));
        assertEquals(List.of(), report.unexercised());
        assertEquals(Set.of("CARD-001", "LST-010", "LST-011", "LST-012", "LST-013", "LST-020", "GEO-001", "GEO-002",
                "AML-STR-002", "AML-STR-003", "AML-RIO-001", "AML-FIN-001", "AML-FOUT-001"),
                report.ruleIds().stream().filter(id -> !ShippedRules.engine().rules().stream()
                        .anyMatch(r -> r.id().equals(id))).collect(Collectors.toSet()));
    }

    private static void replaceInWorkbook(Path xlsx, String from, String to) throws IOException {
        org.apache.poi.ss.usermodel.Workbook wb;
        try (var in = Files.newInputStream(xlsx)) {
            wb = org.apache.poi.ss.usermodel.WorkbookFactory.create(in);
        }
        try (wb) {
            for (var sheet : wb) {
                for (var row : sheet) {
                    for (var cell : row) {
                        if (cell.getCellType() == org.apache.poi.ss.usermodel.CellType.STRING
                                && cell.getStringCellValue().contains(from)) {
                            cell.setCellValue(cell.getStringCellValue().replace(from, to));
                        }
                    }
                }
            }
            try (var out = Files.newOutputStream(xlsx)) {
                wb.write(out);
            }
        }
    }

    /** Moves {@code pending/drl}, {@code pending/dsl} and {@code pending/tests} into the live folders. */
    static void movePendingIn(Path rules) {
        for (String sub : List.of("drl", "dsl", "tests")) {
            Path from = rules.resolve("pending").resolve(sub);
            if (!Files.isDirectory(from)) continue;
            try (Stream<Path> files = Files.list(from)) {
                for (Path p : files.toList()) {
                    Files.createDirectories(rules.resolve(sub));
                    Files.move(p, rules.resolve(sub).resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        RulesDir.delete(rules.resolve("pending"));
    }
}
