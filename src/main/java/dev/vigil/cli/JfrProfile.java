package dev.vigil.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording of the JVM while the benchmark runs, summarised as the share of CPU samples in
 * each pipeline stage. A sample is put in the stage of the innermost Vigil frame on its stack (a
 * PostgreSQL driver frame called from the audit store counts as audit), else by library or thread.
 */
final class JfrProfile implements AutoCloseable {
    private final Recording recording;
    private final Path file;

    private JfrProfile(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    static JfrProfile start(Path file) {
        try {
            Recording r = new Recording(Configuration.getConfiguration("profile"));
            r.setToDisk(true);
            r.setDestination(file);
            r.start();
            return new JfrProfile(r, file);
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("JFR could not start: " + e.getMessage(), e);
        }
    }

    /** CPU samples and sampled allocation bytes per stage, most first. */
    record Summary(Map<String, Long> cpuSamples, Map<String, Long> allocatedBytes) {
        boolean isEmpty() {
            return cpuSamples.isEmpty();
        }
    }

    /**
     * Stops the recording and sums per stage the samples taken from {@code from} on. The recording
     * starts before the warm-up, because starting JFR makes the JVM throw away its compiled code: the
     * JIT then recompiles for minutes, which must not fall into the measured phases.
     */
    Summary stopAndSummarise(java.time.Instant from) throws IOException {
        recording.stop();
        recording.close();
        Map<String, Long> counts = new TreeMap<>();
        Map<String, Long> bytes = new TreeMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getStartTime().isBefore(from)) continue;
            String type = e.getEventType().getName();
            if (type.equals("jdk.ObjectAllocationSample") && e.getStackTrace() != null) {
                RecordedThread t = e.getThread("eventThread");
                String thread = t == null || t.getJavaName() == null ? "" : t.getJavaName();
                bytes.merge(stage(e.getStackTrace().getFrames(), thread), e.getLong("weight"), Long::sum);
                continue;
            }
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) continue;
            RecordedStackTrace st = e.getStackTrace();
            if (st == null) continue;
            RecordedThread t = e.getThread("sampledThread");
            String thread = t == null || t.getJavaName() == null ? "" : t.getJavaName();
            // Native samples are threads parked in native code (socket reads, waits) unless in XGBoost.
            if (type.equals("jdk.NativeMethodSample") && !inXgboost(st.getFrames())) continue;
            counts.merge(stage(st.getFrames(), thread), 1L, Long::sum);
        }
        return new Summary(sorted(counts), sorted(bytes));
    }

    private static Map<String, Long> sorted(Map<String, Long> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).forEach(x -> out.put(x.getKey(), x.getValue()));
        return out;
    }

    Path file() {
        return file;
    }

    private static boolean inXgboost(List<RecordedFrame> frames) {
        return !frames.isEmpty() && frames.get(0).getMethod().getType().getName().startsWith("ml.dmlc");
    }

    static String stage(List<RecordedFrame> frames, String thread) {
        if (CpuSampler.group(thread).startsWith("bench")) return "bench load generator (not Vigil)";
        for (RecordedFrame f : frames) {
            if (f.getMethod() == null) continue;
            String c = f.getMethod().getType().getName();
            if (!c.startsWith("dev.vigil.")) continue;
            String m = f.getMethod().getName();
            if (c.startsWith("dev.vigil.event.")) return "parse and validate (EventCodec)";
            if (c.startsWith("dev.vigil.feature.")) return "features (Redis feature store)";
            if (c.startsWith("dev.vigil.score.")) return "model (XGBoost)";
            if (c.startsWith("dev.vigil.rules.")) return "rules (Drools)";
            if (c.startsWith("dev.vigil.audit.")) return "audit (PostgreSQL store)";
            if (c.startsWith("dev.vigil.decision.")) return "decision core and decision JSON";
            if (c.endsWith("PublishStage")) return "Kafka publish and offsets (transaction)";
            if (c.endsWith("HttpResponder") || c.contains("Http")) return "HTTP answer";
            if (c.endsWith("PipelineMetrics")) return "metrics";
            if (c.startsWith("dev.vigil.route.")) return "pipeline plumbing (route)";
            if (c.startsWith("dev.vigil.simulate.") || c.startsWith("dev.vigil.cli.")) return "bench load generator (not Vigil)";
            return "other Vigil code (" + c.substring("dev.vigil.".length()) + "." + m + ")";
        }
        String top = frames.isEmpty() || frames.get(0).getMethod() == null ? "" : frames.get(0).getMethod().getType().getName();
        String group = CpuSampler.group(thread);
        if (group.startsWith("pipeline Kafka producers")) return "Kafka client I/O (producer threads)";
        if (group.startsWith("pipeline consumer")) return "Kafka consumer poll (Camel consumer threads)";
        if (group.startsWith("Kafka broker") || top.startsWith("kafka.") || top.startsWith("org.apache.kafka.server")
                || top.startsWith("org.apache.kafka.storage") || top.startsWith("org.apache.kafka.raft")) {
            return "Kafka broker (embedded, same JVM)";
        }
        if (group.startsWith("HTTP") || top.startsWith("io.vertx") || top.startsWith("io.netty")) return "HTTP server (vert.x)";
        if (top.startsWith("org.apache.camel")) return "Camel";
        if (top.startsWith("org.apache.logging") || top.startsWith("org.slf4j")) return "logging";
        return "other (JVM, JDK, libraries outside a Vigil call)";
    }

    @Override
    public void close() {
        recording.close();
    }
}
