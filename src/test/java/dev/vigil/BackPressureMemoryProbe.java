package dev.vigil;

import dev.vigil.config.Settings;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.simulate.SimulatedEvent;
import dev.vigil.simulate.SimulationConfig;
import dev.vigil.simulate.Simulator;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import redis.clients.jedis.RedisClient;

/**
 * Shows that Vigil's heap stays flat while a dependency stalls and the Kafka backlog grows, for
 * docs/benchmarks.md. Not a test (it asserts nothing; {@link BackPressureIT} holds the bound on
 * records): run it by hand.
 *
 * <pre>
 * mvn -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx2g -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.vigil.BackPressureMemoryProbe [events/s] [seconds]
 * </pre>
 *
 * Vigil runs in this JVM with its default batch size and consumers, everything embedded in a
 * scratch directory. A producer thread sends simulated transactions at a fixed rate throughout.
 * Two stalls follow a quiet phase: the audit tables locked by another session, then Redis
 * sleeping 800 ms at a time (20 ms awake between sleeps); after each, the stall is lifted and
 * the backlog drains. Every 5 s it prints the heap in use after a full collection, the Kafka
 * events taken in and decided so far, and the backlog (sent but not taken in).
 */
public final class BackPressureMemoryProbe {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 3_000;
        int stallSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        Path dir = Files.createTempDirectory("vigil-backpressure");
        Settings settings = Settings.load(TestPlatform.embeddedOverrides(dir), Map.of());
        AtomicLong sent = new AtomicLong();
        AtomicBoolean producing = new AtomicBoolean(true);
        try (Vigil vigil = Vigil.start(settings);
             RedisClient redis = RedisClient.create(vigil.services().redisHost(), vigil.services().redisPort());
             Connection blocker = DriverManager.getConnection(vigil.services().adminJdbcUrl(), vigil.services().adminUser(),
                     vigil.services().adminPassword())) {
            Thread producer = new Thread(() -> produce(vigil.services().kafkaBootstrap(), rate, sent, producing), "probe-producer");
            producer.start();
            System.out.printf(Locale.ROOT, "offered %,d events/s; batch %d, %s consumers; max heap %,d MB; data in %s (delete it after)%n",
                    rate, settings.kafka().batchSize(), settings.raw().get("vigil.kafka.consumers"),
                    MEMORY.getHeapMemoryUsage().getMax() >> 20, dir);
            System.out.println("| phase | s | heap after GC, MB | sent | taken in | decided | backlog in Kafka |");
            System.out.println("|---|---|---|---|---|---|---|");
            watch("running", 20, vigil, sent);

            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("lock table decision, rejection in share mode");
            }
            watch("audit tables locked", stallSeconds, vigil, sent);
            blocker.rollback();
            watch("lock released", 20, vigil, sent);

            try (SlowRedis slow = new SlowRedis(redis, Duration.ofMillis(800), Duration.ofMillis(20))) {
                watch("Redis slow", stallSeconds, vigil, sent);
            }
            watch("Redis quick again", 20, vigil, sent);

            producing.set(false);
            producer.join();
        }
    }

    private static void produce(String bootstrap, int rate, AtomicLong sent, AtomicBoolean producing) {
        EventCodec codec = new EventCodec(Clock.systemUTC(), Duration.ofMinutes(5), 65536);
        Simulator sim = new Simulator(SimulationConfig.defaults(20_000, 7, Instant.now().minus(Duration.ofDays(30))));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "linger.ms", 5),
                new StringSerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            while (producing.get()) {
                long due = start + sent.get() * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
                if (sim.next() instanceof SimulatedEvent.Transaction t) {
                    producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, t.event().accountId(), codec.write(t.event())));
                    sent.incrementAndGet();
                }
            }
        }
    }

    private static void watch(String phase, int seconds, Vigil vigil, AtomicLong sent) throws InterruptedException {
        for (int s = 5; s <= seconds; s += 5) {
            Thread.sleep(5_000);
            System.gc();
            long heap = MEMORY.getHeapMemoryUsage().getUsed();
            long out = sent.get();
            long taken = vigil.metrics().events("kafka");
            long decided = vigil.metrics().totalDecisions();
            System.out.printf(Locale.ROOT, "| %s | %d | %,d | %,d | %,d | %,d | %,d |%n", phase, s, heap >> 20, out, taken, decided,
                    out - taken);
        }
    }
}
