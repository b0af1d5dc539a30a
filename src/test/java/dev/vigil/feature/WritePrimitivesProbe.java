package dev.vigil.feature;

import dev.vigil.infra.EmbeddedRedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Protocol.Command;

/**
 * What a batch's all-or-nothing write costs Redis, done with each primitive Redis 6.2 offers for it, for
 * docs/features.md ("Measured cost", "The write, by primitive"). Not a test (it asserts nothing): run it by hand.
 *
 * <pre>
 * mvn -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.vigil.feature.WritePrimitivesProbe [batches]
 * </pre>
 *
 * Every batch is shaped like one of {@code FeatureStoreBenchmark}'s: 500 events, each writing 4.33 states (an
 * account's, a customer's, a device's, an IP's, a third of a merchant's) whose versions match, a replay record and
 * 0.43 label index entries, about 1.9 KB in all. The ways, each alternated with the others over several rounds:
 * <ul>
 *   <li>{@code lua}: {@code write-states.lua} as shipped ({@code SET … GET} per state, in the script);
 *   <li>{@code lua-args}: the same call to a script that returns at once: what passing the batch into Lua costs;
 *   <li>{@code watch}: {@code WATCH} the states, a script that compares their versions ({@code GETRANGE}), then
 *       {@code MULTI}, plain {@code SETEX}es and {@code EXEC}, in one pipeline;
 *   <li>{@code staged}: plain {@code SETEX}es of the new values under staging keys, then a script that compares
 *       the versions and {@code RENAME}s each staged value over its state (no value passes through Lua);
 *   <li>{@code unchecked}: the same {@code SETEX}es and {@code HSETNX}es pipelined with no compare at all. Not a
 *       way to write (another instance's write would be lost): the floor of moving these keys and bytes.
 * </ul>
 * Redis runs without its append-only file. Its CPU is its own user + system time ({@code INFO cpu}).
 */
public final class WritePrimitivesProbe {

    private static final int EVENTS = 500;
    /** States of one batch by kind: how many, and their bytes. */
    private static final String[] KINDS = {"m", "c", "d", "i", "a"};
    private static final int[] COUNTS = {165, 500, 500, 500, 500};
    private static final int[] SIZES = {600, 300, 300, 250, 420};
    private static final long[] TTLS = {38 * 86_400L, 30 * 86_400L, 30 * 86_400L, 30 * 86_400L, 90 * 86_400L};
    private static final int REPLAY_BYTES = 330;
    private static final long REPLAY_TTL = 8 * 86_400L;
    private static final int INDEX_ENTRIES = 213;
    private static final long INDEX_EXPIRES_AT = 20_040L * 86_400;

    private static final String CHECK_VERSIONS = """
            -- KEYS: a guard key the client WATCHes, then the states; ARGV: each state's version read.
            -- Touching the guard when a version differs makes the EXEC that follows fail.
            local conflicts = {}
            for j = 2, #KEYS do
              if redis.call('GETRANGE', KEYS[j], '0', '7') ~= ARGV[j - 1] then conflicts[#conflicts + 1] = j - 1 end
            end
            if #conflicts > 0 then redis.call('SET', KEYS[1], '1', 'EX', '60') end
            return conflicts
            """;
    private static final String RENAME_STAGED = """
            -- KEYS: n states, their n staged values, r replay records, their r staged values, x index hashes.
            -- ARGV: n, r, x, the index's expiry, the n versions read, then per index entry field and value.
            local call = redis.call
            local n, r, x = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
            local conflicts = {}
            for j = 1, n do
              if call('GETRANGE', KEYS[j], '0', '7') ~= ARGV[4 + j] then conflicts[#conflicts + 1] = j end
            end
            if #conflicts > 0 then
              for j = 1, n do call('DEL', KEYS[n + j]) end
              for j = 1, r do call('DEL', KEYS[2 * n + r + j]) end
              return conflicts
            end
            for j = 1, n do call('RENAME', KEYS[n + j], KEYS[j]) end
            for j = 1, r do call('RENAME', KEYS[2 * n + r + j], KEYS[2 * n + j]) end
            for j = 1, x do
              local hash = KEYS[2 * n + 2 * r + j]
              call('HSETNX', hash, ARGV[4 + n + 2 * j - 1], ARGV[4 + n + 2 * j])
              call('EXPIREAT', hash, ARGV[4])
            end
            return {}
            """;

    /** One batch's writes: states (key, version read, new value, TTL), replay records, index entries. */
    private record Batch(List<byte[]> keys, List<byte[]> versionsRead, List<byte[]> values, List<Long> ttls,
            List<byte[]> replayKeys, List<byte[]> replays, List<byte[]> indexKeys, List<byte[]> indexFields,
            List<byte[]> indexValues) {}

    /** The connection the batches are pipelined on (one, for WATCH … EXEC). */
    private final Connection redis;
    /** Another client, for INFO. */
    private final RedisClient raw;
    private final Random random = new Random(7);
    private final Map<String, byte[]> versions = new HashMap<>();
    private final String luaSha;
    private final String returnSha;
    private final String checkSha;
    private final String renameSha;
    private long batchNumber;

    private WritePrimitivesProbe(Connection redis, RedisClient raw) throws IOException {
        this.redis = redis;
        this.raw = raw;
        this.luaSha = load(shippedWriteScript());
        this.returnSha = load("return {}");
        this.checkSha = load(CHECK_VERSIONS);
        this.renameSha = load(RENAME_STAGED);
    }

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path dir = Files.createTempDirectory("vigil-write-probe");
        try (EmbeddedRedisServer server = EmbeddedRedisServer.start(dir, 0);
                Connection redis = new Connection(server.host(), server.port());
                RedisClient raw = RedisClient.create(server.host(), server.port())) {
            raw.configSet("appendonly", "no");
            raw.configSet("save", "");
            WritePrimitivesProbe probe = new WritePrimitivesProbe(redis, raw);
            List<String> ways = List.of("lua", "lua-args", "watch", "staged", "unchecked");
            for (String way : ways) probe.run(way, 20); // warm-up: every key exists, and the JIT has compiled
            Map<String, List<Double>> cpu = new HashMap<>();
            for (int round = 0; round < 3; round++) {
                for (String way : ways) cpu.computeIfAbsent(way, w -> new ArrayList<>()).add(probe.run(way, batches));
            }
            System.out.printf(Locale.ROOT, "%d batches of %d events a round, 3 rounds; Redis CPU per event:%n", batches, EVENTS);
            for (String way : ways) {
                List<Double> runs = cpu.get(way);
                System.out.printf(Locale.ROOT, "  %-10s %5.1f %5.1f %5.1f us%n", way, runs.get(0), runs.get(1), runs.get(2));
            }
        }
    }

    /** Writes {@code batches} batches the given way; returns Redis's CPU per event in µs. */
    private double run(String way, int batches) {
        double before = FeatureStoreBenchmark.cpuSeconds(raw);
        for (int b = 0; b < batches; b++) {
            Batch batch = nextBatch();
            List<Object> replies = switch (way) {
                case "lua" -> lua(batch, luaSha);
                case "lua-args" -> lua(batch, returnSha);
                case "watch" -> watch(batch);
                case "staged" -> staged(batch);
                case "unchecked" -> unchecked(batch);
                default -> throw new IllegalArgumentException(way);
            };
            check(way, replies);
            if (way.equals("lua-args")) forget(batch);
        }
        return (FeatureStoreBenchmark.cpuSeconds(raw) - before) * 1e6 / (batches * (double) EVENTS);
    }

    /** Calls the script {@code sha} with write-states.lua's keys and arguments. */
    private List<Object> lua(Batch b, String sha) {
        List<byte[]> args = new ArrayList<>();
        args.add(bytes(sha));
        args.add(bytes(Integer.toString(b.keys().size() + b.replayKeys().size() + b.indexKeys().size())));
        args.addAll(b.keys());
        args.addAll(b.replayKeys());
        args.addAll(b.indexKeys());
        args.add(bytes(Integer.toString(b.keys().size())));
        args.add(bytes(Integer.toString(b.replayKeys().size())));
        args.add(bytes(Integer.toString(b.indexKeys().size())));
        args.add(bytes(Integer.toString(KINDS.length)));
        for (int k = 0; k < KINDS.length; k++) {
            args.add(bytes(Integer.toString(COUNTS[k])));
            args.add(bytes(Long.toString(TTLS[k])));
        }
        args.add(bytes(Long.toString(REPLAY_TTL)));
        args.add(bytes(Long.toString(INDEX_EXPIRES_AT)));
        for (int i = 0; i < b.keys().size(); i++) {
            args.add(b.versionsRead().get(i));
            args.add(b.values().get(i));
        }
        args.addAll(b.replays());
        for (int i = 0; i < b.indexKeys().size(); i++) {
            args.add(b.indexFields().get(i));
            args.add(b.indexValues().get(i));
        }
        redis.sendCommand(Command.EVALSHA, args.toArray(new byte[0][]));
        return redis.getMany(1);
    }

    private List<Object> watch(Batch b) {
        byte[] guard = bytes("probe:guard");
        List<byte[]> watched = new ArrayList<>(b.keys());
        watched.add(guard);
        redis.sendCommand(Command.WATCH, watched.toArray(new byte[0][]));
        List<byte[]> check = new ArrayList<>();
        check.add(bytes(checkSha));
        check.add(bytes(Integer.toString(b.keys().size() + 1)));
        check.add(guard);
        check.addAll(b.keys());
        check.addAll(b.versionsRead());
        redis.sendCommand(Command.EVALSHA, check.toArray(new byte[0][]));
        redis.sendCommand(Command.MULTI);
        int sent = 3 + setAll(b) + 1;
        redis.sendCommand(Command.EXEC);
        List<Object> replies = redis.getMany(sent);
        return List.of(replies.get(1), replies.get(sent - 1) == null ? List.of("EXEC refused") : List.of());
    }

    private List<Object> staged(Batch b) {
        int n = b.keys().size();
        int r = b.replayKeys().size();
        List<byte[]> keys = new ArrayList<>(b.keys());
        for (int i = 0; i < n; i++) keys.add(bytes("~s:" + batchNumber + ":" + i));
        keys.addAll(b.replayKeys());
        for (int i = 0; i < r; i++) keys.add(bytes("~r:" + batchNumber + ":" + i));
        keys.addAll(b.indexKeys());
        for (int i = 0; i < n; i++) redis.sendCommand(Command.SETEX, keys.get(n + i), bytes(Long.toString(b.ttls().get(i))), b.values().get(i));
        for (int i = 0; i < r; i++) redis.sendCommand(Command.SETEX, keys.get(2 * n + r + i), bytes(Long.toString(REPLAY_TTL)), b.replays().get(i));
        List<byte[]> args = new ArrayList<>();
        args.add(bytes(renameSha));
        args.add(bytes(Integer.toString(keys.size())));
        args.addAll(keys);
        args.add(bytes(Integer.toString(n)));
        args.add(bytes(Integer.toString(r)));
        args.add(bytes(Integer.toString(b.indexKeys().size())));
        args.add(bytes(Long.toString(INDEX_EXPIRES_AT)));
        args.addAll(b.versionsRead());
        for (int i = 0; i < b.indexKeys().size(); i++) {
            args.add(b.indexFields().get(i));
            args.add(b.indexValues().get(i));
        }
        redis.sendCommand(Command.EVALSHA, args.toArray(new byte[0][]));
        List<Object> replies = redis.getMany(n + r + 1);
        return List.of(replies.get(n + r));
    }

    private List<Object> unchecked(Batch b) {
        int sent = setAll(b);
        redis.getMany(sent);
        return List.of(List.of());
    }

    /** Sends a SETEX per state and replay record, and an HSETNX (with its EXPIREAT) per index entry; returns how many commands. */
    private int setAll(Batch b) {
        for (int i = 0; i < b.keys().size(); i++) {
            redis.sendCommand(Command.SETEX, b.keys().get(i), bytes(Long.toString(b.ttls().get(i))), b.values().get(i));
        }
        for (int i = 0; i < b.replayKeys().size(); i++) {
            redis.sendCommand(Command.SETEX, b.replayKeys().get(i), bytes(Long.toString(REPLAY_TTL)), b.replays().get(i));
        }
        for (int i = 0; i < b.indexKeys().size(); i++) {
            redis.sendCommand(Command.HSETNX, b.indexKeys().get(i), b.indexFields().get(i), b.indexValues().get(i));
            redis.sendCommand(Command.EXPIREAT, b.indexKeys().get(i), bytes(Long.toString(INDEX_EXPIRES_AT)));
        }
        return b.keys().size() + b.replayKeys().size() + 2 * b.indexKeys().size();
    }

    /** Every way must have written: a probe whose compare failed would measure the wrong path. */
    private static void check(String way, List<Object> replies) {
        for (Object reply : replies) {
            if (!(reply instanceof List<?> conflicts) || !conflicts.isEmpty()) {
                throw new IllegalStateException(way + ": the write was refused: " + reply);
            }
        }
    }

    /**
     * The next batch: states of 40 rotating sets of entities (so most keys exist, as in a running store), each
     * expected at the version this probe wrote last; new replay records and index entries.
     */
    private Batch nextBatch() {
        long n = batchNumber++;
        List<byte[]> keys = new ArrayList<>(), read = new ArrayList<>(), values = new ArrayList<>();
        List<Long> ttls = new ArrayList<>();
        for (int k = 0; k < KINDS.length; k++) {
            for (int i = 0; i < COUNTS[k]; i++) {
                String key = "{" + KINDS[k] + ":" + (n % 40 * 1_000 + i) + "}:st";
                byte[] value = new byte[SIZES[k]];
                random.nextBytes(value);
                keys.add(bytes(key));
                read.add(versions.getOrDefault(key, new byte[0]));
                values.add(value);
                ttls.add(TTLS[k]);
                versions.put(key, Arrays.copyOf(value, StateBytes.VERSION_BYTES));
            }
        }
        List<byte[]> replayKeys = new ArrayList<>(), replays = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            byte[] value = new byte[REPLAY_BYTES];
            random.nextBytes(value);
            replayKeys.add(bytes("{a:" + i + "}:tx:" + (n * EVENTS + i)));
            replays.add(value);
        }
        List<byte[]> indexKeys = new ArrayList<>(), fields = new ArrayList<>(), indexValues = new ArrayList<>();
        for (int i = 0; i < INDEX_ENTRIES; i++) {
            long id = n * EVENTS + i;
            indexKeys.add(bytes("{ti:20000:" + id % 16_384 + "}"));
            fields.add(bytes("tx-" + id));
            indexValues.add(bytes("m-" + id % 2_000 + "|1741046400.123"));
        }
        return new Batch(keys, read, values, ttls, replayKeys, replays, indexKeys, fields, indexValues);
    }

    /** A batch that was not written: the versions expected next are those it read. */
    private void forget(Batch b) {
        for (int i = 0; i < b.keys().size(); i++) {
            String key = new String(b.keys().get(i), StandardCharsets.UTF_8);
            if (b.versionsRead().get(i).length == 0) versions.remove(key);
            else versions.put(key, b.versionsRead().get(i));
        }
    }

    private String load(String source) {
        redis.sendCommand(Command.SCRIPT, bytes("LOAD"), bytes(source));
        return new String((byte[]) redis.getOne(), StandardCharsets.UTF_8);
    }

    private static String shippedWriteScript() throws IOException {
        try (InputStream in = WritePrimitivesProbe.class.getResourceAsStream("write-states.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
