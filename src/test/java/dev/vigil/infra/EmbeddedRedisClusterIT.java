package dev.vigil.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.JedisClusterCRC16;

class EmbeddedRedisClusterIT {

    private static final int KEYS = 300;

    @TempDir Path dir;

    @Test
    void shouldSpreadKeysWithDistinctHashTagsOverAllThreeMasters() {
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir, 3)) {
            assertEquals(3, cluster.nodes().size());
            assertTrue(cluster.nodes().stream().allMatch(n -> n.getHost().equals("127.0.0.1")), cluster.nodes().toString());

            try (RedisClusterClient client = RedisClusterClient.create(cluster.nodeSet())) {
                writeKeys(client);
                for (int i = 0; i < KEYS; i++) assertEquals("value-" + i, client.get(key(i)), key(i));
            }

            List<Long> sizes = dbSizes(cluster);
            // 300 keys over 3 even slot ranges: each node gets about 100; none may be left empty.
            assertTrue(sizes.stream().allMatch(size -> size > 0), "keys per node: " + sizes);
            assertEquals(KEYS, sizes.stream().mapToLong(Long::longValue).sum(), "keys per node: " + sizes);
        }
    }

    @Test
    void shouldGiveNodeIItsEvenContiguousShareOfTheSlots() {
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir, 3);
                RedisClient first = RedisClient.create(cluster.nodes().get(0))) {
            List<Object> slots = slotRanges(first);
            // 16384 / 3: 0..5460, 5461..10921, 10922..16383, each served by node i.
            assertEquals(List.of(List.of(0L, 5460L, cluster.nodes().get(0).getPort()),
                            List.of(5461L, 10921L, cluster.nodes().get(1).getPort()),
                            List.of(10922L, 16383L, cluster.nodes().get(2).getPort())),
                    slots);
        }
    }

    @Test
    void shouldRefuseAMultiKeyCommandOverTwoSlotsWithCrossslot() {
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir, 3)) {
            // Two tags in different slots owned by the same node: that node answers CROSSSLOT. (Tags on
            // different nodes would get MOVED for the first key instead, which says nothing about
            // multi-key commands.)
            String firstTag = "a";
            int firstSlot = JedisClusterCRC16.getSlot("{" + firstTag + "}");
            int owner = ownerOf(cluster, firstSlot);
            String secondTag = null;
            for (char c = 'b'; c <= 'z' && secondTag == null; c++) {
                int slot = JedisClusterCRC16.getSlot("{" + c + "}");
                if (slot != firstSlot && ownerOf(cluster, slot) == owner) secondTag = String.valueOf(c);
            }
            assertTrue(secondTag != null, "some tag b..z lands on node " + owner + " in another slot");

            try (RedisClient node = RedisClient.create(cluster.nodes().get(owner))) {
                String[] keysAndValues = {"{" + firstTag + "}x", "1", "{" + secondTag + "}y", "2"};
                JedisDataException refused = assertThrows(JedisDataException.class, () -> node.mset(keysAndValues));
                assertTrue(refused.getMessage().startsWith("CROSSSLOT"), refused.getMessage());
                assertEquals(0, node.dbSize(), "nothing written");
            }
        }
    }

    @Test
    void shouldBringBackTheSameClusterAndItsKeysOnTheSameDirectory() {
        List<HostAndPort> firstNodes;
        List<Long> firstSizes;
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir, 3);
                RedisClusterClient client = RedisClusterClient.create(cluster.nodeSet())) {
            writeKeys(client);
            firstNodes = cluster.nodes();
            firstSizes = dbSizes(cluster);
        }
        for (int i = 0; i < 3; i++) assertTrue(Files.exists(dir.resolve("node-" + i).resolve("nodes.conf")), "nodes.conf of node " + i);

        long began = System.nanoTime();
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir, 3)) {
            System.out.printf("Redis Cluster restarted in %d ms%n", (System.nanoTime() - began) / 1_000_000);
            assertEquals(firstNodes, cluster.nodes(), "the nodes come back on the ports in the ports file");
            assertEquals(firstSizes, dbSizes(cluster), "each node loads its own keys from its append-only file");
            try (RedisClusterClient client = RedisClusterClient.create(cluster.nodeSet())) {
                for (int i = 0; i < KEYS; i++) assertEquals("value-" + i, client.get(key(i)), key(i));
                client.set(key(KEYS), "written after the restart");
                assertEquals("written after the restart", client.get(key(KEYS)));
            }
        }
    }

    @Test
    void shouldRefuseToRestartADirectoryAsAClusterOfAnotherSize() {
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir, 3)) {
            assertEquals(3, cluster.nodes().size());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmbeddedRedisCluster.start(dir, 4));
        assertTrue(e.getMessage().contains("has 3 masters"), e.getMessage());
    }

    @Test
    void shouldFailClearlyWhenARecordedPortIsTakenAtRestart() throws Exception {
        int port;
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir, 3)) {
            port = cluster.nodes().get(1).getPort();
        }
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> EmbeddedRedisCluster.start(dir, 3));
            assertTrue(e.getMessage().contains("port " + port) && e.getMessage().contains("must come back on the ports"), e.getMessage());
        }
        // Node 0, started before node 1 failed, was stopped again: the directory is reusable once the port is free.
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir, 3)) {
            assertEquals(port, cluster.nodes().get(1).getPort());
        }
    }

    @Test
    void shouldServeANodesKeysAgainAfterThatNodeIsStoppedAndStarted() {
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir, 3);
                RedisClusterClient client = RedisClusterClient.create(cluster.nodeSet())) {
            writeKeys(client);
            int keyOnNode1 = firstKeyOwnedBy(cluster, 1);

            cluster.stopNode(1);
            assertThrows(RuntimeException.class, () -> client.get(key(keyOnNode1)), "node 1's keys are unreachable");

            cluster.startNode(1);
            cluster.awaitReady(Duration.ofSeconds(30));
            assertEquals("value-" + keyOnNode1, client.get(key(keyOnNode1)));
        }
    }

    @Test
    void shouldRunAOneMasterCluster() {
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir, 1);
                RedisClusterClient client = RedisClusterClient.create(cluster.nodeSet())) {
            writeKeys(client);
            assertEquals(List.of((long) KEYS), dbSizes(cluster));
        }
    }

    /** Key {@code i} has a hash tag of its own, so the 300 keys fall in (almost) 300 different slots. */
    private static String key(int i) {
        return "{account-" + i + "}:balance";
    }

    private static void writeKeys(RedisClusterClient client) {
        for (int i = 0; i < KEYS; i++) client.set(key(i), "value-" + i);
    }

    private static List<Long> dbSizes(EmbeddedRedisCluster cluster) {
        List<Long> sizes = new ArrayList<>();
        for (HostAndPort node : cluster.nodes()) {
            try (RedisClient client = RedisClient.create(node)) {
                sizes.add(client.dbSize());
            }
        }
        return sizes;
    }

    /** CLUSTER SLOTS as [start, end, master port] per range, in slot order. */
    private static List<Object> slotRanges(RedisClient node) {
        List<Object> ranges = new ArrayList<>();
        for (Object range : (List<?>) node.sendCommand(Protocol.Command.CLUSTER, "SLOTS")) {
            List<?> r = (List<?>) range;
            List<?> master = (List<?>) r.get(2);
            ranges.add(List.of(r.get(0), r.get(1), ((Long) master.get(1)).intValue()));
        }
        ranges.sort((a, b) -> Long.compare((Long) ((List<?>) a).get(0), (Long) ((List<?>) b).get(0)));
        return ranges;
    }

    /** The index in {@code cluster.nodes()} of the node the server says owns {@code slot}. */
    private static int ownerOf(EmbeddedRedisCluster cluster, int slot) {
        try (RedisClient first = RedisClient.create(cluster.nodes().get(0))) {
            for (Object range : slotRanges(first)) {
                List<?> r = (List<?>) range;
                if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
                    int port = (Integer) r.get(2);
                    for (int i = 0; i < cluster.nodes().size(); i++) if (cluster.nodes().get(i).getPort() == port) return i;
                }
            }
        }
        throw new AssertionError("no node owns slot " + slot);
    }

    private static int firstKeyOwnedBy(EmbeddedRedisCluster cluster, int node) {
        for (int i = 0; i < KEYS; i++) if (ownerOf(cluster, JedisClusterCRC16.getSlot(key(i))) == node) return i;
        throw new AssertionError("no key on node " + node);
    }
}
