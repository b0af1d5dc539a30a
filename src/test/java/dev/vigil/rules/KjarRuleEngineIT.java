package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.decision.Hit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.drools.compiler.kie.builder.impl.InternalKieModule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.scanner.KieMavenRepository;

/**
 * Governed releases: rules as a KJAR in a Maven repository (here a local repository in a temporary
 * folder, nothing from the network), loaded by coordinates and a version range, and a newer release
 * found by kie-ci's KieScanner and swapped in; a release that breaks the id convention is refused.
 */
class KjarRuleEngineIT {
    static final String GROUP = "dev.vigil.test";
    static final String ARTIFACT = "tiny-rules";

    @TempDir
    static Path tmp;

    @BeforeAll
    static void localRepositoryOnly() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("m2"));
        Path settings = tmp.resolve("settings.xml");
        Files.writeString(settings, "<settings><localRepository>" + repo + "</localRepository>"
                + "<offline>true</offline></settings>");
        KjarRuleEngine.useMavenSettings(settings);
    }

    @AfterAll
    static void restore() {
        KjarRuleEngine.useDefaultMavenSettings();
    }

    @Test
    void shouldSwapInTheNewReleaseTheScannerFindsAndRefuseABrokenOne() throws Exception {
        // Given release 1.0.0 of a tiny KJAR: VEL-001 above 5 transactions a minute
        install("1.0.0", rule("VEL-001 More than 5 in 60 s", 5));
        BlockingQueue<RuleReload> reloads = new LinkedBlockingQueue<>();
        try (KjarRuleEngine rules = KjarRuleEngine.start(GROUP, ARTIFACT, "[1.0.0,)")) {
            rules.addListener(reloads::add);
            // Then it runs 1.0.0: 6 a minute fires, 4 does not
            assertEquals("1.0.0", rules.version().label());
            assertEquals(List.of("VEL-001"), ids(rules, 6));
            assertEquals(List.of(), ids(rules, 4));
            RuleSetVersion v1 = rules.version();

            // When the scanner is watching and release 1.0.1 (limit 3, and a second rule) is installed
            rules.startScanning(java.time.Duration.ofMillis(500));
            install("1.0.1", rule("VEL-001 More than 3 in 60 s", 3) + rule("VEL-009 More than 50 in 60 s", 50));
            RuleReload applied = reloads.poll(60, TimeUnit.SECONDS);

            // Then it is swapped in, and decisions cite it
            assertTrue(applied != null, "the scanner did not pick up 1.0.1 within 60 s");
            assertEquals(RuleReload.Outcome.APPLIED, applied.outcome(), applied::toString);
            assertEquals(v1, applied.previous());
            assertEquals("1.0.1", rules.version().label());
            assertNotEquals(v1.contentHash(), rules.version().contentHash());
            assertEquals(List.of("VEL-001"), ids(rules, 4));
            assertEquals(List.of("VEL-001", "VEL-009"), ids(rules, 51));
            assertEquals(rules.version(), rules.evaluateVersioned(Facts.tx().build(),
                    Facts.features().txCount1m(4).build(), null, Facts.lowScore()).version());
            assertEquals("dev.vigil.test:tiny-rules:1.0.1", rules.current().rules().get(0).file().split("!")[0]);

            // When release 1.0.2 has a rule without a stable id
            install("1.0.2", rule("Velocity check", 1));
            RuleReload refused = reloads.poll(60, TimeUnit.SECONDS);

            // Then it is refused, naming the rule, and 1.0.1 stays in force
            assertTrue(refused != null, "the scanner did not report 1.0.2 within 60 s");
            assertEquals(RuleReload.Outcome.REFUSED, refused.outcome(), refused::toString);
            assertTrue(refused.problems().get(0).contains("rule 'Velocity check' does not start with a stable id"),
                    refused.problems()::toString);
            assertEquals("1.0.1", rules.version().label());
            assertEquals(List.of("VEL-001"), ids(rules, 4));
        }
    }

    @Test
    void shouldReleaseTheShippedFolderAsAKjarThatDecidesTheSame() {
        // Given the shipped rules folder released as a KJAR (its cases pass, so it may be released)
        KjarRelease.Released released = KjarRelease.release(ShippedRules.DIR, GROUP + ":shipped-rules:2026.11.1");
        assertEquals(ShippedRules.engine().rules().size(), released.rules());
        assertTrue(released.cases() > 0);
        // When Vigil loads that release by its coordinates
        try (KjarRuleEngine fromKjar = KjarRuleEngine.start(GROUP, "shipped-rules", "2026.11.1")) {
            DroolsRuleEngine fromFolder = ShippedRules.engine();
            // Then the same rule ids, and on inputs crowded around every threshold the same hits and reasons
            assertEquals(fromFolder.rules().stream().map(DroolsRuleEngine.LoadedRule::id).toList(),
                    fromKjar.current().rules().stream().map(DroolsRuleEngine.LoadedRule::id).toList());
            assertEquals("2026.11.1", fromKjar.version().label());
            for (var c : ShippedRulesPropertyTest.CaseArbitraries.cases().sampleStream().limit(500).toList()) {
                assertEquals(fromFolder.evaluate(c.tx(), c.features(), c.account(), c.score()),
                        fromKjar.evaluate(c.tx(), c.features(), c.account(), c.score()), c::toString);
            }
        }
    }

    @Test
    void shouldNotReleaseAFolderWhoseCasesFail(@TempDir Path dir) throws Exception {
        // Given the shipped rules with VEL-001's limit raised from 5 to 6, against the shipped cases
        RulesDir copy = RulesDir.copyOfShipped(dir);
        Path velocity = copy.path("drl/velocity.drl");
        Files.writeString(velocity, Files.readString(velocity).replace("txCount1m > 5", "txCount1m > 6"));
        // When / Then nothing is released, and the failing case is named
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> KjarRelease.release(copy.dir, GROUP + ":broken-rules:1.0.0"));
        assertTrue(e.getMessage().contains("VEL-001-b (rules/tests/shipped-rules.xlsx, sheet 'Velocity', row 6)"),
                e.getMessage());
        assertTrue(Files.notExists(tmp.resolve("m2/dev/vigil/test/broken-rules")), "nothing installed");
    }

    private static List<String> ids(RuleEngine rules, long perMinute) {
        return rules.evaluate(Facts.tx().build(), Facts.features().txCount1m(perMinute).build(), null,
                Facts.lowScore()).stream().map(Hit::ruleId).toList();
    }

    private static String rule(String name, int limit) {
        return "rule \"" + name + "\"\nwhen\n    Features( txCount1m > " + limit + ", $n : txCount1m )\nthen\n"
                + "    RuleActions.raise(drools, Verdict.REVIEW, \"$n in a minute (limit " + limit + ")\");\nend\n";
    }

    /** Builds a KJAR of these rules and installs it into the local repository, as a release job would. */
    private static void install(String version, String rules) throws Exception {
        KieServices ks = KieServices.Factory.get();
        ReleaseId id = ks.newReleaseId(GROUP, ARTIFACT, version);
        KieFileSystem kfs = ks.newKieFileSystem();
        String pom = "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                + "<groupId>" + GROUP + "</groupId><artifactId>" + ARTIFACT + "</artifactId><version>" + version
                + "</version><packaging>jar</packaging></project>";
        kfs.writePomXML(pom);
        kfs.writeKModuleXML("<kmodule xmlns=\"http://www.drools.org/xsd/kmodule\"/>");
        kfs.write("src/main/resources/vigil/rules/velocity.drl", """
                package vigil.rules;
                import dev.vigil.feature.Features;
                import dev.vigil.decision.Verdict;
                import dev.vigil.rules.RuleActions;
                """ + rules);
        KieBuilder builder = ks.newKieBuilder(kfs).buildAll();
        assertEquals(List.of(), builder.getResults().getMessages(Message.Level.ERROR));
        Path pomFile = tmp.resolve("pom-" + version + ".xml");
        Files.writeString(pomFile, pom);
        KieMavenRepository.getKieMavenRepository().installArtifact(id, (InternalKieModule) builder.getKieModule(),
                pomFile.toFile());
        // Only the repository holds it now, as for a release built elsewhere.
        ks.getRepository().removeKieModule(id);
    }
}
