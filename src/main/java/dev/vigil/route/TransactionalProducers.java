package dev.vigil.route;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transactional Kafka producer per consumer thread: a producer runs one transaction at a time,
 * and each Kafka route has its own consumer thread. Transactional ids are unique per process; a
 * stale instance is fenced through the consumer group's generation (KIP-447), not by the id.
 */
public final class TransactionalProducers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionalProducers.class);

    private final Function<String, Producer<String, byte[]>> create;
    private final String prefix = "vigil-" + UUID.randomUUID();
    private final Map<Thread, Producer<String, byte[]>> byThread = new ConcurrentHashMap<>();
    private final Map<Thread, String> idByThread = new ConcurrentHashMap<>();

    /** @param create makes a producer with the given transactional id, transactions initialised */
    public TransactionalProducers(Function<String, Producer<String, byte[]>> create) {
        this.create = create;
    }

    Producer<String, byte[]> forThisThread() {
        return byThread.computeIfAbsent(Thread.currentThread(), t -> {
            String id = prefix + "-" + t.getName().replaceAll("[^A-Za-z0-9._-]", "_");
            idByThread.put(t, id);
            return create.apply(id);
        });
    }

    /** The transactional id of this thread's producer, for diagnostics. */
    String idOfThisThread() {
        return idByThread.getOrDefault(Thread.currentThread(), "none");
    }

    /** After a fatal error (fenced, say) the producer cannot be used again; the next call makes a new one. */
    void discardThisThread() {
        Producer<String, byte[]> p = byThread.remove(Thread.currentThread());
        if (p != null) {
            try {
                p.close();
            } catch (RuntimeException e) {
                log.warn("closing a discarded producer: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        byThread.values().forEach(p -> {
            try {
                p.close();
            } catch (RuntimeException e) {
                log.warn("closing a transactional producer: {}", e.toString());
            }
        });
        byThread.clear();
    }
}
