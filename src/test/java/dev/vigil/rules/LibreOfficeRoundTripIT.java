package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vigil.decision.Hit;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A decision table saved by LibreOffice, as an analyst's office suite would save it, loads and
 * decides exactly as the shipped one. Uses the real program ({@code soffice}, Debian package
 * {@code libreoffice-calc-nogui}; {@code .ci/run} installs it); skipped, saying so, only where it is
 * not installed.
 */
class LibreOfficeRoundTripIT {
    @TempDir
    Path tmp;

    @Test
    void shouldLoadAndDecideTheSameAfterLibreOfficeSavesTheDecisionTables() throws Exception {
        Optional<Path> soffice = onPath("soffice");
        assumeTrue(soffice.isPresent(),
                "LibreOffice is not installed (no soffice on PATH): apt-get install -y libreoffice-calc-nogui");

        // Given a copy of the shipped rules whose decision tables LibreOffice has opened and saved as .xlsx
        RulesDir copy = RulesDir.copyOfShipped(tmp.resolve("copy"));
        Path tables = copy.path("decision-tables");
        List<Path> originals;
        try (Stream<Path> s = Files.list(tables)) {
            originals = s.filter(p -> p.toString().endsWith(".xlsx")).sorted().toList();
        }
        assertFalse(originals.isEmpty());
        Path out = Files.createDirectories(tmp.resolve("saved"));
        List<String> command = new ArrayList<>(List.of(soffice.get().toString(), "--headless", "--norestore",
                "-env:UserInstallation=" + tmp.resolve("profile").toUri(), "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                "--outdir", out.toString()));
        originals.forEach(p -> command.add(p.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("soffice.log").toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "soffice did not finish in 180 s");
        String log = Files.readString(tmp.resolve("soffice.log"));
        assertEquals(0, p.exitValue(), log);
        for (Path original : originals) {
            Path saved = out.resolve(original.getFileName());
            assertTrue(Files.isRegularFile(saved), "LibreOffice wrote no " + saved.getFileName() + ": " + log);
            // A real re-save, not a copy: LibreOffice writes its own workbook XML.
            assertFalse(Arrays.equals(Files.readAllBytes(original), Files.readAllBytes(saved)), original.toString());
            Files.copy(saved, original, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        // When the copy is loaded
        DroolsRuleEngine resaved = DroolsRuleEngine.load(copy.dir);
        DroolsRuleEngine shipped = ShippedRules.engine();

        // Then the same rules, from the same files, and a new content hash (the bytes differ)
        assertEquals(shipped.rules(), resaved.rules());
        assertFalse(shipped.version().contentHash().equals(resaved.version().contentHash()));
        // and the analysts' cases pass against it
        RuleTestReport report = RuleTests.run(resaved, ShippedRules.DIR.resolve(RuleTests.FOLDER));
        assertTrue(report.passed(), () -> report.problems() + " " + report.failed());
        // and on inputs crowded around every threshold, it fires exactly the same hits, reasons included
        List<ShippedRulesPropertyTest.Case> cases = ShippedRulesPropertyTest.CaseArbitraries.cases()
                .sampleStream().limit(1000).toList();
        for (ShippedRulesPropertyTest.Case c : cases) {
            List<Hit> a = shipped.evaluate(c.tx(), c.features(), c.account(), c.score());
            List<Hit> b = resaved.evaluate(c.tx(), c.features(), c.account(), c.score());
            assertEquals(a, b, () -> "after LibreOffice saved the tables, " + c);
        }
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Arrays.stream(path.split(File.pathSeparator)).map(d -> Path.of(d, program))
                .filter(Files::isExecutable).findFirst();
    }
}
