package dev.vigil.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;
import redis.embedded.core.RedisServerBuilder;

/**
 * A real {@code redis-server} (the binary shipped by com.github.codemonstur:embedded-redis) for
 * tests, the demo and local runs. It listens on 127.0.0.1 only and keeps its data in the given
 * directory with append-only persistence ({@code appendfsync everysec}, rewritten at five times its
 * last size), so stopping it with {@link #close()} and starting it again on the same directory keeps
 * the state.
 */
public final class EmbeddedRedisServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisServer.class);
    private static final String HOST = "127.0.0.1";
    /** A port picked free can be taken by someone else before Redis binds it: try a few. */
    private static final int FREE_PORT_ATTEMPTS = 3;

    private final RedisServer server;
    private final int port;
    private final Path dataDir;

    private EmbeddedRedisServer(RedisServer server, int port, Path dataDir) {
        this.server = server;
        this.port = port;
        this.dataDir = dataDir;
    }

    /**
     * Starts a server and waits until it accepts connections.
     *
     * @param dataDir where the append-only file lives; created if missing
     * @param port the port, or 0 to pick a free one
     * @throws UncheckedIOException when the server cannot start (the message carries its log)
     */
    public static EmbeddedRedisServer start(Path dataDir, int port) {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        Path dir = dataDir.toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Redis data directory " + dir, e);
        }
        int attempts = port == 0 ? FREE_PORT_ATTEMPTS : 1;
        IOException last = null;
        for (int i = 0; i < attempts; i++) {
            int p = port == 0 ? FreePort.orFree(0) : port;
            try {
                RedisServer server = persistentIn(dir, RedisServer.newRedisServer().bind(HOST).port(p)).build();
                server.start();
                LOG.info("Redis started on {}:{} with data in {}", HOST, p, dir);
                return new EmbeddedRedisServer(server, p, dir);
            } catch (IOException e) {
                last = e;
                LOG.warn("Redis did not start on port {} (attempt {} of {}): {}", p, i + 1, attempts, e.getMessage());
            }
        }
        throw new UncheckedIOException("Redis could not start (data dir " + dir + ", port " + port + ")", last);
    }

    /** Always 127.0.0.1. */
    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** The directory holding the append-only file. */
    public Path dataDir() {
        return dataDir;
    }

    /** Stops the server gracefully (SIGTERM), which flushes the append-only file. */
    @Override
    public void close() {
        try {
            server.stop();
            LOG.info("Redis on {}:{} stopped", HOST, port);
        } catch (IOException e) {
            throw new UncheckedIOException("Redis on port " + port + " did not stop", e);
        }
    }

    /**
     * The settings every embedded Redis (one server, or a cluster's node) shares: data in {@code dir} (absolute: the
     * library runs the binary from its temporary folder), the append-only file as the one persistence, and a graceful
     * stop that flushes it.
     */
    static RedisServerBuilder persistentIn(Path dir, RedisServerBuilder builder) {
        return builder
                .setting("dir " + quote(dir.toString()))
                .setting("appendonly yes")
                .setting("appendfilename \"appendonly.aof\"")
                .setting("appendfsync everysec")
                // Rewritten (by a forked child that serialises the whole dataset) when it has grown to five
                // times its last rewritten size, not Redis's default of twice: at the Kafka maximum the
                // rewrites took 0.13 to 0.17 of this machine's 2 cores (docs/features.md, Keys in Redis).
                .setting("auto-aof-rewrite-percentage 400")
                // The AOF is the one persistence: no RDB snapshots on top of it.
                .setting("save \"\"")
                .setting("daemonize no")
                .onShutdownForceStop(false);
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
