package dev.vigil.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Vigil's configuration, bound once at start and validated. Sources, later wins: the bundled
 * {@code application.properties}, environment variables ({@code VIGIL_KAFKA_BOOTSTRAP_SERVERS} for
 * {@code vigil.kafka.bootstrap-servers}), system properties, then explicit overrides (tests, CLI flags).
 * Secrets (passwords) come only from the environment: {@code VIGIL_POSTGRES_PASSWORD},
 * {@code VIGIL_POSTGRES_ADMIN_PASSWORD}, {@code VIGIL_POSTGRES_AUDITOR_PASSWORD}.
 */
public record Settings(
        Path dataDir,
        Path rulesDir,
        Path modelDir,
        Path routesDir,
        String httpHost,
        int httpPort,
        Kafka kafka,
        Redis redis,
        Postgres postgres,
        int maxEventBytes,
        Duration maxFutureSkew,
        Duration kafkaPatience,
        Duration httpPatience,
        Map<String, String> raw) {

    /** @param bootstrapServers the external cluster; ignored when embedded */
    public record Kafka(boolean embedded, int embeddedPort, String bootstrapServers, int partitions,
                        String groupId, int batchSize, int pollTimeoutMs, int batchIntervalMs) {}

    /**
     * @param clusterNodes {@code host:port} of some masters of a Redis Cluster to use instead of one Redis (empty: one
     *     Redis, embedded or at host and port)
     */
    public record Redis(boolean embedded, String host, int port, List<String> clusterNodes) {
        public Redis {
            clusterNodes = List.copyOf(clusterNodes);
        }

        public Redis(boolean embedded, String host, int port) {
            this(embedded, host, port, List.of());
        }
    }

    /** @param url JDBC URL of an external server; ignored when embedded */
    public record Postgres(boolean embedded, int embeddedPort, String url, String user, String password,
                           String adminUser, String adminPassword, String auditorPassword, boolean migrate) {
        @Override
        public String toString() {
            return "Postgres[embedded=" + embedded + ", url=" + url + ", user=" + user + "]";
        }
    }

    public static Settings load() {
        return load(Map.of());
    }

    public static Settings load(Map<String, String> overrides) {
        return load(overrides, System.getenv());
    }

    /** Loads with an explicit environment instead of the process environment (tests, tools). */
    public static Settings load(Map<String, String> overrides, Map<String, String> env) {
        Map<String, String> m = new TreeMap<>();
        Properties defaults = new Properties();
        try (InputStream in = Settings.class.getResourceAsStream("/application.properties")) {
            if (in == null) throw new IllegalStateException("application.properties is missing from the class path");
            defaults.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        defaults.forEach((k, v) -> m.put(k.toString(), v.toString().trim()));
        for (String key : m.keySet().toArray(String[]::new)) {
            String fromEnv = env.get(envName(key));
            if (fromEnv != null) m.put(key, fromEnv.trim());
            String fromSys = System.getProperty(key);
            if (fromSys != null) m.put(key, fromSys.trim());
        }
        for (var e : overrides.entrySet()) {
            if (!m.containsKey(e.getKey())) throw new ConfigException(e.getKey(), e.getValue(), "unknown key");
            m.put(e.getKey(), e.getValue());
        }
        return bind(m, env);
    }

    /** The environment variable that overrides {@code key}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Settings bind(Map<String, String> m, Map<String, String> env) {
        Reader r = new Reader(m);
        Kafka kafka = new Kafka(
                r.bool("vigil.kafka.embedded"), r.port("vigil.kafka.embedded-port"),
                r.str("vigil.kafka.bootstrap-servers"), r.positive("vigil.kafka.partitions"),
                r.required("vigil.kafka.group-id"), r.positive("vigil.kafka.batch-size"),
                r.positive("vigil.kafka.poll-timeout-ms"), r.positive("vigil.kafka.batch-interval-ms"));
        if (!kafka.embedded() && kafka.bootstrapServers().isEmpty()) {
            throw new ConfigException("vigil.kafka.bootstrap-servers", "", "required when vigil.kafka.embedded=false");
        }
        Redis redis = new Redis(r.bool("vigil.redis.embedded"), r.required("vigil.redis.host"), r.port("vigil.redis.port"),
                clusterNodes(r.str("vigil.redis.cluster-nodes")));
        if (redis.embedded() && !redis.clusterNodes().isEmpty()) {
            throw new ConfigException("vigil.redis.cluster-nodes", r.str("vigil.redis.cluster-nodes"),
                    "a Redis Cluster is external: set vigil.redis.embedded=false to use it");
        }
        boolean pgEmbedded = r.bool("vigil.postgres.embedded");
        Postgres pg = new Postgres(
                pgEmbedded, r.port("vigil.postgres.embedded-port"), r.str("vigil.postgres.url"),
                r.required("vigil.postgres.user"), env.get("VIGIL_POSTGRES_PASSWORD"),
                r.required("vigil.postgres.admin-user"), env.get("VIGIL_POSTGRES_ADMIN_PASSWORD"),
                env.get("VIGIL_POSTGRES_AUDITOR_PASSWORD"), r.bool("vigil.postgres.migrate"));
        if (!pgEmbedded) {
            if (!pg.url().startsWith("jdbc:postgresql://")) {
                throw new ConfigException("vigil.postgres.url", pg.url(), "a jdbc:postgresql:// URL is required when vigil.postgres.embedded=false");
            }
            if (pg.password() == null) {
                throw new ConfigException("VIGIL_POSTGRES_PASSWORD", null, "set it in the environment when vigil.postgres.embedded=false");
            }
        }
        int maxBytes = r.positive("vigil.event.max-bytes");
        Duration skew = r.duration("vigil.event.max-future-skew");
        return new Settings(
                Path.of(r.required("vigil.data-dir")), Path.of(r.required("vigil.rules.dir")),
                Path.of(r.required("vigil.model.dir")), Path.of(r.required("vigil.routes.dir")),
                r.required("vigil.http.host"), r.port("vigil.http.port"),
                kafka, redis, pg, maxBytes, skew,
                r.duration("vigil.retry.kafka-patience"), r.duration("vigil.retry.http-patience"), Map.copyOf(m));
    }

    /** "host:port,host:port" to its parts, each checked; blank gives none. */
    private static List<String> clusterNodes(String value) {
        List<String> nodes = new java.util.ArrayList<>();
        if (value == null || value.isBlank()) return nodes;
        for (String node : value.split(",")) {
            String n = node.trim();
            int colon = n.lastIndexOf(':');
            int port = -1;
            if (colon > 0) {
                try {
                    port = Integer.parseInt(n.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (port < 1 || port > 65535) {
                throw new ConfigException("vigil.redis.cluster-nodes", value, "each node must be host:port, with a port from 1 to 65535: '" + n + "'");
            }
            nodes.add(n);
        }
        return nodes;
    }

    /** The Kafka bootstrap servers to use, given the embedded broker's address when there is one. */
    public String kafkaBootstrap(String embeddedAddress) {
        return kafka.embedded() ? embeddedAddress : kafka.bootstrapServers();
    }

    private record Reader(Map<String, String> m) {
        String str(String key) {
            String v = m.get(key);
            return v == null ? "" : v;
        }

        String required(String key) {
            String v = str(key);
            if (v.isEmpty()) throw new ConfigException(key, v, "a value is required");
            return v;
        }

        boolean bool(String key) {
            String v = required(key);
            if (v.equalsIgnoreCase("true")) return true;
            if (v.equalsIgnoreCase("false")) return false;
            throw new ConfigException(key, v, "expected true or false");
        }

        int integer(String key) {
            String v = required(key);
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new ConfigException(key, v, "expected a whole number");
            }
        }

        int positive(String key) {
            int v = integer(key);
            if (v <= 0) throw new ConfigException(key, String.valueOf(v), "expected a number above 0");
            return v;
        }

        int port(String key) {
            int v = integer(key);
            if (v < 0 || v > 65535) throw new ConfigException(key, String.valueOf(v), "expected a port from 0 (any free port) to 65535");
            return v;
        }

        Duration duration(String key) {
            String v = required(key);
            try {
                return Duration.parse(v);
            } catch (DateTimeParseException e) {
                throw new ConfigException(key, v, "expected an ISO-8601 duration such as PT5M");
            }
        }
    }
}
