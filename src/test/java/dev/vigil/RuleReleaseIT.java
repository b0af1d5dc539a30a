package dev.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.config.Settings;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.rules.KjarRelease;
import dev.vigil.rules.KjarRuleEngine;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kie.api.KieServices;
import org.kie.scanner.KieMavenRepository;

/**
 * Governed releases in the running service: Vigil started with {@code vigil.rules.release} takes its
 * rules from a KJAR in a Maven repository (a throwaway local one, nothing from the network), and
 * kie-ci's KieScanner swaps a newer release in between events, through the same swap path, counter
 * and {@code vigil.rule-events} topic as the folder reload; a release that does not build is refused
 * and the running release stays.
 */
class RuleReleaseIT {
    static final String GROUP = "dev.vigil.it";
    static final String ARTIFACT = "vigil-rules";

    @TempDir
    static Path tmp;
    static Path settingsXml;

    private final HttpClient http = HttpClient.newHttpClient();
    private final EventCodec codec = new EventCodec(Clock.systemUTC(), Duration.ofMinutes(5), 65536);

    @BeforeAll
    static void localRepositoryOnly() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("m2"));
        settingsXml = tmp.resolve("settings.xml");
        Files.writeString(settingsXml, "<settings><localRepository>" + repo + "</localRepository>"
                + "<offline>true</offline></settings>");
        KjarRuleEngine.useMavenSettings(settingsXml);
    }

    @AfterAll
    static void restore() {
        System.clearProperty("kie.maven.settings.custom");
        System.clearProperty("kie.maven.offline.force");
        org.kie.maven.integration.embedder.MavenSettings.reinitSettings();
    }

    @Test
    void shouldRunTheReleaseSwapInANewerOneAndRefuseABrokenOne() throws Exception {
        // Given the shipped rules released as 1.0.0 (VEL-001: more than 5 transactions in a minute)
        Path v100 = copyOfShippedRules(tmp.resolve("rules-1.0.0"));
        KjarRelease.release(v100, GROUP + ":" + ARTIFACT + ":1.0.0");

        Map<String, String> overrides = TestPlatform.embeddedOverrides(tmp.resolve("data"));
        overrides.put("vigil.rules.release", GROUP + ":" + ARTIFACT + ":[1.0.0,)");
        overrides.put("vigil.rules.scan-interval", "PT0.5S");
        overrides.put("vigil.rules.maven-settings", settingsXml.toString());
        try (Vigil vigil = Vigil.start(Settings.load(overrides, Map.of()))) {
            int port = vigil.settings().httpPort();
            // When an account makes its 5th transaction in a minute
            JsonNode first = fifthInAMinute(port, "acct-release-a");
            // Then release 1.0.0 decides it, and 5 is not over its limit
            assertEquals(5, first.path("features").path("tx_count_1m").asLong(), first::toString);
            assertEquals("1.0.0", first.path("rule_set_version").asText(), first::toString);
            assertFalse(ruleIds(first).contains("VEL-001"), first::toString);
            String v1 = vigil.ruleSetVersion();
            assertEquals("1.0.0+" + first.path("rule_set_hash").asText(), v1);

            // When the analysts release 1.0.1 with VEL-001's limit lowered to 4 (and its case updated)
            Path v101 = copyOfShippedRules(tmp.resolve("rules-1.0.1"));
            Path velocity = v101.resolve("drl/velocity.drl");
            Files.writeString(velocity, Files.readString(velocity).replace("txCount1m > 5", "txCount1m > 4"));
            expectCase(v101.resolve("tests/shipped-rules.xlsx"), "Velocity", "VEL-001-a", "REVIEW", "VEL-001");
            KjarRelease.release(v101, GROUP + ":" + ARTIFACT + ":1.0.1");

            // Then the scanner finds it and it is swapped in, counted like a folder reload
            TestPlatform.await(Duration.ofSeconds(60), "release 1.0.1 applied",
                    () -> vigil.metrics().ruleReloads("applied") == 1);
            assertTrue(vigil.ruleSetVersion().startsWith("1.0.1+"), vigil.ruleSetVersion());
            assertNotEquals(v1.substring(v1.indexOf('+')), vigil.ruleSetVersion().substring(vigil.ruleSetVersion().indexOf('+')));
            // and the same 5th transaction of another account now fires VEL-001, citing 1.0.1
            JsonNode second = fifthInAMinute(port, "acct-release-b");
            assertEquals(5, second.path("features").path("tx_count_1m").asLong(), second::toString);
            assertTrue(ruleIds(second).contains("VEL-001"), second::toString);
            assertNotEquals("ALLOW", second.path("verdict").asText(), second::toString);
            assertEquals(vigil.ruleSetVersion(),
                    second.path("rule_set_version").asText() + "+" + second.path("rule_set_hash").asText());

            // When 1.0.2 reaches the repository although its DRL does not compile (published around `rules release`)
            installBroken("1.0.2", "1.0.1");
            // Then it is refused, counted, and 1.0.1 stays in force
            TestPlatform.await(Duration.ofSeconds(60), "release 1.0.2 refused",
                    () -> vigil.metrics().ruleReloads("refused") == 1);
            String v2 = vigil.ruleSetVersion();
            assertTrue(v2.startsWith("1.0.1+"), v2);
            JsonNode third = fifthInAMinute(port, "acct-release-c");
            assertTrue(ruleIds(third).contains("VEL-001"), third::toString);
            assertEquals(v2, third.path("rule_set_version").asText() + "+" + third.path("rule_set_hash").asText());
            assertEquals(1, vigil.metrics().ruleReloads("applied"));

            // And both outcomes were published on vigil.rule-events, keyed by the coordinates
            TestPlatform.await(Duration.ofSeconds(30), "two rule events",
                    () -> TestPlatform.readTopic(vigil.services().kafkaBootstrap(), Topics.RULE_EVENTS).size() == 2);
            List<ConsumerRecord<String, byte[]>> records =
                    TestPlatform.readTopic(vigil.services().kafkaBootstrap(), Topics.RULE_EVENTS);
            records = new ArrayList<>(records);
            records.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
            JsonNode applied = TestPlatform.json(records.get(0).value());
            JsonNode refused = TestPlatform.json(records.get(1).value());
            assertEquals(GROUP + ":" + ARTIFACT + ":[1.0.0,)", records.get(0).key());
            assertEquals("APPLIED", applied.get("outcome").asText(), applied::toString);
            assertEquals("1.0.0", applied.get("previous_version").asText());
            assertEquals("1.0.1", applied.get("version").asText());
            assertEquals("REFUSED", refused.get("outcome").asText(), refused::toString);
            assertEquals("1.0.1", refused.get("version").asText());
            assertTrue(refused.get("problems").get(0).asText().contains("no viable alternative"), refused::toString);
        }
    }

    /** Posts five transactions of a fresh account a few seconds apart; returns the fifth decision. */
    private JsonNode fifthInAMinute(int port, String account) throws Exception {
        Instant t0 = Instant.now().minusSeconds(30);
        JsonNode last = null;
        for (int i = 0; i < 5; i++) {
            TransactionEvent tx = new TransactionEvent(account + "-" + i, t0.plusSeconds(i * 5L), account, "cust-" + account,
                    TransactionType.TRANSFER_OUT, new BigDecimal("20.00"), Currency.getInstance("USD"), "cp-1", null, null,
                    "ONLINE", null, null, null, null, null);
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/decisions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(codec.write(tx))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
            last = TestPlatform.json(r.body());
        }
        return last;
    }

    private static List<String> ruleIds(JsonNode decision) {
        List<String> ids = new ArrayList<>();
        decision.path("reasons").forEach(r -> ids.add(r.path("rule_id").asText()));
        return ids;
    }

    /** Sets a case's expected verdict and rules, as an analyst would in Excel. */
    private static void expectCase(Path workbook, String sheetName, String caseId, String verdict, String ruleIds)
            throws Exception {
        try (InputStream in = Files.newInputStream(workbook); Workbook wb = new XSSFWorkbook(in)) {
            Sheet sheet = wb.getSheet(sheetName);
            int verdictCol = -1;
            int rulesCol = -1;
            Row found = null;
            for (Row row : sheet) {
                for (var cell : row) {
                    String v = cell.toString().trim();
                    if (v.equals("expected verdict")) verdictCol = cell.getColumnIndex();
                    if (v.equals("expected rules")) rulesCol = cell.getColumnIndex();
                }
                if (row.getCell(0) != null && row.getCell(0).toString().trim().equals(caseId)) found = row;
            }
            assertTrue(found != null && verdictCol >= 0 && rulesCol >= 0, "case " + caseId + " not found");
            found.getCell(verdictCol, Row.MissingCellPolicy.CREATE_NULL_AS_BLANK).setCellValue(verdict);
            found.getCell(rulesCol, Row.MissingCellPolicy.CREATE_NULL_AS_BLANK).setCellValue(ruleIds);
            try (OutputStream out = Files.newOutputStream(workbook)) {
                wb.write(out);
            }
        }
    }

    /**
     * Installs {@code version}: the jar of {@code from} with its velocity rule's constraint cut short,
     * as a jar published around {@code rules release} (which would refuse it) could be.
     */
    private static void installBroken(String version, String from) throws Exception {
        Path dir = tmp.resolve("m2/dev/vigil/it/" + ARTIFACT + "/" + from);
        byte[] jar = Files.readAllBytes(dir.resolve(ARTIFACT + "-" + from + ".jar"));
        String pom = Files.readString(dir.resolve(ARTIFACT + "-" + from + ".pom"))
                .replace("<version>" + from + "</version>", "<version>" + version + "</version>");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean broke = false;
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(jar));
                ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                String name = e.getName();
                byte[] content = in.readAllBytes();
                if (name.endsWith(".class") || name.endsWith(".cache") || name.endsWith(".ser")) continue;
                if (name.endsWith("drl/velocity.drl")) {
                    content = new String(content, StandardCharsets.UTF_8).replace("txCount1m > 4", "txCount1m > ")
                            .getBytes(StandardCharsets.UTF_8);
                    broke = true;
                }
                if (name.endsWith("pom.xml") || name.endsWith("pom.properties")) {
                    content = new String(content, StandardCharsets.UTF_8).replace(from, version)
                            .getBytes(StandardCharsets.UTF_8);
                }
                out.putNextEntry(new ZipEntry(name));
                out.write(content);
                out.closeEntry();
            }
        }
        assertTrue(broke, "the velocity rule was not in the " + from + " jar");
        KieMavenRepository.getKieMavenRepository().installArtifact(
                KieServices.Factory.get().newReleaseId(GROUP, ARTIFACT, version), bytes.toByteArray(),
                pom.getBytes(StandardCharsets.UTF_8));
    }

    private static Path copyOfShippedRules(Path target) throws Exception {
        try (Stream<Path> all = Files.walk(Path.of("rules"))) {
            for (Path p : all.sorted().toList()) {
                Path to = target.resolve(Path.of("rules").relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to);
            }
        }
        return target;
    }
}
