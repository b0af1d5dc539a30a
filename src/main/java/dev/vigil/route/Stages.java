package dev.vigil.route;

import dev.vigil.audit.AuditSink;
import dev.vigil.decision.DecisionEngine;
import dev.vigil.decision.DegradedDecider;
import dev.vigil.event.EventCodec;
import dev.vigil.feature.FeatureStore;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;

/**
 * The beans the routes in {@code camel-routes/} call, by the names the YAML uses. The Kafka and
 * HTTP routes share these same objects, so both run one decision path.
 */
public final class Stages {
    /**
     * Bounds of the HTTP path.
     *
     * @param maxQueued requests waiting before new ones get 503 with Retry-After
     * @param maxBatch most requests decided and committed together
     * @param workers threads deciding HTTP batches
     */
    public record HttpLimits(int maxQueued, int maxBatch, int workers) {
        public HttpLimits {
            if (maxQueued < 1 || maxBatch < 1 || workers < 1) {
                throw new IllegalArgumentException("HTTP limits must be at least 1: " + maxQueued + ", " + maxBatch + ", " + workers);
            }
        }

        /**
         * Threads the HTTP server needs so that {@code maxQueued} is the only bound: Camel runs each
         * request's route on a vert.x worker thread, which waits there for the request's batch. With
         * fewer threads than requests queued and in batches, the rest would wait in vert.x's own
         * unbounded queue instead of being refused, and no batch could grow past the thread count. The
         * spare threads carry requests on their way to a 503. A waiting thread costs no CPU.
         */
        public int serverThreads() {
            return maxQueued + maxBatch * workers + 16;
        }
    }

    private Stages() {}

    /**
     * @param kafkaPatience how long a stage retries a dependency before giving up on a Kafka batch
     *     (it is then delivered again)
     * @param httpPatience the same for an HTTP request (the caller then gets a 503)
     */
    public static Map<String, Object> create(
            EventCodec codec, DecisionEngine engine, FeatureStore features, AuditSink audit, AuditWriters writers,
            Producer<String, byte[]> producer, TransactionalProducers transactional, Admin admin, PipelineMetrics metrics, Clock clock,
            Duration kafkaPatience, Duration httpPatience, HttpLimits http) {
        return create(codec, engine, features, audit, writers, producer, transactional, admin, metrics, clock, kafkaPatience,
                httpPatience, http, null);
    }

    /**
     * @param degraded decides HTTP requests from the event alone when the feature store stays
     *     unreachable ({@code vigil.http.when-features-unavailable=degraded}); null to answer them 503
     */
    public static Map<String, Object> create(
            EventCodec codec, DecisionEngine engine, FeatureStore features, AuditSink audit, AuditWriters writers,
            Producer<String, byte[]> producer, TransactionalProducers transactional, Admin admin, PipelineMetrics metrics, Clock clock,
            Duration kafkaPatience, Duration httpPatience, HttpLimits http, DegradedDecider degraded) {
        Retrying retrying = new Retrying(kafkaPatience, httpPatience, metrics);
        Map<String, Object> beans = new LinkedHashMap<>();
        CommittedOffsets committedOffsets = new CommittedOffsets();
        beans.put("intake", new Intake(codec, metrics, clock, committedOffsets));
        DecideStage decide = new DecideStage(engine, retrying, metrics);
        AuditStage auditStage = new AuditStage(writers, metrics, retrying);
        PublishStage publish = new PublishStage(producer, transactional, committedOffsets, retrying, metrics);
        beans.put("decide", decide);
        beans.put("accountEvents", new AccountEventStage(features, retrying));
        beans.put("audit", auditStage);
        beans.put("publish", publish);
        beans.put("httpBatch", new HttpBatcher(decide, degraded, auditStage, publish, metrics, http.maxQueued(), http.maxBatch(), http.workers(),
                httpPatience));
        beans.put("respond", new HttpResponder(metrics));
        beans.put("health", new HealthCheck(admin, features, audit));
        beans.put("metrics", new MetricsEndpoint(metrics));
        return beans;
    }
}
