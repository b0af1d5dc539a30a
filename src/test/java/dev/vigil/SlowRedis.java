package dev.vigil;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * Makes a real Redis slow until closed: a thread sends {@code DEBUG SLEEP} over and over, so the
 * server answers other clients only in the short gaps between sleeps. Each command then waits up to
 * one sleep, which stays under the feature store's 2 s timeout: Redis is slow, not down.
 */
final class SlowRedis implements AutoCloseable {
    /** Redis's DEBUG command, which Jedis has no constant for. */
    private static final ProtocolCommand DEBUG = () -> "DEBUG".getBytes(StandardCharsets.US_ASCII);

    private final Thread sleeper;
    private volatile boolean slow = true;

    /** Starts sleeping {@code sleep} at a time, awake {@code awake} between sleeps. */
    SlowRedis(RedisClient redis, Duration sleep, Duration awake) {
        String seconds = String.format(Locale.ROOT, "%.3f", sleep.toMillis() / 1000.0);
        sleeper = new Thread(() -> {
            while (slow) {
                redis.sendCommand(DEBUG, "SLEEP", seconds);
                LockSupport.parkNanos(awake.toNanos());
            }
        }, "redis-sleeper");
        sleeper.start();
    }

    /** Redis is quick again once the sleep in progress ends. */
    @Override
    public void close() throws InterruptedException {
        slow = false;
        sleeper.join();
    }
}
