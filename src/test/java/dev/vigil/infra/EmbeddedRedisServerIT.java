package dev.vigil.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

class EmbeddedRedisServerIT {

    @TempDir Path dir;

    @Test
    void shouldKeepTheDataAcrossARestartOnTheSameDirectory() {
        try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(dir, 0);
                RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            client.set("greeting", "hello");
            client.hincrBy("counters", "a", 41);
            client.hincrBy("counters", "a", 1);
        }
        assertTrue(Files.exists(dir.resolve("appendonly.aof")), "append-only file written in the data dir");

        try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(dir, 0);
                RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            assertEquals("hello", client.get("greeting"));
            assertEquals("42", client.hget("counters", "a"));
        }
    }

    @Test
    void shouldListenOnLoopbackOnlyAtTheGivenPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(dir.resolve("nested/data"), port);
                RedisClient client = RedisClient.create(redis.host(), redis.port())) {
            assertEquals("127.0.0.1", redis.host());
            assertEquals(port, redis.port());
            assertEquals("PONG", client.ping());
            Map<String, String> bind = client.configGet("bind");
            assertEquals("127.0.0.1", bind.get("bind"));
            assertEquals("yes", client.configGet("appendonly").get("appendonly"));
            assertEquals("400", client.configGet("auto-aof-rewrite-percentage").get("auto-aof-rewrite-percentage"),
                    "the append-only file is rewritten when it has grown to five times its last size (docs/features.md)");
        }
    }

    @Test
    void shouldFailClearlyWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            var e = assertThrows(java.io.UncheckedIOException.class, () -> EmbeddedRedisServer.start(dir, taken.getLocalPort()));
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void shouldStopTheServerOnClose() {
        EmbeddedRedisServer redis = EmbeddedRedisServer.start(dir, 0);
        int port = redis.port();
        redis.close();
        try (RedisClient client = RedisClient.create("127.0.0.1", port)) {
            boolean answered;
            try {
                answered = "PONG".equals(client.ping());
            } catch (RuntimeException e) {
                answered = false;
            }
            assertFalse(answered, "nothing answers on the port after close");
        }
    }
}
