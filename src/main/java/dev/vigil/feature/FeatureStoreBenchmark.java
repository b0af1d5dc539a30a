package dev.vigil.feature;

import dev.vigil.event.GeoLocation;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.infra.EmbeddedRedisCluster;
import dev.vigil.infra.EmbeddedRedisServer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Measures the Redis feature store on this machine against a fresh embedded Redis: events per
 * second in pipelined micro-batches of 500, the latency of single events (p50, p99), Redis's own
 * CPU per event and the calling thread's CPU per event (where the features are computed), Redis's time by command
 * ({@code INFO commandstats}), and the memory an active account costs. A benchmark, not a test: it asserts
 * nothing and prints a report.
 *
 * <pre>
 * mvn -q -B -o compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:$(cat target/cp.txt) dev.vigil.feature.FeatureStoreBenchmark [events] [accounts]
 * </pre>
 *
 * {@code -Dcluster=N} runs the batches, single events and two stores on an embedded Redis Cluster of N masters instead.
 * {@code -DstateCacheEntries=N} sets the store's state cache (default as in production: none);
 * {@code -DcacheHeap=true} also reports the heap the cache holds after the batches (full GCs, outside the timings).
 * {@code -DjitWarmup=N} (default 200 000; 0 for none) feeds N events of the same workload first, then empties Redis, so
 * the JIT's compiling (most of a core for several seconds) is over before the measured batches (single Redis only).
 *
 * <p>Then two writers at once, each with its own accounts but the same merchants and IPs: two threads of one store
 * (two consumer threads of one Vigil, whose batches take turns: read, compute, write), then two stores (two Vigil
 * instances), computing a batch again after a conflict and then merging the shared states instead
 * ({@code mergeSharedStates}), then both again with two threads a store: events per second and how many conflicts
 * the batches met. On a cluster, two stores computing again only.
 *
 * <p>The workload: each event names an account (and its customer), one of the account's two devices,
 * one of 5 000 IPs, one of 2 000 merchants; half carry a place, a fifth are transfers with a
 * counterparty; event time advances 20 ms an event.
 */
public final class FeatureStoreBenchmark {

    private static final Instant T0 = Instant.parse("2025-03-03T00:00:00Z");
    private static final Currency EUR = Currency.getInstance("EUR");
    private static final int BATCH = 500;
    private static final TransactionType[] TYPES = {TransactionType.PURCHASE, TransactionType.PURCHASE,
        TransactionType.PURCHASE, TransactionType.TRANSFER_OUT, TransactionType.TRANSFER_IN,
        TransactionType.BALANCE_DEPOSIT, TransactionType.CASH_DEPOSIT};

    private FeatureStoreBenchmark() {}

    public static void main(String[] args) throws IOException {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int accounts = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int masters = Integer.getInteger("cluster", 0);
        if (masters > 0) runOnCluster(events, accounts, masters, System.out);
        else run(events, accounts, System.out);
    }

    /**
     * The same batches and single events on an embedded Redis Cluster of {@code masters} masters (the store's
     * three-phase write across slots), then two stores at once: events per second, Redis's CPU per event summed over
     * the masters (and each master's share), the calling thread's CPU per event.
     */
    public static void runOnCluster(int events, int accounts, int masters, PrintStream out) throws IOException {
        Path dir = Files.createTempDirectory("vigil-feature-bench-cluster");
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir, masters);
                RedisFeatureStore store = RedisFeatureStore.cluster(cluster.nodeSet(), patient())) {
            List<RedisClient> raws = new ArrayList<>();
            for (HostAndPort node : cluster.nodes()) {
                RedisClient raw = RedisClient.create(node.getHost(), node.getPort());
                raw.configSet("appendonly", "no");
                raws.add(raw);
            }
            try {
                out.printf(Locale.ROOT, "Redis feature store benchmark on a Redis Cluster of %d masters: %d features, Redis %s, %d accounts%n",
                        masters, Features.NAMES.size(), info(raws.get(0), "server", "redis_version"), accounts);
                Workload w = new Workload(accounts, 1);
                feed(store, w, 20_000); // warm-up
                for (RedisClient raw : raws) raw.sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
                long netIn0 = Long.parseLong(info(raws.get(0), "stats", "total_net_input_bytes"));
                long netOut0 = Long.parseLong(info(raws.get(0), "stats", "total_net_output_bytes"));
                double[] cpu0 = raws.stream().mapToDouble(FeatureStoreBenchmark::cpuSeconds).toArray();
                Batches b = Batches.measure(store, w, events);
                StringBuilder shares = new StringBuilder();
                double redisCpu = 0;
                for (int i = 0; i < raws.size(); i++) {
                    double c = cpuSeconds(raws.get(i)) - cpu0[i];
                    redisCpu += c;
                    shares.append(String.format(Locale.ROOT, "%s%.1f", i == 0 ? "" : " / ", c * 1e6 / events));
                }
                out.printf(Locale.ROOT, "batches of %d: %d events in %.2f s = %.0f events/s; Redis CPU %.1f us/event (by master: %s);"
                                + " Vigil (this thread) CPU %.1f us/event (median batch %.1f), allocating %.1f KB/event%n",
                        BATCH, events, b.seconds(), events / b.seconds(), redisCpu * 1e6 / events, shares, b.javaCpuSeconds() * 1e6 / events,
                        b.batchCpuNanos()[b.batchCpuNanos().length / 2] / 1e3 / BATCH, b.allocated() / 1024.0 / events);
                out.printf(Locale.ROOT, "  the first master's share (of every event):%n");
                printCommandStats(raws.get(0), events, cpuSeconds(raws.get(0)) - cpu0[0],
                        Long.parseLong(info(raws.get(0), "stats", "total_net_input_bytes")) - netIn0,
                        Long.parseLong(info(raws.get(0), "stats", "total_net_output_bytes")) - netOut0, out);
                singleEvents(store, w, events, out);
                try (RedisFeatureStore second = RedisFeatureStore.cluster(cluster.nodeSet(), patient())) {
                    writers(out, () -> raws.stream().mapToDouble(FeatureStoreBenchmark::cpuSeconds).sum(), "two stores", List.of(store, second),
                            accounts, events, w.clock, 20);
                }
            } finally {
                raws.forEach(RedisClient::close);
            }
        } finally {
            delete(dir);
        }
    }

    /** Runs every measurement and prints the report to {@code out}. */
    public static void run(int events, int accounts, PrintStream out) throws IOException {
        Path dir = Files.createTempDirectory("vigil-feature-bench");
        try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(dir, 0);
                RedisClient raw = RedisClient.create(redis.host(), redis.port());
                RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port(), patient())) {
            raw.configSet("appendonly", "no");
            raw.configSet("save", "");
            out.printf(Locale.ROOT, "Redis feature store benchmark: %d features, embedded Redis %s, %d accounts%n",
                    Features.NAMES.size(), info(raw, "server", "redis_version"), accounts);
            // The JIT compiles this code for several seconds, taking most of a core (C2's threads in /proc, 2026-11-25):
            // measured then, one thread's batches would share the two cores with it. So run the same workload first
            // and empty Redis, then start the measured workload afresh: the same states as without it, a JIT at rest.
            int jitWarmup = Integer.getInteger("jitWarmup", 200_000);
            if (jitWarmup > 0) {
                feed(store, new Workload(accounts, 1), jitWarmup);
                raw.flushAll();
            }
            Workload w = new Workload(accounts, 1);

            feed(store, w, 20_000); // warm-up: script loaded, states populated (and the JIT, with -DjitWarmup=0)
            raw.sendCommand(Protocol.Command.CONFIG, "RESETSTAT"); // INFO commandstats from here on counts the measured batches only
            long netIn0 = Long.parseLong(info(raw, "stats", "total_net_input_bytes"));
            long netOut0 = Long.parseLong(info(raw, "stats", "total_net_output_bytes"));
            double cpu0 = cpuSeconds(raw);
            Batches b = Batches.measure(store, w, events);
            double cpu = cpuSeconds(raw) - cpu0;
            double seconds = b.seconds();
            long[] batchCpu = b.batchCpuNanos();
            double javaCpu = b.javaCpuSeconds();
            long allocated = b.allocated();
            out.printf(Locale.ROOT, "batches of %d: %d events in %.2f s = %.0f events/s; Redis CPU %.1f us/event;"
                            + " Vigil (this thread) CPU %.1f us/event, allocating %.1f KB/event; this JVM's CPU (all its threads) %.1f us/event%n",
                    BATCH, events, seconds, events / seconds, cpu * 1e6 / events, javaCpu * 1e6 / events,
                    allocated / 1024.0 / events, b.processCpuSeconds() * 1e6 / events);
            // On a shared machine the mean moves with the neighbours' load; the median and the fastest tenth of the
            // batches' own CPU time move much less, so compare those between builds.
            out.printf(Locale.ROOT, "  Vigil CPU per event by batch of %d: median %.1f us, 10th percentile %.1f us%n", BATCH,
                    batchCpu[batchCpu.length / 2] / 1e3 / BATCH, batchCpu[batchCpu.length / 10] / 1e3 / BATCH);
            out.printf(Locale.ROOT, "  making the events (in this thread's CPU above and the JVM's below, not in the batches' median): %.1f us of CPU an event%n",
                    eventMakingMicros(accounts, events));

            if (Boolean.getBoolean("cacheHeap")) {
                // The state cache's heap: used heap after a full GC with the cache as it is, then emptied.
                int cached = store.cache().size();
                long withCache = usedHeapAfterGc();
                store.cache().clear();
                long withoutCache = usedHeapAfterGc();
                out.printf(Locale.ROOT, "state cache: %d states, about %.0f MB of heap (%.2f KB a state)%n", cached,
                        (withCache - withoutCache) / 1e6, cached == 0 ? 0.0 : (withCache - withoutCache) / 1024.0 / cached);
            }

            printCommandStats(raw, events, cpu, Long.parseLong(info(raw, "stats", "total_net_input_bytes")) - netIn0,
                    Long.parseLong(info(raw, "stats", "total_net_output_bytes")) - netOut0, out);
            singleEvents(store, w, events, out);

            // Two writers on one Redis, each with its own accounts (Kafka partitions by account) but the same
            // merchants and IPs: first two threads of one store (two consumer threads of one Vigil), whose batches
            // take turns; then two stores (two Vigil instances), whose batches meet on those states, and a batch
            // whose compare-and-set fails is read and computed again.
            Instant after = writers(out, () -> cpuSeconds(raw), "two threads of one store", List.of(store, store), accounts, events, w.clock, 10);
            try (RedisFeatureStore second = new RedisFeatureStore(redis.host(), redis.port(), patient())) {
                after = writers(out, () -> cpuSeconds(raw), "two stores", List.of(store, second), accounts, events, after, 20);
            }
            // The same with both stores merging the shared states another writer changed, instead of computing again.
            try (RedisFeatureStore first = new RedisFeatureStore(redis.host(), redis.port(), patient().withMergeSharedStates(true));
                    RedisFeatureStore second = new RedisFeatureStore(redis.host(), redis.port(), patient().withMergeSharedStates(true))) {
                after = writers(out, () -> cpuSeconds(raw), "two stores merging shared states", List.of(first, second), accounts, events, after, 30);
                // As two Vigil instances of two consumer threads each: each store fed from two threads, computing again
                // after a conflict, then merging.
                try (RedisFeatureStore third = new RedisFeatureStore(redis.host(), redis.port(), patient());
                        RedisFeatureStore fourth = new RedisFeatureStore(redis.host(), redis.port(), patient())) {
                    after = writers(out, () -> cpuSeconds(raw), "two stores of two threads", List.of(third, third, fourth, fourth),
                            accounts, events, after, 40);
                }
                writers(out, () -> cpuSeconds(raw), "two stores of two threads merging shared states", List.of(first, first, second, second),
                        accounts, events, after, 50);
            }
        } finally {
            delete(dir);
        }
        // Memory: a fresh Redis, the typical account (20 transactions over 7 days).
        dir = Files.createTempDirectory("vigil-feature-bench");
        try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(dir, 0);
                RedisClient raw = RedisClient.create(redis.host(), redis.port());
                RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port(), patient())) {
            raw.configSet("appendonly", "no");
            raw.configSet("save", "");
            int memAccounts = Math.min(accounts, 5_000);
            long before = usedMemory(raw);
            Workload m = new Workload(memAccounts, 2);
            long perAccount = 20;
            List<TransactionEvent> batch = new ArrayList<>(BATCH);
            for (int round = 0; round < perAccount; round++) {
                for (int a = 0; a < memAccounts; a++) {
                    batch.add(m.forAccount(a, T0.plusSeconds(round * 30_240L + a % 600)));
                    if (batch.size() == BATCH) {
                        store.enrichAll(batch);
                        batch.clear();
                    }
                }
            }
            if (!batch.isEmpty()) store.enrichAll(batch);
            long after = usedMemory(raw);
            long replayKeys = deleteKeys(raw, "*:tx:*");
            long withoutReplays = usedMemory(raw);
            long indexEntries = hashEntries(raw, "{ti:*}");
            long indexKeys = deleteKeys(raw, "{ti:*}");
            long state = usedMemory(raw);
            double transactions = memAccounts * (double) perAccount;
            double total = (after - before) / (double) memAccounts;
            double stateOnly = (state - before) / (double) memAccounts;
            double replay = (after - withoutReplays) / (double) replayKeys;
            double index = (withoutReplays - state) / (double) indexEntries;
            out.printf(Locale.ROOT, "memory, %d accounts x %d transactions over 7 days (with their customers, devices,"
                            + " IPs, merchants): %.1f KB per account in all, %.1f KB of it state; %.0f B per replay record"
                            + " (%d records, %.1f per transaction), %.0f B per label index entry (%d, %.1f per transaction, in %d hashes)%n",
                    memAccounts, perAccount, total / 1024, stateOnly / 1024, replay, replayKeys, replayKeys / transactions,
                    index, indexEntries, indexEntries / transactions, indexKeys);
            out.printf(Locale.ROOT, "1 million such accounts: %.1f GB of state; per million transactions a day, plus %.1f GB"
                            + " of replay records (kept 8 days) and %.1f GB of label index (kept 39 days)%n",
                    stateOnly * 1e6 / 1e9, replay * (replayKeys / transactions) * 8e6 / 1e9,
                    index * (indexEntries / transactions) * 39e6 / 1e9);
        } finally {
            delete(dir);
        }
    }

    /**
     * Where Redis's CPU went in the measured batches ({@code INFO commandstats}, reset before them), per event: calls,
     * microseconds and microseconds per call of each command. A script's own row ({@code evalsha}) includes the time
     * of the commands it calls, which also have their rows; what no command row holds (reading requests, writing
     * replies, the event loop) is the rest of {@code INFO cpu}. Commandstats count wall time inside each command: on
     * a loaded machine they grow with preemption, so compare their shares, and take the CPU from {@code INFO cpu}.
     */
    private static void printCommandStats(RedisClient raw, int events, double cpuSeconds, long netIn, long netOut,
            PrintStream out) {
        out.printf(Locale.ROOT, "  Redis per event: %.1f us of CPU (INFO cpu), %.0f B received, %.0f B sent; by command"
                + " (evalsha includes the commands its script calls):%n", cpuSeconds * 1e6 / events,
                netIn / (double) events, netOut / (double) events);
        out.printf(Locale.ROOT, "    %-12s %9s %12s %10s %10s%n", "command", "calls", "calls/event", "us/event", "us/call");
        for (String line : raw.info("commandstats").split("\r\n")) {
            if (!line.startsWith("cmdstat_")) continue;
            // cmdstat_get:calls=1,usec=2,usec_per_call=2.00,rejected_calls=0,failed_calls=0
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            long calls = 0;
            long usec = 0;
            for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                String[] kv = field.split("=");
                if (kv[0].equals("calls")) calls = Long.parseLong(kv[1]);
                if (kv[0].equals("usec")) usec = Long.parseLong(kv[1]);
            }
            if (name.equals("config") || name.equals("info")) continue; // the benchmark's own
            out.printf(Locale.ROOT, "    %-12s %9d %12.3f %10.2f %10.2f%n", name, calls, calls / (double) events,
                    usec / (double) events, calls == 0 ? 0.0 : usec / (double) calls);
        }
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /**
     * Feeds an equal share of the events through each writer at once (a store named twice is fed from two threads),
     * from {@code from} on, and reports; returns the time of the last event.
     */
    private static Instant writers(PrintStream out, java.util.function.DoubleSupplier redisCpuSeconds, String what,
            List<RedisFeatureStore> writers, int accounts, int events, Instant from, int seed) {
        List<RedisFeatureStore> stores = writers.stream().distinct().toList();
        long conflicts0 = stores.stream().mapToLong(RedisFeatureStore::conflicts).sum();
        long merges0 = stores.stream().mapToLong(RedisFeatureStore::merges).sum();
        double cpu0 = redisCpuSeconds.getAsDouble();
        long process0 = processCpuNanos();
        List<Thread> threads = new ArrayList<>();
        List<Workload> parts = new ArrayList<>();
        int n = writers.size();
        int each = events / n;
        long start = System.nanoTime();
        for (int k = 0; k < n; k++) {
            Workload part = new Workload(accounts, seed + k, k, n, from);
            parts.add(part);
            RedisFeatureStore writer = writers.get(k);
            threads.add(new Thread(() -> feed(writer, part, each)));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double processMicros = (processCpuNanos() - process0) / 1e3;
        long conflicts = stores.stream().mapToLong(RedisFeatureStore::conflicts).sum() - conflicts0;
        long merges = stores.stream().mapToLong(RedisFeatureStore::merges).sum() - merges0;
        out.printf(Locale.ROOT, "%s, batches of %d, shared merchants and IPs: %d events in %.2f s = %.0f"
                        + " events/s; Redis CPU %.1f us/event; this JVM's CPU (all its threads, the events' making too) %.1f us/event;"
                        + " %d conflicts in %d batches: %d computed again, %d merged%n",
                what, BATCH, n * each, seconds, n * each / seconds, (redisCpuSeconds.getAsDouble() - cpu0) * 1e6 / (n * each),
                processMicros / (n * each), conflicts, n * ((each + BATCH - 1) / BATCH), conflicts - merges, merges);
        return parts.stream().map(p -> p.clock).max(Comparator.naturalOrder()).orElseThrow();
    }

    /** The calling thread's CPU per event for making the benchmark's events alone (a workload of its own). */
    private static double eventMakingMicros(int accounts, int events) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Workload w = new Workload(accounts, 99);
        long c0 = threads.getCurrentThreadCpuTime();
        long sink = 0;
        for (int i = 0; i < events; i++) sink += w.next().transactionId().length();
        if (sink == 0) throw new IllegalStateException("no events made");
        return (threads.getCurrentThreadCpuTime() - c0) / 1e3 / events;
    }

    /** CPU time this JVM has used so far, all threads (the JIT and the garbage collector too); -1 where it cannot tell. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /**
     * The measured batches: wall time, the calling thread's CPU (in all and by batch, sorted), this JVM's CPU (all its
     * threads: the garbage collector's and the JIT's too, as the writer lines count it) and bytes allocated.
     */
    private record Batches(double seconds, double javaCpuSeconds, double processCpuSeconds, long allocated, long[] batchCpuNanos) {
        static Batches measure(RedisFeatureStore store, Workload w, int events) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long process0 = processCpuNanos();
            long javaCpu0 = threads.getCurrentThreadCpuTime();
            long allocated0 = FeatureStoreBenchmark.allocatedBytes(threads);
            long start = System.nanoTime();
            long[] batchCpu = feed(store, w, events);
            double seconds = (System.nanoTime() - start) / 1e9;
            double javaCpu = (threads.getCurrentThreadCpuTime() - javaCpu0) / 1e9;
            double processCpu = (processCpuNanos() - process0) / 1e9;
            Arrays.sort(batchCpu);
            return new Batches(seconds, javaCpu, processCpu, FeatureStoreBenchmark.allocatedBytes(threads) - allocated0, batchCpu);
        }
    }

    /** Up to 5 000 events enriched one at a time: their latency percentiles. */
    private static void singleEvents(RedisFeatureStore store, Workload w, int events, PrintStream out) {
        Histogram h = new Histogram(60_000_000_000L, 3);
        int singles = Math.min(events, 5_000);
        for (int i = 0; i < singles; i++) {
            TransactionEvent e = w.next();
            long s = System.nanoTime();
            store.enrich(e);
            h.recordValue(System.nanoTime() - s);
        }
        out.printf(Locale.ROOT, "single events (%d): p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us%n",
                singles, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
    }

    /** Bytes the calling thread has allocated so far (HotSpot's ThreadMXBean); -1 where the JVM cannot tell. */
    private static long allocatedBytes(ThreadMXBean threads) {
        return threads instanceof com.sun.management.ThreadMXBean hotspot
                ? hotspot.getThreadAllocatedBytes(Thread.currentThread().getId()) : -1;
    }

    /** Generous timeouts: on a loaded machine a batch of 500 can take longer than the default 2 s. */
    private static RedisFeatureStore.Options patient() {
        RedisFeatureStore.Options d = RedisFeatureStore.Options.defaults();
        RedisFeatureStore.Options o = new RedisFeatureStore.Options(d.allowedLateness(), d.windowGrace(),
                d.historyRetention(), d.replayRetention(), java.time.Duration.ofSeconds(60));
        String cache = System.getProperty("stateCacheEntries");
        return cache == null ? o : o.withStateCacheEntries(Integer.parseInt(cache));
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Feeds the events in batches; returns the calling thread's CPU nanoseconds of each full batch. */
    private static long[] feed(RedisFeatureStore store, Workload w, int events) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] cpu = new long[events / BATCH];
        List<TransactionEvent> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < events; i++) {
            batch.add(w.next());
            if (batch.size() == BATCH) {
                long c0 = threads.getCurrentThreadCpuTime();
                store.enrichAll(batch);
                cpu[i / BATCH] = threads.getCurrentThreadCpuTime() - c0;
                batch.clear();
            }
        }
        if (!batch.isEmpty()) store.enrichAll(batch);
        return cpu;
    }

    /** Deletes the keys matching {@code pattern}; returns how many. Also {@code FeatureStoreMemoryProbe}'s. */
    static long deleteKeys(RedisClient raw, String pattern) {
        long n = sumOverKeys(raw, pattern, page -> page.isEmpty() ? 0 : raw.del(page.toArray(String[]::new)));
        raw.sendCommand(Protocol.Command.MEMORY, "PURGE");
        return n;
    }

    /** The entries of every hash whose key matches the pattern. */
    static long hashEntries(RedisClient raw, String pattern) {
        return sumOverKeys(raw, pattern, page -> page.stream().mapToLong(raw::hlen).sum());
    }

    /** Scans the keys matching the pattern a page at a time; returns the sum of what {@code each} returned per page. */
    private static long sumOverKeys(RedisClient raw, String pattern, java.util.function.ToLongFunction<List<String>> each) {
        long n = 0;
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = raw.scan(cursor, new ScanParams().match(pattern).count(1000));
            n += each.applyAsLong(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return n;
    }

    private static long usedMemory(RedisClient raw) {
        return Long.parseLong(info(raw, "memory", "used_memory"));
    }

    /** Redis's own CPU so far, user + system seconds ({@code INFO cpu}). Also the probes'. */
    static double cpuSeconds(RedisClient raw) {
        return Double.parseDouble(info(raw, "cpu", "used_cpu_user")) + Double.parseDouble(info(raw, "cpu", "used_cpu_sys"));
    }

    private static String info(RedisClient raw, String section, String field) {
        for (String line : raw.info(section).split("\r\n")) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        }
        throw new IllegalStateException("INFO " + section + " has no " + field);
    }

    /** Generates the events; deterministic for a seed. */
    private static final class Workload {
        private final int accounts;
        private final Random random;
        private final int partition;
        private final int partitions;
        private final String prefix;
        private long seq;
        private Instant clock;

        Workload(int accounts, long seed) {
            this(accounts, seed, 0, 1, T0);
        }

        /** Only the accounts a with a % partitions == partition, from the given event time on. */
        Workload(int accounts, long seed, int partition, int partitions, Instant from) {
            this.accounts = accounts;
            this.random = new Random(seed);
            this.partition = partition;
            this.partitions = partitions;
            this.prefix = "bench-" + seed + "-";
            this.clock = from;
        }

        TransactionEvent next() {
            clock = clock.plusMillis(20);
            return forAccount(random.nextInt(accounts / partitions) * partitions + partition, clock);
        }

        TransactionEvent forAccount(int a, Instant at) {
            TransactionType type = TYPES[random.nextInt(TYPES.length)];
            boolean transfer = type == TransactionType.TRANSFER_IN || type == TransactionType.TRANSFER_OUT;
            GeoLocation geo = random.nextBoolean()
                    ? new GeoLocation(48 + random.nextInt(1000) / 1000.0, 2 + random.nextInt(1000) / 1000.0, "FR") : null;
            BigDecimal amount = BigDecimal.valueOf(100 + random.nextInt(100_000), 2);
            return new TransactionEvent(prefix + seq++, at, "acct-" + a, "cust-" + a, type, amount, EUR,
                    transfer ? "cp-" + random.nextInt(50_000) : null,
                    type == TransactionType.PURCHASE ? "m-" + random.nextInt(2_000) : null, "5411", "web", "card",
                    Boolean.FALSE, "dev-" + a + "-" + random.nextInt(2), "10." + random.nextInt(5_000), geo);
        }
    }
}
