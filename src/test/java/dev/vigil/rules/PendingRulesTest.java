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
