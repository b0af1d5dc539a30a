package dev.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.config.ConfigException;
import dev.vigil.config.Settings;
import dev.vigil.feature.RedisFeatureStore;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The vigil.features.* settings reach the feature store's options, and a bad value is refused naming its key. */
class FeatureOptionsTest {

    @Test
    void defaultsAreTheStoresDefaults() {
        RedisFeatureStore.Options o = Vigil.featureOptions(Settings.load(Map.of(), Map.of()));
        assertEquals(RedisFeatureStore.Options.defaults(), o);
        assertFalse(o.mergeSharedStates());
    }

    @Test
    void readsEachSetting() {
        RedisFeatureStore.Options o = Vigil.featureOptions(Settings.load(Map.of(
                "vigil.features.allowed-lateness", "PT10M",
                "vigil.features.state-cache-entries", "500",
                "vigil.features.merge-shared-states", "TRUE"), Map.of()));
        assertEquals(Duration.ofMinutes(10), o.allowedLateness());
        assertEquals(500, o.stateCacheEntries());
        assertTrue(o.mergeSharedStates());
    }

    @Test
    void refusesAValueNotTrueOrFalse() {
        var e = assertThrows(ConfigException.class, () -> Vigil.featureOptions(
                Settings.load(Map.of("vigil.features.merge-shared-states", "yes"), Map.of())));
        assertEquals("configuration vigil.features.merge-shared-states='yes': expected true or false", e.getMessage());
    }
}
