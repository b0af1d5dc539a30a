package dev.vigil.route;

import dev.vigil.audit.AuditSink;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One audit writer per pipeline thread. A store serialises its calls on one connection, so the
 * Kafka consumer threads and the HTTP batchers each get their own: while one waits for its commit,
 * another builds its rows. The rows still join one hash chain (each write locks the chain head).
 */
public final class AuditWriters implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditWriters.class);

    private final Supplier<AuditSink> open;
    private final boolean owned;
    private final Map<Thread, AuditSink> byThread = new ConcurrentHashMap<>();

    /** @param open connects a new writer; it may throw while the database is down (the stage retries) */
    public AuditWriters(Supplier<AuditSink> open) {
        this(open, true);
    }

    private AuditWriters(Supplier<AuditSink> open, boolean owned) {
        this.open = open;
        this.owned = owned;
    }

    /** Every thread writes through this one sink, which the caller keeps and closes. */
    public static AuditWriters shared(AuditSink sink) {
        return new AuditWriters(() -> sink, false);
    }

    AuditSink forThisThread() {
        return byThread.computeIfAbsent(Thread.currentThread(), t -> open.get());
    }

    @Override
    public void close() {
        if (!owned) {
            byThread.clear();
            return;
        }
        byThread.values().forEach(s -> {
            try {
                s.close();
            } catch (Exception e) {
                log.warn("closing an audit writer: {}", e.toString());
            }
        });
        byThread.clear();
    }
}
