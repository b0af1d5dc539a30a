package dev.vigil;

import dev.vigil.audit.PostgresAuditStore;
import dev.vigil.config.Settings;
import dev.vigil.decision.DecisionEngine;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.feature.RedisFeatureStore;
import dev.vigil.infra.Services;
import dev.vigil.route.PipelineMetrics;
import dev.vigil.route.Stages;
import dev.vigil.route.TransactionalProducers;
import dev.vigil.rules.ReloadingRuleEngine;
import dev.vigil.score.ReloadingRiskModel;
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
    private ReloadingRuleEngine rules;
    private ReloadingRiskModel model;
    private ReloadingRiskModel challenger;
    private PipelineMetrics metrics;
    private Main camel;

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

    private void doStart() throws Exception {
        long t0 = System.nanoTime();
        Clock clock = Clock.systemUTC();
        // Rules and model first: a broken rule file or model fails the start before anything listens.
        rules = ReloadingRuleEngine.load(settings.rulesDir(), clock);
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
        features = new RedisFeatureStore(services.redisHost(), services.redisPort());
        resources.add(features);
        audit = new PostgresAuditStore(services.jdbcUrl(), services.appUser(), services.appPassword());
        resources.add(audit);

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
        String rulesKey = settings.rulesDir().toAbsolutePath().normalize().toString();
        rules.addListener(r -> metrics.recordRuleReload(r.outcome().tag()));
        rules.addListener(r -> producer.send(new ProducerRecord<>(Topics.RULE_EVENTS, rulesKey, r.toJson()),
                (meta, e) -> {
                    if (e != null) log.warn("rule reload event not published to {}: {}", Topics.RULE_EVENTS, e.toString());
                }));
        rules.startWatching();
        resources.add(rules); // closed before the producer its listener publishes with
        EventCodec codec = new EventCodec(clock, settings.maxFutureSkew(), settings.maxEventBytes());
        DecisionEngine engine = new DecisionEngine(features, model, challenger, rules, clock,
                explainAllow(raw.getOrDefault("vigil.model.explain-allow", "false")));
        Map<String, Object> beans = Stages.create(codec, engine, features, audit, producer, transactional, admin, metrics, clock,
                settings.kafkaPatience(), settings.httpPatience());

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
        beans.forEach(camel::bind);
        camel.start();
        log.info("Vigil started in {} ms: rules {}, model {}, Kafka {}, HTTP {}:{}",
                (System.nanoTime() - t0) / 1_000_000, rules.version(), model.version(), services.kafkaBootstrap(),
                settings.httpHost(), settings.httpPort());
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

    private static boolean explainAllow(String v) {
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new dev.vigil.config.ConfigException("vigil.model.explain-allow", v, "expected true or false");
    }

    /** @param transactionalId null for the plain idempotent producer */
    private Map<String, Object> producerConfig(String transactionalId) {
        Map<String, Object> c = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"));
        if (transactionalId != null) c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
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
