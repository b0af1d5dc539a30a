package dev.vigil.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.drools.compiler.kie.builder.impl.InternalKieModule;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.io.ResourceType;
import org.kie.scanner.KieMavenRepository;

/**
 * Releases a rules folder as a KJAR into a Maven repository, for {@link KjarRuleEngine}: the
 * folder must build exactly as a running Vigil would build it and every analyst case in its
 * {@code tests/} must pass, or nothing is released. Decision tables go into the KJAR as the DRL
 * Vigil makes of each sheet (so a KJAR reads every sheet and refuses a snippet without
 * {@code $param}, as the folder does); DRL, DSL and DSLR files go in as they are.
 */
public final class KjarRelease {
    private KjarRelease() {}

    /** What was released. */
    public record Released(ReleaseId releaseId, RuleSetVersion folderVersion, int rules, int cases) {}

    /**
     * @param coordinates {@code groupId:artifactId:version}
     * @throws RuleBuildException when the folder does not build
     * @throws IllegalStateException when a case fails or a case sheet is broken (the message lists them)
     */
    public static Released release(Path rulesDir, String coordinates) {
        String[] gav = coordinates.split(":");
        if (gav.length != 3 || List.of(gav).stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("coordinates must be groupId:artifactId:version, not '" + coordinates + "'");
        }
        DroolsRuleEngine checked = DroolsRuleEngine.load(rulesDir);
        RuleTestReport report = RuleTests.run(checked, rulesDir.resolve(RuleTests.FOLDER));
        if (!report.passed()) {
            List<String> why = new ArrayList<>(report.problems());
            report.failed().forEach(r -> why.add(r.caseId() + " (" + r.place() + "): " + String.join("; ", r.failures())));
            throw new IllegalStateException("not released: the analysts' cases do not pass:\n  - " + String.join("\n  - ", why));
        }

        KieServices ks = KieServices.Factory.get();
        ReleaseId id = ks.newReleaseId(gav[0], gav[1], gav[2]);
        String pom = "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                + "<groupId>" + gav[0] + "</groupId><artifactId>" + gav[1] + "</artifactId><version>" + gav[2]
                + "</version><packaging>jar</packaging><description>Vigil rules " + checked.version()
                + "</description></project>";
        KieFileSystem kfs = ks.newKieFileSystem();
        kfs.writePomXML(pom);
        kfs.writeKModuleXML("<kmodule xmlns=\"http://www.drools.org/xsd/kmodule\"/>");
        RuleFiles files = RuleFiles.read(rulesDir);
        List<String> problems = new ArrayList<>();
        for (RuleFiles.RuleFile f : files.files) {
            String path = "src/main/resources/vigil/rules/" + f.path();
            if (f.type() == ResourceType.DTABLE) {
                List<DecisionTables.SheetDrl> sheets = DecisionTables.toDrl(files.display(f.path()), f.bytes(), problems);
                for (int i = 0; i < sheets.size(); i++) kfs.write(path + ".sheet" + (i + 1) + ".drl", sheets.get(i).drl());
            } else {
                kfs.write(path, ks.getResources().newByteArrayResource(f.bytes()).setResourceType(f.type()));
            }
        }
        KieBuilder builder = ks.newKieBuilder(kfs).buildAll();
        for (Message m : builder.getResults().getMessages(Message.Level.ERROR)) problems.add(BuildProblems.oneLine(m.getText()));
        if (!problems.isEmpty()) throw new RuleBuildException(problems);
        try {
            Path pomFile = Files.createTempFile("vigil-rules-", ".pom");
            try {
                Files.writeString(pomFile, pom);
                KieMavenRepository.getKieMavenRepository().installArtifact(id, (InternalKieModule) builder.getKieModule(),
                        pomFile.toFile());
            } finally {
                Files.deleteIfExists(pomFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            ks.getRepository().removeKieModule(id);
        }
        return new Released(id, checked.version(), checked.rules().size(), report.results().size());
    }
}
