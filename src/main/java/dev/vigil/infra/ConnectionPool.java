package dev.vigil.infra;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few PostgreSQL connections for the console, the case opener and the access checks, apart from
 * the audit store's own connection so that a slow console query never holds up the pipeline's
 * audit writes. Each {@link #inTransaction} call is one transaction; a connection that fails is
 * closed rather than given back.
 */
public final class ConnectionPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

    /** A unit of work in one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final String url;
    private final Properties props;
    private final BlockingQueue<Connection> idle;
    private final Semaphore permits;
    private volatile boolean closed;

    /** @param size most connections open at once */
    public ConnectionPool(String jdbcUrl, String user, String password, int size, String applicationName) {
        this.url = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (size < 1) throw new IllegalArgumentException("size " + size);
        props = new Properties();
        props.setProperty("user", Objects.requireNonNull(user, "user"));
        if (password != null) props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "30");
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", applicationName);
        idle = new ArrayBlockingQueue<>(size);
        permits = new Semaphore(size, true);
    }

    /**
     * Runs {@code work} in a transaction and commits it. A connection lost while idle (a server
     * restart) is replaced and the work run once more: nothing had been committed.
     *
     * @throws SQLException when the work or the commit fails (the transaction is rolled back)
     */
    public <T> T inTransaction(Work<T> work) throws SQLException {
        if (closed) throw new IllegalStateException("connection pool is closed");
        try {
            if (!permits.tryAcquire(10, TimeUnit.SECONDS)) {
                throw new SQLException("no database connection free within 10 s (" + permits.getQueueLength() + " waiting)", "08001");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted waiting for a database connection", "08001", e);
        }
        try {
            for (int attempt = 1; ; attempt++) {
                Connection c = idle.poll();
                boolean reused = c != null;
                if (c == null) c = open();
                try {
                    T result = work.run(c);
                    c.commit();
                    if (!idle.offer(c)) c.close();
                    return result;
                } catch (RuntimeException e) {
                    // A refusal by the caller's own checks: the connection is sound once rolled back.
                    try {
                        c.rollback();
                        if (!idle.offer(c)) c.close();
                    } catch (SQLException rollbackFailed) {
                        discard(c);
                    }
                    throw e;
                } catch (SQLException e) {
                    discard(c);
                    String state = e.getSQLState();
                    if (attempt == 1 && reused && state != null && (state.startsWith("08") || state.startsWith("57P"))) {
                        log.info("database connection was lost ({}); reconnecting", state);
                        continue;
                    }
                    throw e;
                }
            }
        } finally {
            permits.release();
        }
    }

    private Connection open() throws SQLException {
        Connection c = DriverManager.getConnection(url, props);
        c.setAutoCommit(false);
        return c;
    }

    private static void discard(Connection c) {
        try {
            if (!c.isClosed()) c.rollback();
        } catch (SQLException ignored) {
            // going away anyway
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to release
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c;
        while ((c = idle.poll()) != null) discard(c);
    }
}
