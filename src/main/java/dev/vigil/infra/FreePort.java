package dev.vigil.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a free TCP port on the loopback interface.
 *
 * <p>The port is taken below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}, 32768
 * and up by default): a port from inside it, free a moment ago, can meanwhile become the local end of
 * any outgoing connection (a JDBC or Kafka client of this very process), and the server that then binds
 * it fails with "Address already in use". CI met exactly that. Ports handed out by this process are not
 * handed out twice.
 */
public final class FreePort {
    private static final int LOWEST = 10_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePort() {}

    /** Returns {@code port} itself when it is not 0, else a port that was free a moment ago. */
    public static int orFree(int port) {
        if (port != 0) return port;
        int below = ephemeralRangeStart();
        if (below - LOWEST >= 1_000) {
            for (int attempt = 0; attempt < 200; attempt++) {
                int candidate = ThreadLocalRandom.current().nextInt(LOWEST, below);
                if (!HANDED_OUT.contains(candidate) && isFree(candidate) && HANDED_OUT.add(candidate)) return candidate;
            }
        }
        // No room below the ephemeral range (or all tried were taken): let the kernel pick one.
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    /** Whether {@code port} can be bound on the loopback interface right now. */
    static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range; 32768 (Linux's default) where it cannot be read. */
    static int ephemeralRangeStart() {
        // Read line by line: Files.readString trusts the file's size, and /proc files report odd sizes
        // (here it returned "3" of "32768\t60999").
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            return Integer.parseInt(r.readLine().trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
