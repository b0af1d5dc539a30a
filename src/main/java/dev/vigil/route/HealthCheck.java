package dev.vigil.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.audit.AuditSink;
import dev.vigil.feature.FeatureStore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;
import org.apache.kafka.clients.admin.Admin;

/** {@code GET /health}: 200 when Kafka, Redis and PostgreSQL all answer, else 503 naming which do not. */
public final class HealthCheck {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Admin kafka;
    private final FeatureStore features;
    private final AuditSink audit;

    HealthCheck(Admin kafka, FeatureStore features, AuditSink audit) {
        this.kafka = kafka;
        this.features = features;
        this.audit = audit;
    }

    public void check(Exchange exchange) throws Exception {
        ObjectNode body = MAPPER.createObjectNode();
        ObjectNode checks = body.putObject("checks");
        boolean up = probe(checks, "kafka", () -> {
            try {
                return !kafka.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
            } catch (Exception e) {
                return false;
            }
        });
        up &= probe(checks, "redis", features::isHealthy);
        up &= probe(checks, "postgres", audit::isHealthy);
        body.put("status", up ? "UP" : "DOWN");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, up ? 200 : 503);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(MAPPER.writeValueAsBytes(body));
    }

    private static boolean probe(ObjectNode checks, String name, BooleanSupplier probe) {
        boolean ok;
        try {
            ok = probe.getAsBoolean();
        } catch (RuntimeException e) {
            ok = false;
        }
        checks.put(name, ok ? "UP" : "DOWN");
        return ok;
    }
}
