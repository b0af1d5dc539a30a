package dev.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.config.Settings;
import dev.vigil.event.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running platform watches its rules folder: a broken save is refused, counted in
 * {@code vigil.rules.reload{outcome=refused}} and published on {@code vigil.rule-events}, while
 * the running rules stay; the fix is applied, counted and published, and the version changes.
 */
class RuleReloadIT {
    @TempDir
    Path tmp;

    @Test
    void shouldCountAndPublishARefusedAndThenAnAppliedReload() throws Exception {
        // Given Vigil running on a copy of the shipped rules
        Path rules = tmp.resolve("rules");
        try (Stream<Path> all = Files.walk(Path.of("rules"))) {
            for (Path p : all.sorted().toList()) {
                Path target = rules.resolve(Path.of("rules").relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
        Map<String, String> overrides = TestPlatform.embeddedOverrides(tmp.resolve("data"));
        overrides.put("vigil.rules.dir", rules.toString());
        try (Vigil vigil = Vigil.start(Settings.load(overrides, Map.of()))) {
            String original = vigil.ruleSetVersion();
            Path velocity = rules.resolve("drl/velocity.drl");
            String shipped = Files.readString(velocity);

            // When a constraint loses its right-hand side
            Files.writeString(velocity, shipped.replace("txCount1m > 5", "txCount1m > "));
            // Then the change is refused and counted, and the running rules stay
            TestPlatform.await(Duration.ofSeconds(30), "a refused reload",
                    () -> vigil.metrics().ruleReloads("refused") == 1);
            assertEquals(original, vigil.ruleSetVersion());

            // When the analyst fixes it with a limit of 4
            Files.writeString(velocity, shipped.replace("txCount1m > 5", "txCount1m > 4"));
            // Then it is applied and counted, and the version changes
            TestPlatform.await(Duration.ofSeconds(30), "an applied reload",
                    () -> vigil.metrics().ruleReloads("applied") == 1);
            assertNotEquals(original, vigil.ruleSetVersion());
            assertEquals(1, vigil.metrics().ruleReloads("refused"));
            String scrape = vigil.metrics().scrape();
            assertTrue(scrape.contains("vigil_rules_reload_total{outcome=\"refused\"} 1.0"), scrape);
            assertTrue(scrape.contains("vigil_rules_reload_total{outcome=\"applied\"} 1.0"), scrape);

            // And both outcomes were published, in order, on vigil.rule-events
            TestPlatform.await(Duration.ofSeconds(30), "two rule events",
                    () -> TestPlatform.readTopic(vigil.services().kafkaBootstrap(), Topics.RULE_EVENTS).size() == 2);
            List<ConsumerRecord<String, byte[]>> records =
                    TestPlatform.readTopic(vigil.services().kafkaBootstrap(), Topics.RULE_EVENTS);
            JsonNode refused = TestPlatform.json(records.get(0).value());
            JsonNode applied = TestPlatform.json(records.get(1).value());
            assertEquals("REFUSED", refused.get("outcome").asText(), refused::toString);
            assertEquals(original, refused.get("version").asText() + "+" + refused.get("hash").asText());
            assertTrue(refused.get("problems").get(0).asText().startsWith("rules/drl/velocity.drl [line "),
                    refused::toString);
            assertEquals("APPLIED", applied.get("outcome").asText(), applied::toString);
            assertEquals(original, applied.get("previous_version").asText() + "+" + applied.get("previous_hash").asText());
            assertEquals(vigil.ruleSetVersion(), applied.get("version").asText() + "+" + applied.get("hash").asText());
            assertEquals(0, applied.get("problems").size());
        }
    }
}
