package dev.vigil.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time by process and, inside this JVM, by group of threads, read from {@code /proc} and the
 * thread MXBean. The embedded Kafka broker runs in this JVM, so the JVM's threads are grouped by
 * name (broker, pipeline, HTTP, load generator) to tell them apart; Redis and PostgreSQL are
 * child processes and are read from {@code /proc/<pid>/stat}, with the CPU of their own children that ended
 * (Redis's append-only file rewrites).
 */
final class CpuSampler {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux this runs on

    /** CPU seconds by group at one moment. */
    record Snapshot(long atNanos, Map<String, Double> cpuSeconds) {}

    private final Set<Long> extraRoots;

    /** @param extraRoots pids of processes that are not this JVM's descendants (a daemonised postmaster) */
    CpuSampler(Set<Long> extraRoots) {
        this.extraRoots = extraRoots;
    }

    Snapshot take() {
        Map<String, Double> out = new TreeMap<>();
        double jvmTotal = procSeconds(ProcessHandle.current().pid());
        double threadSum = 0;
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] == null) continue;
            long nanos = THREADS.getThreadCpuTime(ids[i]);
            if (nanos < 0) continue;
            double s = nanos / 1e9;
            threadSum += s;
            out.merge("JVM: " + group(infos[i].getThreadName()), s, Double::sum);
        }
        // The JIT compiler and the garbage collector run on the JVM's own threads, which the MXBean does
        // not list; /proc names them. What is left are threads that already ended, and a few others.
        double jit = 0;
        double gc = 0;
        for (JvmThread t : jvmOwnThreads()) {
            if (isCompiler(t.name())) jit += t.cpuSeconds();
            else if (isCollector(t.name())) gc += t.cpuSeconds();
        }
        out.merge("JVM: JIT compiler", jit, Double::sum);
        out.merge("JVM: garbage collector", gc, Double::sum);
        out.merge("JVM: ended threads and other JVM threads", Math.max(0, jvmTotal - threadSum - jit - gc), Double::sum);
        Map<Long, String> children = new HashMap<>();
        ProcessHandle.current().descendants().forEach(h -> children.put(h.pid(), ""));
        for (long root : extraRoots) {
            ProcessHandle.of(root).ifPresent(h -> {
                children.put(h.pid(), "");
                h.descendants().forEach(d -> children.put(d.pid(), ""));
            });
        }
        for (long pid : children.keySet()) {
            String comm = comm(pid);
            if (comm == null) continue;
            out.merge(processGroup(comm), withEndedChildrenSeconds(pid), Double::sum);
        }
        return new Snapshot(System.nanoTime(), out);
    }

    /** Cores used by each group between two snapshots (1.0 = one core busy all the time). */
    static Map<String, Double> cores(Snapshot from, Snapshot to) {
        double wall = (to.atNanos() - from.atNanos()) / 1e9;
        Map<String, Double> out = new LinkedHashMap<>();
        to.cpuSeconds().entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - from.cpuSeconds().getOrDefault(e.getKey(), 0.0)) / wall))
                .filter(e -> e.getValue() > 0.005)
                .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    static double total(Map<String, Double> cores) {
        return cores.values().stream().collect(Collectors.summingDouble(Double::doubleValue));
    }

    static String group(String thread) {
        String t = thread.toLowerCase();
        if (t.contains("bench")) return "bench load generator and watcher";
        if (t.startsWith("camel") && t.contains("kafkaconsumer")) return "pipeline consumer threads (Camel)";
        if (t.startsWith("kafka-producer-network-thread")) return "pipeline Kafka producers (I/O)";
        if (t.startsWith("vert.x") || t.contains("eventloop") || t.contains("vigil-http")) return "HTTP server (vert.x) and HTTP batcher";
        if (t.contains("kafka") || t.contains("broker") || t.contains("raft") || t.contains("controller")
                || t.contains("data-plane") || t.contains("quorum") || t.contains("reaper") || t.contains("log")
                || t.contains("group-coordinator") || t.contains("transaction") || t.contains("metadata")) {
            return "Kafka broker (embedded)";
        }
        if (t.startsWith("camel")) return "Camel (other)";
        return "other";
    }

    private record JvmThread(String name, double cpuSeconds) {}

    /** This JVM's threads as /proc lists them, by the kernel's (15-character) name. */
    private static List<JvmThread> jvmOwnThreads() {
        List<JvmThread> threads = new ArrayList<>();
        Path tasks = Path.of("/proc/self/task");
        try (Stream<Path> ids = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) ids::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    if (isCompiler(name) || isCollector(name)) threads.add(new JvmThread(name, statSeconds(task.resolve("stat"))));
                } catch (IOException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return threads;
    }

    static boolean isCompiler(String thread) {
        return thread.startsWith("C1 CompilerThre") || thread.startsWith("C2 CompilerThre") || thread.startsWith("Sweeper thread");
    }

    static boolean isCollector(String thread) {
        return thread.startsWith("GC Thread") || thread.startsWith("G1 ") || thread.equals("VM Thread")
                || thread.startsWith("ZWorker") || thread.startsWith("ZDirector") || thread.startsWith("ZDriver")
                || thread.startsWith("ZUnmapper") || thread.startsWith("Shenandoah");
    }

    private static String processGroup(String comm) {
        if (comm.startsWith("redis")) return "Redis (redis-server)";
        if (comm.startsWith("postgres") || comm.startsWith("postmaster")) return "PostgreSQL (all its processes)";
        return "child: " + comm;
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** utime + stime of a process, in seconds; 0 when it is gone. */
    static double procSeconds(long pid) {
        return statSeconds(Path.of("/proc/" + pid + "/stat"));
    }

    /**
     * cutime + cstime of a process: the CPU of its children that ended and were waited for, in seconds; 0 when it is
     * gone. Redis rewrites its append-only file in a forked child that lives a few seconds: while it runs it is a
     * descendant of its own, and once it ends its CPU is here, in its parent's, so the group keeps counting it.
     */
    static double reapedChildrenSeconds(long pid) {
        return statFields(Path.of("/proc/" + pid + "/stat"), 13, 14);
    }

    /** utime + stime + cutime + cstime of a process, from one read of its stat file, in seconds; 0 when it is gone. */
    private static double withEndedChildrenSeconds(long pid) {
        return statFields(Path.of("/proc/" + pid + "/stat"), 11, 12, 13, 14);
    }

    /** utime + stime from a process's or a thread's stat file, in seconds; 0 when it is gone. */
    private static double statSeconds(Path statFile) {
        return statFields(statFile, 11, 12);
    }

    /** Clock-tick fields of a stat file, counted from the state (field 3), summed, in seconds; 0 when it is gone. */
    private static double statFields(Path statFile, int... fields) {
        try {
            String stat = Files.readString(statFile);
            // The command name may hold spaces and parentheses: fields are counted after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = 0;
            for (int i : fields) ticks += Long.parseLong(f[i]);
            return ticks / (double) TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
