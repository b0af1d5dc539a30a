package dev.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's own parts: reading ids from decisions, CPU from /proc, and the report it writes. */
class BenchReportTest {

    @Property(tries = 200)
    void shouldReadTheTransactionIdOutOfDecisionJsonAsJacksonWritesIt(
            @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 60) String id) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        json.put("decision_id", "d");
        json.put("transaction_id", id);
        json.put("verdict", "ALLOW");
        assertEquals(id, BenchLoad.transactionId(json.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldFindNoIdInJsonWithoutOne() {
        assertNull(BenchLoad.transactionId("{\"decision_id\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldReadThisProcessCpuTimeFromProc() throws Exception {
        double before = CpuSampler.procSeconds(ProcessHandle.current().pid());
        // Spin until this thread has had 0.3 s of CPU by the JVM's own count (the machine may be busy).
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        long deadline = System.nanoTime() + 30_000_000_000L;
        long x = 0;
        while (threads.getCurrentThreadCpuTime() - start < 300_000_000L && System.nanoTime() < deadline) x += x * 31 + 7;
        double after = CpuSampler.procSeconds(ProcessHandle.current().pid());
        assertTrue(after - before >= 0.25, "CPU seconds went from " + before + " to " + after + " (" + x + ")");
    }

    @Test
    void shouldGroupThreadsByWhatTheyDo() {
        assertEquals("pipeline consumer threads (Camel)", CpuSampler.group("Camel (vigil) thread #4 - KafkaConsumer[vigil.transactions]"));
        assertEquals("bench load generator and watcher", CpuSampler.group("kafka-producer-network-thread | bench-load"));
        assertEquals("pipeline Kafka producers (I/O)", CpuSampler.group("kafka-producer-network-thread | producer-3"));
        assertEquals("Kafka broker (embedded)", CpuSampler.group("data-plane-kafka-request-handler-0"));
        assertEquals("bench load generator and watcher", CpuSampler.group("bench-http-client"));
    }

    @Test
    void shouldCountTheJitCompilerAndTheCollectorApartFromEndedThreads() {
        // The kernel's names of HotSpot's own threads (15 characters at most)
        assertTrue(CpuSampler.isCompiler("C2 CompilerThre"));
        assertTrue(CpuSampler.isCompiler("C1 CompilerThre"));
        assertTrue(CpuSampler.isCollector("GC Thread#1"));
        assertTrue(CpuSampler.isCollector("G1 Conc#0"));
        assertTrue(CpuSampler.isCollector("VM Thread"));
        assertFalse(CpuSampler.isCompiler("vert.x-eventloo"));
        assertFalse(CpuSampler.isCollector("vigil-http-batc"));
        // This test JVM has compiled code by now, so its compiler threads have used CPU
        Map<String, Double> now = new CpuSampler(java.util.Set.of()).take().cpuSeconds();
        assertTrue(now.get("JVM: JIT compiler") > 0, now.toString());
        assertTrue(now.containsKey("JVM: garbage collector"), now.toString());
    }

    @Test
    void shouldWriteTheTablesAndADecodablePngAndKeepTheHandWrittenAnalysis(@TempDir Path dir) throws Exception {
        Path md = dir.resolve("benchmarks.md");
        Path png = dir.resolve("benchmarks-latency.png");
        Files.writeString(md, "old\n" + BenchReport.ANALYSIS_START + "\nmy reading of the figures\n" + BenchReport.ANALYSIS_END + "\n");
        Histogram h = new Histogram(3);
        for (int i = 1; i <= 1000; i++) h.recordValue(i * 10L); // 10 µs .. 10 ms
        List<BenchCommand.Row> rows = List.of(
                new BenchCommand.Row("Kafka", "fixed rate", 1000, 1000, 1000, 998.0, h, Map.of("Redis (redis-server)", 0.25),
                        Map.of("decide", 120.0, "audit", 80.0), 50, Map.of()),
                new BenchCommand.Row("HTTP", "fixed rate", 500, 500, 499, 499.0, h, Map.of("PostgreSQL (all its processes)", 0.5),
                        Map.of("decide", 200.0), 1, Map.of(200, 499L, 503, 1L)));
        BenchReport.write(md, png, "./vigil bench --rates 1000", "shared machine", Instant.parse("2026-11-23T07:00:00Z"),
                "1.0 1.0 1.0", "2.0 2.0 2.0", rows, new JfrProfile.Summary(Map.of("rules (Drools)", 10L), Map.of("rules (Drools)", 1_000_000L)));
        String text = Files.readString(md);
        assertTrue(text.contains("| Kafka | fixed rate | 1,000 | 1,000 | 1,000 | 998 | 5.0 |"), text);
        assertTrue(text.contains("| Redis (redis-server) | 0.25 | 0.00 |"), text);
        assertTrue(text.contains("**shared machine**"), text);
        assertTrue(text.contains("{200=499, 503=1}"), text);
        assertTrue(text.contains("my reading of the figures"), "the analysis is carried over");
        assertTrue(!text.startsWith("old"), "the rest is rewritten");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
    }
}
