package dev.vigil.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.config.ConfigException;
import dev.vigil.config.Settings;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleSettingsTest {
    private static ConsoleSettings load(Map<String, String> overrides) {
        return ConsoleSettings.from(Settings.load(overrides, Map.of()).raw());
    }

    @Test
    void shouldBindTheShippedDefaults() {
        ConsoleSettings s = load(Map.of());
        assertTrue(s.authEnabled(), "auth is on unless turned off");
        assertEquals(600_000, s.passwordIterations());
        assertEquals(Duration.ofHours(8), s.sessionTtl());
        assertEquals(Duration.ofHours(72), s.caseWindow());
        assertEquals(Duration.ofHours(4), s.sla().sla(90));
        assertNull(s.webhookUrl());
        assertEquals(new BigDecimal("10000"), s.notifyBlockAmount());
    }

    @Test
    void shouldNameTheKeyAndValueOfABadSetting() {
        for (var bad : Map.of(
                "vigil.auth.enabled", "yes",
                "vigil.auth.password-iterations", "999",
                "vigil.console.session-ttl", "PT0S",
                "vigil.cases.window", "3 days",
                "vigil.notify.webhook-url", "ftp://hooks.example/x",
                "vigil.notify.block-amount", "-1",
                "vigil.notify.attempts", "0").entrySet()) {
            ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(bad.getKey(), bad.getValue())), bad.getKey());
            assertTrue(e.getMessage().contains(bad.getKey()) && e.getMessage().contains(bad.getValue()), e.getMessage());
        }
    }
}
