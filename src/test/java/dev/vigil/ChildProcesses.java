package dev.vigil;

import dev.vigil.infra.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Processes the fault tests can kill: a JVM with this test run's class path, running Vigil or a
 * Kafka broker. Output goes to a file, so a failed run can be read afterwards.
 */
final class ChildProcesses {
    private ChildProcesses() {}

    /** Starts {@code mainClass} in a new JVM in the project directory. */
    static Process startJvm(String mainClass, List<String> args, Map<String, String> env, Path log, String heap) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Failsafe hands the full class path in this property (java.class.path may be its booter jar).
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", cp, mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * A Kafka broker (KRaft, one node) in a process of its own: {@code <data dir> <port>}. It stops on
     * SIGTERM through the shutdown hook, like a broker under a service manager.
     */
    public static final class KafkaBrokerMain {
        public static void main(String[] args) throws InterruptedException {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Path.of(args[0]), Integer.parseInt(args[1]), 3);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                broker.close();
                stopped.countDown();
            }));
            System.out.println("BROKER READY " + broker.bootstrapServers());
            stopped.await();
        }
    }

    static void stop(Process p, long seconds) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
