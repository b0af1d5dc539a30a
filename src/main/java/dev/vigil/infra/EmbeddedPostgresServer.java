package dev.vigil.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 17 server (zonky embedded binaries) run from a data directory that is kept
 * between runs: the first start runs initdb, later starts reuse the cluster, so audit rows survive
 * a restart.
 *
 * <p>It listens on 127.0.0.1 only. The superuser {@value #SUPERUSER} connects from there without
 * a password (the embedded server is a local, single-user tool); every other role must give its
 * SCRAM password, so the application and auditor roles are really separated. Writes are durable
 * ({@code fsync} and {@code synchronous_commit} on), unlike zonky's test defaults.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    /** The bootstrap superuser initdb creates. */
    public static final String SUPERUSER = "postgres";

    // Rewritten on every start so an old data directory gets the same rules as a new one.
    private static final String PG_HBA = """
            # Written by Vigil's EmbeddedPostgresServer on every start; edits here are lost.
            # TYPE  DATABASE  USER      ADDRESS        METHOD
            local   all       postgres                 trust
            host    all       postgres  127.0.0.1/32   trust
            local   all       all                      scram-sha-256
            host    all       all       127.0.0.1/32   scram-sha-256
            """;

    private final EmbeddedPostgres pg;
    private final Path dataDir;

    private EmbeddedPostgresServer(EmbeddedPostgres pg, Path dataDir) {
        this.pg = pg;
        this.dataDir = dataDir;
    }

    /**
     * Starts the server on {@code dataDir}, creating the cluster there on first use and never
     * wiping it.
     *
     * @param port the TCP port on 127.0.0.1; 0 for any free port
     * @throws UncheckedIOException when the directory cannot be made or the server does not start
     *     (for instance another server still holds the directory)
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port) {
        Objects.requireNonNull(dataDir, "dataDir");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        Path dir = dataDir.toAbsolutePath().normalize();
        int actualPort = port == 0 ? FreePort.orFree(0) : port;
        try {
            Files.createDirectories(dir);
            stopOrphanedServer(dir);
            boolean fresh = !Files.exists(dir.resolve("postgresql.conf"));
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setPort(actualPort)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // zonky passes -F (fsync off) and synchronous_commit=off for test speed; an
                    // audit store must survive a crash, and these -c options come after -F.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .setServerConfig("max_connections", "100")
                    .setDataDirectoryCustomizer(d -> writeHba(d.toPath()))
                    .setRegisterShutdownHook(true)
                    .start();
            log.info("PostgreSQL {} on 127.0.0.1:{}, data in {}", fresh ? "initialised and started" : "started",
                    actualPort, dir);
            return new EmbeddedPostgresServer(pg, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not start embedded PostgreSQL on 127.0.0.1:" + actualPort + " with data in " + dir, e);
        }
    }

    /** A JDBC URL for {@code database} on this server, without credentials. */
    public String jdbcUrl(String database) {
        Objects.requireNonNull(database, "database");
        return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + database;
    }

    /** The superuser's name; it needs no password on this server. */
    public String superUser() {
        return SUPERUSER;
    }

    public int port() {
        return pg.getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Opens a connection to {@code database} as the superuser. */
    public Connection superUserConnection(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, "");
    }

    /** Creates {@code database} unless it exists (CREATE DATABASE cannot run in a transaction or take parameters). */
    public void ensureDatabase(String database) {
        try (Connection c = superUserConnection("postgres")) {
            try (PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) return;
                }
            }
            String quoted = c.unwrap(PGConnection.class).escapeIdentifier(database);
            try (var st = c.createStatement()) {
                st.execute("create database " + quoted + " encoding 'UTF8' template template0");
            }
            log.info("created database {}", database);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + database + ": " + e.getMessage(), e);
        }
    }

    /** Stops the server (fast shutdown: sessions are ended, committed data is kept). */
    @Override
    public void close() {
        try {
            pg.close();
        } catch (IOException e) {
            log.warn("stopping PostgreSQL on port {} failed", pg.getPort(), e);
        }
    }

    /**
     * A Vigil that was killed (kill -9, OOM) leaves its postmaster running: pg_ctl runs it as a
     * daemon. The next start on the same data directory would then fail or talk to that orphan.
     * zonky holds a lock on {@code epg-lock} while its JVM lives, so: when nobody holds the lock
     * but {@code postmaster.pid} names a live postgres process, that server is an orphan and is
     * stopped (fast shutdown; committed data is kept). When the lock is held, the directory is
     * in use and start fails with a message that says so.
     */
    static void stopOrphanedServer(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) return;
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.US_ASCII).get(0).trim());
        } catch (RuntimeException | IOException e) {
            return; // unreadable or half-written: postgres itself judges a stale pid file
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
        if (process.isEmpty()) return;
        try (FileChannel ch = FileChannel.open(dir.resolve("epg-lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = ch.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("PostgreSQL data directory " + dir
                        + " is in use by another running Vigil (postmaster pid " + pid + ")");
            }
            log.warn("stopping PostgreSQL left running by a previous Vigil (pid {}) on {}", pid, dir);
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
            ProcessHandle h = process.get();
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                log.warn("PostgreSQL pid {} ignored a fast shutdown for 30 s; killing it (recovery replays the WAL)", pid);
                h.destroyForcibly();
                h.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (OverlappingFileLockException e) {
            throw new IllegalStateException("PostgreSQL data directory " + dir + " is in use by this process", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL pid " + pid, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("could not stop PostgreSQL pid " + pid + " left running on " + dir, e);
        }
    }

    private static void writeHba(Path dir) {
        try {
            Files.writeString(dir.resolve("pg_hba.conf"), PG_HBA, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write pg_hba.conf in " + dir, e);
        }
    }
}
