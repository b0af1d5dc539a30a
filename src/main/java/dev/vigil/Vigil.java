package dev.vigil;

import dev.vigil.audit.PostgresAuditStore;
import dev.vigil.config.Settings;
import dev.vigil.console.Console;
import dev.vigil.console.ConsoleSettings;
import dev.vigil.decision.DecisionEngine;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.feature.RedisFeatureStore;
import dev.vigil.infra.Services;
import dev.vigil.route.AuditWriters;
import dev.vigil.route.PipelineMetrics;
import dev.vigil.route.Stages;
import dev.vigil.route.TransactionalProducers;
import dev.vigil.rules.KjarRuleEngine;
import dev.vigil.rules.LiveRuleEngine;
import dev.vigil.rules.ReloadingRuleEngine;
import dev.vigil.score.ReloadingRiskModel;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running platform: services, stores, the decision core and the Camel routes, wired from
 * {@link Settings}. {@code vigil run}, the demo and the integration tests all start it this way.
 */
public final class Vigil implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Vigil.class);

    private final Settings settings;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private Services services;
    private PostgresAuditStore audit;
    private RedisFeatureStore features;
    private LiveRuleEngine rules;
    private Runnable watchRules;
    private ReloadingRiskModel model;
    private ReloadingRiskModel challenger;
    private PipelineMetrics metrics;
    private Main camel;
    private Console console;

    private Vigil(Settings settings) {
        this.settings = settings;
    }

    public static Vigil start(Settings settings) {
        Vigil v = new Vigil(settings);
        try {
            v.doStart();
            return v;
        } catch (RuntimeException e) {
            v.close();
            throw e;
        } catch (Exception e) {
            v.close();
            throw new IllegalStateException("Vigil did not start: " + e.getMessage(), e);
        }
    }

    /** The feature store's options from the {@code vigil.features.*} settings; a bad value names its key. */
    static RedisFeatureStore.Options featureOptions(Settings settings) {
        return RedisFeatureStore.Options.defaults()
                .withAllowedLateness(allowedLateness(settings))
                .withStateCacheEntries(stateCacheEntries(settings))
                .withMergeSharedStates(mergeSharedStates(settings));
    }

    private static java.time.Duration allowedLateness(Settings settings) {
        String key = "vigil.features.allowed-lateness";
        String v = settings.raw().getOrDefault(key, "PT5M");
        try {
            java.time.Duration d = java.time.Duration.parse(v);
            RedisFeatureStore.Options.defaults().withAllowedLateness(d);
            return d;
        } catch (RuntimeException e) {
            throw new dev.vigil.config.ConfigException(key, v, "an ISO-8601 duration of whole seconds, 0 or more (PT5M): " + e.getMessage());
        }
    }

    private static int stateCacheEntries(Settings settings) {
        String key = "vigil.features.state-cache-entries";
        String v = settings.raw().getOrDefault(key, Integer.toString(RedisFeatureStore.Options.DEFAULT_STATE_CACHE_ENTRIES));
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) throw new NumberFormatException("negative");
            return n;
        } catch (NumberFormatException e) {
            throw new dev.vigil.config.ConfigException(key, v, "a whole number of entity states, 0 or more (0 caches none)");
        }
    }

    private static boolean mergeSharedStates(Settings settings) {
        String key = "vigil.features.merge-shared-states";
        return trueOrFalse(key, settings.raw().getOrDefault(key, "false").strip());
    }

    private void doStart() throws Exception {
        long t0 = System.nanoTime();
        Clock clock = Clock.systemUTC();
        // Rules and model first: a broken rule file or model fails the start before anything listens.
        openRules(clock);
        // Champion, and the optional challenger scored in shadow; both follow their folders without a restart.
        Map<String, String> raw = settings.raw();
        java.time.Duration modelPoll = modelPoll(raw.getOrDefault("vigil.model.reload-poll", "PT5S"));
        model = ReloadingRiskModel.load(settings.modelDir()).startWatching(modelPoll);
        resources.add(model);
        String challengerDir = raw.getOrDefault("vigil.model.challenger-dir", "");
        if (!challengerDir.isBlank()) {
            challenger = ReloadingRiskModel.load(java.nio.file.Path.of(challengerDir)).startWatching(modelPoll);
            resources.add(challenger);
        }

        services = Services.start(settings);
        resources.add(services);
        RedisFeatureStore.Options featureOptions = featureOptions(settings);
        List<String> clusterNodes = settings.redis().clusterNodes();
        features = clusterNodes.isEmpty()
                ? new RedisFeatureStore(services.redisHost(), services.redisPort(), featureOptions)
                : RedisFeatureStore.cluster(clusterNodes.stream().map(redis.clients.jedis.HostAndPort::from)
                        .collect(java.util.stream.Collectors.toSet()), featureOptions);
        resources.add(features);
        // Blacklists and whitelists: lists/*.csv beside the rules folder (lists/README.md).
        for (dev.vigil.feature.ListEntry entry : dev.vigil.feature.ListFiles.read(settings.rulesDir().toAbsolutePath().resolveSibling("lists"))) {
            features.applyList(entry);
        }
        audit = new PostgresAuditStore(services.jdbcUrl(), services.appUser(), services.appPassword());
        resources.add(audit);
        try {
            audit.openCurrentMonth();
        } catch (dev.vigil.audit.AuditUnavailableException e) {
            log.warn("could not open this month's audit partition at start; the first write will: {}", e.getMessage());
        }

        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap()));
        resources.add(admin);
        createTopics(admin);
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(null),
                new StringSerializer(), new ByteArraySerializer());
        resources.add(producer);
        // The Kafka routes publish each batch and commit its offsets in one transaction.
        TransactionalProducers transactional = new TransactionalProducers(id -> {
            KafkaProducer<String, byte[]> p = new KafkaProducer<>(producerConfig(id), new StringSerializer(), new ByteArraySerializer());
            p.initTransactions();
            return p;
        });
        resources.add(transactional);

        metrics = new PipelineMetrics();
        // Watch only once the counter and the topic can hear of it: no reload goes unrecorded.
        String rulesKey = rules.source();
        rules.addListener(r -> metrics.recordRuleReload(r.outcome().tag()));
        rules.addListener(r -> producer.send(new ProducerRecord<>(Topics.RULE_EVENTS, rulesKey, r.toJson()),
                (meta, e) -> {
                    if (e != null) log.warn("rule reload event not published to {}: {}", Topics.RULE_EVENTS, e.toString());
                }));
        // Cases, console and notifications; before the watcher starts, so no refused reload goes unnotified.
        console = Console.create(ConsoleSettings.from(settings.raw()), clock, services.jdbcUrl(), services.appUser(),
                services.appPassword(), services.kafkaBootstrap(), settings.kafka().groupId(), producer, rules,
                "http://" + settings.httpHost() + ":" + settings.httpPort());
        resources.add(console);
        watchRules.run();
        resources.add(rules); // closed before the producer its listener publishes with
        EventCodec codec = new EventCodec(clock, settings.maxFutureSkew(), settings.maxEventBytes());
        DecisionEngine engine = new DecisionEngine(features, model, challenger, rules, clock,
                trueOrFalse("vigil.model.explain-allow", raw.getOrDefault("vigil.model.explain-allow", "false")));
        engine.timeStagesWith(metrics::recordStage);
        // One audit writer per pipeline thread (Kafka consumers, HTTP batchers): their commits overlap.
        AuditWriters writers = new AuditWriters(() -> new PostgresAuditStore(services.jdbcUrl(), services.appUser(), services.appPassword()));
        resources.add(writers);
        Stages.HttpLimits httpLimits = new Stages.HttpLimits(intSetting("vigil.http.max-queued"),
                intSetting("vigil.http.max-batch"), intSetting("vigil.http.workers"));
        Map<String, Object> beans = Stages.create(codec, engine, features, audit, writers, producer, transactional, admin, metrics, clock,
                settings.kafkaPatience(), settings.httpPatience(), httpLimits, degradedDecider(raw, rules, clock));
        // Closed after Camel stops (resources close in reverse), so the last requests are answered first.
        beans.values().forEach(b -> {
            if (b instanceof AutoCloseable c) resources.add(c);
        });

        camel = new Main();
        camel.configure().withRoutesIncludePattern("file:" + settings.routesDir().toAbsolutePath() + "/*.yaml");
        Properties props = new Properties();
        props.putAll(settings.raw());
        props.put("vigil.kafka.resolved-bootstrap-servers", services.kafkaBootstrap());
        props.put("camel.server.enabled", "true");
        props.put("camel.server.host", settings.httpHost());
        props.put("camel.server.port", String.valueOf(settings.httpPort()));
        // Large enough that an oversized event reaches the validator and is rejected with a reason.
        props.put("camel.server.maxBodySize", String.valueOf(Math.max(1 << 20, settings.maxEventBytes() * 4)));
        props.put("camel.main.name", "vigil");
        camel.setOverrideProperties(props);
        // The HTTP server's worker threads (vert.x's default is 20): see HttpLimits.serverThreads.
        camel.bind("vigilHttpServerOptions", new VertxOptions().setWorkerPoolSize(httpLimits.serverThreads()));
        beans.forEach(camel::bind);
        console.beans().forEach(camel::bind);
        camel.start();
        console.start();
        log.info("Vigil started in {} ms: rules {}, model {}, Kafka {}, HTTP {}:{}",
                (System.nanoTime() - t0) / 1_000_000, rules.version(), model.version(), services.kafkaBootstrap(),
                settings.httpHost(), settings.httpPort());
    }

    /**
     * The rule base: the rules folder, watched; or with {@code vigil.rules.release} a KJAR by its Maven
     * coordinates, watched by kie-ci's KieScanner. Watching starts later ({@link #watchRules}), once the
     * metrics and the rule-events topic can hear of a change.
     */
    private void openRules(Clock clock) {
        Map<String, String> raw = settings.raw();
        String release = raw.getOrDefault("vigil.rules.release", "").trim();
        if (release.isEmpty()) {
            ReloadingRuleEngine folder = ReloadingRuleEngine.load(settings.rulesDir(), clock);
            rules = folder;
            watchRules = folder::startWatching;
            return;
        }
        try {
            KjarRuleEngine.parseCoordinates(release);
        } catch (IllegalArgumentException e) {
            throw new dev.vigil.config.ConfigException("vigil.rules.release", release, e.getMessage());
        }
        String scanKey = "vigil.rules.scan-interval";
        String scanValue = raw.getOrDefault(scanKey, "PT10S");
        java.time.Duration scan;
        try {
            scan = java.time.Duration.parse(scanValue);
        } catch (java.time.format.DateTimeParseException e) {
            throw new dev.vigil.config.ConfigException(scanKey, scanValue, "expected an ISO-8601 duration such as PT10S");
        }
        if (scan.toMillis() <= 0) throw new dev.vigil.config.ConfigException(scanKey, scanValue, "expected a positive duration");
        String mavenSettings = raw.getOrDefault("vigil.rules.maven-settings", "").trim();
        if (!mavenSettings.isEmpty()) {
            try {
                // The file's own <offline> decides: a service may follow a remote repository.
                KjarRuleEngine.useMavenSettings(java.nio.file.Path.of(mavenSettings), false);
            } catch (IllegalArgumentException e) {
                throw new dev.vigil.config.ConfigException("vigil.rules.maven-settings", mavenSettings, e.getMessage());
            }
        }
        KjarRuleEngine kjar = KjarRuleEngine.start(release);
        rules = kjar;
        watchRules = () -> kjar.startScanning(scan);
        log.info("Rules from release {} (resolved {}), scanned every {}", release, kjar.releaseId(), scan);
    }

    private static java.time.Duration modelPoll(String v) {
        try {
            java.time.Duration d = java.time.Duration.parse(v);
            if (d.isNegative() || d.isZero()) throw new dev.vigil.config.ConfigException("vigil.model.reload-poll", v, "expected a positive duration");
            return d;
        } catch (java.time.format.DateTimeParseException e) {
            throw new dev.vigil.config.ConfigException("vigil.model.reload-poll", v, "expected an ISO-8601 duration such as PT5S");
        }
    }

    /** {@code vigil.http.when-features-unavailable}: {@code refuse} (503, the default) or {@code degraded}. */
    private static dev.vigil.decision.DegradedDecider degradedDecider(Map<String, String> raw, dev.vigil.rules.RuleEngine rules, Clock clock) {
        String key = "vigil.http.when-features-unavailable";
        String v = raw.getOrDefault(key, "refuse").strip();
        if (v.equalsIgnoreCase("refuse")) return null;
        if (v.equalsIgnoreCase("degraded")) return new dev.vigil.decision.DegradedDecider(rules, clock);
        throw new dev.vigil.config.ConfigException(key, v, "expected refuse or degraded");
    }

    private static boolean trueOrFalse(String key, String v) {
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new dev.vigil.config.ConfigException(key, v, "expected true or false");
    }

    private int intSetting(String key) {
        String v = settings.raw().get(key);
        try {
            int n = Integer.parseInt(v);
            if (n > 0) return n;
        } catch (NumberFormatException | NullPointerException e) {
            // reported below
        }
        throw new dev.vigil.config.ConfigException(key, v, "expected a number above 0");
    }

    /** @param transactionalId null for the plain idempotent producer */
    private Map<String, Object> producerConfig(String transactionalId) {
        Map<String, Object> c = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 2,
                // Compression buys network, not CPU: the broker unpacks every batch to validate it. On the
                // embedded broker (same machine) it is pure cost.
                ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.kafka().embedded() ? "none" : "lz4"));
        if (transactionalId != null) {
            c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            // A killed instance leaves its transaction open, and read_committed readers (and the group's
            // offsets) wait for it until the broker aborts it: 10 s rather than the default minute.
            c.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        }
        return c;
    }

    private void createTopics(Admin admin) throws Exception {
        int partitions = settings.kafka().partitions();
        List<NewTopic> topics = new ArrayList<>();
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        for (String t : Topics.ALL) if (!existing.contains(t)) topics.add(new NewTopic(t, partitions, (short) -1));
        if (topics.isEmpty()) return;
        try {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
    }

    public Settings settings() { return settings; }
    public Services services() { return services; }
    public PostgresAuditStore audit() { return audit; }
    public RedisFeatureStore features() { return features; }
    public PipelineMetrics metrics() { return metrics; }
    /** Users, sessions, API keys, the case queue. */
    public Console console() { return console; }
    public String ruleSetVersion() { return rules.version().toString(); }
    public String modelVersion() { return model.version(); }

    @Override
    public void close() {
        if (camel != null) {
            try {
                camel.stop();
            } catch (RuntimeException e) {
                log.warn("stopping Camel: {}", e.toString());
            }
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("closing {}: {}", resources.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        resources.clear();
    }
}
