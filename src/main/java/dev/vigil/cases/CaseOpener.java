package dev.vigil.cases;

import dev.vigil.event.Topics;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files every alert into the case queue, off the decision path: a consumer of {@code vigil.alerts}
 * (read_committed, so only alerts whose audit rows and Kafka transaction committed) in its own
 * consumer group and thread. Offsets are committed after the cases are, and filing is idempotent
 * by transaction id, so a crash or rebalance files each alert exactly once. While PostgreSQL is
 * down it retries the same alert with back-off: the decisions go on, the queue catches up.
 */
public final class CaseOpener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CaseOpener.class);

    private final CaseStore store;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<BiConsumer<Alert, CaseStore.Opened>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile long filed;

    /** @param groupId the consumer group, e.g. {@code vigil-cases} */
    public CaseOpener(CaseStore store, String bootstrapServers, String groupId) {
        this.store = Objects.requireNonNull(store, "store");
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::loop, "vigil-case-opener");
        thread.setDaemon(true);
    }

    /** Called on the opener's thread for each alert filed for the first time (not for redeliveries). */
    public CaseOpener addListener(BiConsumer<Alert, CaseStore.Opened> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    public CaseOpener start() {
        thread.start();
        return this;
    }

    /** Alerts filed (opened or joined a case) by this opener since it started. */
    public long filed() {
        return filed;
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(Topics.ALERTS));
            while (!closed) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (closed) return;
                    file(r);
                }
                if (!records.isEmpty() && !closed) consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (!closed) log.error("case opener woken up while running", e);
        } catch (RuntimeException e) {
            log.error("case opener stopped: {}", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void file(ConsumerRecord<String, byte[]> r) {
        Alert alert;
        try {
            alert = Alert.fromJson(r.value());
        } catch (IllegalArgumentException e) {
            log.error("{}/{}/{} is not an alert the case queue can file, skipped: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            return;
        }
        long backoff = 100;
        while (!closed) {
            try {
                CaseStore.Opened opened = store.openOrJoin(alert);
                if (!opened.duplicate()) {
                    filed++;
                    for (BiConsumer<Alert, CaseStore.Opened> l : listeners) {
                        try {
                            l.accept(alert, opened);
                        } catch (RuntimeException e) {
                            log.warn("case listener failed on {}: {}", alert.transactionId(), e.toString());
                        }
                    }
                }
                return;
            } catch (SQLException e) {
                log.warn("could not file alert {} into the case queue ({}); retrying in {} ms", alert.transactionId(),
                        e.getMessage(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(5000, backoff * 2);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
