package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.Vigil;
import dev.vigil.config.Settings;
import dev.vigil.decision.Verdict;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.route.PipelineMetrics;
import dev.vigil.simulate.MalformedEvents;
import dev.vigil.simulate.SimulatedEvent;
import dev.vigil.simulate.SimulationConfig;
import dev.vigil.simulate.Simulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts everything embedded, plays the simulator into Kafka (and a share over HTTP) at a steady
 * rate, shows a live status line, and ends with a summary and where to look next.
 */
@Command(name = "demo", description = "Run the whole platform on embedded services with a simulated payment rail.")
final class DemoCommand implements Runnable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Option(names = "--duration", defaultValue = "60s", description = "How long to send traffic (e.g. 60s, 5m). Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--rate", defaultValue = "500", description = "Events per second. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--accounts", defaultValue = "5000", description = "Simulated accounts. Default: ${DEFAULT-VALUE}.")
    int accounts;

    @Option(names = "--seed", defaultValue = "42", description = "Simulator seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--malformed-every", defaultValue = "200", description = "Send one malformed event every N events (0: none). Default: ${DEFAULT-VALUE}.")
    int malformedEvery;

    @Option(names = "--http-every", defaultValue = "50", description = "Send one transaction in N over HTTP instead of Kafka (0: none). Default: ${DEFAULT-VALUE}.")
    int httpEvery;

    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final Recorder endToEnd = new Recorder(3);
    private final AtomicLong decisionsSeen = new AtomicLong();
    private final AtomicLong httpAnswered = new AtomicLong();

    @Override
    public void run() {
        if (rate <= 0) throw new IllegalArgumentException("--rate must be above 0");
        Settings settings = Settings.load();
        Shutdown shutdown = new Shutdown();
        System.out.println("Starting Vigil: embedded Kafka, Redis and PostgreSQL, data in " + settings.dataDir().toAbsolutePath());
        try (Vigil vigil = Vigil.start(settings)) {
            System.out.printf("Vigil is up: rules %s, model %s%n", vigil.ruleSetVersion(), vigil.modelVersion());
            System.out.printf("Metrics: http://%s:%d/metrics   Health: http://%s:%d/health%n",
                    settings.httpHost(), settings.httpPort(), settings.httpHost(), settings.httpPort());
            Traffic sent = play(vigil, settings, shutdown);
            awaitDrain(vigil.metrics(), sent);
            printSummary(vigil, settings, sent);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdown.finished();
        }
    }

    /** What the demo sent. */
    private static final class Traffic {
        long transactions;
        long accountEvents;
        long malformed;
        long overHttp;
        long elapsedNanos;
    }

    private Traffic play(Vigil vigil, Settings settings, Shutdown shutdown) throws InterruptedException {
        String bootstrap = vigil.services().kafkaBootstrap();
        EventCodec codec = new EventCodec(Clock.systemUTC(), settings.maxFutureSkew(), settings.maxEventBytes());
        Instant now = Instant.now();
        // Event time starts in the past and runs faster than the clock; it never passes the clock.
        Simulator simulator = new Simulator(SimulationConfig.defaults(accounts, seed, now.minus(Duration.ofDays(30))));
        Iterator<SimulatedEvent> events = simulator;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI decisionsUri = URI.create("http://" + settings.httpHost() + ":" + settings.httpPort() + "/v1/decisions");
        AtomicBoolean consuming = new AtomicBoolean(true);
        Thread watcher = startDecisionWatcher(bootstrap, consuming);

        Traffic t = new Traffic();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long intervalNanos = 1_000_000_000L / rate;
        long next = start;
        long lastStatus = start;
        long sentCount = 0;
        try (var producer = new KafkaProducer<String, byte[]>(Map.of(
                "bootstrap.servers", bootstrap, "linger.ms", 5, "acks", "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            while (System.nanoTime() < end && !shutdown.isRequested()) {
                SimulatedEvent e = events.next();
                if (e instanceof SimulatedEvent.Account a) {
                    producer.send(new ProducerRecord<>(Topics.ACCOUNT_EVENTS, a.event().accountId(), codec.write(a.event())));
                    t.accountEvents++;
                    continue;
                }
                var tx = ((SimulatedEvent.Transaction) e).event();
                long wait = java.time.Duration.between(Instant.now(), tx.occurredAt()).toMillis();
                if (wait > 0) Thread.sleep(Math.min(wait, 1000));
                byte[] json = codec.write(tx);
                sentCount++;
                if (malformedEvery > 0 && sentCount % malformedEvery == 0) {
                    var bad = MalformedEvents.corrupt(json, (int) (sentCount / malformedEvery));
                    producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, tx.accountId(), bad.payload()));
                    t.malformed++;
                } else if (httpEvery > 0 && sentCount % httpEvery == 0) {
                    sentAt.put(tx.transactionId(), System.nanoTime());
                    http.sendAsync(HttpRequest.newBuilder(decisionsUri).timeout(Duration.ofSeconds(10))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build(),
                            HttpResponse.BodyHandlers.discarding())
                            .whenComplete((r, err) -> httpAnswered.incrementAndGet());
                    t.transactions++;
                    t.overHttp++;
                } else {
                    sentAt.put(tx.transactionId(), System.nanoTime());
                    producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, tx.accountId(), json));
                    t.transactions++;
                }
                next += intervalNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                if (System.nanoTime() - lastStatus >= 1_000_000_000L) {
                    printStatus(vigil.metrics(), System.nanoTime() - start, t);
                    lastStatus = System.nanoTime();
                }
            }
            producer.flush();
        }
        t.elapsedNanos = System.nanoTime() - start;
        System.out.println();
        consumingUntilDrained = consuming;
        watcherThread = watcher;
        return t;
    }

    private AtomicBoolean consumingUntilDrained;
    private Thread watcherThread;

    /** Reads vigil.decisions to measure the end-to-end latency: sent to Kafka, to decision published. */
    private Thread startDecisionWatcher(String bootstrap, AtomicBoolean consuming) throws InterruptedException {
        var assigned = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (var consumer = new KafkaConsumer<String, byte[]>(Map.of(
                    "bootstrap.servers", bootstrap, "group.id", "vigil-demo-watch-" + System.nanoTime(),
                    "auto.offset.reset", "latest", "enable.auto.commit", false),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.DECISIONS));
                while (consumer.assignment().isEmpty()) consumer.poll(Duration.ofMillis(100));
                consumer.seekToEnd(consumer.assignment());
                consumer.assignment().forEach(consumer::position);
                assigned.countDown();
                while (consuming.get()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        long seenAt = System.nanoTime();
                        try {
                            JsonNode d = MAPPER.readTree(r.value());
                            Long sent = sentAt.remove(d.path("transaction_id").asText());
                            if (sent != null) {
                                endToEnd.recordValue(Math.max(1, (seenAt - sent) / 1000));
                                decisionsSeen.incrementAndGet();
                            }
                        } catch (Exception ignored) {
                            // not ours to judge here; the pipeline wrote it
                        }
                    }
                }
            }
        }, "demo-decision-watcher");
        t.setDaemon(true);
        t.start();
        assigned.await(30, java.util.concurrent.TimeUnit.SECONDS);
        return t;
    }

    private Histogram interval = new Histogram(3);

    private void printStatus(PipelineMetrics m, long elapsedNanos, Traffic t) {
        Histogram h = endToEnd.getIntervalHistogram();
        interval.add(h);
        long secs = elapsedNanos / 1_000_000_000L;
        double perSecond = (t.transactions + t.malformed) / Math.max(1e-9, elapsedNanos / 1e9);
        StringBuilder top = new StringBuilder();
        m.topRules(3).forEach((rule, n) -> top.append(top.length() == 0 ? "" : ", ").append(rule).append(' ').append(n));
        String line = String.format("[%02d:%02d] %5.0f ev/s | ALLOW %d  REVIEW %d  BLOCK %d | rejected %d | p50 %s p99 %s | top %s",
                secs / 60, secs % 60, perSecond,
                m.decisions(Verdict.ALLOW), m.decisions(Verdict.REVIEW), m.decisions(Verdict.BLOCK), m.rejections(),
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
                top.length() == 0 ? "-" : top);
        if (System.console() != null) System.out.print("\r" + line + "   ");
        else if (secs % 5 == 0) System.out.println(line);
    }

    private void awaitDrain(PipelineMetrics m, Traffic t) throws InterruptedException {
        long expected = t.transactions + t.malformed;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (m.totalDecisions() + m.duplicates() + m.rejections() < expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        long quiet = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!sentAt.isEmpty() && System.nanoTime() < quiet) Thread.sleep(50);
        consumingUntilDrained.set(false);
        watcherThread.join(5_000);
        interval.add(endToEnd.getIntervalHistogram());
    }

    private void printSummary(Vigil vigil, Settings settings, Traffic t) {
        PipelineMetrics m = vigil.metrics();
        double secs = t.elapsedNanos / 1e9;
        long auditDecisions = vigil.audit().countDecisions();
        long auditRejections = vigil.audit().countRejections();
        Map<String, Long> top = m.topRules(5);
        System.out.println();
        System.out.println("Vigil demo summary");
        System.out.printf("  Sent        %,d transactions (%,d over HTTP), %,d malformed events, %,d account events in %.1f s: %.0f events/s%n",
                t.transactions, t.overHttp, t.malformed, t.accountEvents, secs, (t.transactions + t.malformed) / secs);
        System.out.printf("  Decisions   ALLOW %,d   REVIEW %,d   BLOCK %,d   (rejected %,d to %s)%n",
                m.decisions(Verdict.ALLOW), m.decisions(Verdict.REVIEW), m.decisions(Verdict.BLOCK), m.rejections(), Topics.DLQ);
        System.out.printf("  Latency     sent to decision published (%,d decisions): p50 %s  p99 %s  max %s%n",
                interval.getTotalCount(), ms(interval.getValueAtPercentile(50)), ms(interval.getValueAtPercentile(99)),
                ms(interval.getMaxValue()));
        StringBuilder stages = new StringBuilder();
        m.meanStageMillis().forEach((stage, ms) -> stages.append(stages.length() == 0 ? "" : ", ").append(String.format("%s %.2f ms", stage, ms)));
        System.out.println("  Per batch   " + stages + " (mean time of each stage)");
        StringBuilder rules = new StringBuilder();
        top.forEach((rule, n) -> rules.append(rules.length() == 0 ? "" : ", ").append(rule).append(' ').append(n));
        System.out.println("  Top rules   " + (rules.length() == 0 ? "none fired" : rules));
        System.out.printf("  Audit store %,d decision rows, %,d rejection rows (PostgreSQL data in %s)%n",
                auditDecisions, auditRejections, settings.dataDir().resolve("postgres"));
        System.out.println();
        System.out.println("Where to look next:");
        System.out.println("  ./vigil audit sql \"select verdict, count(*) from decision group by verdict\"");
        System.out.println("  ./vigil audit sql \"select reason_code, count(*) from rejection group by 1\"");
        System.out.printf("  Topics %s, %s, %s on the broker kept in %s (./vigil run serves it on %s)%n",
                Topics.DECISIONS, Topics.ALERTS, Topics.DLQ, settings.dataDir().resolve("kafka"),
                vigil.services().kafkaBootstrap());
        System.out.printf("  While Vigil runs: http://%s:%d/metrics%n", settings.httpHost(), settings.httpPort());
    }

    private static String ms(long micros) {
        return String.format("%.1f ms", micros / 1000.0);
    }
}
