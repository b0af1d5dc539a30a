package dev.vigil.cli;

import dev.vigil.Vigil;
import dev.vigil.config.Settings;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.event.TransactionEvent;
import dev.vigil.infra.FreePort;
import dev.vigil.route.PipelineMetrics;
import dev.vigil.simulate.SimulationConfig;
import dev.vigil.simulate.Simulator;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load benchmark: starts Vigil with everything embedded in a scratch data directory, drives
 * simulated transactions through Kafka at fixed rates and at the most it sustains, then through
 * {@code POST /v1/decisions} at fixed request rates, and writes {@code docs/benchmarks.md} with a
 * latency-against-throughput PNG, CPU by process and where the time per event goes.
 */
@Command(name = "bench", description = "Measure throughput and end-to-end latency under load; writes docs/benchmarks.md.")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--rates", split = ",", defaultValue = "1000,2000,5000,10000", converter = RateConverter.class,
            description = "Fixed Kafka rates, events/s (none: skip). Default: ${DEFAULT-VALUE}.")
    List<Integer> rates;

    @Option(names = "--duration", defaultValue = "20s", description = "Length of each fixed-rate phase. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--max-duration", defaultValue = "30s",
            description = "Length of the maximum-throughput phase (0s: skip it). Default: ${DEFAULT-VALUE}.")
    Duration maxDuration;

    @Option(names = "--warm-up", defaultValue = "180s",
            description = "Unreported warm-up before the Kafka phases: the JIT compiles the Kafka path for 2 to 3 minutes. Default: ${DEFAULT-VALUE}.")
    Duration warmUp;

    @Option(names = "--http-warm-up", defaultValue = "60s",
            description = "Unreported warm-up before the HTTP phases, at the highest HTTP rate (the HTTP server and the single-event "
                    + "paths are code the Kafka phases do not run). Default: ${DEFAULT-VALUE}.")
    Duration httpWarmUp;

    @Option(names = "--warm-up-rate", defaultValue = "2000", description = "Events/s during the warm-up. Default: ${DEFAULT-VALUE}.")
    int warmUpRate;

    @Option(names = "--http-rates", split = ",", defaultValue = "250,500,1000", converter = RateConverter.class,
            description = "Fixed HTTP request rates, requests/s (none: skip). Default: ${DEFAULT-VALUE}.")
    List<Integer> httpRates;

    @Option(names = "--http-duration", defaultValue = "15s", description = "Length of each HTTP phase. Default: ${DEFAULT-VALUE}.")
    Duration httpDuration;

    @Option(names = "--accounts", defaultValue = "20000", description = "Simulated accounts. Default: ${DEFAULT-VALUE}.")
    int accounts;

    @Option(names = "--seed", defaultValue = "7", description = "Simulator seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", defaultValue = "docs/benchmarks.md", description = "The report. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--data-dir", description = "Data directory (default: a new temporary one, deleted afterwards).")
    Path dataDir;

    // A plain flag: picocli's negatable form of an option that defaults to true left it true.
    @Option(names = "--no-jfr", description = "Do not profile with JFR (its start deoptimises every compiled method; see docs/benchmarks.md).")
    boolean noJfr;

    @Option(names = "--note", defaultValue = "", description = "A line about the machine's conditions, printed next to the figures.")
    String note;

    /** Requests in flight at most, as a rail's connection pool would allow. */
    static final int HTTP_CONNECTIONS = 64;

    /** One row of the report. */
    record Row(String path, String phase, int targetRate, long sent, long decided, double throughput,
               Histogram latency, Map<String, Double> cores, Map<String, Double> stageMicrosPerEvent,
               double eventsPerBatch, Map<Integer, Long> statuses) {}

    /** Reads one rate of a list: a positive number, or {@code none} (or nothing) for no phase at all. */
    static final class RateConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            String t = text.trim();
            if (t.isEmpty() || t.equalsIgnoreCase("none")) return SKIP;
            int rate;
            try {
                rate = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("not a rate: '" + text + "' (a number of events/s, or none)");
            }
            if (rate <= 0) throw new CommandLine.TypeConversionException("a rate must be above 0, or none: " + text);
            return rate;
        }
    }

    private static final int SKIP = 0;

    /** The rates to run, without the {@code none} placeholders. */
    static List<Integer> phases(List<Integer> rates) {
        return rates.stream().filter(r -> r != SKIP).toList();
    }

    @Override
    public Integer call() throws Exception {
        rates = phases(rates);
        httpRates = phases(httpRates);
        boolean tempData = dataDir == null;
        Path data = tempData ? Files.createTempDirectory("vigil-bench-") : dataDir;
        Settings settings = Settings.load(overrides(data));
        String command = "./vigil bench " + String.join(" ", argsForReport());
        List<Row> rows = new ArrayList<>();
        JfrProfile.Summary profile = new JfrProfile.Summary(Map.of(), Map.of());
        String loadBefore = loadAverage();
        Instant started = Instant.now();
        System.out.println("Starting Vigil for the benchmark, data in " + data.toAbsolutePath());
        try (Vigil vigil = Vigil.start(settings)) {
            EventCodec codec = new EventCodec(Clock.systemUTC(), settings.maxFutureSkew(), settings.maxEventBytes());
            long plannedEvents = (long) warmUpRate * warmUp.toSeconds() + rates.stream().mapToLong(r -> r * duration.toSeconds()).sum()
                    + 25_000L * maxDuration.toSeconds() + httpRates.stream().mapToLong(r -> r * httpDuration.toSeconds()).sum()
                    + httpRates.stream().mapToLong(r -> r * httpWarmUp.toSeconds()).max().orElse(0);
            // Event time starts far enough back that the whole run stays behind the clock (3 a day per account).
            long days = (long) Math.ceil(plannedEvents / (3.0 * accounts) * 1.5) + 2;
            Simulator simulator = new Simulator(SimulationConfig.defaults(accounts, seed, Instant.now().minus(Duration.ofDays(days))));
            Set<Long> roots = postmasterPid(data.resolve("postgres"));
            CpuSampler cpu = new CpuSampler(roots);
            try (BenchLoad load = new BenchLoad(vigil.services().kafkaBootstrap(), simulator, codec);
                 Admin admin = Admin.create(Map.of("bootstrap.servers", vigil.services().kafkaBootstrap()))) {
                TransactionEvent[] carry = {load.primeAccounts()};
                System.out.printf("Opening %,d accounts...%n", load.accountEventsSent);
                awaitCommitted(admin, settings.kafka().groupId() + "-account-events", Topics.ACCOUNT_EVENTS, Duration.ofMinutes(3));

                // JFR starts before the warm-up: its start deoptimises all compiled code (docs/benchmarks.md).
                JfrProfile profiler = !noJfr ? JfrProfile.start(Files.createTempFile("vigil-bench-", ".jfr")) : null;
                System.out.printf("Warm-up: %,d events/s for %s (not reported)%n", warmUpRate, warmUp);
                BenchLoad.Phase warm = new BenchLoad.Phase("warm-up");
                load.runFixedRate(warm, warmUpRate, warmUp, carry);
                load.awaitDrained(warm, Duration.ofSeconds(60));

                Instant measured = Instant.now();
                for (int rate : rates) {
                    rows.add(kafkaPhase(vigil.metrics(), cpu, load, rate, carry));
                }
                if (!maxDuration.isZero()) rows.add(maxPhase(vigil.metrics(), cpu, load, carry));
                if (profiler != null) {
                    profile = profiler.stopAndSummarise(measured);
                    Files.deleteIfExists(profiler.file());
                }
                // HTTP alone: the Kafka backlog, if any, is decided first.
                int left = load.awaitNoBacklog(Duration.ofMinutes(5));
                if (left > 0) System.out.printf("%,d Kafka events still undecided before the HTTP phases%n", left);
            }
            int httpPort = settings.httpPort();
            // POST /v1/decisions takes only callers with an API key, as a real rail would be given.
            String apiKey = httpRates.isEmpty() ? null : vigil.console().access().createApiKey("bench-rail", "bench").key();
            if (!httpRates.isEmpty()) rows.addAll(httpPhases(vigil.metrics(), cpu, codec, simulator, httpPort, apiKey));
        } finally {
            if (tempData) deleteRecursively(data);
        }
        Path png = out.resolveSibling(stripExtension(out.getFileName().toString()) + "-latency.png");
        BenchReport.write(out, png, command, note, started, loadBefore, loadAverage(), rows, profile);
        System.out.println("Wrote " + out + " and " + png);
        return 0;
    }

    private Row kafkaPhase(PipelineMetrics metrics, CpuSampler cpu, BenchLoad load, int rate, TransactionEvent[] carry)
            throws InterruptedException {
        int backlog = load.awaitNoBacklog(Duration.ofSeconds(120));
        System.out.printf("Kafka: %,d events/s for %s%s...%n", rate, duration, backlog == 0 ? "" : " (backlog at start: " + backlog + ")");
        BenchLoad.Phase p = new BenchLoad.Phase(rate + "/s");
        var stagesBefore = metrics.stageTotals();
        CpuSampler.Snapshot c0 = cpu.take();
        load.runFixedRate(p, rate, duration, carry);
        CpuSampler.Snapshot c1 = cpu.take();
        boolean drained = load.awaitDrained(p, Duration.ofSeconds(60));
        var stagesAfter = metrics.stageTotals();
        double secs = (Math.max(p.lastDecidedNanos, p.firstSentNanos + duration.toNanos()) - p.firstSentNanos) / 1e9;
        String phase = (drained ? "fixed rate" : "fixed rate, not drained in 60 s") + (backlog == 0 ? "" : String.format(", %,d earlier events still queued at start", backlog));
        Row r = new Row("Kafka", phase, rate, p.sent.get(),
                p.decided.get(), p.decided.get() / secs, p.latencyMicros.copy(), CpuSampler.cores(c0, c1),
                perEvent(stagesBefore, stagesAfter, p.decided.get()), eventsPerBatch(stagesBefore, stagesAfter, p.decided.get()), Map.of());
        printRow(r);
        return r;
    }

    private Row maxPhase(PipelineMetrics metrics, CpuSampler cpu, BenchLoad load, TransactionEvent[] carry) throws InterruptedException {
        int backlog = load.awaitNoBacklog(Duration.ofSeconds(120));
        System.out.printf("Kafka: as fast as it goes for %s...%n", maxDuration);
        BenchLoad.Phase p = new BenchLoad.Phase("max");
        var stagesBefore = metrics.stageTotals();
        CpuSampler.Snapshot c0 = cpu.take();
        Duration ramp = Duration.ofSeconds(Math.min(5, maxDuration.toSeconds() / 3));
        double throughput = load.runMaximum(p, maxDuration, ramp, 40_000, carry);
        CpuSampler.Snapshot c1 = cpu.take();
        load.awaitDrained(p, Duration.ofSeconds(60));
        var stagesAfter = metrics.stageTotals();
        Row r = new Row("Kafka", "maximum sustained (decisions/s after a " + ramp.toSeconds() + " s ramp; latency is queueing)"
                + (backlog == 0 ? "" : String.format(", %,d earlier events queued at start", backlog)), 0, p.sent.get(), p.decided.get(), throughput, p.latencyMicros.copy(),
                CpuSampler.cores(c0, c1), perEvent(stagesBefore, stagesAfter, p.decided.get()),
                eventsPerBatch(stagesBefore, stagesAfter, p.decided.get()), Map.of());
        printRow(r);
        return r;
    }

    private List<Row> httpPhases(PipelineMetrics metrics, CpuSampler cpu, EventCodec codec, Simulator simulator, int port, String apiKey)
            throws Exception {
        // The rail's side: one event loop and a pool of kept-alive connections, the way a payment
        // gateway's client works. (The JDK's HttpClient, used before, started a thread for every answer
        // on this 2-core machine, whose common fork-join pool has parallelism 1, and that cost was
        // counted against Vigil's cores.)
        Vertx clientLoop = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        try {
            // Named so that its CPU is counted as the load generator's, not as Vigil's vert.x server.
            java.util.concurrent.CompletableFuture<Void> named = new java.util.concurrent.CompletableFuture<>();
            clientLoop.runOnContext(v -> {
                Thread.currentThread().setName("bench-http-client");
                named.complete(null);
            });
            named.get(10, TimeUnit.SECONDS);
            HttpClient http = clientLoop.createHttpClient(new HttpClientOptions().setMaxPoolSize(HTTP_CONNECTIONS)
                    .setKeepAlive(true).setConnectTimeout(2_000));
            if (!httpWarmUp.isZero()) {
                // The HTTP server, the batcher and the single-event paths are code the Kafka phases did
                // not run: without a warm-up the first HTTP phase would measure the JIT compiling them.
                int rate = httpRates.stream().max(Integer::compare).orElseThrow();
                System.out.printf("HTTP warm-up: %,d requests/s for %s (not reported)%n", rate, httpWarmUp);
                httpPhase(metrics, cpu, codec, simulator, http, port, rate, httpWarmUp, apiKey);
            }
            List<Row> rows = new ArrayList<>();
            for (int rate : httpRates) rows.add(httpPhase(metrics, cpu, codec, simulator, http, port, rate, httpDuration, apiKey));
            return rows;
        } finally {
            clientLoop.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private Row httpPhase(PipelineMetrics metrics, CpuSampler cpu, EventCodec codec, Simulator simulator, HttpClient http, int port,
                          int rate, Duration length, String apiKey) throws InterruptedException {
        System.out.printf("HTTP: %,d requests/s for %s...%n", rate, length);
        Histogram latency = new ConcurrentHistogram(3);
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        AtomicLong inFlight = new AtomicLong();
        java.util.concurrent.Semaphore connections = new java.util.concurrent.Semaphore(HTTP_CONNECTIONS);
        AtomicLong done = new AtomicLong();
        var stagesBefore = metrics.stageTotals();
        CpuSampler.Snapshot c0 = cpu.take();
        long start = System.nanoTime();
        long end = start + length.toNanos();
        double interval = 1e9 / rate;
        long i = 0;
        long lastDone = start;
        AtomicLong lastDoneAt = new AtomicLong(start);
        while (System.nanoTime() < end) {
            long dueCount = (long) ((System.nanoTime() - start) / interval) + 1;
            while (i < dueCount) {
                long dueAt = start + (long) (i * interval);
                i++;
                TransactionEvent tx = nextTransaction(simulator);
                // A rail has a bounded connection pool too: a late answer delays the next send, and the
                // latency, counted from the due time, shows it.
                connections.acquire();
                inFlight.incrementAndGet();
                byte[] body = codec.write(tx);
                http.request(requestTo(port))
                        .compose(req -> req.putHeader("Content-Type", "application/json")
                                .putHeader("Authorization", "Bearer " + apiKey)
                                .putHeader("X-Request-Id", "bench-" + tx.transactionId())
                                .send(Buffer.buffer(body)))
                        .compose(resp -> resp.body().map(ignored -> resp.statusCode()))
                        .onComplete(answer -> {
                            long now = System.nanoTime();
                            latency.recordValue(Math.max(1, (now - dueAt) / 1000));
                            statuses.merge(answer.failed() ? -1 : answer.result(), 1L, Long::sum);
                            inFlight.decrementAndGet();
                            connections.release();
                            done.incrementAndGet();
                            lastDoneAt.accumulateAndGet(now, Math::max);
                        });
            }
            LockSupport.parkNanos(300_000);
        }
        CpuSampler.Snapshot c1 = cpu.take();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        var stagesAfter = metrics.stageTotals();
        lastDone = Math.max(lastDoneAt.get(), end);
        long ok = statuses.getOrDefault(200, 0L);
        Row r = new Row("HTTP", "fixed rate", rate, i, ok, ok / ((lastDone - start) / 1e9), latency.copy(),
                CpuSampler.cores(c0, c1), perEvent(stagesBefore, stagesAfter, ok), eventsPerBatch(stagesBefore, stagesAfter, ok),
                new HashMap<>(statuses));
        printRow(r);
        return r;
    }

    private static RequestOptions requestTo(int port) {
        return new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                .setURI("/v1/decisions").setIdleTimeout(30_000);
    }

    private static TransactionEvent nextTransaction(Simulator simulator) {
        while (true) {
            // Account events seen here were already opened during the Kafka phases or are updates: skipped on HTTP.
            if (simulator.next() instanceof dev.vigil.simulate.SimulatedEvent.Transaction t) return t.event();
        }
    }

    private static Map<String, Double> perEvent(Map<String, PipelineMetrics.StageTotal> before,
                                                Map<String, PipelineMetrics.StageTotal> after, long events) {
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        if (events == 0) return out;
        after.forEach((stage, t) -> {
            PipelineMetrics.StageTotal b = before.getOrDefault(stage, new PipelineMetrics.StageTotal(0, 0));
            long nanos = t.totalNanos() - b.totalNanos();
            if (t.batches() > b.batches()) out.put(stage, nanos / 1000.0 / events);
        });
        return out;
    }

    private static double eventsPerBatch(Map<String, PipelineMetrics.StageTotal> before,
                                         Map<String, PipelineMetrics.StageTotal> after, long events) {
        PipelineMetrics.StageTotal a = after.get("decide");
        if (a == null) return 0;
        long batches = a.batches() - before.getOrDefault("decide", new PipelineMetrics.StageTotal(0, 0)).batches();
        return batches == 0 ? 0 : (double) events / batches;
    }

    private static void printRow(Row r) {
        Histogram h = r.latency();
        System.out.printf("  %s %s: %,d sent, %,d decided, %,.0f/s; p50 %.1f ms p99 %.1f ms p99.9 %.1f ms max %.1f ms; CPU %.2f cores%n",
                r.path(), r.phase(), r.sent(), r.decided(), r.throughput(), h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0,
                CpuSampler.total(r.cores()));
    }

    /** Scratch data directory; free ports unless the environment names them (VIGIL_HTTP_PORT...). */
    private static Map<String, String> overrides(Path data) {
        Map<String, String> o = new HashMap<>();
        o.put("vigil.data-dir", data.toString());
        for (String key : List.of("vigil.http.port", "vigil.kafka.embedded-port", "vigil.redis.port", "vigil.postgres.embedded-port")) {
            if (System.getenv(Settings.envName(key)) == null && System.getProperty(key) == null) {
                o.put(key, String.valueOf(FreePort.orFree(0)));
            }
        }
        o.put("vigil.kafka.embedded", "true");
        // A Redis Cluster named by the environment (VIGIL_REDIS_CLUSTER_NODES or -Dvigil.redis.cluster-nodes) is measured as is.
        String clusterKey = "vigil.redis.cluster-nodes";
        boolean cluster = !System.getProperty(clusterKey, System.getenv().getOrDefault(Settings.envName(clusterKey), "")).isBlank();
        o.put("vigil.redis.embedded", cluster ? "false" : "true");
        o.put("vigil.postgres.embedded", "true");
        return o;
    }

    private List<String> argsForReport() {
        List<String> a = new ArrayList<>();
        a.add("--rates " + rateList(rates));
        a.add("--duration " + duration.toSeconds() + "s");
        a.add("--warm-up " + warmUp.toSeconds() + "s --warm-up-rate " + warmUpRate);
        a.add("--max-duration " + maxDuration.toSeconds() + "s");
        a.add("--http-rates " + rateList(httpRates));
        a.add("--http-duration " + httpDuration.toSeconds() + "s --http-warm-up " + httpWarmUp.toSeconds() + "s");
        a.add("--accounts " + accounts);
        return a;
    }

    private static String rateList(List<Integer> rates) {
        return rates.isEmpty() ? "none" : String.join(",", rates.stream().map(String::valueOf).toList());
    }

    private static void awaitCommitted(Admin admin, String group, String topic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            long lag = 0;
            for (var e : admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                lag += e.getValue().offset() - (c == null ? 0 : c.offset());
            }
            if (lag == 0) return;
            Thread.sleep(200);
        }
        throw new IllegalStateException(topic + " was not consumed within " + timeout);
    }

    private static Set<Long> postmasterPid(Path pgData) {
        Set<Long> out = new HashSet<>();
        try {
            out.add(Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).trim()));
        } catch (IOException | RuntimeException e) {
            // not started yet or not embedded: the JVM's descendants are all there is
        }
        return out;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
