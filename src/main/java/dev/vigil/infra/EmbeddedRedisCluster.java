package dev.vigil.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.util.SafeEncoder;
import redis.embedded.RedisServer;

/**
 * A real Redis Cluster of {@code masters} {@code redis-server} processes (the binary shipped by
 * com.github.codemonstur:embedded-redis, Redis 6.2), without replicas, for tests and the feature-store
 * benchmark. Each node listens on 127.0.0.1 only and keeps its {@code nodes.conf} and append-only file
 * in {@code dataDir/node-<i>}; the nodes' ports are kept in {@code dataDir/ports}.
 *
 * <p>On a fresh directory the cluster is formed with plain commands, as {@code redis-cli --cluster
 * create} would (redis-cli is not shipped): every node takes an even, contiguous share of the 16384
 * hash slots and a distinct config epoch, then meets the first node. On a directory that already holds
 * a cluster, the nodes start again on the ports recorded there and find each other through their
 * {@code nodes.conf}; the data comes back from the append-only files. Either way {@link #start} returns
 * only when every node reports {@code cluster_state:ok}, knows every master, and its {@code CLUSTER
 * SLOTS} covers all 16384 slots, so a cluster client created right after sees the full slot map. That
 * takes about 2.2 s for three masters, forming or restarting: a master calls the cluster ok no sooner
 * than 2 s after it started (Redis's {@code CLUSTER_WRITABLE_DELAY}; after a restart the rejoin delay,
 * here the 2 s node timeout).
 *
 * <p>Redis requires at least three masters for a cluster that can fail over; without replicas there is
 * no failover anyway, so 1 and 2 masters are accepted too (still a cluster: keys are routed by slot and
 * multi-key commands across slots are refused with CROSSSLOT).
 */
public final class EmbeddedRedisCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisCluster.class);
    private static final String HOST = "127.0.0.1";
    public static final int SLOTS = 16_384;
    /**
     * How long a node may be unreachable before the others mark it failed. Also the delay a restarted
     * master waits before it calls the cluster ok again (Redis bounds that by 0.5 to 5 s), so it sets
     * how quickly a restart is ready.
     */
    private static final int NODE_TIMEOUT_MS = 2_000;
    private static final Duration FORM_DEADLINE = Duration.ofSeconds(30);
    /** Slots sent in one CLUSTER ADDSLOTS: Redis 6.2 has no ADDSLOTSRANGE, and 16384 arguments in one command is needlessly large. */
    private static final int ADDSLOTS_CHUNK = 1_000;
    private static final String PORTS_FILE = "ports";
    private static final String NODES_CONF = "nodes.conf";

    private final Path dataDir;
    private final List<Node> nodes;

    private EmbeddedRedisCluster(Path dataDir, List<Node> nodes) {
        this.dataDir = dataDir;
        this.nodes = nodes;
    }

    /**
     * Starts the cluster (forming it, or bringing back the one already in {@code dataDir}) and waits
     * until it is ready.
     *
     * @param dataDir where each node keeps {@code node-<i>/nodes.conf} and its append-only file; created if missing
     * @param masters how many master nodes, 1 or more (3 is the smallest cluster Redis recommends)
     * @throws IllegalArgumentException when {@code dataDir} holds a cluster of another size
     * @throws UncheckedIOException when a node cannot start
     * @throws IllegalStateException when the cluster is not ready within 30 s (the message carries every node's CLUSTER INFO)
     */
    public static EmbeddedRedisCluster start(Path dataDir, int masters) {
        if (masters < 1) throw new IllegalArgumentException("a cluster needs at least one master, not " + masters);
        Path dir = dataDir.toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Redis Cluster data directory " + dir, e);
        }
        long began = System.nanoTime();
        List<Integer> recorded = readPorts(dir);
        boolean restart = !recorded.isEmpty();
        if (restart && recorded.size() != masters) {
            throw new IllegalArgumentException("the Redis Cluster in " + dir + " has " + recorded.size()
                    + " masters (file " + PORTS_FILE + "), not " + masters + ": use a fresh directory");
        }
        List<Node> nodes = new ArrayList<>(masters);
        EmbeddedRedisCluster cluster = new EmbeddedRedisCluster(dir, nodes);
        try {
            for (int i = 0; i < masters; i++) {
                Path nodeDir = dir.resolve("node-" + i);
                boolean hasNodesConf = Files.exists(nodeDir.resolve(NODES_CONF));
                if (restart && !hasNodesConf) {
                    throw new IllegalStateException(nodeDir.resolve(NODES_CONF) + " is missing although " + dir.resolve(PORTS_FILE)
                            + " records a cluster there: the directory is damaged, use a fresh one");
                }
                if (!restart && hasNodesConf) {
                    throw new IllegalStateException(nodeDir.resolve(NODES_CONF) + " exists but " + dir.resolve(PORTS_FILE)
                            + " does not: a start that failed left it (the ports are written once the cluster is ready), use a fresh directory");
                }
                nodes.add(restart ? restartNode(i, nodeDir, recorded.get(i), dir) : Node.startOnFreePort(i, nodeDir));
            }
            if (!restart) cluster.form();
            cluster.awaitReady(FORM_DEADLINE);
            if (!restart) writePorts(dir, nodes);
        } catch (RuntimeException e) {
            try {
                cluster.close();
            } catch (RuntimeException stopFailure) {
                e.addSuppressed(stopFailure);
            }
            throw e;
        }
        LOG.info("Redis Cluster of {} masters {} on {} in {} ms, data in {}", masters, restart ? "restarted" : "formed",
                cluster.nodes(), (System.nanoTime() - began) / 1_000_000, dir);
        return cluster;
    }

    /** Starts node {@code i} of an existing cluster on its recorded port: the other nodes know it by that port only. */
    private static Node restartNode(int i, Path nodeDir, int port, Path dir) {
        try {
            return Node.start(i, nodeDir, port);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException(e.getMessage() + "; the cluster in " + dir + " must come back on the ports in "
                    + dir.resolve(PORTS_FILE) + ": free the port or use a fresh directory", e.getCause());
        }
    }

    /** The nodes in order: node {@code i} owns the {@code i}-th share of the slots. */
    public List<HostAndPort> nodes() {
        return nodes.stream().map(n -> new HostAndPort(HOST, n.port)).toList();
    }

    /** The nodes as a set, the form {@code RedisClusterClient.create} takes. */
    public Set<HostAndPort> nodeSet() {
        return new LinkedHashSet<>(nodes());
    }

    /** Always 127.0.0.1. */
    public String host() {
        return HOST;
    }

    /** The directory holding the nodes' sub-directories and the ports file. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Stops node {@code i} gracefully, as an outage: its slots become unreachable and, after the node
     * timeout, the other nodes report {@code cluster_state:fail} (there are no replicas to take over).
     */
    public void stopNode(int i) {
        nodes.get(i).stop();
    }

    /**
     * Starts node {@code i} again on its port and data; it rejoins through its {@code nodes.conf}. Returns
     * once the process accepts connections, not once the cluster is ok again: use {@link #awaitReady}.
     */
    public void startNode(int i) {
        Node node = nodes.get(i);
        if (node.isRunning()) throw new IllegalStateException("Redis Cluster node " + i + " on port " + node.port + " is running already");
        nodes.set(i, Node.start(i, node.dir, node.port));
    }

    /**
     * Waits until every node reports {@code cluster_state:ok}, knows all masters, and its {@code CLUSTER
     * SLOTS} covers all 16384 slots.
     *
     * @throws IllegalStateException at the deadline, with every node's CLUSTER INFO
     */
    public void awaitReady(Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            String notReady = firstNotReady();
            if (notReady == null) return;
            if (System.nanoTime() - end > 0) {
                throw new IllegalStateException("Redis Cluster not ready within " + deadline.toSeconds() + " s: " + notReady
                        + "\n" + describe());
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    /** Stops every node gracefully (SIGTERM, which flushes the append-only file), then reports every failure at once. */
    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (Node node : nodes) {
            try {
                node.stop();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException(failures.size() + " of " + nodes.size()
                    + " Redis Cluster nodes did not stop; first: " + failures.get(0).getMessage());
            failures.forEach(e::addSuppressed);
            throw e;
        }
        LOG.info("Redis Cluster on {} stopped", nodes());
    }

    /** Assigns the slots and config epochs, then introduces every node to the first. */
    private void form() {
        int n = nodes.size();
        for (int i = 0; i < n; i++) {
            try (RedisClient node = client(nodes.get(i))) {
                int from = (int) ((long) SLOTS * i / n);
                int to = (int) ((long) SLOTS * (i + 1) / n); // exclusive
                for (int chunk = from; chunk < to; chunk += ADDSLOTS_CHUNK) {
                    int chunkEnd = Math.min(chunk + ADDSLOTS_CHUNK, to);
                    String[] args = new String[1 + chunkEnd - chunk];
                    args[0] = "ADDSLOTS";
                    for (int slot = chunk; slot < chunkEnd; slot++) args[1 + slot - chunk] = Integer.toString(slot);
                    expectOk(node.sendCommand(Protocol.Command.CLUSTER, args), "CLUSTER ADDSLOTS " + chunk + ".." + (chunkEnd - 1), i);
                }
                // Distinct epochs before the nodes meet, as redis-cli does: otherwise all start at 0 and
                // the cluster spends a while resolving the collision.
                expectOk(node.sendCommand(Protocol.Command.CLUSTER, "SET-CONFIG-EPOCH", Integer.toString(i + 1)),
                        "CLUSTER SET-CONFIG-EPOCH", i);
            }
        }
        Node first = nodes.get(0);
        for (int i = 1; i < n; i++) {
            try (RedisClient node = client(nodes.get(i))) {
                expectOk(node.sendCommand(Protocol.Command.CLUSTER, "MEET", HOST, Integer.toString(first.port)), "CLUSTER MEET", i);
            }
        }
    }

    /** Why the cluster is not ready yet, or null when it is. */
    private String firstNotReady() {
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            try (RedisClient client = client(node)) {
                Map<String, String> info = parseInfo(SafeEncoder.encode((byte[]) client.sendCommand(Protocol.Command.CLUSTER, "INFO")));
                if (!"ok".equals(info.get("cluster_state"))) return "node " + i + " has cluster_state " + info.get("cluster_state");
                if (!Integer.toString(nodes.size()).equals(info.get("cluster_known_nodes"))) {
                    return "node " + i + " knows " + info.get("cluster_known_nodes") + " of " + nodes.size() + " nodes";
                }
                int covered = slotsCovered(client.sendCommand(Protocol.Command.CLUSTER, "SLOTS"));
                if (covered != SLOTS) return "node " + i + " maps " + covered + " of " + SLOTS + " slots in CLUSTER SLOTS";
            } catch (RuntimeException e) {
                return "node " + i + " (port " + node.port + ") does not answer: " + e;
            }
        }
        return null;
    }

    /** Every node's CLUSTER INFO (or why it could not be read), for failure messages. */
    private String describe() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            s.append("node ").append(i).append(" (").append(HOST).append(':').append(node.port).append("):\n");
            try (RedisClient client = client(node)) {
                s.append(SafeEncoder.encode((byte[]) client.sendCommand(Protocol.Command.CLUSTER, "INFO")).strip());
            } catch (RuntimeException e) {
                s.append("CLUSTER INFO failed: ").append(e);
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** The number of slots in the ranges of a CLUSTER SLOTS reply ({@code [[start, end, master, ...], ...]}). */
    private static int slotsCovered(Object slotsReply) {
        int covered = 0;
        for (Object range : (List<?>) slotsReply) {
            List<?> r = (List<?>) range;
            covered += (int) ((Long) r.get(1) - (Long) r.get(0) + 1);
        }
        return covered;
    }

    private static Map<String, String> parseInfo(String info) {
        Map<String, String> fields = new TreeMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
        }
        return fields;
    }

    private static void expectOk(Object reply, String command, int node) {
        String answer = reply instanceof byte[] b ? SafeEncoder.encode(b) : String.valueOf(reply);
        if (!"OK".equals(answer)) throw new IllegalStateException(command + " on node " + node + " answered " + answer);
    }

    private static RedisClient client(Node node) {
        return RedisClient.create(HOST, node.port);
    }

    private static List<Integer> readPorts(Path dir) {
        Path file = dir.resolve(PORTS_FILE);
        if (!Files.exists(file)) return List.of();
        try {
            return Arrays.stream(Files.readString(file, StandardCharsets.US_ASCII).strip().split("\\s+"))
                    .map(Integer::valueOf)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + " should hold one port a line: " + e.getMessage(), e);
        }
    }

    private static void writePorts(Path dir, List<Node> nodes) {
        Path file = dir.resolve(PORTS_FILE);
        String ports = nodes.stream().map(n -> Integer.toString(n.port)).collect(Collectors.joining("\n", "", "\n"));
        try {
            Files.writeString(file, ports, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** One redis-server of the cluster. */
    private static final class Node {
        /** A port picked free can be taken by someone else before Redis binds it: try a few. */
        private static final int FREE_PORT_ATTEMPTS = 3;
        private static final int BUS_PORT_OFFSET = 10_000;

        final int index;
        final Path dir;
        final int port;
        private final RedisServer server;

        private Node(int index, Path dir, int port, RedisServer server) {
            this.index = index;
            this.dir = dir;
            this.port = port;
            this.server = server;
        }

        static Node startOnFreePort(int index, Path dir) {
            UncheckedIOException last = null;
            for (int attempt = 1; attempt <= FREE_PORT_ATTEMPTS; attempt++) {
                int port = freePortWithFreeBus();
                try {
                    return start(index, dir, port);
                } catch (UncheckedIOException e) {
                    last = e;
                    LOG.warn("Redis Cluster node {} did not start on port {} (attempt {} of {}): {}", index, port, attempt,
                            FREE_PORT_ATTEMPTS, e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
                }
            }
            throw last;
        }

        /**
         * A free port whose cluster bus port ({@code port + 10000}, fixed by Redis) is free too and, like
         * the port itself, below the kernel's ephemeral range (see {@link FreePort} for why that matters).
         * Falls back to any free port: a taken bus port then fails the start, which is retried.
         */
        private static int freePortWithFreeBus() {
            int ephemeralStart = FreePort.ephemeralRangeStart();
            int port = 0;
            for (int attempt = 0; attempt < 50; attempt++) {
                port = FreePort.orFree(0);
                if (port + BUS_PORT_OFFSET < ephemeralStart && FreePort.isFree(port + BUS_PORT_OFFSET)) return port;
            }
            return port;
        }

        /** Starts a node on {@code port}; its cluster bus listens on {@code port + 10000}. */
        static Node start(int index, Path dir, int port) {
            try {
                Files.createDirectories(dir);
                // Persistence as in EmbeddedRedisServer; nodes.conf is relative to the data directory.
                RedisServer server = EmbeddedRedisServer.persistentIn(dir, RedisServer.newRedisServer().bind(HOST).port(port))
                        .setting("cluster-enabled yes")
                        .setting("cluster-config-file " + NODES_CONF)
                        .setting("cluster-node-timeout " + NODE_TIMEOUT_MS)
                        .build();
                server.start();
                LOG.info("Redis Cluster node {} started on {}:{} with data in {}", index, HOST, port, dir);
                return new Node(index, dir, port, server);
            } catch (IOException e) {
                throw new UncheckedIOException("Redis Cluster node " + index + " could not start (data dir " + dir + ", port " + port
                        + ", cluster bus port " + (port + BUS_PORT_OFFSET) + ")", e);
            }
        }

        boolean isRunning() {
            return server.isActive();
        }

        void stop() {
            if (!isRunning()) return;
            try {
                server.stop();
                LOG.info("Redis Cluster node {} on {}:{} stopped", index, HOST, port);
            } catch (IOException e) {
                throw new UncheckedIOException("Redis Cluster node " + index + " on port " + port + " did not stop", e);
            }
        }
    }
}
