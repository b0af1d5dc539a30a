package dev.vigil.cli;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/** Writes the benchmark's markdown report and its chart. */
final class BenchReport {
    private BenchReport() {}

    static void write(Path md, Path png, String command, String note, Instant started, String loadBefore, String loadAfter,
                      List<BenchCommand.Row> rows, JfrProfile.Summary jfr) throws IOException {
        if (md.getParent() != null) Files.createDirectories(md.getParent());
        chart(png, rows);
        StringBuilder s = new StringBuilder();
        s.append("# Benchmarks\n\n");
        s.append("Written by `vigil bench` on ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(". Rerun it with the command below;\n");
        s.append("it starts Vigil with Kafka, Redis and PostgreSQL embedded on this same machine, in a scratch data directory\n");
        s.append("and on free ports (or the ports `VIGIL_HTTP_PORT`, `VIGIL_KAFKA_EMBEDDED_PORT`, `VIGIL_REDIS_PORT`,\n");
        s.append("`VIGIL_POSTGRES_EMBEDDED_PORT` name).\n\n");
        s.append("```bash\n").append(command).append("\n```\n\n");
        s.append("## Machine\n\n");
        s.append("| | |\n|---|---|\n");
        s.append("| CPU | ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores |\n");
        s.append("| memory | ").append(memTotal()).append(" |\n");
        s.append("| OS, JVM | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(", Java ").append(System.getProperty("java.version")).append(" (").append(System.getProperty("java.vm.name"))
                .append("), max heap ").append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB |\n");
        s.append("| load average (1, 5, 15 min) | before ").append(loadBefore).append("; after ").append(loadAfter).append(" |\n");
        if (!note.isBlank()) s.append("| conditions | **").append(note).append("** |\n");
        s.append("\nThe load generator and the decision reader run in the same JVM as Vigil and the Kafka broker: their CPU is\n");
        s.append("listed apart below, but they compete with Vigil for the same cores.\n\n");

        s.append("## Results\n\n");
        s.append("Latency: from the moment an event was due to be sent (by the fixed schedule, so a late producer does not hide\n");
        s.append("delay) to the moment its decision is read from `vigil.decisions` with `isolation.level=read_committed`. Vigil\n");
        s.append("publishes a decision only after its audit row is committed in PostgreSQL, so this covers parse, features,\n");
        s.append("score, rules, audit commit and the Kafka transaction. HTTP: from due time to the response, which Vigil sends\n");
        s.append("after the audit commit and Kafka's acknowledgement. The HTTP client keeps at most " + BenchCommand.HTTP_CONNECTIONS + " requests in flight.\n\n");
        s.append("![latency against throughput](").append(png.getFileName()).append(")\n\n");
        s.append("| path | phase | target /s | sent | decided | throughput /s | p50 ms | p95 ms | p99 ms | p99.9 ms | max ms | events per batch | CPU cores (total) |\n");
        s.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (BenchCommand.Row r : rows) {
            Histogram h = r.latency();
            s.append(String.format("| %s | %s | %s | %,d | %,d | %,.0f | %s | %s | %s | %s | %s | %s | %.2f |%n", r.path(), r.phase(),
                    r.targetRate() == 0 ? "max" : String.format("%,d", r.targetRate()), r.sent(), r.decided(), r.throughput(),
                    ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(95)), ms(h.getValueAtPercentile(99)),
                    ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()),
                    String.format(r.eventsPerBatch() < 10 ? "%.1f" : "%.0f", r.eventsPerBatch()), CpuSampler.total(r.cores())));
        }
        for (BenchCommand.Row r : rows) {
            if (r.statuses().isEmpty()) continue;
            if (r.statuses().size() == 1 && r.statuses().containsKey(200)) continue;
            s.append("\nHTTP at ").append(r.targetRate()).append("/s answered: ").append(new java.util.TreeMap<>(r.statuses())).append(" (-1: no answer)\n");
        }

        s.append("\n## CPU by process\n\n");
        s.append("Cores busy during each phase's sending window (1.00 = one core all the time), from `/proc` and the JVM's\n");
        s.append("per-thread CPU time. A process's group includes its children that ended (Redis's append-only file\n");
        s.append("rewrites).\n\n");
        Set<String> groups = new LinkedHashSet<>();
        for (BenchCommand.Row r : rows) groups.addAll(r.cores().keySet());
        s.append("| process or thread group |");
        for (BenchCommand.Row r : rows) s.append(' ').append(label(r)).append(" |");
        s.append("\n|---|");
        s.append("---|".repeat(rows.size())).append('\n');
        for (String g : groups) {
            s.append("| ").append(g).append(" |");
            for (BenchCommand.Row r : rows) s.append(String.format(" %.2f |", r.cores().getOrDefault(g, 0.0)));
            s.append('\n');
        }

        s.append("\n## Where the time per event goes\n\n");
        s.append("### Pipeline stages (wall time per event)\n\n");
        s.append("From the stage timers in `PipelineMetrics`: the time each stage spent on its batches divided by the events\n");
        s.append("decided. `decide` is features (one pipelined Redis round trip a batch), the model (one call a batch) and the\n");
        s.append("rules, split into `decide: features` (the Redis round trips and the features computed from the states),\n");
        s.append("`decide: model` (the scores), `decide: rules` (Drools, one session an event) and `decide: explain` (the SHAP\n");
        s.append("contributions of the decisions that need them); `audit` the batch's rows in one PostgreSQL transaction;\n");
        s.append("`publish+offsets` the Kafka transaction with\n");
        s.append("the decisions and the consumer offsets. HTTP: `http queue` is how long a request waited for an HTTP batcher\n");
        s.append("worker (from its parse to its group being taken), `publish` the decisions sent and acknowledged. These are\n");
        s.append("wall times on the stage's thread, waits included.\n\n");
        Set<String> stages = new LinkedHashSet<>();
        for (BenchCommand.Row r : rows) stages.addAll(r.stageMicrosPerEvent().keySet());
        s.append("| phase |");
        for (String st : stages) s.append(' ').append(st).append(" µs |");
        s.append("\n|---|").append("---|".repeat(stages.size())).append('\n');
        for (BenchCommand.Row r : rows) {
            s.append("| ").append(label(r)).append(" |");
            for (String st : stages) {
                Double v = r.stageMicrosPerEvent().get(st);
                s.append(v == null ? " - |" : String.format(" %.1f |", v));
            }
            s.append('\n');
        }
        if (!jfr.isEmpty()) {
            Map<String, Long> profile = jfr.cpuSamples();
            long total = profile.values().stream().mapToLong(Long::longValue).sum();
            s.append("\n### CPU profile (JFR) over the Kafka phases\n\n");
            s.append("JFR execution samples of the whole JVM (Vigil, the embedded broker and the load generator) during the\n");
            s.append("Kafka phases, each put in the stage of the innermost Vigil frame on its stack. Redis and PostgreSQL run\n");
            s.append("in their own processes: their CPU is in the table above, not here.\n\n");
            s.append("| stage | samples | share |\n|---|---|---|\n");
            profile.forEach((k, v) -> s.append(String.format("| %s | %,d | %.1f%% |%n", k, v, 100.0 * v / total)));
            long events = rows.stream().filter(r -> r.path().equals("Kafka")).mapToLong(BenchCommand.Row::decided).sum();
            long allocated = jfr.allocatedBytes().values().stream().mapToLong(Long::longValue).sum();
            s.append(String.format("%n### Allocation (JFR) over the Kafka phases%n%n"));
            s.append(String.format("Sampled allocation, attributed the same way: %,.0f MB in all, about %,.0f KB per event decided%n",
                    allocated / 1e6, events == 0 ? 0 : allocated / 1e3 / events));
            s.append("(load generator included). What is allocated, the garbage collector must later reclaim.\n\n");
            s.append("| stage | MB | share |\n|---|---|---|\n");
            jfr.allocatedBytes().forEach((k, v) -> s.append(String.format("| %s | %,.0f | %.1f%% |%n", k, v / 1e6, 100.0 * v / Math.max(1, allocated))));
        }
        s.append("\n").append(analysis(md));
        Files.writeString(md, s.toString(), StandardCharsets.UTF_8);
    }

    static final String ANALYSIS_START = "<!-- analysis:start (kept when vigil bench rewrites this file) -->";
    static final String ANALYSIS_END = "<!-- analysis:end -->";

    /** The hand-written reading of the figures, carried over from the previous report. */
    private static String analysis(Path md) throws IOException {
        if (Files.exists(md)) {
            String old = Files.readString(md, StandardCharsets.UTF_8);
            int a = old.indexOf(ANALYSIS_START), b = old.indexOf(ANALYSIS_END);
            if (a >= 0 && b > a) return old.substring(a, b + ANALYSIS_END.length()) + "\n";
        }
        return ANALYSIS_START + "\n## Reading these figures\n\n(write the analysis here)\n" + ANALYSIS_END + "\n";
    }

    private static String label(BenchCommand.Row r) {
        if (r.targetRate() == 0) return r.path() + " max";
        return r.path() + " " + String.format("%,d", r.targetRate()) + "/s";
    }

    private static void chart(Path png, List<BenchCommand.Row> rows) throws IOException {
        List<double[]> k50 = new ArrayList<>(), k99 = new ArrayList<>(), k999 = new ArrayList<>(), h50 = new ArrayList<>(), h99 = new ArrayList<>();
        for (BenchCommand.Row r : rows) {
            Histogram h = r.latency();
            if (h.getTotalCount() == 0) continue;
            boolean http = r.path().equals("HTTP");
            (http ? h50 : k50).add(new double[] {r.throughput(), h.getValueAtPercentile(50) / 1000.0});
            (http ? h99 : k99).add(new double[] {r.throughput(), h.getValueAtPercentile(99) / 1000.0});
            if (!http) k999.add(new double[] {r.throughput(), h.getValueAtPercentile(99.9) / 1000.0});
        }
        for (List<double[]> l : List.of(k50, k99, k999, h50, h99)) l.sort((a, b) -> Double.compare(a[0], b[0]));
        LatencyChart.write(png, "Vigil: end-to-end latency against throughput", List.of(
                new LatencyChart.Series("Kafka p50", new Color(31, 119, 180), k50, false),
                new LatencyChart.Series("Kafka p99", new Color(214, 39, 40), k99, false),
                new LatencyChart.Series("Kafka p99.9", new Color(148, 103, 189), k999, false),
                new LatencyChart.Series("HTTP p50", new Color(44, 160, 44), h50, true),
                new LatencyChart.Series("HTTP p99", new Color(255, 127, 14), h99, true)));
    }

    private static String ms(long micros) {
        return String.format("%.1f", micros / 1000.0);
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException e) {
            // not Linux
        }
        return "unknown CPU";
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }
}
