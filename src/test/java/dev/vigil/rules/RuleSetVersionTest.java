package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The rule-set version every decision records: the label from {@code rules/VERSION} and a hash
 * that changes with any byte of any rule file, and with nothing else.
 */
class RuleSetVersionTest {

    /** The rule files of the shipped folder, as README documents them, in path order. */
    static List<String> shippedRuleFiles() throws Exception {
        List<String> files = new ArrayList<>();
        for (String[] glob : new String[][] {{"drl", ".drl"}, {"dsl", ".dsl"}, {"dsl", ".dslr"},
            {"decision-tables", ".xlsx"}}) {
            try (Stream<Path> list = Files.list(ShippedRules.DIR.resolve(glob[0]))) {
                list.map(p -> glob[0] + "/" + p.getFileName())
                        .filter(n -> n.endsWith(glob[1]) && !n.contains("/~$") && !n.contains("/."))
                        .forEach(files::add);
            }
        }
        files.sort(null);
        return files;
    }

    @Example
    void shouldHashThePathsAndBytesAsTheReadmeSays() throws Exception {
        // Given the documented recipe: sha256 over "path\nsize\n" + bytes, for each rule file in path order
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String f : shippedRuleFiles()) {
            byte[] bytes = Files.readAllBytes(ShippedRules.DIR.resolve(f));
            sha.update((f + "\n" + bytes.length + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(bytes);
        }
        String expected = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        // When
        RuleSetVersion version = ShippedRules.engine().version();
        // Then
        assertEquals(expected, version.contentHash());
        assertEquals(Files.readString(ShippedRules.DIR.resolve("VERSION")).strip(), version.label());
    }

    @Property(tries = 40)
    void shouldChangeWhenAnyByteOfAnyRuleFileChanges(@ForAll @IntRange(min = 0, max = 1000) int fileChoice,
            @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int positionChoice,
            @ForAll @IntRange(min = 1, max = 255) int delta) throws Exception {
        Path tmp = Files.createTempDirectory("vigil-version");
        try {
            // Given a copy of the shipped rules and its hash
            RulesDir rules = RulesDir.copyOfShipped(tmp);
            String before = RuleFiles.read(rules.dir).contentHash();
            // When one byte of one rule file changes
            List<String> files = shippedRuleFiles();
            Path file = rules.path(files.get(fileChoice % files.size()));
            byte[] bytes = Files.readAllBytes(file);
            int at = positionChoice % bytes.length;
            bytes[at] = (byte) (bytes[at] + delta);
            Files.write(file, bytes);
            // Then
            assertNotEquals(before, RuleFiles.read(rules.dir).contentHash(), file + " byte " + at);
        } finally {
            RulesDir.delete(tmp);
        }
    }

    @Example
    void shouldChangeWhenARuleFileIsRenamedOrAdded() throws Exception {
        Path tmp = Files.createTempDirectory("vigil-version");
        try {
            // Given a copy of the shipped rules
            RulesDir rules = RulesDir.copyOfShipped(tmp);
            String original = RuleFiles.read(rules.dir).contentHash();
            // When a file is renamed, same bytes
            Files.move(rules.path("drl/velocity.drl"), rules.path("drl/velocity2.drl"));
            String renamed = RuleFiles.read(rules.dir).contentHash();
            // and when an empty-looking file is added
            rules.file("drl/zz.drl", "");
            String added = RuleFiles.read(rules.dir).contentHash();
            // Then each is a different rule set
            assertNotEquals(original, renamed);
            assertNotEquals(renamed, added);
        } finally {
            RulesDir.delete(tmp);
        }
    }

    @Example
    void shouldNotChangeForFilesThatAreNotRules() throws Exception {
        Path tmp = Files.createTempDirectory("vigil-version");
        try {
            // Given a copy of the shipped rules
            RulesDir rules = RulesDir.copyOfShipped(tmp);
            String original = RuleFiles.read(rules.dir).contentHash();
            // When the README and the label change, a lock file appears, and a stray file is dropped in
            rules.file("README.md", "edited");
            rules.file("VERSION", "2099.1.1\n");
            rules.file("decision-tables/~$model-score.xlsx", "lock");
            rules.file("drl/notes.txt", "not a rule file");
            RuleFiles after = RuleFiles.read(rules.dir);
            // Then the hash is the same and only the label moved
            assertEquals(original, after.contentHash());
            assertEquals("2099.1.1", after.label);
        } finally {
            RulesDir.delete(tmp);
        }
    }

    @Example
    void shouldReportANewVersionOnceARuleFileIsEditedAndReloaded() throws Exception {
        Path tmp = Files.createTempDirectory("vigil-version");
        try {
            // Given a small rule folder, loaded
            RulesDir rules = RulesDir.in(tmp).drl("velocity.drl", RuleBuildFailureTest.VELOCITY)
                    .file("VERSION", "  2026.11.1  \n\nanything after the first line is ignored\n");
            RuleSetVersion first = DroolsRuleEngine.load(rules.dir).version();
            // When an analyst raises the limit from 5 to 6 and the folder is loaded again
            rules.drl("velocity.drl", RuleBuildFailureTest.VELOCITY.replace("> 5", "> 6"));
            RuleSetVersion second = DroolsRuleEngine.load(rules.dir).version();
            // Then the label is the same, the hash is not
            assertEquals("2026.11.1", first.label());
            assertEquals(first.label(), second.label());
            assertNotEquals(first.contentHash(), second.contentHash());
            assertEquals(16, second.contentHash().length());
        } finally {
            RulesDir.delete(tmp);
        }
    }
}
