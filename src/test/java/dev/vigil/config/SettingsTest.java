package dev.vigil.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void shouldRunEverythingEmbeddedByDefault() {
        Settings s = Settings.load(Map.of(), Map.of());
        assertTrue(s.kafka().embedded());
        assertTrue(s.redis().embedded());
        assertTrue(s.postgres().embedded());
        assertEquals(Duration.ofMinutes(5), s.maxFutureSkew());
        assertEquals(65536, s.maxEventBytes());
    }

    @Test
    void shouldTakeAnEnvironmentVariableOverTheBundledDefault() {
        Settings s = Settings.load(Map.of(), Map.of(
                "VIGIL_KAFKA_EMBEDDED", "false", "VIGIL_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"));
        assertFalse(s.kafka().embedded());
        assertEquals("kafka:9092", s.kafkaBootstrap("ignored:1"));
    }

    @Test
    void shouldNameTheKeyAndValueWhenAValueIsWrong() {
        var e = assertThrows(ConfigException.class,
                () -> Settings.load(Map.of("vigil.kafka.batch-size", "lots"), Map.of()));
        assertEquals("configuration vigil.kafka.batch-size='lots': expected a whole number", e.getMessage());
    }

    @Test
    void shouldRequireBootstrapServersForAnExternalCluster() {
        var e = assertThrows(ConfigException.class, () -> Settings.load(Map.of("vigil.kafka.embedded", "false"), Map.of()));
        assertTrue(e.getMessage().startsWith("configuration vigil.kafka.bootstrap-servers"), e.getMessage());
    }

    @Test
    void shouldRequireThePasswordFromTheEnvironmentForAnExternalDatabase() {
        Map<String, String> o = Map.of("vigil.postgres.embedded", "false",
                "vigil.postgres.url", "jdbc:postgresql://db:5432/vigil");
        var e = assertThrows(ConfigException.class, () -> Settings.load(o, Map.of()));
        assertTrue(e.getMessage().contains("VIGIL_POSTGRES_PASSWORD"), e.getMessage());
        Settings s = Settings.load(o, Map.of("VIGIL_POSTGRES_PASSWORD", "s3cret"));
        assertEquals("s3cret", s.postgres().password());
        assertFalse(s.postgres().toString().contains("s3cret"), "the password must not be printed");
    }

    @Test
    void shouldRefuseAnUnknownKey() {
        assertThrows(ConfigException.class, () -> Settings.load(Map.of("vigil.kafka.typo", "1"), Map.of()));
    }

    @Test
    void shouldReadTheMastersOfAnExternalRedisClusterAndRefuseThemWithAnEmbeddedRedis() {
        Settings s = Settings.load(Map.of("vigil.redis.embedded", "false",
                "vigil.redis.cluster-nodes", "redis-a:6379, redis-b:6380"), Map.of());
        assertEquals(java.util.List.of("redis-a:6379", "redis-b:6380"), s.redis().clusterNodes());
        assertEquals(java.util.List.of(), Settings.load(Map.of(), Map.of()).redis().clusterNodes(), "one Redis by default");

        var embedded = assertThrows(ConfigException.class, () -> Settings.load(Map.of("vigil.redis.cluster-nodes", "redis-a:6379"), Map.of()));
        assertTrue(embedded.getMessage().contains("vigil.redis.embedded=false"), embedded.getMessage());
        var noPort = assertThrows(ConfigException.class, () -> Settings.load(Map.of("vigil.redis.embedded", "false",
                "vigil.redis.cluster-nodes", "redis-a:6379,redis-b"), Map.of()));
        assertTrue(noPort.getMessage().contains("'redis-b'"), noPort.getMessage());
    }
}
