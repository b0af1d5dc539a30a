package dev.vigil.cli;

import dev.vigil.Vigil;
import dev.vigil.config.Settings;
import dev.vigil.decision.Verdict;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.event.TransactionEvent;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts everything embedded, plays the simulator into Kafka (and a share over HTTP) at a steady
 * rate, shows a live status line, and ends with a summary and where to look next.
 */
@Command(name = "demo", description = "Run the whole platform on embedded services with a simulated payment rail.")
final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    private static final Duration WARM_UP = Duration.ofSeconds(10);

    @Option(names = "--duration", defaultValue = "60s", description = "How long to send traffic (e.g. 60s, 5m). Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--rate", defaultValue = "500", description = "Events per second. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--accounts", defaultValue = "5000", description = "Simulated accounts. Default: ${DEFAULT-VALUE}.")
    int accounts;

    @Option(names = "--seed", description = "Simulator seed; the same seed replays the same traffic. Default: a new one each run.")
    Long seed;

    @Option(names = "--malformed-every", defaultValue = "200", description = "Send one malformed event every N events (0: none). Default: ${DEFAULT-VALUE}.")
    int malformedEvery;

    @Option(names = "--http-every", defaultValue = "50", description = "Send one transaction in N over HTTP instead of Kafka (0: none). Default: ${DEFAULT-VALUE}.")
    int httpEvery;

    /** The demo rail's API key for its HTTP share, made at start. */
    private String demoKey;

    /** What the demo sent. */
    private static final class Traffic {
        long transactions;
        long accountEvents;
        long malformed;
        long overHttp;
        long elapsedNanos;
    }

    /** @return 0 when every event sent was accounted for in the audit store, 1 when not */
    @Override
    public Integer call() {
        if (rate <= 0) throw new IllegalArgumentException("--rate must be above 0");
        Settings settings = Settings.load();
        Shutdown shutdown = new Shutdown();
        System.out.println("Starting Vigil: embedded Kafka, Redis and PostgreSQL, data in " + settings.dataDir().toAbsolutePath());
        try (Vigil vigil = Vigil.start(settings)) {
            System.out.printf("Vigil is up: rules %s, model %s%n", vigil.ruleSetVersion(), vigil.modelVersion());
            System.out.printf("Metrics: http://%s:%d/metrics (API key or admin)   Health: http://%s:%d/health%n",
                    settings.httpHost(), settings.httpPort(), settings.httpHost(), settings.httpPort());
            demoKey = DemoAccess.prepare(vigil.console().access(), settings);
            // The data directory may hold earlier runs, and an interrupted one may have left events
            // not yet decided: they are decided first, then this run's rows are counted by difference.
            awaitNoBacklog(vigil.services().kafkaBootstrap(), settings.kafka().groupId());
            long decisionRowsBefore = vigil.audit().countDecisions();
            long rejectionRowsBefore = vigil.audit().countRejections();
            try (DecisionWatcher watcher = new DecisionWatcher(vigil.services().kafkaBootstrap(), WARM_UP)) {
                Traffic sent = play(vigil, settings, shutdown, watcher);
                awaitDrain(vigil.metrics(), sent, watcher);
                printSummary(vigil, settings, sent, watcher);
                return accountFor(sent, vigil.audit().countDecisions() - decisionRowsBefore, vigil.metrics().duplicates(),
                        vigil.audit().countRejections() - rejectionRowsBefore);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            shutdown.finished();
        }
    }

    /** Waits (up to a minute) until the pipeline has committed every transaction already in its topic. */
    private static void awaitNoBacklog(String bootstrap, String groupId) throws InterruptedException {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            boolean said = false;
            while (System.nanoTime() < deadline) {
                long backlog = backlog(admin, groupId);
                if (backlog == 0) return;
                if (!said) System.out.printf("Deciding %,d events left by an earlier run first...%n", backlog);
                said = true;
                Thread.sleep(200);
            }
        }
    }

    private static long backlog(Admin admin, String groupId) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(List.of(Topics.TRANSACTIONS)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(Topics.TRANSACTIONS).partitions()
                    .forEach(p -> request.put(new TopicPartition(Topics.TRANSACTIONS, p.partition()), OffsetSpec.latest()));
            long backlog = 0;
            for (var e : admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                backlog += e.getValue().offset() - (c == null ? 0 : c.offset());
            }
            return backlog;
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Every transaction sent has one new audit row (or, replayed with an earlier run's seed, is a
     * recognised duplicate of one), and every malformed event one new rejection row.
     */
    private static int accountFor(Traffic sent, long newDecisionRows, long duplicates, long newRejectionRows) {
        boolean ok = newDecisionRows + duplicates == sent.transactions && newRejectionRows == sent.malformed;
        System.out.printf("%n%s: %,d transactions sent, %,d new decision rows%s; %,d malformed events sent, %,d new rejection rows.%n",
                ok ? "All accounted for" : "NOT all accounted for", sent.transactions, newDecisionRows,
                duplicates == 0 ? "" : String.format(" and %,d duplicates of earlier runs", duplicates),
                sent.malformed, newRejectionRows);
        return ok ? 0 : 1;
    }

    private Traffic play(Vigil vigil, Settings settings, Shutdown shutdown, DecisionWatcher watcher) throws InterruptedException {
        EventCodec codec = new EventCodec(Clock.systemUTC(), settings.maxFutureSkew(), settings.maxEventBytes());
        // Event time starts in the past and runs faster than the clock; it is never let past the clock.
        long runSeed = seed != null ? seed : System.currentTimeMillis();
        System.out.printf("Simulating %,d accounts, seed %d, %d events/s for %s%n", accounts, runSeed, rate, duration);
        Simulator simulator = new Simulator(SimulationConfig.defaults(accounts, runSeed, Instant.now().minus(Duration.ofDays(30))));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI decisionsUri = URI.create("http://" + settings.httpHost() + ":" + settings.httpPort() + "/v1/decisions");

        Traffic t = new Traffic();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long intervalNanos = 1_000_000_000L / rate;
        long next = start;
        long lastStatus = start;
        long n = 0;
        try (var producer = new KafkaProducer<String, byte[]>(Map.of(
                "bootstrap.servers", vigil.services().kafkaBootstrap(), "linger.ms", 5, "acks", "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            while (System.nanoTime() < end && !shutdown.isRequested()) {
                SimulatedEvent e = simulator.next();
                if (e instanceof SimulatedEvent.Account a) {
                    producer.send(new ProducerRecord<>(Topics.ACCOUNT_EVENTS, a.event().accountId(), codec.write(a.event())));
                    t.accountEvents++;
                    continue;
                }
                TransactionEvent tx = ((SimulatedEvent.Transaction) e).event();
                long aheadMillis = Duration.between(Instant.now(), tx.occurredAt()).toMillis();
                if (aheadMillis > 0) Thread.sleep(Math.min(aheadMillis, 1000));
                byte[] json = codec.write(tx);
                n++;
                if (malformedEvery > 0 && n % malformedEvery == 0) {
                    var bad = MalformedEvents.corrupt(json, (int) (n / malformedEvery));
                    producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, tx.accountId(), bad.payload()));
                    t.malformed++;
                } else if (httpEvery > 0 && n % httpEvery == 0) {
                    watcher.sent(tx.transactionId());
                    http.sendAsync(HttpRequest.newBuilder(decisionsUri).timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json").header("Authorization", "Bearer " + demoKey)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build(), HttpResponse.BodyHandlers.discarding());
                    t.transactions++;
                    t.overHttp++;
                } else {
                    watcher.sent(tx.transactionId());
                    producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, tx.accountId(), json));
                    t.transactions++;
                }
                next += intervalNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                if (System.nanoTime() - lastStatus >= 1_000_000_000L) {
                    printStatus(vigil.metrics(), System.nanoTime() - start, t, watcher.takeInterval());
                    lastStatus = System.nanoTime();
                }
            }
            producer.flush();
        }
        t.elapsedNanos = System.nanoTime() - start;
        System.out.println();
        return t;
    }

    private void printStatus(PipelineMetrics m, long elapsedNanos, Traffic t, Histogram lastSecond) {
        long secs = elapsedNanos / 1_000_000_000L;
        double perSecond = (t.transactions + t.malformed) / Math.max(1e-9, elapsedNanos / 1e9);
        String line = String.format("[%02d:%02d] %5.0f ev/s | ALLOW %d  REVIEW %d  BLOCK %d | rejected %d | p50 %s p99 %s | top %s",
                secs / 60, secs % 60, perSecond,
                m.decisions(Verdict.ALLOW), m.decisions(Verdict.REVIEW), m.decisions(Verdict.BLOCK), m.rejections(),
                ms(lastSecond.getValueAtPercentile(50)), ms(lastSecond.getValueAtPercentile(99)), join(m.topRules(3)));
        // A live line on a terminal; a line every 5 s in a log.
        if (System.console() != null) System.out.print("\r" + line + "   ");
        else if (secs % 5 == 0) System.out.println(line);
    }

    private static void awaitDrain(PipelineMetrics m, Traffic t, DecisionWatcher watcher) throws InterruptedException {
        long expected = t.transactions + t.malformed;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (m.totalDecisions() + m.duplicates() + m.rejections() < expected && System.nanoTime() < deadline) Thread.sleep(100);
        long quiet = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (watcher.outstanding() > 0 && System.nanoTime() < quiet) Thread.sleep(50);
    }

    private void printSummary(Vigil vigil, Settings settings, Traffic t, DecisionWatcher watcher) {
        PipelineMetrics m = vigil.metrics();
        double secs = t.elapsedNanos / 1e9;
        Histogram all = watcher.all();
        Histogram steady = watcher.steady();
        StringBuilder stages = new StringBuilder();
        m.meanStageMillis().forEach((stage, ms) -> stages.append(stages.length() == 0 ? "" : ", ").append(String.format("%s %.1f ms", stage, ms)));
        System.out.println();
        System.out.println("Vigil demo summary");
        System.out.printf("  Sent        %,d transactions (%,d over HTTP), %,d malformed events, %,d account events in %.1f s: %.0f events/s%n",
                t.transactions, t.overHttp, t.malformed, t.accountEvents, secs, (t.transactions + t.malformed) / secs);
        System.out.printf("  Decisions   ALLOW %,d   REVIEW %,d   BLOCK %,d   (rejected %,d to %s)%n",
                m.decisions(Verdict.ALLOW), m.decisions(Verdict.REVIEW), m.decisions(Verdict.BLOCK), m.rejections(), Topics.DLQ);
        System.out.printf("  Latency     sent to decision published, all %,d: p50 %s  p99 %s  max %s%n",
                all.getTotalCount(), ms(all.getValueAtPercentile(50)), ms(all.getValueAtPercentile(99)), ms(all.getMaxValue()));
        System.out.printf("              after the first %d s of warm-up, %,d: p50 %s  p99 %s  max %s%n",
                WARM_UP.toSeconds(), steady.getTotalCount(), ms(steady.getValueAtPercentile(50)),
                ms(steady.getValueAtPercentile(99)), ms(steady.getMaxValue()));
        System.out.println("  Per batch   " + stages + " (mean time of each stage)");
        String rules = join(m.topRules(5));
        System.out.println("  Top rules   " + (rules.equals("-") ? "none fired" : rules));
        System.out.printf("  Audit store %,d decision rows, %,d rejection rows (PostgreSQL data in %s)%n",
                vigil.audit().countDecisions(), vigil.audit().countRejections(), settings.dataDir().resolve("postgres"));
        System.out.println();
        System.out.println("Where to look next:");
        System.out.println("  ./vigil audit sql \"select verdict, count(*) from audit_decisions group by verdict\"");
        System.out.println("  ./vigil audit sql \"select transaction_id, verdict, hits from audit_decisions where verdict <> 'ALLOW' limit 5\"");
        System.out.println("  ./vigil audit sql \"select reason_code, count(*) from rejection group by 1\"");
        System.out.printf("  Topics %s, %s, %s are kept in %s; ./vigil run serves them again on %s%n",
                Topics.DECISIONS, Topics.ALERTS, Topics.DLQ, settings.dataDir().resolve("kafka"), vigil.services().kafkaBootstrap());
        System.out.printf("  Metrics, while Vigil runs: http://%s:%d/metrics (with an API key or an admin's session)%n", settings.httpHost(), settings.httpPort());
        DemoAccess.printLogin(settings);
    }

    private static String join(Map<String, Long> counts) {
        StringBuilder s = new StringBuilder();
        counts.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return s.length() == 0 ? "-" : s.toString();
    }

    private static String ms(long micros) {
        return String.format("%.1f ms", micros / 1000.0);
    }
}
