package dev.vigil.route;

import dev.vigil.decision.Decision;
import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.event.RejectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the pipeline has done: Prometheus meters for {@code GET /metrics}, and live figures (counts
 * by verdict, top rules, mean stage times) for the demo's status line.
 */
public final class PipelineMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Verdict, Counter> decisions = new EnumMap<>(Verdict.class);
    private final Map<Verdict, LongAdder> decisionCounts = new EnumMap<>(Verdict.class);
    private final Map<String, LongAdder> ruleCounts = new ConcurrentHashMap<>();
    private final Map<String, Timer> stageTimers = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final LongAdder rejectionCount = new LongAdder();
    private final LongAdder duplicateCount = new LongAdder();
    private final LongAdder shedCount = new LongAdder();
    private final Timer decisionLatency;
    private final Timer batchLatency;

    public PipelineMetrics() {
        for (Verdict v : Verdict.values()) {
            decisions.put(v, Counter.builder("vigil.decisions").description("Decisions made, by verdict")
                    .tag("verdict", v.name()).register(registry));
            decisionCounts.put(v, new LongAdder());
        }
        // Both outcomes exist from the start, so a dashboard or alert sees 0 rather than no series.
        for (String outcome : new String[] {"applied", "refused"}) {
            Counter.builder("vigil.rules.reload").description("Rules reloads, by outcome: applied, or refused (the running rules stayed)")
                    .tag("outcome", outcome).register(registry);
        }
        decisionLatency = Timer.builder("vigil.decision.latency")
                .description("Time to decide one event: features, score and rules")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(5)).register(registry);
        batchLatency = Timer.builder("vigil.batch.latency")
                .description("Time from a batch's arrival to its audit commit and publication, by channel")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    }

    public void recordEvents(String channel, int count) {
        registry.counter("vigil.events", "channel", channel).increment(count);
    }

    /** Events taken in so far on a channel ({@code kafka} or {@code http}). */
    public long events(String channel) {
        Counter c = registry.find("vigil.events").tag("channel", channel).counter();
        return c == null ? 0 : (long) c.count();
    }

    public void recordDecision(Decision d) {
        decisions.get(d.verdict()).increment();
        decisionCounts.get(d.verdict()).increment();
        decisionLatency.record(d.latencyMicros(), TimeUnit.MICROSECONDS);
        for (Hit h : d.hits()) {
            registry.counter("vigil.rule.hits", "rule", h.ruleId()).increment();
            ruleCounts.computeIfAbsent(h.ruleId(), k -> new LongAdder()).increment();
        }
    }

    public void recordRejection(RejectReason reason, String channel) {
        registry.counter("vigil.rejections", "reason", reason.name(), "channel", channel).increment();
        rejectionCount.increment();
    }

    public void recordDuplicate() {
        registry.counter("vigil.duplicates").increment();
        duplicateCount.increment();
    }

    /** Time of one batch from its arrival to its offsets' commit (Kafka) or its answer (HTTP). */
    public void recordBatch(long nanos) {
        batchLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Time one stage spent on one batch (decide, audit, publish, commit). */
    public void recordStage(String stage, long nanos) {
        stageTimers.computeIfAbsent(stage, k -> Timer.builder("vigil.stage.latency")
                .description("Time a pipeline stage spends on one batch").tag("stage", k)
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Mean milliseconds per batch for each stage so far, in the order stages first ran. */
    public Map<String, Double> meanStageMillis() {
        Map<String, Double> out = new LinkedHashMap<>();
        stageTimers.forEach((k, t) -> out.put(k, t.mean(TimeUnit.NANOSECONDS) / 1e6));
        return out;
    }

    /** How many batches a stage has handled and the time it spent on them, since the start. */
    public record StageTotal(long batches, long totalNanos) {}

    /** Every stage's batch count and total time so far; a benchmark subtracts two of these to get one phase. */
    public Map<String, StageTotal> stageTotals() {
        Map<String, StageTotal> out = new LinkedHashMap<>();
        stageTimers.forEach((k, t) -> out.put(k, new StageTotal(t.count(), (long) t.totalTime(TimeUnit.NANOSECONDS))));
        return out;
    }

    /**
     * One rules reload: {@code vigil.rules.reload{outcome=applied|refused}}.
     *
     * @param outcome the lower-case outcome, {@code applied} or {@code refused}
     */
    public void recordRuleReload(String outcome) {
        Counter.builder("vigil.rules.reload").tag("outcome", outcome).register(registry).increment();
    }

    /** Rules reloads so far with this outcome ({@code applied} or {@code refused}). */
    public long ruleReloads(String outcome) {
        Counter c = registry.find("vigil.rules.reload").tag("outcome", outcome).counter();
        return c == null ? 0 : (long) c.count();
    }

    /** An HTTP request refused because too much work was waiting ({@code vigil_http_shed_total}). */
    public void recordShed() {
        registry.counter("vigil.http.shed").increment();
        shedCount.increment();
    }

    public long shed() {
        return shedCount.sum();
    }

    public void recordFailure(String stage) {
        registry.counter("vigil.stage.failures", "stage", stage).increment();
    }

    /** Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public long decisions(Verdict v) {
        return decisionCounts.get(v).sum();
    }

    public long totalDecisions() {
        long n = 0;
        for (LongAdder a : decisionCounts.values()) n += a.sum();
        return n;
    }

    public long rejections() {
        return rejectionCount.sum();
    }

    public long duplicates() {
        return duplicateCount.sum();
    }

    /** The n rules that fired most often, most first. */
    public Map<String, Long> topRules(int n) {
        Map<String, Long> out = new LinkedHashMap<>();
        ruleCounts.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
                .limit(n)
                .forEach(e -> out.put(e.getKey(), e.getValue().sum()));
        return out;
    }
}
