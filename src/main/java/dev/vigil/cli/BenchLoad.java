package dev.vigil.cli;

import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.event.TransactionEvent;
import dev.vigil.simulate.SimulatedEvent;
import dev.vigil.simulate.Simulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The benchmark's payment rail and its stopwatch: simulated transactions produced to Kafka on a
 * fixed schedule, and a {@code read_committed} reader of {@code vigil.decisions} that stops the
 * clock for each. A decision is published only after its audit row is committed, so reading it
 * means both happened. Latency runs from the moment the event was <em>due</em> to be sent, so a
 * producer that falls behind does not hide the delay (no coordinated omission).
 */
final class BenchLoad implements AutoCloseable {
    private static final byte[] TX_ID = "\"transaction_id\":\"".getBytes(StandardCharsets.US_ASCII);

    /** What one phase sent and saw. */
    static final class Phase {
        final String name;
        final Histogram latencyMicros = new ConcurrentHistogram(3);
        final AtomicLong sent = new AtomicLong();
        final AtomicLong decided = new AtomicLong();
        final AtomicLong outstanding = new AtomicLong();
        volatile long firstSentNanos;
        volatile long lastDecidedNanos;

        Phase(String name) {
            this.name = name;
        }
    }

    private record Due(long atNanos, Phase phase) {}

    private final Map<String, Due> due = new ConcurrentHashMap<>();
    /** Decisions seen of any phase: what the pipeline delivers, backlog included. */
    final AtomicLong decidedAll = new AtomicLong();
    private final KafkaProducer<String, byte[]> producer;
    private final Simulator simulator;
    private final EventCodec codec;
    private final Thread watcher;
    private volatile boolean running = true;
    long accountEventsSent;

    BenchLoad(String bootstrap, Simulator simulator, EventCodec codec) throws InterruptedException {
        this.simulator = simulator;
        this.codec = codec;
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "client.id", "bench-load",
                "linger.ms", 2, "acks", "all", "batch.size", 65536, "buffer.memory", 128L << 20),
                new StringSerializer(), new ByteArraySerializer());
        CountDownLatch ready = new CountDownLatch(1);
        watcher = new Thread(() -> watch(bootstrap, ready), "bench-watch");
        watcher.setDaemon(true);
        watcher.start();
        if (!ready.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("could not subscribe to " + Topics.DECISIONS);
    }

    /** The next simulated transaction; account events met on the way are produced at once, untimed. */
    TransactionEvent nextTransaction() {
        while (true) {
            SimulatedEvent e = simulator.next();
            if (e instanceof SimulatedEvent.Transaction t) {
                if (t.event().occurredAt().isAfter(Instant.now().plusSeconds(60))) {
                    throw new IllegalStateException("simulated event time ran past the clock; use more --accounts");
                }
                return t.event();
            }
            SimulatedEvent.Account a = (SimulatedEvent.Account) e;
            producer.send(new ProducerRecord<>(Topics.ACCOUNT_EVENTS, a.event().accountId(), codec.write(a.event())));
            accountEventsSent++;
        }
    }

    /** Produces everything the simulator emits before its first transaction (the account openings). */
    TransactionEvent primeAccounts() {
        TransactionEvent first = nextTransaction();
        producer.flush();
        return first;
    }

    void send(TransactionEvent tx, long dueNanos, Phase phase) {
        phase.sent.incrementAndGet();
        phase.outstanding.incrementAndGet();
        due.put(tx.transactionId(), new Due(dueNanos, phase));
        producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, tx.accountId(), codec.write(tx)));
    }

    /** Sends {@code rate} events a second for {@code duration}, on schedule. */
    void runFixedRate(Phase phase, int rate, Duration duration, TransactionEvent[] carry) {
        long start = System.nanoTime();
        phase.firstSentNanos = start;
        long end = start + duration.toNanos();
        double interval = 1e9 / rate;
        long i = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) break;
            long dueCount = (long) ((now - start) / interval) + 1;
            while (i < dueCount) {
                send(take(carry), start + (long) (i * interval), phase);
                i++;
            }
            LockSupport.parkNanos(500_000);
        }
        producer.flush();
    }

    /**
     * Sends as fast as the pipeline takes them, keeping at most {@code maxOutstanding} undecided so
     * the backlog (and the memory of this stopwatch) stays bounded. Returns decisions per second
     * measured after {@code rampUp}.
     */
    double runMaximum(Phase phase, Duration duration, Duration rampUp, long maxOutstanding, TransactionEvent[] carry) {
        long start = System.nanoTime();
        phase.firstSentNanos = start;
        long end = start + duration.toNanos();
        long measureFrom = start + rampUp.toNanos();
        long decidedAtRampEnd = -1;
        while (System.nanoTime() < end) {
            if (decidedAtRampEnd < 0 && System.nanoTime() >= measureFrom) decidedAtRampEnd = decidedAll.get();
            if (due.size() < maxOutstanding) {
                for (int k = 0; k < 500; k++) send(take(carry), System.nanoTime(), phase);
            } else {
                LockSupport.parkNanos(1_000_000);
            }
        }
        long decidedAtEnd = decidedAll.get();
        if (decidedAtRampEnd < 0) decidedAtRampEnd = 0;
        producer.flush();
        return (decidedAtEnd - decidedAtRampEnd) / ((end - measureFrom) / 1e9);
    }

    private TransactionEvent take(TransactionEvent[] carry) {
        if (carry[0] != null) {
            TransactionEvent t = carry[0];
            carry[0] = null;
            return t;
        }
        return nextTransaction();
    }

    /** Events sent in any phase and not yet decided. */
    int backlog() {
        return due.size();
    }

    /** Waits until every event sent so far is decided, or the timeout passes; returns what is left. */
    int awaitNoBacklog(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!due.isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
        return due.size();
    }

    /** Waits until every event of the phase is decided, or the timeout passes; true when all were. */
    boolean awaitDrained(Phase phase, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (phase.outstanding.get() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
        return phase.outstanding.get() == 0;
    }

    private void watch(String bootstrap, CountDownLatch ready) {
        try (var consumer = DecisionWatcher.tailDecisions(bootstrap, "vigil-bench-watch",
                Map.of("client.id", "bench-watch", "fetch.max.wait.ms", 5, "max.poll.records", 5000))) {
            ready.countDown();
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long seenAt = System.nanoTime();
                    String id = r.value() == null ? null : transactionId(r.value());
                    Due d = id == null ? null : due.remove(id);
                    if (d == null) continue;
                    d.phase().latencyMicros.recordValue(Math.max(1, (seenAt - d.atNanos()) / 1000));
                    d.phase().decided.incrementAndGet();
                    decidedAll.incrementAndGet();
                    d.phase().outstanding.decrementAndGet();
                    d.phase().lastDecidedNanos = seenAt;
                }
            }
        }
    }

    /** The transaction id from decision JSON without parsing it all: the reader must not be the bottleneck. */
    static String transactionId(byte[] json) {
        outer:
        for (int i = 0; i + TX_ID.length <= json.length; i++) {
            for (int k = 0; k < TX_ID.length; k++) if (json[i + k] != TX_ID[k]) continue outer;
            int from = i + TX_ID.length;
            int to = from;
            while (to < json.length && json[to] != '"') {
                if (json[to] == '\\') return null; // ids with escapes are not produced by the simulator
                to++;
            }
            return new String(json, from, to - from, StandardCharsets.UTF_8);
        }
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        producer.close(Duration.ofSeconds(5));
        watcher.join(5_000);
    }
}
