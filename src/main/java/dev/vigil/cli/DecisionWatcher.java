package dev.vigil.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.event.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Measures end-to-end latency as a payment rail sees it: from the moment a transaction is handed to
 * Kafka (or HTTP) to the moment its decision can be read from {@code vigil.decisions}.
 */
final class DecisionWatcher implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final Recorder interval = new Recorder(3);
    private final Histogram all = new Histogram(3);
    private final Histogram steady = new Histogram(3);
    private final long warmUpEndsAt;
    private final Thread thread;
    private volatile boolean running = true;

    /** Subscribes and returns once it reads from the end of the topic; decisions seen within {@code warmUp} count as warm-up. */
    DecisionWatcher(String bootstrap, Duration warmUp) throws InterruptedException {
        warmUpEndsAt = System.nanoTime() + warmUp.toNanos();
        CountDownLatch ready = new CountDownLatch(1);
        thread = new Thread(() -> consume(bootstrap, ready), "decision-watcher");
        thread.setDaemon(true);
        thread.start();
        if (!ready.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("could not subscribe to " + Topics.DECISIONS);
    }

    /** Call just before handing the transaction over. */
    void sent(String transactionId) {
        sentAt.put(transactionId, System.nanoTime());
    }

    int outstanding() {
        return sentAt.size();
    }

    /** Latency (µs) of the decisions seen since the last call. */
    synchronized Histogram takeInterval() {
        Histogram h = interval.getIntervalHistogram();
        all.add(h);
        return h;
    }

    /** Every decision seen. */
    synchronized Histogram all() {
        takeInterval();
        return all.copy();
    }

    /** The decisions seen after the warm-up. */
    synchronized Histogram steady() {
        return steady.copy();
    }

    private void consume(String bootstrap, CountDownLatch ready) {
        try (var consumer = tailDecisions(bootstrap, "vigil-demo-watch", Map.of())) {
            ready.countDown();
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long seenAt = System.nanoTime();
                    Long sent = sentAt.remove(transactionId(r.value()));
                    if (sent == null) continue;
                    long micros = Math.max(1, (seenAt - sent) / 1000);
                    interval.recordValue(micros);
                    if (seenAt > warmUpEndsAt) {
                        synchronized (this) {
                            steady.recordValue(micros);
                        }
                    }
                }
            }
        }
    }

    private static String transactionId(byte[] decision) {
        try {
            return MAPPER.readTree(decision).path("transaction_id").asText();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }

    /**
     * A consumer of {@code vigil.decisions} (committed transactions only) in a group of its own,
     * positioned at the end, so it sees the decisions published from now on.
     */
    static KafkaConsumer<String, byte[]> tailDecisions(String bootstrap, String groupPrefix, Map<String, Object> tuning) {
        Map<String, Object> config = new java.util.HashMap<>(tuning);
        config.putAll(Map.of("bootstrap.servers", bootstrap, "group.id", groupPrefix + "-" + System.nanoTime(),
                "auto.offset.reset", "latest", "enable.auto.commit", false, "isolation.level", "read_committed"));
        var consumer = new KafkaConsumer<String, byte[]>(config, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.DECISIONS));
        while (consumer.assignment().isEmpty()) consumer.poll(Duration.ofMillis(100));
        consumer.seekToEnd(consumer.assignment());
        consumer.assignment().forEach(consumer::position);
        return consumer;
    }
}
