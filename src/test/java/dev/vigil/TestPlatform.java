package dev.vigil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.infra.FreePort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Helpers for the integration tests: settings on free ports and a scratch data dir, topic reading, waiting. */
public final class TestPlatform {
    public static final ObjectMapper JSON = new ObjectMapper();

    private TestPlatform() {}

    /** Everything embedded, on free ports, with data under {@code dataDir}. */
    public static Map<String, String> embeddedOverrides(Path dataDir) {
        Map<String, String> o = new HashMap<>();
        o.put("vigil.data-dir", dataDir.toString());
        o.put("vigil.kafka.embedded-port", String.valueOf(FreePort.orFree(0)));
        o.put("vigil.redis.port", String.valueOf(FreePort.orFree(0)));
        o.put("vigil.postgres.embedded-port", String.valueOf(FreePort.orFree(0)));
        o.put("vigil.http.port", String.valueOf(FreePort.orFree(0)));
        o.put("vigil.kafka.partitions", "3");
        // The pipeline tests call /v1/decisions and /metrics without a key; ConsoleIT turns auth on.
        o.put("vigil.auth.enabled", "false");
        // 600,000 PBKDF2 rounds cost about a second a login on a busy test machine.
        o.put("vigil.auth.password-iterations", "20000");
        return o;
    }

    /** Every record of a topic, from the beginning up to its current end. */
    public static List<ConsumerRecord<String, byte[]>> readTopic(String bootstrap, String topic) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, byte[]>(Map.of(
                "bootstrap.servers", bootstrap, "enable.auto.commit", false, "isolation.level", "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                boolean done = true;
                for (TopicPartition p : parts) if (consumer.position(p) < end.get(p)) done = false;
                if (done) break;
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }

    public static JsonNode json(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + new String(bytes), e);
        }
    }

    /** Waits for the condition, failing with the message after the timeout. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        await(timeout, what, condition, () -> "");
    }

    /**
     * As {@link #await(Duration, String, BooleanSupplier)}, with what {@code state} says at the timeout added to the
     * failure: for a wait that times out once in many runs, the state it was stuck in.
     */
    public static void await(Duration timeout, String what, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what + "\n" + state.get());
            }
            Thread.sleep(100);
        }
    }

    /** The stacks of this JVM's Camel threads (the Kafka consumers among them) and of every thread in Vigil's code, for a failure message. */
    public static String vigilThreadStacks() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            boolean wanted = thread.getName().contains("Camel");
            for (StackTraceElement frame : stack) wanted |= frame.getClassName().startsWith("dev.vigil.");
            if (!wanted || thread == Thread.currentThread()) return;
            out.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
            for (int i = 0; i < Math.min(stack.length, 40); i++) out.append("    at ").append(stack[i]).append('\n');
        });
        return out.toString();
    }
}
